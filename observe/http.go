package observe

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// HTTP counts and times requests by route (the mux pattern, never the raw path).
type HTTP struct {
	requests  *prometheus.CounterVec
	duration  *prometheus.HistogramVec
	inFlight  prometheus.Gauge
	reqBytes  *prometheus.HistogramVec
	respBytes *prometheus.HistogramVec
	log       *slog.Logger
}

// NewHTTP registers the HTTP metrics on reg.
func NewHTTP(reg prometheus.Registerer, log *slog.Logger) *HTTP {
	sizes := prometheus.ExponentialBuckets(64, 4, 8) // 64 B … 1 MiB
	h := &HTTP{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Subsystem: "http",
			Name: "requests_total", Help: "HTTP requests by route and status code."}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: Namespace, Subsystem: "http",
			Name: "request_duration_seconds", Help: "HTTP request duration by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}}, []string{"route"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: Namespace, Subsystem: "http",
			Name: "requests_in_flight", Help: "HTTP requests being served."}),
		reqBytes: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: Namespace, Subsystem: "http",
			Name: "request_size_bytes", Help: "HTTP request body size by route.", Buckets: sizes}, []string{"route"}),
		respBytes: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: Namespace, Subsystem: "http",
			Name: "response_size_bytes", Help: "HTTP response body size by route.", Buckets: sizes}, []string{"route"}),
		log: log,
	}
	reg.MustRegister(h.requests, h.duration, h.inFlight, h.reqBytes, h.respBytes)
	return h
}

type ctxKey int

const requestIDKey ctxKey = 0

// RequestID gives the id of the request being served, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// RequestIDHeader carries the request id in and out.
const RequestIDHeader = "X-Request-Id"

var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// Wrap instruments h as route: a request id (the caller's, if well-formed, else a new one) is
// put in the context and the response header, the request is counted, timed and logged.
func (m *HTTP) Wrap(route string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(RequestIDHeader)
		if !validRequestID.MatchString(id) {
			id = newID()
		}
		w.Header().Set(RequestIDHeader, id)
		r = r.WithContext(context.WithValue(r.Context(), requestIDKey, id))
		m.inFlight.Inc()
		defer m.inFlight.Dec()
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		began := time.Now()
		h.ServeHTTP(rec, r)
		elapsed := time.Since(began)
		m.requests.WithLabelValues(route, strconv.Itoa(rec.status)).Inc()
		m.duration.WithLabelValues(route).Observe(elapsed.Seconds())
		if r.ContentLength >= 0 {
			m.reqBytes.WithLabelValues(route).Observe(float64(r.ContentLength))
		}
		m.respBytes.WithLabelValues(route).Observe(float64(rec.bytes))
		m.log.LogAttrs(r.Context(), slog.LevelInfo, "request", slog.String("request_id", id), slog.String("method", r.Method),
			slog.String("route", route), slog.Int("status", rec.status), slog.Duration("duration", elapsed))
	})
}

func newID() string {
	b := make([]byte, 8)
	rand.Read(b) //nolint:errcheck // crypto/rand does not fail on Linux
	return hex.EncodeToString(b)
}

// recorder remembers the status and counts the body bytes written.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int
	wrote  bool
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

// Flush lets streamed responses (CSV exports) reach the client as they are written.
func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

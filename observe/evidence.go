package observe

import "github.com/prometheus/client_golang/prometheus"

// Evidence counts the files of evidence: received in multipart requests, and served.
type Evidence struct {
	files     prometheus.Counter
	bytes     prometheus.Counter
	downloads *prometheus.CounterVec
}

// NewEvidence registers the evidence metrics on reg.
func NewEvidence(reg prometheus.Registerer) *Evidence {
	e := &Evidence{
		files: prometheus.NewCounter(prometheus.CounterOpts{Namespace: Namespace, Subsystem: "evidence",
			Name: "upload_files_total", Help: "Files received in multipart GraphQL requests, within the limits."}),
		bytes: prometheus.NewCounter(prometheus.CounterOpts{Namespace: Namespace, Subsystem: "evidence",
			Name: "upload_bytes_total", Help: "Bytes of the files received in multipart GraphQL requests."}),
		downloads: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Subsystem: "evidence",
			Name: "downloads_total", Help: "Requests for evidence bytes, by kind (file, thumbnail) and outcome (served, not_found, forbidden, error)."},
			[]string{"kind", "outcome"}),
	}
	reg.MustRegister(e.files, e.bytes, e.downloads)
	return e
}

// Received records a file received, of n bytes.
func (e *Evidence) Received(n int64) {
	e.files.Inc()
	e.bytes.Add(float64(n))
}

// Download records one request for evidence bytes.
func (e *Evidence) Download(kind, outcome string) { e.downloads.WithLabelValues(kind, outcome).Inc() }

// Package webhook delivers the outbox's events (schema/postgres/00027, 00028) to the endpoints
// city admins registered: each delivery is claimed from Postgres by one process (FOR UPDATE
// SKIP LOCKED, with a lease, so a delivery whose process died is claimed again), signed with
// the endpoint's secret (HMAC-SHA256 over "<timestamp>.<body>"), retried with exponential
// backoff for a bounded time, and logged attempt by attempt; an endpoint that keeps failing is
// disabled. Delivery is at least once: the event id in every delivery lets receivers drop a
// repeat. Connections go only where the Guard permits.
package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"gridgov/gid"
)

// Worker claims due deliveries and sends them; every serve process runs one.
type Worker struct {
	pool   *pgxpool.Pool
	log    *slog.Logger
	client *http.Client
	m      *metrics

	Poll         time.Duration // how often due deliveries are looked for
	Lease        time.Duration // how long a claim holds before another process may take it
	Batch        int           // deliveries claimed at once
	MaxAge       time.Duration // a delivery is given up this long after its event
	Backoff      time.Duration // the first retry's wait; each next one doubles, up to MaxBackoff
	MaxBackoff   time.Duration
	DisableAfter int // consecutive failed attempts that disable an endpoint
	// Retention is how long the outbox and finished deliveries are kept; they are pruned every
	// PruneEvery.
	Retention  time.Duration
	PruneEvery time.Duration
	Now        func() time.Time
}

// NewWorker makes a worker over pool, connecting only where guard permits.
func NewWorker(pool *pgxpool.Pool, log *slog.Logger, reg prometheus.Registerer, guard Guard) *Worker {
	tr := &http.Transport{DialContext: guard.Dialer().DialContext, Proxy: nil, MaxIdleConnsPerHost: 4,
		TLSHandshakeTimeout: 5 * time.Second, ResponseHeaderTimeout: 10 * time.Second}
	return &Worker{pool: pool, log: log, m: newMetrics(reg),
		client: &http.Client{Transport: tr, Timeout: 15 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		Poll: 500 * time.Millisecond, Lease: time.Minute, Batch: 16, MaxAge: 24 * time.Hour,
		Backoff: 5 * time.Second, MaxBackoff: 30 * time.Minute, DisableAfter: 50,
		Retention: 7 * 24 * time.Hour, PruneEvery: time.Hour, Now: time.Now}
}

// Run delivers until ctx ends; it returns ctx's error. A failed round is logged and retried at
// the next poll; a panic in a delivery is recovered into a failed attempt.
func (w *Worker) Run(ctx context.Context) error {
	t := time.NewTicker(w.Poll)
	defer t.Stop()
	var pruned time.Time
	for {
		if err := w.round(ctx); err != nil && ctx.Err() == nil {
			w.log.Warn("webhooks: round failed", "err", err.Error())
		}
		if time.Since(pruned) >= w.PruneEvery {
			pruned = time.Now()
			if err := w.Prune(ctx); err != nil && ctx.Err() == nil {
				w.log.Warn("webhooks: prune failed", "err", err.Error())
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// delivery is a claimed delivery with what sending it needs.
type delivery struct {
	id, outbox        int64
	attempts          int
	created           time.Time
	endpoint          int64
	url, secret, prev string
	prevValid         bool
	event             eventBody
}

// eventBody is the JSON a receiver gets: ids and states only, never personal data.
type eventBody struct {
	ID        string    `json:"id"`
	Type      string    `json:"type"`
	Object    string    `json:"object"`
	ObjectID  string    `json:"objectId"`
	Action    string    `json:"action"`
	State     string    `json:"state"`
	Street    string    `json:"streetId"`
	Community string    `json:"communityId"`
	Grid      string    `json:"gridId,omitempty"`
	At        time.Time `json:"at"`
}

var objectTypes = map[string]string{"issue": "Issue", "service_order": "ServiceOrder", "checkin": "Checkin"}

// round claims the due deliveries and sends them concurrently.
func (w *Worker) round(ctx context.Context) error {
	ds, err := w.claim(ctx)
	if err != nil {
		return err
	}
	var wg sync.WaitGroup
	for _, d := range ds {
		wg.Go(func() { w.deliver(ctx, d) })
	}
	wg.Wait()
	return nil
}

// claim takes up to Batch due deliveries of active endpoints, moving each one's next_at a lease
// ahead and counting the attempt, in one statement.
func (w *Worker) claim(ctx context.Context) ([]delivery, error) {
	rows, err := w.pool.Query(ctx, `
		WITH due AS (
			SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
			WHERE d.state = 'pending' AND d.next_at <= now() AND e.state = 'active' AND e.deleted_at IS NULL
			ORDER BY d.next_at LIMIT $1 FOR UPDATE OF d SKIP LOCKED)
		UPDATE webhook_deliveries d SET next_at = now() + $2 * interval '1 millisecond', attempts = d.attempts + 1
		FROM due, webhook_endpoints e, outbox o
		WHERE d.id = due.id AND e.id = d.endpoint_id AND o.id = d.outbox_id
		RETURNING d.id, d.outbox_id, d.attempts, d.created_at, e.id, e.url, e.secret, coalesce(e.previous_secret, ''),
			coalesce(e.previous_until > now(), false), o.kind, o.entity_id, o.action, o.to_state, o.street_id, o.community_id,
			coalesce(o.grid_id, 0), o.at`, w.Batch, w.Lease.Milliseconds())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []delivery
	for rows.Next() {
		var d delivery
		var kind, action, state string
		var entity, street, community, grid int64
		var at time.Time
		if err := rows.Scan(&d.id, &d.outbox, &d.attempts, &d.created, &d.endpoint, &d.url, &d.secret, &d.prev, &d.prevValid,
			&kind, &entity, &action, &state, &street, &community, &grid, &at); err != nil {
			return nil, err
		}
		d.event = eventBody{ID: strconv.FormatInt(d.outbox, 10), Type: kind + "." + action, Object: objectTypes[kind],
			ObjectID: gid.Encode(objectTypes[kind], entity), Action: action, State: state,
			Street: gid.Encode("Street", street), Community: gid.Encode("Community", community), At: at}
		if grid != 0 {
			d.event.Grid = gid.Encode("Grid", grid)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// deliver sends one delivery and records the attempt.
func (w *Worker) deliver(ctx context.Context, d delivery) {
	began := time.Now()
	status, err := w.send(ctx, d)
	latency := time.Since(began)
	if ctx.Err() != nil {
		return // stopped mid-flight: the lease runs out and the delivery is claimed again
	}
	ok := err == nil && status >= 200 && status < 300
	msg := ""
	switch {
	case err != nil:
		msg = err.Error()
	case !ok:
		msg = "HTTP " + strconv.Itoa(status)
	}
	w.m.attempts.WithLabelValues(strconv.FormatBool(ok)).Inc()
	w.m.latency.Observe(latency.Seconds())
	if rerr := w.record(ctx, d, status, latency, ok, msg); rerr != nil {
		w.log.Warn("webhooks: attempt not recorded", "delivery", d.id, "err", rerr.Error())
	}
}

// send posts the signed event; a panic becomes the attempt's error.
func (w *Worker) send(ctx context.Context, d delivery) (status int, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic: %v", v)
		}
	}()
	body, err := json.Marshal(d.event)
	if err != nil {
		return 0, err
	}
	ts := w.Now().Unix()
	sig := "v1=" + Sign(d.secret, ts, body)
	if d.prevValid && d.prev != "" {
		sig += ",v1=" + Sign(d.prev, ts, body)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "gridgov-webhooks")
	req.Header.Set(HeaderEventID, d.event.ID)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderSignature, sig)
	resp, err := w.client.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) //nolint:errcheck
	resp.Body.Close()
	return resp.StatusCode, nil
}

// record logs the attempt and settles the delivery: delivered; retried after a backoff; or,
// past MaxAge, failed. The endpoint's run of failures grows or ends with it, and an endpoint
// that reaches DisableAfter is disabled.
func (w *Worker) record(ctx context.Context, d delivery, status int, latency time.Duration, ok bool, msg string) error {
	var st *int
	if status != 0 {
		st = &status
	}
	next := min(w.Backoff<<min(d.attempts-1, 20), w.MaxBackoff)
	giveUp := !ok && w.Now().Add(next).Sub(d.created) > w.MaxAge
	var disabled bool
	err := w.pool.QueryRow(ctx, `
		WITH a AS (INSERT INTO webhook_attempts (delivery_id, status, latency_ms, error) VALUES ($1, $2, $3, $4)),
		d AS (UPDATE webhook_deliveries SET
				state = CASE WHEN $5 THEN 'delivered' WHEN $6 THEN 'failed' ELSE 'pending' END,
				delivered_at = CASE WHEN $5 THEN now() END,
				next_at = CASE WHEN $5 OR $6 THEN next_at ELSE now() + $7 * interval '1 millisecond' END
			WHERE id = $1)
		UPDATE webhook_endpoints SET
			failures = CASE WHEN $5 THEN 0 ELSE failures + 1 END,
			state = CASE WHEN NOT $5 AND failures + 1 >= $9 THEN 'disabled' ELSE state END,
			disabled_at = CASE WHEN NOT $5 AND failures + 1 >= $9 AND state = 'active' THEN now() ELSE disabled_at END,
			disabled_reason = CASE WHEN NOT $5 AND failures + 1 >= $9 AND state = 'active'
				THEN $9::text || ' deliveries failed in a row; the last: ' || $4 ELSE disabled_reason END
		WHERE id = $8
		RETURNING state = 'disabled' AND NOT $5 AND failures = $9`,
		d.id, st, latency.Milliseconds(), msg, ok, giveUp, next.Milliseconds(), d.endpoint, w.DisableAfter).Scan(&disabled)
	if err == nil && disabled {
		w.m.disabled.Inc()
		w.log.Warn("webhooks: endpoint disabled", "endpoint", d.endpoint, "failures", w.DisableAfter, "last", msg)
	}
	if giveUp {
		w.m.givenUp.Inc()
	}
	return err
}

// Prune deletes the finished deliveries, with their attempts, and the outbox events older than
// Retention; an event a pending delivery still needs is kept.
func (w *Worker) Prune(ctx context.Context) error {
	ms := w.Retention.Milliseconds()
	if _, err := w.pool.Exec(ctx, `
		WITH old AS (SELECT id FROM webhook_deliveries WHERE state <> 'pending' AND created_at < now() - $1 * interval '1 millisecond'),
		a AS (DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM old))
		DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM old)`, ms); err != nil {
		return err
	}
	_, err := w.pool.Exec(ctx, `DELETE FROM outbox o WHERE o.at < now() - $1 * interval '1 millisecond'
		AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.outbox_id = o.id)`, ms)
	return err
}

type metrics struct {
	attempts *prometheus.CounterVec
	latency  prometheus.Histogram
	disabled prometheus.Counter
	givenUp  prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "gridgov", Subsystem: "webhook",
			Name: "attempts_total", Help: "Webhook delivery attempts, by whether the endpoint answered 2xx."}, []string{"ok"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "gridgov", Subsystem: "webhook",
			Name: "attempt_seconds", Help: "Duration of one delivery attempt.", Buckets: prometheus.ExponentialBuckets(0.005, 2, 12)}),
		disabled: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "gridgov", Subsystem: "webhook",
			Name: "endpoints_disabled_total", Help: "Endpoints disabled after failing DisableAfter attempts in a row."}),
		givenUp: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "gridgov", Subsystem: "webhook",
			Name: "deliveries_failed_total", Help: "Deliveries given up after retrying for MaxAge."}),
	}
	reg.MustRegister(m.attempts, m.latency, m.disabled, m.givenUp)
	return m
}

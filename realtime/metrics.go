package realtime

import "github.com/prometheus/client_golang/prometheus"

// Metrics count what the hub and its subscribers do.
type Metrics struct {
	sent     *prometheus.CounterVec
	dropped  prometheus.Counter
	refused  *prometheus.CounterVec
	failures prometheus.Counter
	reads    prometheus.Histogram
	// Delivered counts events written to clients, by kind; Latency times them from commit.
	Delivered *prometheus.CounterVec
	Latency   prometheus.Histogram
	// Closed counts connections the server closed, by reason.
	Closed *prometheus.CounterVec
}

// NewMetrics registers the realtime metrics on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	opts := func(name, help string) prometheus.CounterOpts {
		return prometheus.CounterOpts{Namespace: "gridgov", Subsystem: "realtime", Name: name, Help: help}
	}
	m := &Metrics{
		sent:     prometheus.NewCounterVec(opts("events_fanned_out_total", "Outbox events handed to a subscription's buffer, by kind."), []string{"kind"}),
		dropped:  prometheus.NewCounter(opts("slow_subscribers_dropped_total", "Subscriptions dropped because their buffer was full.")),
		refused:  prometheus.NewCounterVec(opts("subscriptions_refused_total", "Subscriptions refused by a limit (connection, token, role)."), []string{"limit"}),
		failures: prometheus.NewCounter(opts("outbox_reader_failures_total", "Times the outbox reader lost its connection or failed a read and restarted.")),
		reads: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "gridgov", Subsystem: "realtime", Name: "outbox_read_seconds",
			Help: "Duration of one read of the outbox.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 12)}),
		Delivered: prometheus.NewCounterVec(opts("events_delivered_total", "Events written to subscribers, by kind."), []string{"kind"}),
		Latency: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "gridgov", Subsystem: "realtime", Name: "delivery_latency_seconds",
			Help: "From the change's history entry to the event handed to the subscriber's connection.", Buckets: prometheus.ExponentialBuckets(0.001, 2, 14)}),
		Closed: prometheus.NewCounterVec(opts("connections_closed_total", "WebSocket connections closed by the server, by reason."), []string{"reason"}),
	}
	reg.MustRegister(m.sent, m.dropped, m.refused, m.failures, m.reads, m.Delivered, m.Latency, m.Closed)
	return m
}

// Refused counts a subscription refused by limit.
func (m *Metrics) Refused(limit string) { m.refused.WithLabelValues(limit).Inc() }

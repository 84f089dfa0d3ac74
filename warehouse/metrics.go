package warehouse

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the warehouse readers' Prometheus metrics, registered on a registry the caller
// owns.
type Metrics struct {
	QueryDuration *prometheus.HistogramVec // ClickHouse query time by query name
	Up            prometheus.Gauge         // 1 while the last query reached ClickHouse, 0 after it did not
}

// NewMetrics creates the metrics and registers them on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		QueryDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "gridgov", Subsystem: "warehouse", Name: "query_duration_seconds",
			Help:    "Time of one ClickHouse query of the indicators or analytics, by query name.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"query"}),
		Up: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "gridgov", Subsystem: "warehouse", Name: "up",
			Help: "1 when the last warehouse query reached ClickHouse, 0 when ClickHouse was unreachable.",
		}),
	}
	reg.MustRegister(m.QueryDuration, m.Up)
	return m
}

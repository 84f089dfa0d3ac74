package etl

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the ETL's Prometheus metrics, registered on a registry the caller owns.
type Metrics struct {
	RowsExtracted *prometheus.CounterVec   // rows read from Postgres, tombstones included, by table
	RowsLoaded    *prometheus.CounterVec   // rows ClickHouse acknowledged, by table
	BatchDuration *prometheus.HistogramVec // from a batch's first row to its acknowledgement, by table
	Lag           prometheus.Gauge         // seconds the warehouse is behind Postgres
	LastSuccess   prometheus.Gauge         // unix time of the last successful run
	Failures      *prometheus.CounterVec   // failed runs, by kind: retryable, fatal, locked
}

// NewMetrics creates the metrics and registers them on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		RowsExtracted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "gridgov", Subsystem: "etl", Name: "rows_extracted_total",
			Help: "Rows read from Postgres (tombstones of hard deletes included), by warehouse table.",
		}, []string{"table"}),
		RowsLoaded: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "gridgov", Subsystem: "etl", Name: "rows_loaded_total",
			Help: "Rows acknowledged by ClickHouse, by warehouse table.",
		}, []string{"table"}),
		BatchDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "gridgov", Subsystem: "etl", Name: "batch_duration_seconds",
			Help:    "Time from a batch's first row to ClickHouse's acknowledgement, by warehouse table.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2.5, 10),
		}, []string{"table"}),
		Lag: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "gridgov", Subsystem: "etl", Name: "lag_seconds",
			Help: "Seconds since the snapshot of the last successful run: how far the warehouse is behind Postgres.",
		}),
		LastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "gridgov", Subsystem: "etl", Name: "last_success_timestamp_seconds",
			Help: "Unix time of the end of the last successful run.",
		}),
		Failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "gridgov", Subsystem: "etl", Name: "failures_total",
			Help: "Failed attempts, by kind: retryable (retried with backoff), fatal, locked (another ETL runs).",
		}, []string{"kind"}),
	}
	reg.MustRegister(m.RowsExtracted, m.RowsLoaded, m.BatchDuration, m.Lag, m.LastSuccess, m.Failures)
	return m
}

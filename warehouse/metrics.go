package warehouse

import (
	"context"
	"errors"
	"io"
	"net"
	"syscall"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/prometheus/client_golang/prometheus"

	"gridgov/apperr"
)

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

// IsUnavailable tells whether err means ClickHouse could not be reached (refused, reset,
// timed out, no connection to be had), as opposed to an error ClickHouse reported.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var ex *clickhouse.Exception
	if errors.As(err, &ex) || errors.Is(err, context.Canceled) {
		return false
	}
	var ne net.Error
	var oe *net.OpError
	return errors.As(err, &ne) || errors.As(err, &oe) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, clickhouse.ErrAcquireConnTimeout) ||
		errors.Is(err, context.DeadlineExceeded)
}

// Unavailable wraps err as WAREHOUSE_UNAVAILABLE when ClickHouse could not be reached, and
// leaves any other error as it is.
func Unavailable(err error) error {
	if IsUnavailable(err) {
		return apperr.Wrap(err, apperr.WarehouseUnavailable, "the warehouse (ClickHouse) is unavailable; indicators cannot be computed now")
	}
	return err
}

package observe

import (
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
)

// poolCollector reads the pgx pool's statistics at scrape time.
type poolCollector struct {
	pool                                   *pgxpool.Pool
	acquired, idle, total, max             *prometheus.Desc
	acquires, waits, waitSeconds, canceled *prometheus.Desc
}

// RegisterPool exposes the Postgres pool's connections, acquisitions and waits.
func RegisterPool(reg prometheus.Registerer, pool *pgxpool.Pool) {
	d := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName(Namespace, "pg_pool", name), help, nil, nil)
	}
	reg.MustRegister(&poolCollector{pool: pool,
		acquired:    d("acquired_connections", "Connections in use."),
		idle:        d("idle_connections", "Idle connections."),
		total:       d("connections", "Open connections."),
		max:         d("max_connections", "Largest size the pool may grow to."),
		acquires:    d("acquires_total", "Connections acquired from the pool."),
		waits:       d("acquire_waits_total", "Acquisitions that had to wait for a connection."),
		waitSeconds: d("acquire_wait_seconds_total", "Time spent acquiring connections."),
		canceled:    d("acquire_canceled_total", "Acquisitions canceled by their context."),
	})
}

func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.acquired, c.idle, c.total, c.max, c.acquires, c.waits, c.waitSeconds, c.canceled} {
		ch <- d
	}
}

func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.pool.Stat()
	g := func(d *prometheus.Desc, v float64) { ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v) }
	n := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v)
	}
	g(c.acquired, float64(s.AcquiredConns()))
	g(c.idle, float64(s.IdleConns()))
	g(c.total, float64(s.TotalConns()))
	g(c.max, float64(s.MaxConns()))
	n(c.acquires, float64(s.AcquireCount()))
	n(c.waits, float64(s.EmptyAcquireCount()))
	n(c.waitSeconds, s.AcquireDuration().Seconds())
	n(c.canceled, float64(s.CanceledAcquireCount()))
}

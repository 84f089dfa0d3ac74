// Package observe holds gridgov's observability plumbing: the Prometheus registry every
// component registers on, HTTP middleware for metrics, request ids and access logs, and
// collectors for the Postgres pool. Metrics follow namespace_subsystem_name_unit, with labels
// of low cardinality only (route, status code, operation, error code: never an id).
package observe

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Namespace prefixes every gridgov metric.
const Namespace = "gridgov"

// NewRegistry gives a registry with the Go runtime and process collectors. It is passed to
// every component, never global, so tests can read exactly what one server exposed.
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

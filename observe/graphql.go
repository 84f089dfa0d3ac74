package observe

import (
	"context"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// GraphQL counts operations, errors by code, refusals by limit, the statements of each round
// trip a query's levels are read in, and who answered each root field.
type GraphQL struct {
	ops      *prometheus.CounterVec
	duration *prometheus.HistogramVec
	errors   *prometheus.CounterVec
	refusals *prometheus.CounterVec
	batches  *prometheus.HistogramVec
	fast     *prometheus.CounterVec
	names    nameLimiter
}

// NewGraphQL registers the GraphQL metrics on reg.
func NewGraphQL(reg prometheus.Registerer) *GraphQL {
	g := &GraphQL{
		ops: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Subsystem: "graphql",
			Name: "operations_total", Help: "GraphQL operations by operation name and type."}, []string{"operation", "type"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: Namespace, Subsystem: "graphql",
			Name: "operation_duration_seconds", Help: "GraphQL operation duration by operation name and type.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}}, []string{"operation", "type"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Subsystem: "graphql",
			Name: "errors_total", Help: "GraphQL errors by extensions.code."}, []string{"code"}),
		refusals: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Subsystem: "graphql",
			Name: "refusals_total", Help: "Requests refused by a limit (depth, complexity, rate, body, batch, timeout)."}, []string{"limit"}),
		batches: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: Namespace, Subsystem: "graphql",
			Name: "read_batch_statements", Help: "Statements per round trip a query level was read in, by how many store sources the level read.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 7)}, []string{"sources"}),
		fast: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Subsystem: "graphql",
			Name: "root_fields_total", Help: "Root fields answered, by field and by who answered: the executor, or gqlgen's executor after a hand-back."},
			[]string{"field", "answered_by"}),
		names: nameLimiter{max: 200, seen: map[string]bool{}},
	}
	reg.MustRegister(g.ops, g.duration, g.errors, g.refusals, g.batches, g.fast)
	return g
}

// Operation records one executed operation. Names come from clients, so only well-formed
// names are kept, and only the first 200 distinct ones; the rest count as "other".
func (g *GraphQL) Operation(name, opType string, d time.Duration) {
	n := g.names.label(name)
	g.ops.WithLabelValues(n, opType).Inc()
	g.duration.WithLabelValues(n, opType).Observe(d.Seconds())
}

// Error records one error returned to a client.
func (g *GraphQL) Error(code string) { g.errors.WithLabelValues(code).Inc() }

// Refused records a request refused by a limit.
func (g *GraphQL) Refused(limit string) { g.refusals.WithLabelValues(limit).Inc() }

// ReadBatch records one round trip of a query level: how many sources it read, in how many
// statements.
func (g *GraphQL) ReadBatch(sources, statements int) {
	g.batches.WithLabelValues(strconv.Itoa(min(sources, 10))).Observe(float64(statements))
}

// Answered records who answered a root field: the executor, or gqlgen's after a hand-back.
func (g *GraphQL) Answered(field string, byExecutor bool) {
	by := "gqlgen"
	if byExecutor {
		by = "executor"
	}
	g.fast.WithLabelValues(field, by).Inc()
}

var operationName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)

// nameLimiter bounds the label values taken from client-chosen operation names.
type nameLimiter struct {
	mu   sync.Mutex
	max  int
	seen map[string]bool
}

func (l *nameLimiter) label(name string) string {
	if name == "" {
		return "anonymous"
	}
	if !operationName.MatchString(name) {
		return "other"
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.seen[name] {
		return name
	}
	if len(l.seen) >= l.max {
		return "other"
	}
	l.seen[name] = true
	return name
}

type graphqlKey struct{}

// WithGraphQL puts the GraphQL metrics in ctx, for code deep in a request (the executor) that
// records into them.
func WithGraphQL(ctx context.Context, g *GraphQL) context.Context {
	return context.WithValue(ctx, graphqlKey{}, g)
}

// GraphQLFrom gives the GraphQL metrics of the request, or nil.
func GraphQLFrom(ctx context.Context) *GraphQL {
	g, _ := ctx.Value(graphqlKey{}).(*GraphQL)
	return g
}

package server

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"gridgov/apperr"
	"gridgov/observe"
	"gridgov/store"
)

// refusal is a gqlerror carrying an application error, so the presenter keeps its code.
func refusal(code apperr.Code, format string, args ...any) *gqlerror.Error {
	e := apperr.New(code, format, args...)
	return &gqlerror.Error{Message: e.Message, Err: e}
}

// costLimits refuses, after validation and before anything runs, operations nested too deep
// (DEPTH_LIMIT) or costing too much (COMPLEXITY_LIMIT), and in production introspection.
//
// Cost: every field costs 1. A connection (a field returning a *Connection type) costs 1 plus
// its page size (first or last, else the default page) times the cost of what it selects;
// another list field costs 1 plus its `last`/`first` argument (else listGuess) times its
// children. So `issues(first: 100) { edges { node { events(last: 20) { note } } } }` costs
// 1 + 100 × (1 + 1 + 1 + 20 × 1) … and a client learns the price before paying it.
type costLimits struct {
	maxDepth, maxCost int
	introspection     bool
	m                 *observe.GraphQL
}

// listGuess is the multiplier of a list field without a size argument (participants, matters).
const listGuess = 10

func (costLimits) ExtensionName() string                   { return "CostLimits" }
func (costLimits) Validate(graphql.ExecutableSchema) error { return nil }

func (c costLimits) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	w := walker{vars: oc.Variables}
	depth, cost := w.selection(oc.Operation.SelectionSet, 1)
	if w.introspects && !c.introspection {
		return refusal(apperr.Forbidden, "introspection is off in production; the SDL is published with the API")
	}
	if depth > c.maxDepth {
		c.m.Refused("depth")
		return refusal(apperr.DepthLimit, "the operation nests %d levels deep; at most %d are allowed", depth, c.maxDepth)
	}
	if cost > c.maxCost {
		c.m.Refused("complexity")
		return refusal(apperr.ComplexityLimit, "the operation costs %d; at most %d is allowed (a connection costs its page size times what it selects)", cost, c.maxCost)
	}
	return nil
}

// walker measures an operation. Fragments are expanded where spread (validation has refused
// cycles); introspection fields count for neither depth nor cost.
type walker struct {
	vars        map[string]any
	introspects bool
}

// selection gives the depth below and including level, and the cost, of a selection set.
func (w *walker) selection(set ast.SelectionSet, level int) (depth, cost int) {
	for _, s := range set {
		var d, c int
		switch s := s.(type) {
		case *ast.Field:
			d, c = w.field(s, level)
		case *ast.InlineFragment:
			d, c = w.selection(s.SelectionSet, level)
		case *ast.FragmentSpread:
			if s.Definition != nil {
				d, c = w.selection(s.Definition.SelectionSet, level)
			}
		}
		depth = max(depth, d)
		cost = saturating(cost, c)
	}
	return depth, cost
}

func (w *walker) field(f *ast.Field, level int) (int, int) {
	if strings.HasPrefix(f.Name, "__") {
		if f.Name != "__typename" {
			w.introspects = true
		}
		return 0, 0
	}
	depth, children := level, 0
	if len(f.SelectionSet) > 0 {
		depth, children = w.selection(f.SelectionSet, level+1)
	}
	if f.Definition == nil || f.Definition.Type == nil {
		return depth, saturating(1, children)
	}
	t := f.Definition.Type
	var mult int
	switch {
	case strings.HasSuffix(t.Name(), "Connection"):
		mult = w.size(f, store.DefaultPage)
	case t.Elem != nil && len(f.SelectionSet) > 0:
		mult = w.size(f, listGuess)
	default:
		return depth, saturating(1, children)
	}
	return depth, saturating(1, times(mult, children))
}

// size reads first or last (with variables), falling back to def; out-of-range values are
// the store's to refuse, so here they only bound the price.
func (w *walker) size(f *ast.Field, def int) int {
	args := f.ArgumentMap(w.vars)
	for _, name := range []string{"first", "last"} {
		switch v := args[name].(type) {
		case int64:
			return clamp(int(v))
		case int:
			return clamp(v)
		case float64:
			return clamp(int(v))
		}
	}
	return def
}

func clamp(n int) int { return min(max(n, 0), store.MaxPage) }

const costCeiling = 1 << 40

func saturating(a, b int) int { return min(a+b, costCeiling) }

func times(a, b int) int {
	if a != 0 && b > costCeiling/a {
		return costCeiling
	}
	return a * b
}

// rateLimiter is a token bucket per token (subject and role): rate tokens a second, up to
// burst. Idle buckets are dropped so the map stays as small as the set of active callers.
type rateLimiter struct {
	rate  float64
	burst float64
	now   func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newRateLimiter(rate float64, burst int) *rateLimiter {
	return &rateLimiter{rate: rate, burst: float64(burst), now: time.Now, buckets: map[string]*bucket{}}
}

// allow takes a token for key; when none is left it says how long until one is.
func (l *rateLimiter) allow(key string) (bool, time.Duration) {
	if l == nil || l.rate <= 0 {
		return true, 0
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		full := time.Duration(l.burst / l.rate * float64(time.Second))
		for k, b := range l.buckets {
			if now.Sub(b.at) > full {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[key] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.at).Seconds()*l.rate)
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
	return false, wait
}

// rateKey identifies a token's caller: the person and role, or for a personless role (a unit
// admin) the role and scope.
func rateKey(role string, person int64, scope string) string {
	if person != 0 {
		return fmt.Sprintf("%s:%d", role, person)
	}
	return role + ":" + scope
}

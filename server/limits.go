package server

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/lexer"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator/core"
	"github.com/vektah/gqlparser/v2/validator/rules"

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
// children, and so does a connection's `edges`. So `issues(first: 100) { edges { node {
// events(last: 20) { note } } } }` costs 1 + 100 × (1 + 10 × (1 + 1 + 20 × 1)), and a client
// learns the price before paying it.
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
	w := newWalker(oc.Variables)
	m := w.selection(oc.Operation.SelectionSet)
	if w.introspects && !c.introspection {
		return refusal(apperr.Forbidden, "introspection is off in production; the SDL is published with the API")
	}
	if m.height > c.maxDepth {
		c.m.Refused("depth")
		return refusal(apperr.DepthLimit, "the operation nests %d levels deep; at most %d are allowed", m.height, c.maxDepth)
	}
	if m.cost > c.maxCost {
		c.m.Refused("complexity")
		return refusal(apperr.ComplexityLimit, "the operation costs %d; at most %d is allowed (a connection costs its page size times what it selects)", m.cost, c.maxCost)
	}
	return nil
}

// walker measures an operation in one pass over its document. A fragment's cost does not
// depend on where it is spread, and its depth only by the level of the spread, so each
// fragment definition is measured once, as a height (the levels it nests) and a cost, and
// that measure is reused at every other spread: the work is linear in the document, however
// often fragments spread one another. Introspection fields count for neither depth nor cost.
type walker struct {
	vars        map[string]any
	introspects bool
	fragments   map[*ast.FragmentDefinition]measure
	// visits counts the selections walked; FuzzCostWalker holds it to the document's size.
	visits int
}

// measure is what a selection adds: the levels of fields it nests and its cost.
type measure struct{ height, cost int }

func newWalker(vars map[string]any) *walker {
	return &walker{vars: vars, fragments: map[*ast.FragmentDefinition]measure{}}
}

func (w *walker) selection(set ast.SelectionSet) measure {
	var m measure
	for _, s := range set {
		w.visits++
		var x measure
		switch s := s.(type) {
		case *ast.Field:
			x = w.field(s)
		case *ast.InlineFragment:
			x = w.selection(s.SelectionSet)
		case *ast.FragmentSpread:
			x = w.fragment(s.Definition)
		}
		m.height = max(m.height, x.height)
		m.cost = saturating(m.cost, x.cost)
	}
	return m
}

// fragment measures a fragment definition the first time it is spread. A cycle (which
// validation refuses before this runs) would end at the spread that closes it.
func (w *walker) fragment(def *ast.FragmentDefinition) measure {
	if def == nil {
		return measure{}
	}
	if m, ok := w.fragments[def]; ok {
		return m
	}
	w.fragments[def] = measure{}
	m := w.selection(def.SelectionSet)
	w.fragments[def] = m
	return m
}

func (w *walker) field(f *ast.Field) measure {
	if strings.HasPrefix(f.Name, "__") {
		if f.Name != "__typename" {
			w.introspects = true
		}
		return measure{}
	}
	children := w.selection(f.SelectionSet)
	m := measure{height: children.height + 1, cost: saturating(1, children.cost)}
	if f.Definition == nil || f.Definition.Type == nil {
		return m
	}
	t := f.Definition.Type
	switch {
	case strings.HasSuffix(t.Name(), "Connection"):
		m.cost = saturating(1, times(w.size(f, store.DefaultPage), children.cost))
	case t.Elem != nil && len(f.SelectionSet) > 0:
		m.cost = saturating(1, times(w.size(f, listGuess), children.cost))
	}
	return m
}

// size reads first or last (with variables), falling back to def; out-of-range values are
// the store's to refuse, so here they only bound the price.
func (w *walker) size(f *ast.Field, def int) int {
	for _, name := range []string{"first", "last"} {
		switch v := w.argument(f, name).(type) {
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

// argument gives the value of one argument of f (a literal, a variable's value or the
// argument's default), or nil.
func (w *walker) argument(f *ast.Field, name string) any {
	if a := f.Arguments.ForName(name); a != nil {
		if a.Value.Kind == ast.Variable {
			return w.vars[a.Value.Raw]
		}
		v, _ := a.Value.Value(w.vars)
		return v
	}
	if d := f.Definition.Arguments.ForName(name); d != nil && d.DefaultValue != nil {
		v, _ := d.DefaultValue.Value(w.vars)
		return v
	}
	return nil
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

// documentLimits refuses, before gqlgen parses and validates it, a document of more than
// maxTokens lexical tokens (names, punctuation, values, comments) or of more than maxFields
// nodes, with COMPLEXITY_LIMIT. The nodes are the fields (aliased or not), fragment spreads,
// inline fragments, arguments, directives and variable definitions as written, each
// fragment definition counted once. Several validation rules compare nodes pairwise
// (OverlappingFieldsCanBeMerged compares every two fields of one response name and every two
// fragments spread in one selection set; others every two arguments, directives or
// variables), so validation time grows with the square of the nodes: these limits bound it,
// in time linear in the document. A document in the query cache passed them already.
type documentLimits struct {
	maxTokens, maxFields int
	validated            graphql.Cache[*ast.QueryDocument]
	m                    *observe.GraphQL
}

func (documentLimits) ExtensionName() string                   { return "DocumentLimits" }
func (documentLimits) Validate(graphql.ExecutableSchema) error { return nil }

func (d documentLimits) MutateOperationParameters(ctx context.Context, raw *graphql.RawParams) *gqlerror.Error {
	if raw.Query == "" {
		return nil
	}
	if _, ok := d.validated.Get(ctx, raw.Query); ok {
		return nil
	}
	// Counting tokens allocates nothing, unlike parsing: a document is parsed once it is
	// known to be short enough.
	src := &ast.Source{Input: raw.Query}
	if countTokens(src, d.maxTokens+1) > d.maxTokens {
		d.m.Refused("tokens")
		return refusal(apperr.ComplexityLimit, "the document holds more than %d tokens; at most %d are allowed", d.maxTokens, d.maxTokens)
	}
	doc, err := parser.ParseQuery(src)
	if err != nil {
		return nil // gqlgen reports the syntax error
	}
	if n := countNodes(doc); n > d.maxFields {
		d.m.Refused("fields")
		return refusal(apperr.ComplexityLimit, "the document holds %d fields, fragment spreads, inline fragments, arguments, directives and variable definitions; at most %d are allowed", n, d.maxFields)
	}
	return nil
}

// maxValidationErrors is the most errors the validation of one document reports.
const maxValidationErrors = 20

// cappedRules are gqlparser's validation rules reporting, together, at most
// maxValidationErrors errors: a document of many conflicting fields is otherwise answered
// with an error for every two of them, each formatted, presented and counted. (gqlgen adds
// the rule of unknown fields itself, uncapped; there are at most maxFields of those.)
func cappedRules() *rules.Rules {
	r := rules.NewDefaultRules()
	left := maxValidationErrors
	for name, rule := range r.GetInner() {
		r.ReplaceRule(name, func(o *core.Events, add core.AddErrFunc) {
			rule(o, func(opts ...core.ErrorOption) {
				if left > 0 {
					left--
					add(opts...)
				}
			})
		})
	}
	return r
}

// countTokens counts the lexical tokens of src, stopping at limit (or at a lexical error,
// which the parser reports).
func countTokens(src *ast.Source, limit int) int {
	lx := lexer.New(src)
	n := 0
	for n < limit {
		tok, err := lx.ReadToken()
		if err != nil || tok.Kind == lexer.EOF {
			break
		}
		n++
	}
	return n
}

// countNodes counts the nodes of a document as written (documentLimits says which): those
// of every operation and of every fragment definition, each once.
func countNodes(doc *ast.QueryDocument) int {
	n := 0
	var count func(ast.SelectionSet)
	count = func(set ast.SelectionSet) {
		n += len(set)
		for _, s := range set {
			switch s := s.(type) {
			case *ast.Field:
				n += len(s.Arguments) + len(s.Directives)
				count(s.SelectionSet)
			case *ast.InlineFragment:
				n += len(s.Directives)
				count(s.SelectionSet)
			case *ast.FragmentSpread:
				n += len(s.Directives)
			}
		}
	}
	for _, op := range doc.Operations {
		n += len(op.VariableDefinitions) + len(op.Directives)
		count(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		n += len(f.Directives)
		count(f.SelectionSet)
	}
	return n
}

// Input limits: the longest string an argument (or a field of an input object, at any depth,
// in a list or not, written in the document or passed as a variable) may carry. A `search`
// argument or input field holds at most maxSearchRunes characters, an ID at most maxIDBytes
// bytes, any other string (a title, a note, a description) at most maxTextRunes characters.
// Text is counted in characters (runes), so Chinese and Latin text have the same limit. A
// list holds at most maxListItems items.
const (
	maxSearchRunes = 64
	maxTextRunes   = 2000
	maxIDBytes     = 64
	maxListItems   = 1000
)

// textLimit gives the rule of a string value of the named type, given as the argument or
// input field called name: the limit, whether it counts bytes, and what the value is.
func textLimit(typeName, name string) (limit int, bytes bool, what string) {
	switch {
	case typeName == "ID":
		return maxIDBytes, true, "an id"
	case name == "search":
		return maxSearchRunes, false, "a search"
	default:
		return maxTextRunes, false, "a text"
	}
}

// inputLimits refuses, after validation and before anything runs, an operation passing a
// string longer than its limit or a list of more than maxListItems items, with
// BAD_USER_INPUT naming the argument path (field alias, argument, input fields and list
// indexes: `issues.filter.search`). Each fragment definition and each variable's value is
// checked once.
type inputLimits struct {
	schema *ast.Schema
	m      *observe.GraphQL
}

func (inputLimits) ExtensionName() string                   { return "InputLimits" }
func (inputLimits) Validate(graphql.ExecutableSchema) error { return nil }

func (l inputLimits) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	c := inputCheck{schema: l.schema, vars: oc.Variables, fragments: map[*ast.FragmentDefinition]bool{}, checked: map[string]bool{}}
	if err := c.selection(oc.Operation.SelectionSet); err != nil {
		l.m.Refused("text")
		return &gqlerror.Error{Message: err.Message, Err: err}
	}
	return nil
}

// inputCheck walks the arguments of an operation against the text limits.
type inputCheck struct {
	schema    *ast.Schema
	vars      map[string]any
	fragments map[*ast.FragmentDefinition]bool
	checked   map[string]bool // variables already checked, by name and rule
}

func (c *inputCheck) selection(set ast.SelectionSet) *apperr.Error {
	for _, s := range set {
		var err *apperr.Error
		switch s := s.(type) {
		case *ast.Field:
			err = c.field(s)
		case *ast.InlineFragment:
			err = c.selection(s.SelectionSet)
		case *ast.FragmentSpread:
			if s.Definition != nil && !c.fragments[s.Definition] {
				c.fragments[s.Definition] = true
				err = c.selection(s.Definition.SelectionSet)
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (c *inputCheck) field(f *ast.Field) *apperr.Error {
	for _, a := range f.Arguments {
		if err := c.literal(a.Value, a.Name, f.Alias+"."+a.Name); err != nil {
			return err
		}
	}
	return c.selection(f.SelectionSet)
}

// literal checks a value written in the document; name is its argument or input field.
func (c *inputCheck) literal(v *ast.Value, name, path string) *apperr.Error {
	switch v.Kind {
	case ast.StringValue, ast.BlockValue:
		if v.ExpectedType != nil {
			return checkText(v.Raw, v.ExpectedType.Name(), name, path)
		}
	case ast.Variable:
		return c.variable(v, name, path)
	case ast.ListValue:
		if len(v.Children) > maxListItems {
			return tooLong(path)
		}
		for i, child := range v.Children {
			if err := c.literal(child.Value, name, path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
	case ast.ObjectValue:
		for _, child := range v.Children {
			if err := c.literal(child.Value, child.Name, path+"."+child.Name); err != nil {
				return err
			}
		}
	}
	return nil
}

// variable checks a variable's value where it is first used under one rule.
func (c *inputCheck) variable(v *ast.Value, name, path string) *apperr.Error {
	if v.ExpectedType == nil {
		return nil
	}
	_, _, what := textLimit(v.ExpectedType.Name(), name)
	key := v.Raw + " " + what
	if c.checked[key] {
		return nil
	}
	c.checked[key] = true
	return c.value(c.vars[v.Raw], v.ExpectedType, name, path)
}

// value checks a variable's value (as decoded from JSON and coerced) of type t.
func (c *inputCheck) value(v any, t *ast.Type, name, path string) *apperr.Error {
	switch v := v.(type) {
	case string:
		return checkText(v, t.Name(), name, path)
	case []any:
		if len(v) > maxListItems {
			return tooLong(path)
		}
		elem := t
		if t.Elem != nil {
			elem = t.Elem
		}
		for i, e := range v {
			if err := c.value(e, elem, name, path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
	case map[string]any:
		def := c.schema.Types[t.Name()]
		if def == nil || def.Kind != ast.InputObject {
			return nil
		}
		for _, fd := range def.Fields {
			if e, ok := v[fd.Name]; ok {
				if err := c.value(e, fd.Type, fd.Name, path+"."+fd.Name); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func tooLong(path string) *apperr.Error {
	return apperr.Invalid(path, "a list may hold at most %d items", maxListItems)
}

func checkText(s, typeName, name, path string) *apperr.Error {
	limit, bytes, what := textLimit(typeName, name)
	if bytes {
		if len(s) > limit {
			return apperr.Invalid(path, "%s may hold at most %d bytes", what, limit)
		}
		return nil
	}
	if len(s) > limit && utf8.RuneCountInString(s) > limit {
		return apperr.Invalid(path, "%s may hold at most %d characters", what, limit)
	}
	return nil
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

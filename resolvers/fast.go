package resolvers

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"gridgov/observe"
	"gridgov/resolvers/scalar"
	"gridgov/store"
)

// The fast read path. gqlgen executes every field through a field context, a context value,
// a deferred group and — for every field with a resolver and every element of a list — a
// goroutine: about 30,000 allocations and 350 goroutines for a console page of 50 issues
// with their people and last events, several times the CPU the database spends on the same
// page. FastRootField executes the root fields it knows (the issue list) itself: the same
// resolver, the same prefetch and loaders, the same masking, the same scalar marshallers,
// written straight into one buffer, one pass per object with the selections collected once
// per selection set and type. It only ever answers a request completely and without
// errors: a field it does not know, a directive it does not handle (@defer), or any error
// sends the root field back to gqlgen, which executes it as it always did and reports
// errors its own way. Reads have no side effects, so abandoning a half-written answer is
// safe. A differential test (fast_test.go) holds the two byte-for-byte equal.

// errSlow abandons the fast path for the root field.
var errSlow = errors.New("not on the fast path")

// FastRootField is a root-field interceptor (server installs it inside the policy check).
func (r *Resolver) FastRootField(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	fc := graphql.GetRootFieldContext(ctx)
	if fc == nil || !graphql.HasOperationContext(ctx) || fc.Field.Name != "issues" {
		return next(ctx)
	}
	oc := graphql.GetOperationContext(ctx)
	if oc.Operation == nil || oc.Operation.Operation != ast.Query {
		return next(ctx)
	}
	w := newFastWriter(ctx, oc, r)
	defer w.release()
	err := w.issuesRoot(fc.Field)
	if m := observe.GraphQLFrom(ctx); m != nil {
		m.FastPath(fc.Field.Name, err == nil)
	}
	if err != nil {
		if w.result != nil { // gqlgen takes the page the fast path read: nothing is read twice
			ctx = context.WithValue(ctx, fastResultKey{}, w.result)
		}
		return next(ctx)
	}
	out := bytes.Clone(w.buf.Bytes())
	return graphql.WriterFunc(func(dst io.Writer) { dst.Write(out) }) //nolint:errcheck
}

// fastWriter writes one root field's value as JSON.
type fastWriter struct {
	ctx    context.Context
	oc     *graphql.OperationContext
	r      *Resolver
	buf    bytes.Buffer
	plans  map[planKey]any               // *fastPlan[T] per selection set and type, made once per request
	args   map[*ast.Field]map[string]any // a nested field's arguments, read once per request
	result any                           // what the root field's resolver returned, for gqlgen after a fallback
}

// argsOf gives f's arguments with the request's variables: the same for every object f is
// written for (an issue's events(last:) for each issue of a page), so read once.
func (w *fastWriter) argsOf(f graphql.CollectedField) map[string]any {
	if a, ok := w.args[f.Field]; ok {
		return a
	}
	a := f.ArgumentMap(w.oc.Variables)
	w.args[f.Field] = a
	return a
}

// fastResultKey holds, in the context of a root field handed back to gqlgen, what its
// resolver already returned to the fast path.
type fastResultKey struct{}

// fastResult gives the value the fast path's resolver call returned for this root field.
func fastResult[T any](ctx context.Context) (T, bool) {
	v, ok := ctx.Value(fastResultKey{}).(T)
	return v, ok
}

// planKey names a selection set (by its first selection, which belongs to it alone) written
// for one type (its *fastType: a pointer hashes faster than a name).
type planKey struct {
	sel ast.Selection
	typ any
}

var fastWriters = sync.Pool{New: func() any {
	return &fastWriter{plans: map[planKey]any{}, args: map[*ast.Field]map[string]any{}}
}}

func newFastWriter(ctx context.Context, oc *graphql.OperationContext, r *Resolver) *fastWriter {
	w := fastWriters.Get().(*fastWriter)
	w.ctx, w.oc, w.r = ctx, oc, r
	return w
}

func (w *fastWriter) release() {
	w.ctx, w.oc, w.r, w.result = nil, nil, nil, nil
	w.buf.Reset()
	clear(w.plans)
	clear(w.args)
	fastWriters.Put(w)
}

// list writes [item(0), …, item(n-1)].
func list[T any](w *fastWriter, items []T, item func(T) error) error {
	w.buf.WriteByte('[')
	for i, v := range items {
		if i > 0 {
			w.buf.WriteByte(',')
		}
		if err := item(v); err != nil {
			return err
		}
	}
	w.buf.WriteByte(']')
	return nil
}

// related writes a resolved child object: null when absent and the field is nullable.
func related[T any](w *fastWriter, v *T, err error, nullable bool, write func(*T) error) error {
	switch {
	case err != nil:
		return err
	case v == nil && nullable:
		w.null()
		return nil
	case v == nil:
		return errSlow
	}
	return write(v)
}

func (w *fastWriter) null()                   { w.buf.WriteString("null") }
func (w *fastWriter) put(m graphql.Marshaler) { m.MarshalGQL(&w.buf) }
func (w *fastWriter) id(s string)             { w.str(s) } // an ID is written as a String
func (w *fastWriter) int(n int)               { w.int64(int64(n)) }

// The writers below append to the buffer without an allocation: gqlgen's marshallers are
// closures, and an Enum's own writer copies through io.Writer. TestFastScalarsMatchGqlgen
// holds their bytes equal to gqlgen's.

func (w *fastWriter) boolean(b bool) {
	if b {
		w.buf.WriteString("true")
	} else {
		w.buf.WriteString("false")
	}
}

func (w *fastWriter) int64(n int64) {
	var b [20]byte
	w.buf.Write(strconv.AppendInt(b[:0], n, 10))
}

func (w *fastWriter) enum(e store.Enum) {
	var b [64]byte
	w.buf.Write(e.AppendGQL(b[:0]))
}

// str writes a String as graphql.MarshalString does; a string with nothing to escape (a
// control character, a quote or a backslash: all single bytes in UTF-8) is copied as it is.
func (w *fastWriter) str(s string) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' {
			w.put(graphql.MarshalString(s))
			return
		}
	}
	w.buf.WriteByte('"')
	w.buf.WriteString(s)
	w.buf.WriteByte('"')
}

// time writes a DateTime as scalar.MarshalDateTime does (RFC 3339 with nanoseconds; the zero
// time is null), formatted straight into the buffer.
func (w *fastWriter) time(t time.Time) {
	if t.IsZero() {
		w.null()
		return
	}
	var b [40]byte
	w.buf.WriteByte('"')
	w.buf.Write(t.AppendFormat(b[:0], time.RFC3339Nano))
	w.buf.WriteByte('"')
}

func (w *fastWriter) optStr(s *string) {
	if s == nil {
		w.null()
		return
	}
	w.str(*s)
}

func (w *fastWriter) optEnum(e *store.Enum) {
	if e == nil {
		w.null()
		return
	}
	w.enum(*e)
}

func (w *fastWriter) optTime(t *time.Time) {
	if t == nil {
		w.null()
		return
	}
	w.time(*t)
}

func (w *fastWriter) optFloat(f *float64) {
	if f == nil {
		w.null()
		return
	}
	w.put(graphql.MarshalFloat(*f))
}

func (w *fastWriter) optDate(t *time.Time) {
	if t == nil {
		w.null()
		return
	}
	w.put(scalar.MarshalDate(*t))
}

package resolvers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strconv"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"gridgov/loaders"
	"gridgov/observe"
	"gridgov/resolvers/scalar"
)

// The API's executor.
//
// gqlgen's executor resolves every field through a field context and — for every field with
// a resolver and every element of a list — a goroutine, and reads what a field points to when
// that field is reached, so a page of fifty issues with their people and events costs tens
// of thousands of allocations, hundreds of goroutines, and a batch per relation per level
// gathered by waiting. Execute answers a root field itself, from the declarations of the
// types (declare.go): it calls the root field's resolver once, then reads the answer level
// by level — for every object of a level, everything its selected fields read, staged and
// sent as one batch (loaders.Cache.Flush: one round trip, rows read on this goroutine) — and
// writes the JSON in one pass, with the selections of each selection set and type collected
// once per request. Statements grow with the depth of the query, never with its rows.
//
// It only ever answers a root field completely and without errors. Anything else — an error
// of any field, a deferred fragment, a null where the schema has none — hands the root field
// to gqlgen's executor with the value its resolver already gave (a mutation never runs
// twice), and gqlgen answers with the same field resolvers and reports errors its own way.
// gqlgen's executor is the reference: the differential tests (exec_test.go) draw queries
// from the schema and hold both answers equal byte for byte.

// errSlow hands the root field to gqlgen's executor.
var errSlow = errors.New("not answered by the executor")

// maxLevels bounds the levels a query is read to; the depth limit refuses deeper ones first.
const maxLevels = 32

// Execute is a root-field interceptor (server installs it inside the policy check).
func (r *Resolver) Execute(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	fc := graphql.GetRootFieldContext(ctx)
	if fc == nil || !graphql.HasOperationContext(ctx) || len(fc.Field.Name) > 1 && fc.Field.Name[:2] == "__" {
		return next(ctx)
	}
	oc := graphql.GetOperationContext(ctx)
	root, ok := roots[oc.Operation.Operation][fc.Field.Name]
	if !ok {
		return next(ctx)
	}
	x := newExec(ctx, oc)
	v, rootErr, ran := root.call(ctx, r, fc.Field, oc.Variables)
	err := rootErr
	if err == nil {
		err = x.answer(v, fc.Field)
	}
	if m := observe.GraphQLFrom(ctx); m != nil {
		m.Answered(fc.Field.Name, err == nil)
	}
	switch {
	case !ran:
		x.release()
		return next(ctx)
	case err != nil:
		x.release()
		return next(withRootValue(ctx, fc.Field.Field, v, rootErr))
	}
	// The answer is written from the exec's buffer, which goes back to the pool once written
	// (an answer never written leaves it to the collector).
	return graphql.WriterFunc(func(dst io.Writer) {
		dst.Write(x.buf.Bytes()) //nolint:errcheck
		x.release()
	})
}

// exec is one root field's answer being read and written.
type exec struct {
	ctx   context.Context
	oc    *graphql.OperationContext
	cache *loaders.Cache
	buf   bytes.Buffer
	plans map[planKey]*plan
	owned map[ownedKey]any // values of fields read by statements of their own, per object
}

// planKey names a selection set (by its first selection, which belongs to it alone) as
// written for one object type.
type planKey struct {
	sel ast.Selection
	typ *objectType
}

// ownedKey is one object's value of one planned field.
type ownedKey struct {
	obj any
	f   *planned
}

// plan is how a selection set is read and written for one object type: its fields, each
// with its key, spec and arguments, made once per request.
type plan struct {
	typ    *objectType
	fields []planned
}

// planned is one collected field of a plan.
type planned struct {
	field graphql.CollectedField
	key   []byte     // `"alias":`
	f     *fieldSpec // nil for __typename
	args  args
	sel   ast.SelectionSet // what the query selects below the field
	objs  bool             // the field's values are objects, read at the next level
}

var execs = sync.Pool{New: func() any { return &exec{plans: map[planKey]*plan{}, owned: map[ownedKey]any{}} }}

func newExec(ctx context.Context, oc *graphql.OperationContext) *exec {
	x := execs.Get().(*exec)
	x.ctx, x.oc, x.cache = ctx, oc, loaders.For(ctx)
	return x
}

func (x *exec) release() {
	x.ctx, x.oc, x.cache = nil, nil, nil
	x.buf.Reset()
	clear(x.plans)
	clear(x.owned)
	execs.Put(x)
}

// answer reads what the query selects below the root value v, level by level, then writes v.
func (x *exec) answer(v any, f graphql.CollectedField) error {
	level, err := x.grow(nil, v, f.Definition.Type, f.Selections)
	if err != nil {
		return err
	}
	for depth := 0; len(level) > 0; depth++ {
		if depth == maxLevels {
			return errSlow
		}
		if level, err = x.read(level); err != nil {
			return err
		}
	}
	return x.value(v, f.Definition.Type, f.Selections)
}

// group is the objects of one level that one plan writes.
type group struct {
	p    *plan
	objs []any
}

// read reads one level: what every field of its plans reads for its objects, in one batch,
// then gives the next level, the objects those fields lead to.
func (x *exec) read(level []group) ([]group, error) {
	for _, g := range level {
		for i := range g.p.fields {
			if pf := &g.p.fields[i]; pf.f != nil && pf.f.want != nil {
				pf.f.want(x.cache, g.objs, pf.args)
			}
		}
	}
	if err := x.cache.Flush(x.ctx); err != nil {
		return nil, err
	}
	var next []group
	for _, g := range level {
		for i := range g.p.fields {
			pf := &g.p.fields[i]
			if !pf.objs {
				continue
			}
			for _, o := range g.objs {
				v, err := x.fieldValue(pf, o)
				if err != nil {
					return nil, err
				}
				if next, err = x.grow(next, v, pf.f.def.Type, pf.sel); err != nil {
					return nil, err
				}
			}
		}
	}
	return next, nil
}

// grow adds the objects of value v (of schema type t: an object, or a list of them) to the
// groups of the next level.
func (x *exec) grow(next []group, v any, t *ast.Type, sel ast.SelectionSet) ([]group, error) {
	if isNil(v) {
		return next, nil
	}
	if t.Elem != nil {
		rv := reflect.ValueOf(v)
		for i := range rv.Len() {
			var err error
			if next, err = x.grow(next, element(rv, i), t.Elem, sel); err != nil {
				return nil, err
			}
		}
		return next, nil
	}
	v, ot := objectOf(v)
	if ot == nil {
		return nil, errSlow
	}
	p, err := x.plan(sel, ot)
	if err != nil {
		return nil, err
	}
	for i := range next {
		if next[i].p == p {
			next[i].objs = append(next[i].objs, v)
			return next, nil
		}
	}
	return append(next, group{p, []any{v}}), nil
}

// objectOf gives an object value by pointer, as every object travels (a value a source reads,
// such as a member's totals, is copied), with its object type; nil when v is no object's.
func objectOf(v any) (any, *objectType) {
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Struct {
		p := reflect.New(rv.Type())
		p.Elem().Set(rv)
		return p.Interface(), typesByGo[rv.Type()]
	}
	if rv.Kind() != reflect.Pointer {
		return v, nil
	}
	return v, typesByGo[rv.Type().Elem()]
}

// element gives the i-th element of a list value: an object by pointer, as every object
// travels.
func element(list reflect.Value, i int) any {
	e := list.Index(i)
	if e.Kind() == reflect.Struct {
		return e.Addr().Interface()
	}
	return e.Interface()
}

// plan gives the plan of sel for t, made on first use.
func (x *exec) plan(sel ast.SelectionSet, t *objectType) (*plan, error) {
	if len(sel) == 0 {
		return nil, errSlow
	}
	k := planKey{sel[0], t}
	if p, ok := x.plans[k]; ok {
		return p, nil
	}
	fs := graphql.CollectFields(x.oc, sel, t.implementors)
	p := &plan{typ: t, fields: make([]planned, len(fs))}
	for i, f := range fs {
		if len(f.Deferrables) > 0 {
			return nil, errSlow
		}
		pf := &p.fields[i]
		pf.field, pf.key = f, appendKey(nil, f.Alias)
		if f.Name == "__typename" {
			continue
		}
		spec := t.fields[f.Name]
		if spec == nil {
			return nil, errSlow
		}
		named := sdl.Types[spec.def.Type.Name()]
		pf.f, pf.args, pf.sel = spec, args{f.ArgumentMap(x.oc.Variables), spec.def}, f.Selections
		pf.objs = named.Kind == ast.Object || named.Kind == ast.Interface || named.Kind == ast.Union
	}
	x.plans[k] = p
	return p, nil
}

// fieldValue gives the value of a planned field for o; a field read by statements of its own
// is read once per object and kept.
func (x *exec) fieldValue(pf *planned, o any) (any, error) {
	if !pf.f.own {
		return pf.f.value(x.ctx, o, pf.args)
	}
	k := ownedKey{o, pf}
	if v, ok := x.owned[k]; ok {
		return v, nil
	}
	// Its resolver reads what the query selects below it (a page's totalCount) from its field
	// context, as under gqlgen's executor.
	ctx := graphql.WithFieldContext(x.ctx, &graphql.FieldContext{Field: pf.field, Args: pf.args.m, IsMethod: true, IsResolver: true})
	v, err := pf.f.value(ctx, o, pf.args)
	if err == nil {
		x.owned[k] = v
	}
	return v, err
}

// object writes o as {"alias": value, …} by p.
func (x *exec) object(o any, p *plan) error {
	ptr := reflect.ValueOf(o).UnsafePointer()
	x.buf.WriteByte('{')
	for i := range p.fields {
		pf := &p.fields[i]
		if i > 0 {
			x.buf.WriteByte(',')
		}
		x.buf.Write(pf.key)
		switch {
		case pf.f == nil:
			x.str(p.typ.name)
		case pf.f.direct != nil:
			pf.f.direct(x, ptr)
		default:
			v, err := x.fieldValue(pf, o)
			if err != nil {
				return err
			}
			if err := x.value(v, pf.f.def.Type, pf.sel); err != nil {
				return err
			}
		}
	}
	x.buf.WriteByte('}')
	return nil
}

// value writes v as a value of schema type t, with sel below its objects.
func (x *exec) value(v any, t *ast.Type, sel ast.SelectionSet) error {
	if isNil(v) {
		// gqlgen writes a nil list as [] where the schema has no null, and reports a nil
		// object or scalar there as an error: the executor leaves that to it.
		switch {
		case t.Elem != nil && t.NonNull:
			x.buf.WriteString("[]")
		case t.NonNull:
			return errSlow
		default:
			x.null()
		}
		return nil
	}
	if t.Elem != nil {
		rv := reflect.ValueOf(v)
		x.buf.WriteByte('[')
		for i := range rv.Len() {
			if i > 0 {
				x.buf.WriteByte(',')
			}
			if err := x.value(element(rv, i), t.Elem, sel); err != nil {
				return err
			}
		}
		x.buf.WriteByte(']')
		return nil
	}
	named := sdl.Types[t.NamedType]
	switch named.Kind {
	case ast.Scalar, ast.Enum:
		return x.scalar(v, named)
	}
	v, ot := objectOf(v)
	if ot == nil {
		return errSlow
	}
	p, err := x.plan(sel, ot)
	if err != nil {
		return err
	}
	return x.object(v, p)
}

// scalar writes a scalar or enum value held by an interface, as gqlgen's marshallers do.
func (x *exec) scalar(v any, def *ast.Definition) error {
	switch v := v.(type) {
	case string:
		if def.Kind == ast.Enum {
			x.enum(v)
		} else {
			x.str(v)
		}
	case *string:
		if v == nil {
			x.null()
		} else {
			return x.scalar(*v, def)
		}
	case int:
		x.int64(int64(v))
	case int64:
		x.int64(v)
	case float64:
		x.float(v)
	case bool:
		x.boolean(v)
	case time.Time:
		if def.Name == "Date" {
			x.date(v)
		} else {
			x.time(v)
		}
	case json.RawMessage:
		x.put(scalar.MarshalJSON(v))
	case graphql.Marshaler:
		x.put(v)
	default:
		// A Go type of its own, bound to an enum or scalar: gqlgen writes its value as is.
		switch rv := reflect.ValueOf(v); rv.Kind() {
		case reflect.String:
			x.str(rv.String())
		case reflect.Int, reflect.Int32, reflect.Int64:
			x.int64(rv.Int())
		case reflect.Float64:
			x.float(rv.Float())
		case reflect.Bool:
			x.boolean(rv.Bool())
		default:
			return errSlow
		}
	}
	return nil
}

// isNil reports whether v is nil, or a nil pointer or slice.
func isNil(v any) bool {
	if v == nil {
		return true
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		return rv.IsNil()
	}
	return false
}

// rootValue is a root field's value already read by the executor, for gqlgen's executor to
// answer with instead of calling the resolver again.
type rootValue struct {
	field *ast.Field
	v     any
	err   error
}

type rootValueKey struct{}

func withRootValue(ctx context.Context, f *ast.Field, v any, err error) context.Context {
	return context.WithValue(ctx, rootValueKey{}, &rootValue{f, v, err})
}

// appendKey appends `"alias":`. An alias is a GraphQL name ([_A-Za-z][_0-9A-Za-z]*): nothing
// in it needs escaping.
func appendKey(b []byte, alias string) []byte {
	b = append(b, '"')
	b = append(b, alias...)
	return append(b, '"', ':')
}

// The writers below append to the buffer without an allocation: gqlgen's marshallers are
// closures, and an Enum's own writer copies through io.Writer. TestScalarsMatchGqlgen holds
// their bytes equal to gqlgen's.

func (x *exec) null()                   { x.buf.WriteString("null") }
func (x *exec) put(m graphql.Marshaler) { m.MarshalGQL(&x.buf) }
func (x *exec) id(s string)             { x.str(s) } // ids are ASCII: as graphql.MarshalID writes them

func (x *exec) boolean(b bool) {
	if b {
		x.buf.WriteString("true")
	} else {
		x.buf.WriteString("false")
	}
}

func (x *exec) optBool(b *bool) {
	if b == nil {
		x.null()
		return
	}
	x.boolean(*b)
}

func (x *exec) int64(n int64) {
	var b [20]byte
	x.buf.Write(strconv.AppendInt(b[:0], n, 10))
}

func (x *exec) optInt(n *int) {
	if n == nil {
		x.null()
		return
	}
	x.int64(int64(*n))
}

// float writes a Float as graphql.MarshalFloat does (%g).
func (x *exec) float(f float64) {
	var b [32]byte
	x.buf.Write(strconv.AppendFloat(b[:0], f, 'g', -1, 64))
}

func (x *exec) optFloat(f *float64) {
	if f == nil {
		x.null()
		return
	}
	x.float(*f)
}

// enum writes a stored value ("in_progress") as its GraphQL enum ("IN_PROGRESS"): enum values
// are ASCII, upper-cased byte by byte.
func (x *exec) enum(s string) {
	x.buf.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		x.buf.WriteByte(c)
	}
	x.buf.WriteByte('"')
}

func (x *exec) optEnum(s *string) {
	if s == nil {
		x.null()
		return
	}
	x.enum(*s)
}

// str writes a String as graphql.MarshalString does; a string with nothing to escape (a
// control character, a quote or a backslash: all single bytes in UTF-8) is copied as it is.
func (x *exec) str(s string) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' {
			x.put(graphql.MarshalString(s))
			return
		}
	}
	x.buf.WriteByte('"')
	x.buf.WriteString(s)
	x.buf.WriteByte('"')
}

func (x *exec) optStr(s *string) {
	if s == nil {
		x.null()
		return
	}
	x.str(*s)
}

// time writes a DateTime as scalar.MarshalDateTime does (RFC 3339 with nanoseconds; the zero
// time is null), formatted straight into the buffer.
func (x *exec) time(t time.Time) {
	if t.IsZero() {
		x.null()
		return
	}
	var b [40]byte
	x.buf.WriteByte('"')
	x.buf.Write(t.AppendFormat(b[:0], time.RFC3339Nano))
	x.buf.WriteByte('"')
}

func (x *exec) optTime(t *time.Time) {
	if t == nil {
		x.null()
		return
	}
	x.time(*t)
}

// date writes a Date as scalar.MarshalDate does.
func (x *exec) date(t time.Time) {
	var b [16]byte
	x.buf.WriteByte('"')
	x.buf.Write(t.AppendFormat(b[:0], "2006-01-02"))
	x.buf.WriteByte('"')
}

func (x *exec) optDate(t *time.Time) {
	if t == nil {
		x.null()
		return
	}
	x.date(*t)
}

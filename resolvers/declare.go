package resolvers

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"gridgov/loaders"
	"gridgov/store"
)

// What a field of the schema is, declared once.
//
// A field that needs more than the value of its object's Go field of the same name is
// declared in types.go, with its object type: a relation to a row (one, opt: the store source
// it is read from and the id the object holds), a value read by a key built from the object
// and the field's arguments (byKey: an issue's last N events, a member's totals in a year), a
// value computed from the object alone (computed: masking, allowed actions), or a value read
// by statements of its own for each object (own: a page nested in an object). Every other
// field is derived from the Go type: scalars and enums from the field of the same name, ids
// from the row id, objects the value holds (a connection's edges).
//
// From these come, at start-up, everything that answers a query: the executor's plan of what
// one level reads and how an answer is written (exec.go), and the value gqlgen's field
// resolvers give (fields_gen.go, one generated line each: resolve). The declarations are read
// at run time rather than turned into code: the executor needs them as values anyway (a
// level's reads are planned from the selections a request makes), and a new relation is one
// line in types.go that no generator has to be run for. A field of the schema that is neither
// declared nor held by its Go type stops the package from loading.

// objectType is one object type of the schema with the Go type bound to it.
type objectType struct {
	name         string
	goType       reflect.Type // the struct; values are pointers to it
	implementors []string     // the type and its interfaces, as fragments name them
	fields       map[string]*fieldSpec
	// node reads rows of the type by id within the caller's scope: node(id:). Nil for types
	// that are not a Node.
	node func(ctx context.Context, id int64) (any, error)
	// held names the Go field holding a field the schema names otherwise.
	held map[string]string
}

// fieldSpec is how one field of an object type is read and written.
type fieldSpec struct {
	name string
	def  *ast.FieldDefinition
	// direct writes a scalar the Go type holds straight from the object (nil for the others).
	direct func(x *exec, p pointer)
	// want stages, for the objects of one level, what the field reads through a store source;
	// nil when it reads nothing through one.
	want func(c *loaders.Cache, objs []any, a args)
	// value gives the field's value for o: read from the request's cache (a key not read yet
	// is read at once), computed, or read by the field's own statements.
	value func(ctx context.Context, o any, a args) (any, error)
	// own marks a value read by statements of the field's own: the executor keeps what it read
	// for writing.
	own bool
}

// decl is one declared field of objects of Go type T, completed once the schema's definition
// of the field is known.
type decl[T any] struct {
	name string
	spec func(def *ast.FieldDefinition) *fieldSpec
	held string // the Go field holding it, when it is held under another name
}

// heldAs is a field the Go type holds under another name (a history's fromOutcome in FromState).
func heldAs[T any](name, goField string) decl[T] { return decl[T]{name: name, held: goField} }

// object declares an object type bound to *T: the source node(id:) reads it from (nil for a
// type that is not a Node), and its declared fields; the rest is derived.
func object[T any](name string, byID *store.Source[int64, *T], fields ...decl[T]) *objectType {
	t := &objectType{name: name, goType: reflect.TypeFor[T](), fields: map[string]*fieldSpec{}, held: map[string]string{}}
	if byID != nil {
		t.node = func(ctx context.Context, id int64) (any, error) {
			v, err := loaders.Load(ctx, loaders.For(ctx), byID, id)
			if v == nil {
				return nil, err
			}
			return v, err
		}
	}
	def := sdl.Types[name]
	if def == nil {
		panic("resolvers: no type " + name + " in the schema")
	}
	for _, d := range fields {
		fd := def.Fields.ForName(d.name)
		if fd == nil {
			panic(fmt.Sprintf("resolvers: %s has no field %s in the schema", name, d.name))
		}
		if d.held != "" {
			t.held[d.name] = d.held
			continue
		}
		f := d.spec(fd)
		f.name, f.def = d.name, fd
		t.fields[d.name] = f
	}
	return t
}

// one is a non-null or nullable relation to the row of src whose id key gives.
func one[T, C any](name string, src *store.Source[int64, *C], key func(*T) int64) decl[T] {
	return rel(name, src, func(o *T) (int64, bool) { return key(o), true })
}

// opt is a relation to the row of src whose id key gives, when it gives one.
func opt[T, C any](name string, src *store.Source[int64, *C], key func(*T) *int64) decl[T] {
	return rel(name, src, func(o *T) (int64, bool) {
		if id := key(o); id != nil {
			return *id, true
		}
		return 0, false
	})
}

// rel is a relation to one row of src. A row that is missing (deleted, or out of the caller's
// scope) is null, or NOT_FOUND naming the field where the schema says it cannot be null.
func rel[T, C any](name string, src *store.Source[int64, *C], key func(*T) (int64, bool)) decl[T] {
	return decl[T]{name: name, spec: func(def *ast.FieldDefinition) *fieldSpec {
		return &fieldSpec{
			want: func(c *loaders.Cache, objs []any, _ args) {
				keys := make([]int64, 0, len(objs))
				for _, o := range objs {
					if k, ok := key(o.(*T)); ok {
						keys = append(keys, k)
					}
				}
				loaders.Want(c, src, keys...)
			},
			value: func(ctx context.Context, o any, _ args) (any, error) {
				k, ok := key(o.(*T))
				if !ok {
					return nil, nil
				}
				v, err := loaders.Load(ctx, loaders.For(ctx), src, k)
				switch {
				case err != nil:
					return nil, err
				case v == nil && def.Type.NonNull:
					return nil, notFound(strings.ToLower(splitCamel(def.Type.Name())))
				case v == nil:
					return nil, nil
				}
				return v, nil
			},
		}
	}}
}

// byKey is a value read from src by the key that key gives for an object and the field's
// arguments (a list, a count, totals); a key without a value reads as V's zero value. An
// argument key refuses is the field's error.
func byKey[T any, K comparable, V any](name string, src *store.Source[K, V], key func(o *T, a args) (K, error)) decl[T] {
	return from(name, src, key, func(v V) V { return v })
}

// from is a value computed from what src reads by key (a list's length, its sum).
func from[T any, K comparable, V, R any](name string, src *store.Source[K, V], key func(o *T, a args) (K, error), f func(V) R) decl[T] {
	return decl[T]{name: name, spec: func(*ast.FieldDefinition) *fieldSpec {
		return &fieldSpec{
			want: func(c *loaders.Cache, objs []any, a args) {
				keys := make([]K, 0, len(objs))
				for _, o := range objs {
					if k, err := key(o.(*T), a); err == nil {
						keys = append(keys, k)
					}
				}
				loaders.Want(c, src, keys...)
			},
			value: func(ctx context.Context, o any, a args) (any, error) {
				k, err := key(o.(*T), a)
				if err != nil {
					return nil, err
				}
				v, err := loaders.Load(ctx, loaders.For(ctx), src, k)
				if err != nil {
					return nil, err
				}
				return f(v), nil
			},
		}
	}}
}

// computed is a value of the object alone and the request (who asks), read from nothing.
func computed[T, V any](name string, f func(ctx context.Context, o *T, a args) (V, error)) decl[T] {
	return decl[T]{name: name, spec: func(*ast.FieldDefinition) *fieldSpec {
		return &fieldSpec{value: func(ctx context.Context, o any, a args) (any, error) { return f(ctx, o.(*T), a) }}
	}}
}

// own is a value read by statements of its own, once for each object: a page nested in an
// object, which no batch can share.
func own[T, V any](name string, f func(ctx context.Context, o *T, a args) (V, error)) decl[T] {
	return decl[T]{name: name, spec: func(*ast.FieldDefinition) *fieldSpec {
		return &fieldSpec{own: true, value: func(ctx context.Context, o any, a args) (any, error) { return f(ctx, o.(*T), a) }}
	}}
}

// splitCamel writes a field name as words: "handlerUnit" → "handler Unit".
func splitCamel(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && r >= 'A' && r <= 'Z' {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

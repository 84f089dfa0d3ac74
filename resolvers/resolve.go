package resolvers

import (
	"context"
	"reflect"

	"github.com/99designs/gqlgen/graphql"
)

// gqlgen's executor: the reference. Its field resolvers (fields_gen.go) answer each field
// from the field's declaration, reading what is missing at once; its root resolvers are the
// hand-written ones the executor calls too.

// resolve gives the value of the field being resolved for obj, as gqlgen's resolver of that
// field returns it (type R).
func resolve[R any](ctx context.Context, obj any) (R, error) {
	var zero R
	fc := graphql.GetFieldContext(ctx)
	f := types[fc.Object].fields[fc.Field.Name]
	var vars map[string]any
	if graphql.HasOperationContext(ctx) {
		vars = graphql.GetOperationContext(ctx).Variables
	}
	v, err := f.value(ctx, obj, args{fc.Field.ArgumentMap(vars), f.def})
	if err != nil || isNil(v) {
		return zero, err
	}
	if r, ok := v.(R); ok {
		return r, nil
	}
	rt, rv := reflect.TypeFor[R](), reflect.ValueOf(v)
	if rt.Kind() == reflect.Pointer && rt.Elem() == rv.Type() { // a value read by a source, by pointer
		p := reflect.New(rv.Type())
		p.Elem().Set(rv)
		return p.Interface().(R), nil
	}
	// An id or enum the Go type holds as a string, given as gqlgen's model type.
	return rv.Convert(rt).Interface().(R), nil
}

// Fields is a field middleware (server installs it) for the root fields gqlgen's executor
// resolves: one the executor already read (and handed back, to be answered with gqlgen's
// errors) gives that value, never running its resolver again; a mutation runs in its
// transaction (inWrite).
func (r *Resolver) Fields(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Object != "Query" && fc.Object != "Mutation" {
		return next(ctx)
	}
	if rv, ok := ctx.Value(rootValueKey{}).(*rootValue); ok && rv.field == fc.Field.Field {
		return rv.v, rv.err
	}
	if fc.Object == "Mutation" {
		return r.inWrite(ctx, next)
	}
	return next(ctx)
}

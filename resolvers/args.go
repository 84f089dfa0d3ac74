package resolvers

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"gridgov/resolvers/scalar"
	"gridgov/store"
)

// Arguments, as the executor reads them: a field's arguments are decoded into the Go types
// of the generated models from the values the document gives (variables and defaults
// applied), guided by the schema, as gqlgen's generated unmarshallers do for its executor.

// args are one field's arguments as the document gives them.
type args struct {
	m   map[string]any
	def *ast.FieldDefinition
}

// int gives an Int argument, nil when absent or null.
func (a args) int(name string) *int {
	var n *int
	if a.into(name, &n) != nil {
		return nil
	}
	return n
}

// page gives a connection's page arguments, asking for the total when the field reads it.
func (a args) page(ctx context.Context) store.Page {
	p := store.Page{Total: wantsTotal(ctx)}
	_ = a.into("first", &p.First)
	_ = a.into("after", &p.After)
	_ = a.into("last", &p.Last)
	_ = a.into("before", &p.Before)
	return p
}

// into decodes the argument name into out (a pointer to a Go value of its model type).
func (a args) into(name string, out any) error {
	ad := a.def.Arguments.ForName(name)
	if ad == nil {
		return fmt.Errorf("resolvers: %s has no argument %s", a.def.Name, name)
	}
	dst := reflect.ValueOf(out).Elem()
	v, err := decodeValue(a.m[name], ad.Type, dst.Type())
	if err != nil {
		return err
	}
	dst.Set(v)
	return nil
}

var (
	unmarshalerType = reflect.TypeFor[graphql.Unmarshaler]()
	uploadType      = reflect.TypeFor[graphql.Upload]() // a file, as a multipart request's variable holds it
)

// decodeValue decodes raw, a value of schema type t, into a Go value of type gt.
func decodeValue(raw any, t *ast.Type, gt reflect.Type) (reflect.Value, error) {
	if raw == nil {
		return reflect.Zero(gt), nil
	}
	if reflect.PointerTo(gt).Implements(unmarshalerType) { // enums
		p := reflect.New(gt)
		err := p.Interface().(graphql.Unmarshaler).UnmarshalGQL(raw)
		return p.Elem(), err
	}
	switch gt.Kind() {
	case reflect.Pointer:
		v, err := decodeValue(raw, t, gt.Elem())
		if err != nil {
			return reflect.Value{}, err
		}
		p := reflect.New(gt.Elem())
		p.Elem().Set(v)
		return p, nil
	case reflect.Slice:
		if gt.Elem().Kind() == reflect.Uint8 { // json.RawMessage
			break
		}
		list, ok := raw.([]any)
		if !ok {
			list = []any{raw} // a single value given for a list
		}
		out := reflect.MakeSlice(gt, len(list), len(list))
		for i, e := range list {
			v, err := decodeValue(e, t.Elem, gt.Elem())
			if err != nil {
				return reflect.Value{}, err
			}
			out.Index(i).Set(v)
		}
		return out, nil
	case reflect.Struct:
		if gt != timeType && gt != uploadType {
			return decodeInput(raw, t, gt)
		}
	}
	if def := sdl.Types[t.Name()]; def != nil && def.Kind == ast.Enum && gt.Kind() == reflect.String {
		s, err := graphql.UnmarshalString(raw) // an enum bound to a Go string type
		return reflect.ValueOf(s).Convert(gt), err
	}
	v, err := decodeScalar(raw, t.Name())
	if err != nil {
		return reflect.Value{}, err
	}
	rv := reflect.ValueOf(v)
	if !rv.Type().ConvertibleTo(gt) {
		return reflect.Value{}, fmt.Errorf("resolvers: cannot decode %s into %s", t.Name(), gt)
	}
	return rv.Convert(gt), nil
}

// decodeInput decodes an input object into a struct: each field by its json name, or by name.
func decodeInput(raw any, t *ast.Type, gt reflect.Type) (reflect.Value, error) {
	m, ok := raw.(map[string]any)
	def := sdl.Types[t.Name()]
	if !ok || def == nil || def.Kind != ast.InputObject {
		return reflect.Value{}, fmt.Errorf("resolvers: %s is not an input object", t.Name())
	}
	out := reflect.New(gt).Elem()
	for _, fd := range def.Fields {
		v, present := m[fd.Name]
		if !present {
			continue
		}
		sf, ok := goField(gt, fd.Name)
		if !ok {
			return reflect.Value{}, fmt.Errorf("resolvers: %s has no field for %s.%s", gt, def.Name, fd.Name)
		}
		dv, err := decodeValue(v, fd.Type, sf.Type)
		if err != nil {
			return reflect.Value{}, err
		}
		out.FieldByIndex(sf.Index).Set(dv)
	}
	return out, nil
}

// decodeScalar decodes a built-in or custom scalar as the generated code does.
func decodeScalar(raw any, name string) (any, error) {
	switch name {
	case "Int":
		return graphql.UnmarshalInt64(raw)
	case "Float":
		return graphql.UnmarshalFloat(raw)
	case "Boolean":
		return graphql.UnmarshalBoolean(raw)
	case "String", "ID":
		return graphql.UnmarshalString(raw)
	case "Date":
		return scalar.UnmarshalDate(raw)
	case "DateTime":
		return scalar.UnmarshalDateTime(raw)
	case "JSON":
		return json.Marshal(raw)
	case "Upload":
		return scalar.UnmarshalUpload(raw)
	}
	return nil, fmt.Errorf("resolvers: no decoder for scalar %s", name)
}

// rootField is a field of Query or Mutation: its definition and the hand-written resolver
// method that answers it.
type rootField struct {
	def      *ast.FieldDefinition
	method   reflect.Method
	mutation bool
}

// roots are the root fields the executor answers, by operation and name.
var roots = map[ast.Operation]map[string]*rootField{
	ast.Query:    rootFields(sdl.Query, reflect.TypeFor[*queryResolver](), false),
	ast.Mutation: rootFields(sdl.Mutation, reflect.TypeFor[*mutationResolver](), true),
}

func rootFields(def *ast.Definition, rt reflect.Type, mutation bool) map[string]*rootField {
	out := map[string]*rootField{}
	for _, fd := range def.Fields {
		if strings.HasPrefix(fd.Name, "__") {
			continue
		}
		m, ok := rt.MethodByName(strings.ToUpper(fd.Name[:1]) + fd.Name[1:])
		if !ok || m.Type.NumIn() != len(fd.Arguments)+2 {
			panic(fmt.Sprintf("resolvers: no method of %s answers %s.%s", rt, def.Name, fd.Name))
		}
		out[fd.Name] = &rootField{def: fd, method: m, mutation: mutation}
	}
	return out
}

// call runs the root field's resolver with the field's arguments decoded, in a field context
// as gqlgen gives its resolvers (they read their selections from it); a mutation runs in its
// transaction, after the ids it names are resolved (inWrite). ran is false when the arguments
// could not be decoded, and the resolver did not run.
func (rf *rootField) call(ctx context.Context, r *Resolver, f graphql.CollectedField, vars map[string]any) (v any, err error, ran bool) {
	raw := f.ArgumentMap(vars)
	object, recv := "Query", reflect.ValueOf(&queryResolver{r})
	if rf.mutation {
		object, recv = "Mutation", reflect.ValueOf(&mutationResolver{r})
	}
	in := make([]reflect.Value, 2, 2+len(rf.def.Arguments))
	in[0] = recv
	for i, ad := range rf.def.Arguments {
		v, err := decodeValue(raw[ad.Name], ad.Type, rf.method.Type.In(i+2))
		if err != nil {
			return nil, err, false
		}
		in = append(in, v)
	}
	ctx = graphql.WithFieldContext(ctx, &graphql.FieldContext{Object: object, Field: f, Args: raw, IsMethod: true, IsResolver: true})
	resolve := func(ctx context.Context) (any, error) {
		in[1] = reflect.ValueOf(ctx)
		out := rf.method.Func.Call(in)
		err, _ := out[1].Interface().(error)
		return out[0].Interface(), err
	}
	if rf.mutation {
		v, err = r.inWrite(ctx, resolve)
	} else {
		v, err = resolve(ctx)
	}
	return v, err, true
}

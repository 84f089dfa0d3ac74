package resolvers

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"time"
	"unsafe"

	"github.com/vektah/gqlparser/v2/ast"

	"gridgov/gid"
)

// types holds every object type of the schema, by name: declared in types.go, completed
// with the fields derived from their Go types.
var types = buildTypes(declared)

// typesByGo finds an object type by the Go struct it is bound to: the concrete type of a Node.
var typesByGo = func() map[reflect.Type]*objectType {
	m := make(map[reflect.Type]*objectType, len(types))
	for _, t := range types {
		m[t.goType] = t
	}
	return m
}()

// buildTypes completes the declared types and derives the others from goTypes (generated
// from gqlgen.yml's bindings), deriving every field no declaration covers.
func buildTypes(declared []*objectType) map[string]*objectType {
	out := map[string]*objectType{}
	for _, t := range declared {
		if out[t.name] != nil {
			panic("resolvers: " + t.name + " is declared twice")
		}
		out[t.name] = t
	}
	for name, gt := range goTypes {
		t := out[name]
		if t == nil {
			t = &objectType{name: name, goType: gt, fields: map[string]*fieldSpec{}}
			out[name] = t
		}
		if t.goType != gt {
			panic(fmt.Sprintf("resolvers: %s is declared over %s, bound to %s", name, t.goType, gt))
		}
		def := sdl.Types[name]
		t.implementors = append([]string{name}, def.Interfaces...)
		for _, fd := range def.Fields {
			if _, ok := t.fields[fd.Name]; ok || strings.HasPrefix(fd.Name, "__") {
				continue
			}
			f, err := derive(t, fd)
			if err != nil {
				panic(err)
			}
			t.fields[fd.Name] = f
		}
	}
	for name := range out {
		if goTypes[name] == nil {
			panic("resolvers: " + name + " is declared but bound to no Go type")
		}
	}
	return out
}

// derive makes the field of t the Go type holds: by the name, or the json name, of a struct
// field.
func derive(t *objectType, fd *ast.FieldDefinition) (*fieldSpec, error) {
	name := fd.Name
	if held := t.held[name]; held != "" {
		name = held
	}
	sf, ok := goField(t.goType, name)
	if !ok {
		return nil, fmt.Errorf("resolvers: %s.%s is neither declared (types.go) nor held by %s", t.name, fd.Name, t.goType)
	}
	named := sdl.Types[fd.Type.Name()]
	f := &fieldSpec{name: fd.Name, def: fd}
	idOf := fd.Name == "id" && named.Name == "ID" && sf.Type.Kind() == reflect.Int64
	enum := named.Kind == ast.Enum && (sf.Type == stringType || sf.Type == optStringType)
	f.value = func(_ context.Context, o any, _ args) (any, error) {
		v := reflect.ValueOf(o).Elem().FieldByIndex(sf.Index)
		switch {
		case idOf:
			return gid.Encode(t.name, v.Int()), nil
		case enum && v.Kind() == reflect.Pointer:
			if v.IsNil() {
				return (*string)(nil), nil
			}
			s := strings.ToUpper(v.Elem().String())
			return &s, nil
		case enum:
			return strings.ToUpper(v.String()), nil
		case v.Kind() == reflect.Struct && named.Kind != ast.Scalar:
			return v.Addr().Interface(), nil // an object the value holds: by pointer, as every object travels
		}
		return v.Interface(), nil
	}
	if fd.Type.Elem == nil && (named.Kind == ast.Scalar || named.Kind == ast.Enum) {
		f.direct = scalarWriter(t.name, named, sf.Type, sf.Offset, idOf, enum)
	}
	return f, nil
}

// goField finds the struct field holding a GraphQL field: by name, case aside, promoted from
// an embedded struct too, or by json name. Its Offset is from the start of t.
func goField(t reflect.Type, name string) (reflect.StructField, bool) {
	sf, ok := t.FieldByNameFunc(func(n string) bool { return strings.EqualFold(n, name) })
	if !ok {
		for i := range t.NumField() {
			f := t.Field(i)
			if tag, _, _ := strings.Cut(f.Tag.Get("json"), ","); tag == name {
				sf, ok = f, true
				break
			}
		}
	}
	if !ok || !sf.IsExported() {
		return reflect.StructField{}, false
	}
	sf.Offset = 0
	for typ, i := t, 0; i < len(sf.Index); i++ {
		f := typ.Field(sf.Index[i])
		if i < len(sf.Index)-1 && f.Type.Kind() != reflect.Struct {
			return reflect.StructField{}, false // promoted through a pointer: not at a fixed offset
		}
		sf.Offset += f.Offset
		typ = f.Type
	}
	return sf, true
}

var (
	stringType    = reflect.TypeFor[string]()
	optStringType = reflect.TypeFor[*string]()
	timeType      = reflect.TypeFor[time.Time]()
	optTimeType   = reflect.TypeFor[*time.Time]()
)

// pointer is an object's address, as the executor writes its scalars from it.
type pointer = unsafe.Pointer

// at reads a field of type V at offset off of the struct at p.
func at[V any](p pointer, off uintptr) V { return *(*V)(unsafe.Add(p, off)) }

// scalarWriter writes a scalar field straight from its struct, as gqlgen's marshallers write
// it (TestScalarsMatchGqlgen), without boxing the value; nil for a Go type it does not know,
// which then goes through the field's value.
func scalarWriter(typeName string, named *ast.Definition, gt reflect.Type, off uintptr, idOf, enum bool) func(*exec, pointer) {
	switch {
	case idOf:
		return func(x *exec, p pointer) { x.id(gid.Encode(typeName, at[int64](p, off))) }
	case enum && gt == stringType:
		return func(x *exec, p pointer) { x.enum(at[string](p, off)) }
	case enum:
		return func(x *exec, p pointer) { x.optEnum(at[*string](p, off)) }
	case named.Kind == ast.Enum:
		return nil
	}
	date := named.Name == "Date"
	switch gt {
	case stringType:
		return func(x *exec, p pointer) { x.str(at[string](p, off)) }
	case optStringType:
		return func(x *exec, p pointer) { x.optStr(at[*string](p, off)) }
	case reflect.TypeFor[int]():
		return func(x *exec, p pointer) { x.int64(int64(at[int](p, off))) }
	case reflect.TypeFor[int64]():
		return func(x *exec, p pointer) { x.int64(at[int64](p, off)) }
	case reflect.TypeFor[int32]():
		return func(x *exec, p pointer) { x.int64(int64(at[int32](p, off))) }
	case reflect.TypeFor[*int]():
		return func(x *exec, p pointer) { x.optInt(at[*int](p, off)) }
	case reflect.TypeFor[float64]():
		return func(x *exec, p pointer) { x.float(at[float64](p, off)) }
	case reflect.TypeFor[*float64]():
		return func(x *exec, p pointer) { x.optFloat(at[*float64](p, off)) }
	case reflect.TypeFor[bool]():
		return func(x *exec, p pointer) { x.boolean(at[bool](p, off)) }
	case reflect.TypeFor[*bool]():
		return func(x *exec, p pointer) { x.optBool(at[*bool](p, off)) }
	case timeType:
		if date {
			return func(x *exec, p pointer) { x.date(at[time.Time](p, off)) }
		}
		return func(x *exec, p pointer) { x.time(at[time.Time](p, off)) }
	case optTimeType:
		if date {
			return func(x *exec, p pointer) { x.optDate(at[*time.Time](p, off)) }
		}
		return func(x *exec, p pointer) { x.optTime(at[*time.Time](p, off)) }
	}
	return nil
}

package resolvers

import (
	"context"
	"fmt"
	"reflect"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"gridgov/graph"
	"gridgov/store"
)

// sdl is the schema the executor serves: what the mutations' reference checks read.
var sdl = graph.NewExecutableSchema(graph.Config{}).Schema()

// refDirective marks an ID of a mutation's input with the type of object it names.
const refDirective = "ref"

// Every ID a mutation's input can carry is declared with @ref, of a type whose table is known:
// checked once, when the package loads, so a schema that forgets one never serves.
func init() {
	if err := checkRefs(sdl); err != nil {
		panic(err)
	}
}

// checkRefs walks every input type a mutation takes and reports an ID without @ref, or one
// naming a type that has no table.
func checkRefs(s *ast.Schema) error {
	seen := map[string]bool{}
	var walk func(t *ast.Type, where string) error
	walk = func(t *ast.Type, where string) error {
		def := s.Types[t.Name()]
		if def == nil || def.Kind != ast.InputObject || seen[def.Name] {
			return nil
		}
		seen[def.Name] = true
		for _, f := range def.Fields {
			if err := walk(f.Type, def.Name+"."+f.Name); err != nil {
				return err
			}
			if f.Type.Name() != "ID" {
				continue
			}
			typ := refType(f)
			if typ == "" {
				return fmt.Errorf("resolvers: %s.%s is an ID without @ref(type:): say what it names", def.Name, f.Name)
			}
			if typeTables[typ] == "" {
				return fmt.Errorf("resolvers: %s.%s names %s, a type without a table", def.Name, f.Name, typ)
			}
		}
		return nil
	}
	for _, m := range s.Mutation.Fields {
		for _, a := range m.Arguments {
			if a.Type.Name() == "ID" {
				return fmt.Errorf("resolvers: mutation %s takes the ID %s outside an input type", m.Name, a.Name)
			}
			if err := walk(a.Type, m.Name+"("+a.Name+")"); err != nil {
				return err
			}
		}
	}
	return nil
}

// refType gives the type an input field's @ref names, or "".
func refType(f *ast.FieldDefinition) string {
	if d := f.Directives.ForName(refDirective); d != nil {
		if a := d.Arguments.ForName("type"); a != nil && a.Value != nil {
			return a.Value.Raw
		}
	}
	return ""
}

// mutationRefs collects the ids the input of the mutation being resolved names, decoded: a
// malformed id, or one of another type than its field declares, is BAD_USER_INPUT. The id of
// an object of the mutation's own result type is the object it changes (its target).
func mutationRefs(ctx context.Context, fc *graphql.FieldContext) ([]store.Ref, error) {
	values := fieldArgs(ctx, fc)
	w := refWalker{target: fc.Field.Definition.Type.Name()}
	for _, a := range fc.Field.Definition.Arguments {
		if err := w.value(a.Type, values[a.Name], ""); err != nil {
			return nil, err
		}
	}
	return w.refs, nil
}

// fieldArgs gives the arguments of the field being resolved, variables applied.
func fieldArgs(ctx context.Context, fc *graphql.FieldContext) map[string]any {
	var vars map[string]any
	if graphql.HasOperationContext(ctx) {
		vars = graphql.GetOperationContext(ctx).Variables
	}
	return fc.Field.ArgumentMap(vars)
}

// beforeWrite readies, outside a mutation's transaction, what takes long to make: an upload
// decoded and encoded again holds no connection while it is.
var beforeWrite = map[string]func(r *Resolver, ctx context.Context, args map[string]any) (context.Context, error){
	"attachEvidence": (*Resolver).prepareEvidence,
}

// refWalker gathers the ids of one mutation's arguments.
type refWalker struct {
	target string
	refs   []store.Ref
}

// value walks v, a value of type t found at path, and gathers the ids below it.
func (w *refWalker) value(t *ast.Type, v any, path string) error {
	if v == nil {
		return nil
	}
	if t.Elem != nil {
		list := reflect.ValueOf(v)
		if list.Kind() != reflect.Slice {
			return w.value(t.Elem, v, path) // a single value given for a list
		}
		for i := range list.Len() {
			if err := w.value(t.Elem, list.Index(i).Interface(), path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
		return nil
	}
	def := sdl.Types[t.Name()]
	fields, ok := v.(map[string]any)
	if def == nil || def.Kind != ast.InputObject || !ok {
		return nil
	}
	for _, f := range def.Fields {
		at := joinPath(path, f.Name)
		if f.Type.Name() == "ID" {
			if err := w.ids(f, fields[f.Name], at); err != nil {
				return err
			}
			continue
		}
		if err := w.value(f.Type, fields[f.Name], at); err != nil {
			return err
		}
	}
	return nil
}

// ids gathers the id (or list of ids) v of the @ref field f.
func (w *refWalker) ids(f *ast.FieldDefinition, v any, path string) error {
	if list, ok := v.([]any); ok {
		for i, e := range list {
			if err := w.ids(f, e, path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
		return nil
	}
	s, ok := v.(string)
	if v == nil || !ok {
		return nil // absent, or refused by the executor's own coercion
	}
	typ := refType(f)
	id, err := idOf(path, typ, s)
	if err != nil {
		return err
	}
	w.refs = append(w.refs, store.Ref{Table: typeTables[typ], ID: id, Field: path, Kind: typ, Target: typ == w.target,
		Directory: refDirectory(f)})
	return nil
}

// refDirectory says whether an input field's @ref names its type's city-wide directory
// (directory: true): the id is looked up among all live rows, not in the caller's scope.
func refDirectory(f *ast.FieldDefinition) bool {
	if d := f.Directives.ForName(refDirective); d != nil {
		if a := d.Arguments.ForName("directory"); a != nil && a.Value != nil {
			return a.Value.Raw == "true"
		}
	}
	return false
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// inWrite runs resolve, the resolver of the mutation being resolved, in one transaction
// (store.Write): first the ids its input names are resolved inside the caller's scope
// (Store.Resolve), so a write never reaches a row the caller may not, then the resolver, whose
// store calls join the transaction. Any error rolls everything back. A mutation with work to
// do beforeWrite has its ids resolved once more before, so that only a caller who reaches
// them costs that work.
func (r *Resolver) inWrite(ctx context.Context, resolve func(context.Context) (any, error)) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	refs, err := mutationRefs(ctx, fc)
	if err != nil {
		return nil, err
	}
	if before := beforeWrite[fc.Field.Name]; before != nil {
		if err := r.Store.Resolve(ctx, scope(ctx), refs); err != nil {
			return nil, store.MapError("mutation", err)
		}
		if ctx, err = before(r, ctx, fieldArgs(ctx, fc)); err != nil {
			return nil, err
		}
	}
	var res any
	err = r.Store.Write(ctx, func(ctx context.Context) error {
		if err := r.Store.Resolve(ctx, scope(ctx), refs); err != nil {
			return err
		}
		var err error
		res, err = resolve(ctx)
		return err
	})
	if err != nil {
		return nil, store.MapError("mutation", err)
	}
	return res, nil
}

package resolvers

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
)

// Every object type of the schema is answerable: bound to its Go type, each field declared or
// held by it, and every Node type readable by id.
func TestTypesCoverTheSchema(t *testing.T) {
	for name, def := range sdl.Types {
		if def.Kind != ast.Object || def == sdl.Query || def == sdl.Mutation || def == sdl.Subscription || strings.HasPrefix(name, "__") {
			continue
		}
		ot := types[name]
		if ot == nil {
			t.Errorf("%s has no object type", name)
			continue
		}
		for _, fd := range def.Fields {
			if f := ot.fields[fd.Name]; f == nil || f.value == nil || f.def != fd {
				t.Errorf("%s.%s cannot be answered", name, fd.Name)
			}
		}
		if slices.Contains(def.Interfaces, "Node") && ot.node == nil {
			t.Errorf("%s is a Node that no source reads by id", name)
		}
	}
}

// A relation that is neither declared nor held by its Go type stops the package from loading,
// naming the field.
func TestAnUndeclaredRelationIsRefused(t *testing.T) {
	var rest []*objectType
	for _, ot := range declared {
		if ot.name != "Issue" {
			rest = append(rest, ot)
			continue
		}
		without := *ot
		without.fields = map[string]*fieldSpec{}
		for name, f := range ot.fields {
			if name != "grid" {
				without.fields[name] = f
			}
		}
		rest = append(rest, &without)
	}
	got := func() (v any) {
		defer func() { v = recover() }()
		buildTypes(rest)
		return nil
	}()
	if msg := fmt.Sprint(got); !strings.Contains(msg, "Issue.grid is neither declared") {
		t.Fatalf("building the types without Issue.grid: %v", got)
	}
}

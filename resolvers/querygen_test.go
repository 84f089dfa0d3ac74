package resolvers_test

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"gridgov/auth"
	"gridgov/graph"
)

// queryGen draws random valid queries from the schema itself: a root field the role may
// use, random selections of every field reachable below it (objects to a few levels, every
// Node type through inline fragments), random arguments of the right types (ids of rows of
// the city where the argument names a type), aliases, named fragments and directives. A new
// type, field or argument is drawn without anyone listing it.
type queryGen struct {
	rng   *rand.Rand
	s     *ast.Schema
	ids   map[string][]string // global ids of the city, by type
	frags []string
	alias int // aliases are numbered, so no two in a query collide
}

func newQueryGen(rng *rand.Rand, ids map[string][]string) *queryGen {
	return &queryGen{rng: rng, s: graph.NewExecutableSchema(graph.Config{}).Schema(), ids: ids}
}

// query draws one query whose root field role may use.
func (g *queryGen) query(policy map[string]auth.Rule, role string) string {
	var roots []*ast.FieldDefinition
	for _, f := range g.s.Query.Fields {
		if !strings.HasPrefix(f.Name, "__") && slices.Contains(policy["Query."+f.Name].Roles, role) {
			roots = append(roots, f)
		}
	}
	g.frags = nil
	q := "{ " + g.field(roots[g.rng.IntN(len(roots))], 0, false) + " }"
	return strings.Join(append([]string{q}, g.frags...), "\n")
}

// maxDepth bounds how deep below the root field a query selects.
const maxDepth = 4

// field draws a selection of field f; alias forces an alias (fields of types side by side in
// one selection set, whose types may conflict).
func (g *queryGen) field(f *ast.FieldDefinition, depth int, alias bool) string {
	var b strings.Builder
	if alias || g.rng.IntN(6) == 0 {
		g.alias++
		fmt.Fprintf(&b, "a%d: ", g.alias)
	}
	b.WriteString(f.Name)
	var args []string
	paged := false
	for _, a := range f.Arguments {
		switch {
		case a.Name == "after" || a.Name == "before": // cursors come from answers, not from here
			continue
		case a.Name == "first" || a.Name == "last":
			if paged || g.rng.IntN(2) == 0 {
				continue
			}
			paged = true
		case !(a.Type.NonNull && a.DefaultValue == nil) && g.rng.IntN(3) > 0:
			continue
		}
		args = append(args, a.Name+": "+g.value(a.Name, a.Type, 0))
	}
	if len(args) > 0 {
		b.WriteString("(" + strings.Join(args, ", ") + ")")
	}
	if g.rng.IntN(12) == 0 {
		b.WriteString([]string{" @include(if: true)", " @skip(if: false)", " @include(if: false)"}[g.rng.IntN(3)])
	}
	if def := g.s.Types[f.Type.Name()]; def.Kind == ast.Object || def.Kind == ast.Interface || def.Kind == ast.Union {
		b.WriteString(" { " + g.selection(def, depth+1, false) + " }")
	}
	return b.String()
}

// selection draws a selection set of t: some of its fields (objects only above maxDepth),
// never none; for an interface, fragments on some of the types implementing it.
func (g *queryGen) selection(t *ast.Definition, depth int, alias bool) string {
	if t.Kind != ast.Object {
		parts := []string{"__typename"}
		types := g.s.GetPossibleTypes(t)
		for range 3 {
			pt := types[g.rng.IntN(len(types))]
			parts = append(parts, "... on "+pt.Name+" { "+g.selection(pt, depth, true)+" }")
		}
		return strings.Join(parts, " ")
	}
	var parts []string
	for _, f := range t.Fields {
		if strings.HasPrefix(f.Name, "__") {
			continue
		}
		object := g.s.Types[f.Type.Name()].Kind != ast.Scalar && g.s.Types[f.Type.Name()].Kind != ast.Enum
		if object && depth >= maxDepth || g.rng.IntN(3) > 0 {
			continue
		}
		parts = append(parts, g.field(f, depth, alias))
	}
	if len(parts) == 0 {
		parts = append(parts, "__typename")
	}
	if g.rng.IntN(8) == 0 { // some of it through a named fragment
		name := fmt.Sprintf("F%d", len(g.frags))
		g.frags = append(g.frags, "fragment "+name+" on "+t.Name+" { "+parts[0]+" }")
		parts[0] = "..." + name
	}
	return strings.Join(parts, " ")
}

// value draws a literal of type t for the argument or input field name.
func (g *queryGen) value(name string, t *ast.Type, depth int) string {
	if t.Elem != nil {
		n := 1 + g.rng.IntN(2)
		items := make([]string, n)
		for i := range items {
			items[i] = g.value(name, t.Elem, depth)
		}
		return "[" + strings.Join(items, ", ") + "]"
	}
	def := g.s.Types[t.NamedType]
	switch def.Kind {
	case ast.Enum:
		return def.EnumValues[g.rng.IntN(len(def.EnumValues))].Name
	case ast.InputObject:
		var fields []string
		for _, f := range def.Fields {
			if f.Type.NonNull && f.DefaultValue == nil || depth < 2 && g.rng.IntN(3) == 0 {
				fields = append(fields, f.Name+": "+g.value(f.Name, f.Type, depth+1))
			}
		}
		return "{" + strings.Join(fields, ", ") + "}"
	}
	switch t.NamedType {
	case "ID":
		return fmt.Sprintf("%q", g.id(name))
	case "Int":
		switch name {
		case "year":
			return fmt.Sprint(2024 + g.rng.IntN(3))
		case "quarter":
			return fmt.Sprint(1 + g.rng.IntN(4))
		case "month":
			return fmt.Sprint(1 + g.rng.IntN(12))
		}
		return fmt.Sprint(1 + g.rng.IntN(8))
	case "Float":
		return "1.5"
	case "Boolean":
		return fmt.Sprint(g.rng.IntN(2) == 0)
	case "Date":
		return `"2025-06-01"`
	case "DateTime":
		return `"2025-06-01T00:00:00+08:00"`
	}
	if name == "month" {
		return fmt.Sprintf(`"2025-%02d"`, 1+g.rng.IntN(12))
	}
	return `"路"`
}

// idStems are the argument names that do not say their type (reporterId is a Person's).
var idStems = map[string][]string{"reporter": {"Person"}, "handler": {"Person"}, "resident": {"Person"}, "actor": {"Person"},
	"claimedBy": {"PartyMember"}, "collectedBy": {"Cadre"}, "category": {"IssueCategory", "ServiceCategory"},
	"organiserUnit": {"Unit"}, "practiceStation": {"Facility"}, "target": {"Issue", "ServiceOrder"}, "team": {"VolunteerTeam"},
	"member": {"PartyMember"}, "scope": {"Street", "Community", "Grid"}}

// id draws a global id for an argument: of the type its name says (gridId, categoryIds)
// when the city has rows of it, else of any type.
func (g *queryGen) id(name string) string {
	stem := strings.TrimSuffix(strings.TrimSuffix(name, "s"), "Id")
	typ := strings.ToUpper(stem[:1]) + stem[1:]
	if types := idStems[stem]; len(types) > 0 {
		typ = types[g.rng.IntN(len(types))]
	}
	if ids := g.ids[typ]; len(ids) > 0 {
		return ids[g.rng.IntN(len(ids))]
	}
	var all []string
	for _, typ := range slices.Sorted(maps.Keys(g.ids)) {
		all = append(all, g.ids[typ]...)
	}
	return all[g.rng.IntN(len(all))]
}

package resolvers_test

import (
	"strings"
	"testing"

	"gridgov/graph"
)

// The SDL is the frontend teams' contract: every type, field, argument and enum value says
// what it is.
func TestSchemaIsDocumented(t *testing.T) {
	s := graph.NewExecutableSchema(graph.Config{}).Schema()
	var missing []string
	for name, def := range s.Types {
		if def.BuiltIn || strings.HasPrefix(name, "__") {
			continue
		}
		if def.Description == "" && name != "Query" && name != "Mutation" {
			missing = append(missing, name)
		}
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			if f.Description == "" {
				missing = append(missing, name+"."+f.Name)
			}
			for _, a := range f.Arguments {
				if a.Description == "" {
					missing = append(missing, name+"."+f.Name+"("+a.Name+")")
				}
			}
		}
		for _, v := range def.EnumValues {
			if v.Description == "" {
				missing = append(missing, name+"."+v.Name)
			}
		}
	}
	if len(missing) > 0 {
		t.Fatalf("%d undocumented: %v", len(missing), missing)
	}
}

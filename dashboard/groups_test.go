package dashboard_test

import (
	"io/fs"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"gridgov/dashboard"
)

// indicatorsSchema is the indicators SDL (schema/graphql/indicators.graphqls) on the few
// names it takes from the rest of the schema.
func indicatorsSchema(t *testing.T) *ast.Schema {
	t.Helper()
	sdl, err := os.ReadFile("../schema/graphql/indicators.graphqls")
	if err != nil {
		t.Fatal(err)
	}
	base := &ast.Source{Name: "base.graphqls", Input: "scalar Date\nscalar DateTime\ntype Query { ping: Boolean }\n"}
	schema, gerr := gqlparser.LoadSchema(base, &ast.Source{Name: "indicators.graphqls", Input: string(sdl)})
	if gerr != nil {
		t.Fatalf("SDL: %v", gerr)
	}
	return schema
}

// indicatorGroups are the groups the Indicators type computes, as paths: each field of an
// object type (checkins, jointMeetings, breakdown…), and inside a group that is one object,
// each field holding objects (checkins.byUnit, orders.ratings, jointMeetings.quarters…). The
// scope, period and asOf describe the answer and are no group; nor are the fields of
// unassigned, the values of one more row of the places table (BreakdownValues), as
// breakdown's are of the others.
func indicatorGroups(schema *ast.Schema) []string {
	isObject := func(tp *ast.Type) bool { return schema.Types[tp.Name()].Kind == ast.Object }
	var groups []string
	for _, f := range schema.Types["Indicators"].Fields {
		if !isObject(f.Type) || f.Name == "scope" || f.Name == "period" {
			continue
		}
		groups = append(groups, f.Name)
		if f.Type.Elem != nil || f.Type.Name() == "BreakdownValues" {
			continue
		}
		for _, g := range schema.Types[f.Type.Name()].Fields {
			if isObject(g.Type) {
				groups = append(groups, f.Name+"."+g.Name)
			}
		}
	}
	return groups
}

// pageQueries are the GraphQL documents app.js sends.
func pageQueries(t *testing.T) []string {
	t.Helper()
	return staticMatches(t, "app.js", "`(query \\w+\\(.*?)`")
}

// panelGroups are the groups the page has a panel for: its elements' data-group.
func panelGroups(t *testing.T) []string {
	t.Helper()
	return staticMatches(t, "index.html", `data-group="([^"]+)"`)
}

// staticMatches gives the first group of each match of re in the page's file name.
func staticMatches(t *testing.T, name, re string) []string {
	t.Helper()
	body, err := fs.ReadFile(dashboard.Static(), name)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range regexp.MustCompile(re).FindAllStringSubmatch(string(body), -1) {
		out = append(out, m[1])
	}
	if len(out) == 0 {
		t.Fatalf("nothing matches %s in %s", re, name)
	}
	return out
}

// Every indicator group the API computes has a panel on the page, which asks for it; a panel
// names a group that exists. A group added to the SDL fails here until the page shows it.
func TestEveryIndicatorGroupHasAPanel(t *testing.T) {
	schema := indicatorsSchema(t)
	groups := indicatorGroups(schema)
	if len(groups) < 20 || !slices.Contains(groups, "jointMeetings.quarters") || !slices.Contains(groups, "checkins.byUnit") {
		t.Fatalf("the groups read from the SDL look wrong: %v", groups)
	}
	panels := panelGroups(t)
	asked := map[string]bool{}
	for _, q := range pageQueries(t) {
		doc, errs := gqlparser.LoadQuery(schema, q)
		if errs != nil {
			t.Fatalf("a query of the page does not validate: %v", errs)
		}
		for _, sel := range doc.Operations[0].SelectionSet {
			for _, f := range sel.(*ast.Field).SelectionSet {
				f := f.(*ast.Field)
				asked[f.Name] = true
				for _, g := range f.SelectionSet {
					asked[f.Name+"."+g.(*ast.Field).Name] = true
				}
			}
		}
	}
	for _, g := range groups {
		if !slices.Contains(panels, g) {
			t.Errorf("indicator group %s has no panel (an element with data-group=%q in index.html)", g, g)
		}
		if !asked[g] {
			t.Errorf("indicator group %s is not asked for by the page's queries", g)
		}
	}
	for _, p := range panels {
		if !slices.Contains(groups, p) {
			t.Errorf("panel %s shows no indicator group of the SDL", p)
		}
	}
	sort.Strings(groups)
	t.Logf("%d groups: %s", len(groups), strings.Join(groups, " "))
}

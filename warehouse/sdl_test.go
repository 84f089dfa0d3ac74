package warehouse_test

import (
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"gridgov/warehouse"
)

// schema/graphql/indicators.graphqls maps field by field onto the Go result structs, describes
// every type and field (the dashboard's own queries are validated against the whole schema in
// dashboard.TestPageQueriesValidateAndStayLocal).
func TestIndicatorsSDL(t *testing.T) {
	sdl, err := os.ReadFile("../schema/graphql/indicators.graphqls")
	if err != nil {
		t.Fatal(err)
	}
	base := &ast.Source{Name: "base.graphqls", Input: "scalar Date\nscalar DateTime\ntype Query { ping: Boolean }\n", BuiltIn: false}
	schema, gerr := gqlparser.LoadSchema(base, &ast.Source{Name: "indicators.graphqls", Input: string(sdl)})
	if gerr != nil {
		t.Fatalf("SDL: %v", gerr)
	}
	goTypes := map[string]reflect.Type{}
	for _, v := range []any{warehouse.Indicators{}, warehouse.ScopeRef{}, warehouse.Span{}, warehouse.Checkins{}, warehouse.UnitCheckins{},
		warehouse.Unit{}, warehouse.Volunteers{}, warehouse.TeamType{}, warehouse.Issues{}, warehouse.IssueCategory{}, warehouse.IssueGroup{},
		warehouse.Orders{}, warehouse.QuarterHours{}, warehouse.RatingCounts{}, warehouse.RatingStages{}, warehouse.UnitRatings{}, warehouse.Coverage{},
		warehouse.ActivityKind{}, warehouse.WorkLogKind{}, warehouse.JointMeetings{}, warehouse.MeetingQuarter{}, warehouse.Organisation{}, warehouse.BreakdownItem{},
		warehouse.BreakdownValues{}, warehouse.CheckinCounts{}, warehouse.IssueCounts{}, warehouse.OrderCounts{}, warehouse.VolunteerCounts{},
		warehouse.ActivityCounts{}, warehouse.CoverageCounts{}, warehouse.TrendPoint{}, warehouse.Patrols{}, warehouse.PoliceDuties{},
		warehouse.PoliceDutyKind{}, warehouse.PartnerKind{}} {
		goTypes[reflect.TypeOf(v).Name()] = reflect.TypeOf(v)
	}
	bound := regexp.MustCompile(`\(warehouse\.(\w+)\)`)
	seen := 0
	for name, def := range schema.Types {
		if def.Position == nil || def.Position.Src.Name != "indicators.graphqls" {
			continue
		}
		if strings.TrimSpace(def.Description) == "" {
			t.Errorf("type %s has no description", name)
		}
		if def.Kind != ast.Object && def.Kind != ast.InputObject && def.Kind != ast.Enum {
			continue
		}
		for _, f := range def.Fields {
			if strings.TrimSpace(f.Description) == "" {
				t.Errorf("%s.%s has no description", name, f.Name)
			}
		}
		for _, v := range def.EnumValues {
			if strings.TrimSpace(v.Description) == "" {
				t.Errorf("enum value %s.%s has no description", name, v.Name)
			}
		}
		if def.Kind != ast.Object || name == "Query" {
			continue
		}
		m := bound.FindStringSubmatch(def.Description)
		if m == nil {
			t.Errorf("type %s names no Go struct (warehouse.X) in its description", name)
			continue
		}
		gt, ok := goTypes[m[1]]
		if !ok {
			t.Errorf("type %s: unknown Go type warehouse.%s", name, m[1])
			continue
		}
		seen++
		for _, f := range def.Fields {
			if _, ok := gt.FieldByNameFunc(func(n string) bool { return strings.EqualFold(n, f.Name) }); !ok {
				t.Errorf("%s.%s has no field in warehouse.%s", name, f.Name, m[1])
			}
		}
	}
	if seen < 25 {
		t.Errorf("only %d object types checked", seen)
	}
}

package warehouse_test

import (
	"strings"
	"testing"

	"gridgov/warehouse"
)

// Every column of every table about people, or joined to them, is classified in
// warehouse.PersonTables, and no row joinable to a person is placed below the grid.
func TestPersonTablesClassifyTheDDL(t *testing.T) {
	problems, err := warehouse.PrivacyProblems()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
}

// What the classification check refuses, on the DDL changed the way a careless migration would.
func TestCheckPrivacyRefuses(t *testing.T) {
	cases := []struct {
		name   string
		change func(tables map[string]*warehouse.Migration, classes []warehouse.PersonTable) []warehouse.PersonTable
		want   string
	}{
		{"a new column about a person", func(tables map[string]*warehouse.Migration, classes []warehouse.PersonTable) []warehouse.PersonTable {
			add(tables["dim_person"], warehouse.Column{Name: "birth_date", Type: "Nullable(Date)", Comment: "day of birth"})
			return classes
		}, "dim_person.birth_date: not classified"},
		{"a new column on a fact joined to people", func(tables map[string]*warehouse.Migration, classes []warehouse.PersonTable) []warehouse.PersonTable {
			add(tables["fact_issue"], warehouse.Column{Name: "reporter_age", Type: "UInt8", Comment: "age of the reporter"})
			return classes
		}, "fact_issue.reporter_age: not classified"},
		{"a building on a row with a person key", func(tables map[string]*warehouse.Migration, classes []warehouse.PersonTable) []warehouse.PersonTable {
			add(tables["fact_service_order"], warehouse.Column{Name: "building_id", Type: "Nullable(UInt64)", Comment: "building; join dim_building"})
			return reclassify(classes, "fact_service_order", func(pt *warehouse.PersonTable) { pt.Records = append(pt.Records, "building_id") })
		}, "fact_service_order.building_id: a place below the grid"},
		{"a building on a row other tables name", func(tables map[string]*warehouse.Migration, classes []warehouse.PersonTable) []warehouse.PersonTable {
			add(tables["role_party_member"], warehouse.Column{Name: "building_id", Type: "Nullable(UInt64)", Comment: "building of residence"})
			return reclassify(classes, "role_party_member", func(pt *warehouse.PersonTable) { pt.Quasi = append(pt.Quasi, "building_id") })
		}, "role_party_member.building_id: a place below the grid"},
		{"a person key back on resident records", func(tables map[string]*warehouse.Migration, classes []warehouse.PersonTable) []warehouse.PersonTable {
			add(tables["role_resident"], warehouse.Column{Name: "person_key", Type: "UInt64", Comment: "pseudonymous key of the resident"})
			return classes
		}, "role_resident: its rows carry a person key"},
		{"a new table joined to people", func(tables map[string]*warehouse.Migration, classes []warehouse.PersonTable) []warehouse.PersonTable {
			tables["fact_visit"] = &warehouse.Migration{Table: "fact_visit", Columns: []warehouse.Column{
				{Name: "id", Type: "UInt64"}, {Name: "visitor_key", Type: "UInt64"}, {Name: "grid_id", Type: "UInt64"}}}
			return classes
		}, "fact_visit: joined to people (visitor_key) but not in warehouse.PersonTables"},
		{"a classified column the table lost", func(tables map[string]*warehouse.Migration, classes []warehouse.PersonTable) []warehouse.PersonTable {
			return reclassify(classes, "dim_person", func(pt *warehouse.PersonTable) { pt.Quasi = append(pt.Quasi, "birth_year") })
		}, "dim_person.birth_year: classified, but the table has no such column"},
		{"a quasi-identifier on a fact", func(tables map[string]*warehouse.Migration, classes []warehouse.PersonTable) []warehouse.PersonTable {
			return reclassify(classes, "fact_volunteer", func(pt *warehouse.PersonTable) {
				pt.Records = pt.Records[1:]
				pt.Quasi = []string{"team_id"}
			})
		}, "fact_volunteer: quasi-identifiers describe the person a row is about"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			base, err := warehouse.Tables()
			if err != nil {
				t.Fatal(err)
			}
			tables := map[string]*warehouse.Migration{}
			for i := range base {
				m := base[i]
				m.Columns = append([]warehouse.Column(nil), m.Columns...)
				tables[m.Table] = &m
			}
			classes := c.change(tables, append([]warehouse.PersonTable(nil), warehouse.PersonTables...))
			var changed []warehouse.Migration
			for _, m := range tables {
				changed = append(changed, *m)
			}
			problems := warehouse.CheckPrivacy(changed, classes)
			found := false
			for _, p := range problems {
				found = found || strings.Contains(p, c.want)
			}
			if !found {
				t.Errorf("want a problem %q, got %q", c.want, problems)
			}
		})
	}
}

func add(m *warehouse.Migration, c warehouse.Column) { m.Columns = append(m.Columns, c) }

// reclassify changes a copy of one table's classification.
func reclassify(classes []warehouse.PersonTable, table string, change func(*warehouse.PersonTable)) []warehouse.PersonTable {
	for i, pt := range classes {
		if pt.Table == table {
			pt.Quasi = append([]string(nil), pt.Quasi...)
			pt.Records = append([]string(nil), pt.Records...)
			change(&pt)
			classes[i] = pt
		}
	}
	return classes
}

package whtest

import (
	"context"
	"strings"
	"testing"

	"gridgov/warehouse"
)

// GroupSizes checks the privacy count on a few people in a fresh database db on e: three people
// alike in dim_person, two of them cadres (role_cadre) assigned to grids (role_grid_assignment,
// named by cadre_id). Counted on dim_person alone they are one group of three; with the grid
// assignments as quasi-identifiers (joined through role_cadre's person key, and a set per
// person) each is a group of one. It runs on ClickHouse 18.16 and chDB.
func GroupSizes(t *testing.T, e warehouse.Engine, db string) {
	if _, err := warehouse.Migrate(context.Background(), e, db, warehouse.Topology{}); err != nil {
		t.Fatal(err)
	}
	f := fixture{t: t, e: e, db: db}
	for _, key := range []string{"100", "200", "300"} {
		f.row("dim_person", kv{"person_key": key, "gender": "'female'", "birth_cohort": "1985", "community_id": "11"})
	}
	f.row("dim_person", kv{"person_key": "400", "gender": "'male'", "version": "2", "is_deleted": "1"})
	f.row("role_cadre", kv{"id": "1", "person_key": "100", "street_id": "1"})
	f.row("role_cadre", kv{"id": "2", "person_key": "200", "street_id": "1"})
	f.row("role_grid_assignment", kv{"id": "1", "cadre_id": "1", "street_id": "1", "community_id": "11", "grid_id": "111"})
	f.row("role_grid_assignment", kv{"id": "2", "cadre_id": "1", "street_id": "1", "community_id": "11", "grid_id": "112"})
	f.row("role_grid_assignment", kv{"id": "3", "cadre_id": "2", "street_id": "1", "community_id": "11", "grid_id": "111"})

	tables, err := warehouse.Tables()
	if err != nil {
		t.Fatal(err)
	}
	person := warehouse.PersonTable{Table: "dim_person", Subject: "person_key", Quasi: []string{"gender", "birth_cohort", "community_id"}}
	assignment := warehouse.PersonTable{Table: "role_grid_assignment", Subject: "cadre_id", Quasi: []string{"grid_id"}}
	for _, c := range []struct {
		classes []warehouse.PersonTable
		want    string // smallest, people, groups, groups below MinGroupSize
	}{
		{[]warehouse.PersonTable{person}, "3 3 1 1"},
		{[]warehouse.PersonTable{person, assignment}, "1 3 3 3"},
	} {
		q, err := warehouse.GroupSizeQueryOf(db, tables, c.classes)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := e.Query(context.Background(), q)
		if err != nil || len(rows) != 1 {
			t.Fatalf("%v %v\n%s", rows, err, q)
		}
		if got := strings.Join(rows[0], " "); got != c.want {
			t.Errorf("%d tables classified: smallest, people, groups, small groups = %s, want %s", len(c.classes), got, c.want)
		}
	}
}

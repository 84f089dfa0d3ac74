package whtest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"gridgov/warehouse"
)

// Reshape migrates an empty database db on e up to the file before the first ALTER, fills every
// table with the rows Conformance writes (their columns as of then) and a person born in 1987,
// then applies the rest: the ALTER files must take a warehouse that holds rows to the DDL's
// shape, keeping every row and computing what they add from what they drop. It runs on
// ClickHouse 18.16 (warehouse tests) and on chDB (warehouse/chdbtest).
func Reshape(t *testing.T, e warehouse.Engine, db string) {
	ctx := context.Background()
	ms, err := warehouse.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	first := 0
	for _, m := range ms {
		if m.Kind == "alter" {
			first = m.Version
			break
		}
	}
	if first == 0 {
		t.Fatal("no ALTER migration to apply to a filled warehouse")
	}
	if _, err := warehouse.MigrateTo(ctx, e, db, warehouse.Topology{}, first-1); err != nil {
		t.Fatalf("migrate to %05d: %v", first-1, err)
	}
	before, err := warehouse.TablesAt(first - 1)
	if err != nil {
		t.Fatal(err)
	}
	live := map[string]string{}
	for _, tbl := range before {
		if tbl.Table == "dim_date" || warehouse.IsSummary(tbl.Table) {
			continue
		}
		fill(t, e, db, tbl)
		live[tbl.Table] = liveRows(t, e, db, tbl.Table)
	}
	exec(t, e, "INSERT INTO "+warehouse.Qualified(db, "dim_person")+
		" (person_key, gender, birth_year, version, is_deleted) SELECT 9, 'female', 1987, 1, 0")
	live["dim_person"] = liveRows(t, e, db, "dim_person")

	applied, err := warehouse.Migrate(ctx, e, db, warehouse.Topology{})
	if err != nil {
		t.Fatalf("migrate a filled warehouse: %v", err)
	}
	if want := len(ms) - countBefore(ms, first); len(applied) != want {
		t.Errorf("applied %d migrations to the filled warehouse, want %d", len(applied), want)
	}
	after, err := warehouse.Tables()
	if err != nil {
		t.Fatal(err)
	}
	for _, tbl := range after {
		if want, ok := live[tbl.Table]; ok {
			if got := liveRows(t, e, db, tbl.Table); got != want {
				t.Errorf("%s: %s live rows after the migrations, %s before", tbl.Table, got, want)
			}
		}
		rows, err := e.Query(ctx, "DESCRIBE TABLE "+warehouse.Qualified(db, tbl.Table))
		if err != nil {
			t.Fatal(err)
		}
		var got, want []string
		for _, r := range rows {
			got = append(got, r[0]+" "+r[1])
		}
		for _, c := range tbl.Columns {
			want = append(want, c.Name+" "+c.Type)
		}
		if strings.Join(got, ", ") != strings.Join(want, ", ") {
			t.Errorf("%s after the migrations: (%s), DDL (%s)", tbl.Table, strings.Join(got, ", "), strings.Join(want, ", "))
		}
	}
	cohorts := queryOne(t, e, "SELECT arrayStringConcat(groupArray(concat(toString(person_key), ':', ifNull(toString(birth_cohort), 'NULL'))), ' ') FROM (SELECT person_key, birth_cohort FROM "+
		warehouse.Qualified(db, "dim_person")+" FINAL WHERE is_deleted = 0 ORDER BY person_key)")
	if cohorts != "1:0 3:NULL 9:1985" {
		t.Errorf("birth cohorts of persons 1 (born in year 1), 3 (unknown) and 9 (1987): %s", cohorts)
	}
	if again, err := warehouse.Migrate(ctx, e, db, warehouse.Topology{}); err != nil || len(again) != 0 {
		t.Errorf("second migrate: applied %d, err %v; want nothing", len(again), err)
	}
}

// InterruptedAlter applies the last ALTER of columns to an empty database db on e but not its
// record, as a migrate killed in between would, then migrates: the run finds the table altered
// and records it instead of failing on a column that is already gone.
func InterruptedAlter(t *testing.T, e warehouse.Engine, db string) {
	ctx := context.Background()
	ms, err := warehouse.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	var last warehouse.Migration
	for _, m := range ms {
		if m.Kind == "alter" && !m.Mutation {
			last = m
		}
	}
	if _, err := warehouse.MigrateTo(ctx, e, db, warehouse.Topology{}, last.Version-1); err != nil {
		t.Fatal(err)
	}
	exec(t, e, last.Statement(db, warehouse.Topology{}))
	applied, err := warehouse.Migrate(ctx, e, db, warehouse.Topology{})
	if err != nil || len(applied) != len(ms)-countBefore(ms, last.Version) {
		t.Fatalf("migrate after %05d_%s was applied but not recorded: applied %d, %v", last.Version, last.Name, len(applied), err)
	}
	states, err := warehouse.Status(ctx, e, db, warehouse.Topology{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range states {
		if !s.Applied {
			t.Errorf("%05d_%s is not recorded", s.Version, s.Name)
		}
	}
}

// countBefore counts the migrations numbered below version.
func countBefore(ms []warehouse.Migration, version int) int {
	n := 0
	for _, m := range ms {
		if m.Version < version {
			n++
		}
	}
	return n
}

// fill writes Conformance's rows into tbl: id 1 twice, id 2 deleted, id 3 with NULLs.
func fill(t *testing.T, e warehouse.Engine, db string, tbl warehouse.Migration) {
	t.Helper()
	key := "id"
	if tbl.Table == "dim_person" {
		key = "person_key"
	}
	names := make([]string, len(tbl.Columns))
	for i, c := range tbl.Columns {
		names[i] = warehouse.Quote(c.Name)
	}
	for _, r := range conformanceRows {
		vals := make([]string, len(tbl.Columns))
		for i, c := range tbl.Columns {
			vals[i] = literal(c, key, r.id, r.version, r.deleted, r.nulls)
		}
		exec(t, e, fmt.Sprintf("INSERT INTO %s (%s) SELECT %s", warehouse.Qualified(db, tbl.Table), strings.Join(names, ", "), strings.Join(vals, ", ")))
	}
}

func liveRows(t *testing.T, e warehouse.Engine, db, table string) string {
	t.Helper()
	return queryOne(t, e, "SELECT toString(count()) FROM "+warehouse.Qualified(db, table)+" FINAL WHERE is_deleted = 0")
}

func exec(t *testing.T, e warehouse.Engine, q string) {
	t.Helper()
	if err := e.Exec(context.Background(), q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

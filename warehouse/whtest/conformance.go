package whtest

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"gridgov/warehouse"
)

// Conformance applies the whole DDL to an empty database db on e, then writes versioned rows
// into every table and checks the reads the warehouse relies on: deduplication with FINAL and
// with argMax, is_deleted, the reconciliation summaries, and the staging-and-swap of a resync.
// It runs on ClickHouse 18.16 (warehouse tests) and on chDB (warehouse/chdbtest), so a
// statement that only one of them understands fails here.
func Conformance(t *testing.T, e warehouse.Engine, db string) {
	ctx := context.Background()
	applied, err := warehouse.Migrate(ctx, e, db, warehouse.Topology{})
	if err != nil {
		t.Fatalf("migrate: %v", err)
	}
	all, _ := warehouse.Migrations()
	if len(applied) != len(all) {
		t.Fatalf("migrate applied %d of %d", len(applied), len(all))
	}
	if again, err := warehouse.Migrate(ctx, e, db, warehouse.Topology{}); err != nil || len(again) != 0 {
		t.Fatalf("second migrate: applied %d, err %v; want nothing", len(again), err)
	}
	if got := queryOne(t, e, "SELECT toString(count()) FROM "+warehouse.Qualified(db, "dim_date")+" FINAL"); got != "36525" {
		t.Errorf("dim_date has %s days, want 36525", got)
	}
	tables, err := warehouse.Tables()
	if err != nil {
		t.Fatal(err)
	}
	for _, tbl := range tables {
		if tbl.Table == "dim_date" || warehouse.IsSummary(tbl.Table) {
			continue // not versioned: summaries are checked by IndicatorConformance
		}
		t.Run(tbl.Table, func(t *testing.T) { checkTable(t, e, db, tbl) })
	}
	t.Run("swap", func(t *testing.T) { checkSwap(t, e, db) })
	t.Run("group sizes", func(t *testing.T) { checkGroupSizes(t, e, db) })
}

// checkGroupSizes runs the privacy count on the rows checkTable left: every live row about a
// person is one person, each with values of their own, so every group has one person.
func checkGroupSizes(t *testing.T, e warehouse.Engine, db string) {
	q, err := warehouse.GroupSizeQuery(db)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := e.Query(context.Background(), q)
	if err != nil || len(rows) != 1 || len(rows[0]) != 4 {
		t.Fatalf("%v %v\n%s", rows, err, q)
	}
	smallest, people, groups, small := rows[0][0], rows[0][1], rows[0][2], rows[0][3]
	if n, _ := strconv.Atoi(people); smallest != "1" || people != groups || small != groups || n < 2 {
		t.Errorf("smallest group %s, %s people in %s groups, %s of them small; want groups of 1, at least 2",
			smallest, people, groups, small)
	}
}

// conformanceRows are written to every table: id 1 twice (version 2 wins), id 2 live then
// deleted by a tombstone, id 3 once with NULLs. Live after deduplication: 1 and 3.
var conformanceRows = []struct {
	id, version uint64
	deleted     bool
	nulls       bool
}{{1, 1, false, false}, {1, 2, false, false}, {2, 1, false, false}, {2, 1 << 63, true, false}, {3, 1, false, true}}

func checkTable(t *testing.T, e warehouse.Engine, db string, tbl warehouse.Migration) {
	key := "id"
	if tbl.Table == "dim_person" {
		key = "person_key"
	}
	names := make([]string, len(tbl.Columns))
	for i, c := range tbl.Columns {
		names[i] = warehouse.Quote(c.Name)
	}
	// One INSERT ... SELECT per row: 18.16 does not parse VALUES sent over the native protocol
	// (its client does), and its UNION ALL wants equal types in every branch.
	for _, r := range conformanceRows {
		vals := make([]string, len(tbl.Columns))
		for i, c := range tbl.Columns {
			vals[i] = literal(c, key, r.id, r.version, r.deleted, r.nulls)
		}
		insert := fmt.Sprintf("INSERT INTO %s (%s) SELECT %s", warehouse.Qualified(db, tbl.Table), strings.Join(names, ", "), strings.Join(vals, ", "))
		if err := e.Exec(context.Background(), insert); err != nil {
			t.Fatalf("insert: %v", err)
		}
	}
	final := queryOne(t, e, fmt.Sprintf("SELECT toString(count()) FROM %s FINAL WHERE is_deleted = 0", warehouse.Qualified(db, tbl.Table)))
	argMax := queryOne(t, e, warehouse.LiveCountArgMaxQuery(db, tbl.Table, key))
	if final != "2" || argMax != "2" {
		t.Errorf("live rows: FINAL %s, argMax %s; want 2", final, argMax)
	}
	checks := warehouse.Checks(tbl.Columns)
	got, err := e.Query(context.Background(), warehouse.ReconcileQuery(db, tbl.Table, checks))
	if err != nil || len(got) != 1 || len(got[0]) != len(checks) {
		t.Fatalf("reconcile query: %v %v", got, err)
	}
	for i, c := range checks {
		want := ""
		switch {
		case c.Kind == warehouse.CountRows:
			want = "2"
		case c.Kind == warehouse.CountNotNull:
			want = "1"
		case c.Column.Name == "version":
			want = "3"
		case c.Column.Name == key:
			want = "4"
		}
		if want != "" && !warehouse.SameNumber(got[0][i], want) {
			t.Errorf("%s = %s, want %s", c.Label(), got[0][i], want)
		}
	}
}

func literal(c warehouse.Column, key string, id, version uint64, deleted, nulls bool) string {
	base, nullable := warehouse.Unwrap(c.Type)
	switch {
	case c.Name == key:
		return fmt.Sprint(id)
	case c.Name == "version":
		return fmt.Sprint(version)
	case c.Name == "is_deleted":
		if deleted {
			return "1"
		}
		return "0"
	case nullable && nulls:
		return "NULL"
	case base == "String":
		return warehouse.QuoteString(fmt.Sprintf("%s %d 街道", c.Name, id))
	case base == "Date":
		return "'2024-06-0" + fmt.Sprint(id) + "'"
	case strings.HasPrefix(base, "DateTime"):
		return "'2024-06-01 08:30:0" + fmt.Sprint(id) + "'"
	case strings.HasPrefix(base, "Decimal"):
		return fmt.Sprintf("%d.25", id)
	}
	return fmt.Sprint(id)
}

// checkSwap runs a resync's statements: readers of dim_city see the old table until the
// rename, the new one after, and nothing is left behind.
func checkSwap(t *testing.T, e warehouse.Engine, db string) {
	ctx := context.Background()
	for _, q := range warehouse.StagingStatements(db, "dim_city", "dim_city__resync") {
		if err := e.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	ins := "INSERT INTO " + warehouse.Qualified(db, "dim_city__resync") +
		" (id, code, name, created_at, updated_at, version, is_deleted) SELECT 7, 'c7', 'Chaohu', '2024-01-01 00:00:00', '2024-01-01 00:00:00', 1, 0"
	if err := e.Exec(ctx, ins); err != nil {
		t.Fatal(err)
	}
	for _, q := range warehouse.SwapStatements(db, "dim_city", "dim_city__resync", "dim_city__old") {
		if err := e.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if got := queryOne(t, e, "SELECT toString(sum(id)) FROM "+warehouse.Qualified(db, "dim_city")+" FINAL WHERE is_deleted = 0"); got != "7" {
		t.Errorf("after swap sum(id) = %s, want 7", got)
	}
	left := queryOne(t, e, "SELECT toString(count()) FROM system.tables WHERE database = "+warehouse.QuoteString(db)+" AND name IN ('dim_city__resync', 'dim_city__old')")
	if left != "0" {
		t.Errorf("%s staging tables left behind", left)
	}
}

func queryOne(t *testing.T, e warehouse.Engine, q string) string {
	t.Helper()
	rows, err := e.Query(context.Background(), q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	if len(rows) != 1 || len(rows[0]) != 1 {
		t.Fatalf("%s: got %v, want one value", q, rows)
	}
	return rows[0][0]
}

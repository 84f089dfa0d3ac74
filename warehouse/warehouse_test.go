package warehouse_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"gridgov/warehouse"
	"gridgov/warehouse/whtest"
)

// The same checks run on chDB in warehouse/chdbtest.
func TestConformanceClickHouse18(t *testing.T) {
	c := whtest.Empty(t)
	whtest.Conformance(t, c, c.Database)
}

// The ALTER files take a filled warehouse to the DDL's shape. The same checks run on chDB in
// warehouse/chdbtest.
func TestReshapeClickHouse18(t *testing.T) {
	c := whtest.Empty(t)
	whtest.Reshape(t, c, c.Database)
	t.Run("interrupted", func(t *testing.T) {
		c := whtest.Empty(t)
		whtest.InterruptedAlter(t, c, c.Database)
	})
}

// The same checks run on chDB in warehouse/chdbtest.
func TestGroupSizesClickHouse18(t *testing.T) {
	c := whtest.Empty(t)
	whtest.GroupSizes(t, c, c.Database)
}

func TestDDLShape(t *testing.T) {
	ms, err := warehouse.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	// Direct identifiers and free text that may name people stay in Postgres.
	forbidden := map[string]bool{"phone": true, "id_number": true, "address_detail": true, "description": true,
		"resolution": true, "note": true, "content": true, "letter_no": true, "reject_reason": true,
		"rating_comment": true, "result": true, "comment": true, "person_id": true, "reporter_id": true,
		"resident_id": true, "actor_id": true, "handler_person_id": true, "published_by": true}
	for _, m := range ms {
		if m.Kind == "alter" && m.Description == "" {
			t.Errorf("%s: no comment at the top of the file saying why the table changes", m.Name)
		}
	}
	// The tables as the migrations leave them.
	ms, err = warehouse.Tables()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Description == "" {
			t.Errorf("%s: no description comment at the top of the file", m.Name)
		}
		summary := warehouse.IsSummary(m.Table) && m.Table != "sum_state"
		if _, listed := warehouse.SummaryNamed(m.Table); summary != listed {
			t.Errorf("%s: a sum_* table must be listed in warehouse.Summaries, and only those", m.Table)
		}
		switch {
		case summary:
			// Built whole, one INSERT … GROUP BY into a staging table: unique rows, read without FINAL.
			if !strings.Contains(m.SQL, "ENGINE = MergeTree()") || !strings.Contains(m.SQL, "ORDER BY ") {
				t.Errorf("%s: want ENGINE = MergeTree() and an explicit ORDER BY", m.Name)
			}
		case !strings.Contains(m.SQL, "ENGINE = ReplacingMergeTree(") || !strings.Contains(m.SQL, "ORDER BY "):
			t.Errorf("%s: want ENGINE = ReplacingMergeTree(...) and an explicit ORDER BY", m.Name)
		}
		for _, c := range m.Columns {
			if c.Comment == "" {
				t.Errorf("%s.%s: no comment", m.Table, c.Name)
			}
			if forbidden[c.Name] || (m.Table == "dim_person" && c.Name == "name") {
				t.Errorf("%s.%s: personal data must not reach the warehouse", m.Table, c.Name)
			}
		}
		if m.Table == "dim_date" || warehouse.IsSummary(m.Table) {
			continue
		}
		names := map[string]bool{}
		for _, c := range m.Columns {
			names[c.Name] = true
		}
		for _, must := range []string{"version", "is_deleted"} {
			if !names[must] {
				t.Errorf("%s: no %s column", m.Table, must)
			}
		}
	}
}

// TestClusterStatement: on a node of a cluster a table is replicated, through the path of its
// shard when it is spread by street and of the whole cluster when every node holds it, without
// the column comments 18.16 refuses there; a summary stays a plain table of the node.
func TestClusterStatement(t *testing.T) {
	topo := warehouse.Topology{Cluster: "grid"}
	for _, c := range []struct{ table, want string }{
		{"dim_city", "ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/all/wh/dim_city', '{replica}', version)"},
		{"fact_issue", "ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/wh/fact_issue', '{replica}', version)"},
		{"dim_person", "ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/all/wh/dim_person', '{replica}', version)"},
		{"sum_issue_day", "ENGINE = MergeTree()"},
	} {
		m, err := warehouse.Table(c.table)
		if err != nil {
			t.Fatal(err)
		}
		single := m.Statement("wh", warehouse.Topology{})
		if !strings.Contains(single, "CREATE TABLE IF NOT EXISTS `wh`.`"+c.table+"`") || !strings.Contains(single, " COMMENT '") {
			t.Errorf("single node:\n%s", single)
		}
		got := m.Statement("wh", topo)
		if !strings.Contains(got, c.want) {
			t.Errorf("%s on a cluster lacks %q:\n%s", c.table, c.want, got)
		}
		if replicated := strings.Contains(got, "Replicated"); replicated == strings.Contains(got, " COMMENT '") {
			t.Errorf("%s on a cluster: comments kept %v on a table replicated %v", c.table, !replicated, replicated)
		}
	}
	ms, err := warehouse.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Kind != "alter" || m.Mutation {
			continue
		}
		got := m.Statement("wh", topo)
		if strings.Contains(got, "COMMENT COLUMN") && !warehouse.IsSummary(m.Table) {
			t.Errorf("%s on a cluster keeps a comment of a replicated table:\n%s", m.Name, got)
		}
	}
	for table, want := range map[string]string{
		"fact_issue":              "Distributed(`grid`, `wh_local`, `fact_issue`, street_id)",
		"dim_social_organisation": "Distributed(`grid`, `wh_local`, `dim_social_organisation`, ifNull(street_id, 0))",
		"dim_city":                "Distributed(`grid_all`, `wh_local`, `dim_city`)",
		"sum_state":               "Distributed(`grid_all`, `wh_local`, `sum_state`)",
		"sum_issue_day":           "Distributed(`grid`, `wh_local`, `sum_issue_day`, street_id)",
	} {
		if got := warehouse.DistributedStatement("wh", table, "grid"); !strings.HasSuffix(got, want) {
			t.Errorf("%s: %s, want it to end with %s", table, got, want)
		}
	}
}

// docs/warehouse.md is generated; regenerate with `go run ./cmd/gridgov warehouse dict > docs/warehouse.md`.
func TestDictionaryIsCurrent(t *testing.T) {
	want, err := warehouse.Dictionary()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../docs/warehouse.md")
	if err != nil {
		t.Fatalf("%v (generate it: go run ./cmd/gridgov warehouse dict > docs/warehouse.md)", err)
	}
	if !bytes.Equal(got, want) {
		t.Error("docs/warehouse.md is stale: go run ./cmd/gridgov warehouse dict > docs/warehouse.md")
	}
}

// The live tables must have exactly the columns and types of their DDL: the ETL checks it
// before every load.
func TestLiveColumnsMatchDDL(t *testing.T) {
	c := whtest.New(t)
	tables, err := warehouse.Tables()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range tables {
		rows, err := c.Query(context.Background(), "DESCRIBE TABLE "+warehouse.Qualified(c.Database, m.Table))
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != len(m.Columns) {
			t.Fatalf("%s: %d live columns, %d in DDL", m.Table, len(rows), len(m.Columns))
		}
		for i, r := range rows {
			if r[0] != m.Columns[i].Name || r[1] != m.Columns[i].Type {
				t.Errorf("%s column %d: live %s %s, DDL %s %s", m.Table, i, r[0], r[1], m.Columns[i].Name, m.Columns[i].Type)
			}
			if len(r) > 4 && r[4] != m.Columns[i].Comment {
				t.Errorf("%s.%s: live comment %q, DDL %q", m.Table, r[0], r[4], m.Columns[i].Comment)
			}
		}
	}
}

// The same checks run on chDB in warehouse/chdbtest.
func TestIndicatorConformanceClickHouse18(t *testing.T) {
	c := whtest.Empty(t)
	whtest.IndicatorConformance(t, c, c.Database)
}

package reliability

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"

	"gridgov/dbtest"
	"gridgov/etl"
	"gridgov/store"
	"gridgov/warehouse/whtest"
)

// TestBackupRestoreRebuildsWarehouse backs the demo city up with pg_dump, restores it into a
// new database with pg_restore, rebuilds a warehouse from the restored copy with
// `gridgov etl resync`, and reconciles: the copy holds every row, and so does the warehouse.
func TestBackupRestoreRebuildsWarehouse(t *testing.T) {
	ctx := context.Background()
	url, pool := seeded(t)
	dump := filepath.Join(t.TempDir(), "gridgov.dump")
	if out, err := exec.Command("pg_dump", "--format=custom", "--file="+dump, url).CombinedOutput(); err != nil {
		t.Fatalf("pg_dump: %v\n%s", err, out)
	}
	restoredURL := dbtest.EmptyURL(t)
	if out, err := exec.Command("pg_restore", "--no-owner", "--exit-on-error", "--dbname="+restoredURL, dump).CombinedOutput(); err != nil {
		t.Fatalf("pg_restore: %v\n%s", err, out)
	}
	restored, err := store.Open(ctx, restoredURL, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	for _, table := range []string{"people", "volunteers", "issues", "issue_events", "service_records", "etl_tombstones", "schema_migrations"} {
		var a, b int64
		pool.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&a)     //nolint:errcheck
		restored.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&b) //nolint:errcheck
		if a != b {
			t.Errorf("%s: %d rows backed up, %d restored", table, a, b)
		}
	}
	ch := whtest.New(t)
	out, err := gridgov(ctx, []string{"GRIDGOV_PG_URL=" + restoredURL, "GRIDGOV_CH_DATABASE=" + ch.Database}, "etl", "resync").CombinedOutput()
	if err != nil {
		t.Fatalf("etl resync: %v\n%s", err, out)
	}
	ms, err := etl.Reconcile(ctx, restored, ch, ch.Database, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		t.Errorf("restored city vs rebuilt warehouse: %v", m)
	}
}

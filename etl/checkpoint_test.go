package etl_test

import (
	"context"
	"testing"

	"gridgov/apperr"
	"gridgov/etl"
	"gridgov/warehouse"
)

// CheckpointAsOf: WAREHOUSE_UNAVAILABLE until every table it asks about has been loaded, then
// the oldest of their snapshots.
func TestCheckpointAsOf(t *testing.T) {
	ctx := context.Background()
	v := newEnv(t)
	newWorld(t, v.pg, 10).addCommunity(v.pg)
	asOf := etl.CheckpointAsOf(v.pg, warehouse.IndicatorTables)
	if _, err := asOf(ctx); apperr.CodeOf(err) != apperr.WarehouseUnavailable {
		t.Fatalf("before any load: %v, want WAREHOUSE_UNAVAILABLE", err)
	}
	v.runOnce(t, etl.Options{})
	cps, err := etl.Status(ctx, v.pg)
	if err != nil {
		t.Fatal(err)
	}
	snapshots := map[string]etl.Checkpoint{}
	for _, c := range cps {
		snapshots[c.Table] = c
	}
	want := snapshots[warehouse.IndicatorTables[0]].SnapshotAt
	for _, table := range warehouse.IndicatorTables {
		if at := snapshots[table].SnapshotAt; at.Before(want) {
			want = at
		}
	}
	if got, err := asOf(ctx); err != nil || !got.Equal(want) {
		t.Errorf("after a load: %v, %v; want %v", got, err, want)
	}
	if _, err := etl.CheckpointAsOf(v.pg, []string{"dim_city", "no_such_table"})(ctx); apperr.CodeOf(err) != apperr.WarehouseUnavailable {
		t.Errorf("a table never loaded: %v, want WAREHOUSE_UNAVAILABLE", err)
	}
}

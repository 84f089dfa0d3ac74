package chdbtest

import (
	"testing"

	"github.com/chdb-io/chdb-go/chdb"

	"gridgov/warehouse/whtest"
)

// TestIndicatorsCurrentClickHouse runs every indicator query on chDB's engine against a small
// city with hand-computed indicators (the same fixture as on ClickHouse 18.16).
func TestIndicatorsCurrentClickHouse(t *testing.T) {
	s, err := chdb.NewSession(t.TempDir())
	if err != nil {
		t.Fatalf("chdb session: %v", err)
	}
	defer s.Close()
	whtest.IndicatorConformance(t, engine{s}, "gridgov_chdb_ind")
}

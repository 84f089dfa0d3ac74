package chdbtest

import (
	"os"
	"testing"

	"github.com/chdb-io/chdb-go/chdb"

	"gridgov/warehouse/whtest"
)

// TestConformanceCurrentClickHouse applies the whole DDL and runs the warehouse queries
// (FINAL and argMax reads, reconciliation, resync swap, the privacy count) on chDB's engine,
// then the ALTER files on a filled warehouse.
func TestConformanceCurrentClickHouse(t *testing.T) {
	if os.Getenv("CHDB_LIB_PATH") == "" {
		// Not reached in practice: chdb-go panics at start-up without the library.
		t.Fatal("CHDB_LIB_PATH is unset: run CHDB_LIB_PATH=$(scripts/chdb.sh) go test ./warehouse/chdbtest")
	}
	s, err := chdb.NewSession(t.TempDir())
	if err != nil {
		t.Fatalf("chdb session: %v", err)
	}
	defer s.Close()
	e := engine{s}
	v, err := version(e)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("chDB engine version %s", v)
	whtest.Conformance(t, e, "gridgov_chdb")
	t.Run("reshape", func(t *testing.T) { whtest.Reshape(t, e, "gridgov_chdb_reshape") })
	t.Run("interrupted", func(t *testing.T) { whtest.InterruptedAlter(t, e, "gridgov_chdb_interrupted") })
	t.Run("group sizes of a few people", func(t *testing.T) { whtest.GroupSizes(t, e, "gridgov_chdb_groups") })
}

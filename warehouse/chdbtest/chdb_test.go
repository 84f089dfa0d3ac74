package chdbtest

import (
	"os"
	"testing"

	"github.com/chdb-io/chdb-go/chdb"

	"gridgov/warehouse/whtest"
)

// TestConformanceCurrentClickHouse applies the whole DDL and runs the warehouse queries
// (FINAL and argMax reads, reconciliation, resync swap) on chDB's engine.
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
}

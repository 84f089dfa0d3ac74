// Package reliability proves, with repeatable runs against real services and the real
// binary, that gridgov keeps working and loses nothing under load, faults and bad input.
// `go test ./reliability` runs the short form (part of make test); GRIDGOV_RELIABILITY=full
// (make reliability) runs every case at full length. docs/reliability.md reports the figures.
package reliability

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"gridgov/dbtest"
	"gridgov/seed"
	"gridgov/store"
)

// bin is the gridgov binary built for this test run; evidenceDir keeps the evidence of every
// seed and serve it runs (content-addressed: they share it), none in the working directory.
var bin, evidenceDir string

// full reports whether to run every case at full length.
var full = os.Getenv("GRIDGOV_RELIABILITY") == "full"

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gridgov-reliability")
	if err != nil {
		panic(err)
	}
	bin, evidenceDir = filepath.Join(dir, "gridgov"), filepath.Join(dir, "evidence")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/gridgov").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build gridgov: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var asOf = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)

// seeded gives a fresh database holding the demo city, its URL and a pool on it.
func seeded(t *testing.T) (string, *pgxpool.Pool) {
	t.Helper()
	url := dbtest.NewURL(t)
	pool, err := store.Open(context.Background(), url, 4)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if _, err := seed.Run(context.Background(), pool, seed.Options{Profile: "chaohu", Seed: 5, Scale: 1, AsOf: asOf}); err != nil {
		t.Fatal(err)
	}
	return url, pool
}

// gridgov runs the binary with extra environment, returning its combined output.
func gridgov(ctx context.Context, env []string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(append(os.Environ(), "GRIDGOV_MODE=development", "GRIDGOV_LOG_LEVEL=warn", "GRIDGOV_EVIDENCE_DIR="+evidenceDir), env...)
	return cmd
}

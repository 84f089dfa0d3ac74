// Package whtest gives each test its own warehouse: a uniquely named ClickHouse database with
// the DDL applied, dropped at cleanup, on the server named by GRIDGOV_CH_ADDR (default
// 127.0.0.1:9000). A server that does not answer fails the test: CI must never pass by
// skipping.
package whtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"gridgov/config"
	"gridgov/warehouse"
)

// Options says where the test server is.
func Options(t testing.TB) warehouse.Options {
	t.Helper()
	cfg, err := config.From(os.Getenv)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	return warehouse.Options{Addr: cfg.CHAddr, User: cfg.CHUser, Password: cfg.CHPassword}
}

// Open connects to the test server with no database of its own.
func Open(t testing.TB) *warehouse.Client {
	t.Helper()
	o := Options(t)
	c, err := warehouse.Open(context.Background(), o)
	if err != nil {
		t.Fatalf("whtest: ClickHouse is not reachable at %s (run scripts/services.sh up): %v", o.Addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// Empty creates a fresh, empty database and returns a client whose Database it is.
func Empty(t testing.TB) *warehouse.Client {
	t.Helper()
	c := Open(t)
	c.Database = "gridgov_test_" + suffix()
	if err := warehouse.CreateDatabase(context.Background(), c, c.Database); err != nil {
		t.Fatalf("whtest: %v", err)
	}
	t.Cleanup(func() {
		c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+warehouse.Quote(c.Database)) //nolint:errcheck
	})
	return c
}

// New creates a fresh database with every DDL migration applied.
func New(t testing.TB) *warehouse.Client {
	t.Helper()
	c := Empty(t)
	if _, err := warehouse.Migrate(context.Background(), c, c.Database, warehouse.Topology{}); err != nil {
		t.Fatalf("whtest: migrate: %v", err)
	}
	return c
}

func suffix() string {
	b := make([]byte, 6)
	rand.Read(b) //nolint:errcheck
	return hex.EncodeToString(b)
}

// Package dbtest gives each test its own freshly migrated Postgres database, cloned from a
// template that is migrated once (cloning is fast; migrating per test is not). Tests use the
// server named by GRIDGOV_PG_URL, or the default local one. A missing server fails the test:
// CI must never pass by skipping.
package dbtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"gridgov/config"
	"gridgov/store"
)

// templateLock serialises template creation across test processes (go test runs packages in
// parallel).
const templateLock = 7_283_002

// BaseURL is the configured Postgres URL.
func BaseURL(t testing.TB) string {
	t.Helper()
	cfg, err := config.From(os.Getenv)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	return cfg.PGURL
}

// WithDatabase gives url with its database replaced by name.
func WithDatabase(raw, name string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.Path = "/" + name
	return u.String()
}

// NewURL creates a fresh migrated database for the test, dropped at cleanup, and returns its URL.
func NewURL(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	base := BaseURL(t)
	admin, err := pgx.Connect(ctx, WithDatabase(base, "postgres"))
	if err != nil {
		t.Fatalf("dbtest: Postgres is not reachable at %s (run scripts/services.sh up): %v", base, err)
	}
	defer admin.Close(ctx)
	template := templateName()
	if err := ensureTemplate(ctx, admin, base, template); err != nil {
		t.Fatalf("dbtest: template: %v", err)
	}
	name := "gridgov_test_" + randomSuffix()
	if _, err := admin.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, template)); err != nil {
		t.Fatalf("dbtest: create database: %v", err)
	}
	t.Cleanup(func() { drop(base, name) })
	return WithDatabase(base, name)
}

// EmptyURL creates a fresh database without any migration, dropped at cleanup.
func EmptyURL(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	base := BaseURL(t)
	admin, err := pgx.Connect(ctx, WithDatabase(base, "postgres"))
	if err != nil {
		t.Fatalf("dbtest: Postgres is not reachable at %s (run scripts/services.sh up): %v", base, err)
	}
	defer admin.Close(ctx)
	name := "gridgov_test_" + randomSuffix()
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("dbtest: create database: %v", err)
	}
	t.Cleanup(func() { drop(base, name) })
	return WithDatabase(base, name)
}

func drop(base, name string) {
	c, err := pgx.Connect(context.Background(), WithDatabase(base, "postgres"))
	if err != nil {
		return
	}
	defer c.Close(context.Background())
	c.Exec(context.Background(), fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name)) //nolint:errcheck
}

// New creates a fresh migrated database for the test and returns a pool on it.
func New(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, err := store.Open(context.Background(), NewURL(t), 8)
	if err != nil {
		t.Fatalf("dbtest: open: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// templateName names the template after the migrations' checksums, so a changed migration
// gets a new template instead of a stale one.
func templateName() string {
	ms, err := store.Migrations()
	if err != nil {
		panic(err)
	}
	h := ""
	for _, m := range ms {
		h += m.Checksum
	}
	sum := hexHash(h)
	return "gridgov_template_" + sum
}

func ensureTemplate(ctx context.Context, admin *pgx.Conn, base, name string) error {
	if _, err := admin.Exec(ctx, "SELECT pg_advisory_lock($1)", templateLock); err != nil {
		return err
	}
	defer admin.Exec(ctx, "SELECT pg_advisory_unlock($1)", templateLock) //nolint:errcheck
	var exists bool
	if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	building := name + "_building"
	admin.Exec(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", building)) //nolint:errcheck
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+building); err != nil {
		return err
	}
	pool, err := store.Open(ctx, WithDatabase(base, building), 2)
	if err != nil {
		return err
	}
	_, err = store.MigrateUp(ctx, pool)
	pool.Close()
	if err != nil {
		return err
	}
	// Renamed only once complete, so a crash mid-migration never leaves a half template.
	_, err = admin.Exec(ctx, fmt.Sprintf("ALTER DATABASE %s RENAME TO %s", building, name))
	return err
}

func randomSuffix() string {
	b := make([]byte, 6)
	rand.Read(b) //nolint:errcheck
	return hex.EncodeToString(b)
}

func hexHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:6])
}

package etl_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"gridgov/dbtest"
	"gridgov/etl"
	"gridgov/warehouse"
	"gridgov/warehouse/whtest"
)

func errorsAs(err error, target any) bool { return errors.As(err, target) }

// env is one test's Postgres database and warehouse.
type env struct {
	pg *pgxpool.Pool
	ch *warehouse.Client
}

func newEnv(t *testing.T) env {
	t.Helper()
	return env{pg: dbtest.New(t), ch: whtest.New(t)}
}

func (v env) etl(opt etl.Options) *etl.ETL {
	opt.Database = v.ch.Database
	return etl.New(v.pg, v.ch, opt)
}

func (v env) runOnce(t *testing.T, opt etl.Options) etl.Summary {
	t.Helper()
	s, err := v.etl(opt).RunOnce(context.Background())
	if err != nil {
		t.Fatalf("etl run: %v", err)
	}
	return s
}

// reconciled fails the test unless every table of the warehouse equals Postgres.
func (v env) reconciled(t *testing.T, when string) {
	t.Helper()
	ms, err := etl.Reconcile(context.Background(), v.pg, v.ch, v.ch.Database, nil, nil)
	if err != nil {
		t.Fatalf("%s: reconcile: %v", when, err)
	}
	for _, m := range ms {
		t.Errorf("%s: %s", when, m)
	}
	if len(ms) > 0 {
		t.FailNow()
	}
}

// text runs a warehouse query and gives its rows as text: values joined by spaces, rows by commas.
func (v env) text(t *testing.T, sql string) string {
	t.Helper()
	rows, err := v.ch.Query(context.Background(), sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = strings.Join(r, " ")
	}
	return strings.Join(out, ",")
}

func (v env) liveCount(t *testing.T, table string) string {
	t.Helper()
	rows, err := v.ch.Query(context.Background(), "SELECT toString(count()) FROM "+warehouse.Qualified(v.ch.Database, table)+" FINAL WHERE is_deleted = 0")
	if err != nil {
		t.Fatal(err)
	}
	return rows[0][0]
}

func dbtestNew(tb testing.TB) *pgxpool.Pool { return dbtest.New(tb) }

func pgURL(v env) string { return v.pg.Config().ConnString() }

func chHost(tb testing.TB) string {
	h, _, _ := strings.Cut(whtest.Options(tb).Addr, ":")
	return h
}

func chPort(tb testing.TB) string {
	_, p, _ := strings.Cut(whtest.Options(tb).Addr, ":")
	return p
}

// seedWorkLogs writes n work-log entries in one grid, in Postgres only.
func seedWorkLogs(tb testing.TB, v env, n int) {
	tb.Helper()
	ctx := context.Background()
	_, err := v.pg.Exec(ctx, `
		INSERT INTO cities (code, name) VALUES ('b', 'Bench');
		INSERT INTO streets (city_id, code, name, kind) SELECT id, 'b', 'Bench', 'street' FROM cities;
		INSERT INTO communities (street_id, code, name) SELECT id, 'b', 'Bench' FROM streets;
		INSERT INTO grids (street_id, community_id, code, name) SELECT street_id, id, 'b', 'Bench' FROM communities;
		INSERT INTO people (name) VALUES ('Bench');
		INSERT INTO cadres (person_id, kind, street_id) SELECT p.id, 'street_cadre', s.id FROM people p, streets s`)
	if err != nil {
		tb.Fatal(err)
	}
	_, err = v.pg.Exec(ctx, `INSERT INTO work_logs (street_id, community_id, grid_id, cadre_id, kind, logged_at, content, people_served, hours)
		SELECT g.street_id, g.community_id, g.id, c.id, 'patrol', now() - i * interval '1 minute', 'walked', i % 20, (i % 800) / 100.0
		FROM grids g, cadres c, generate_series(1, $1) i`, n)
	if err != nil {
		tb.Fatal(err)
	}
}

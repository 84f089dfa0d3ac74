package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"gridgov/dbtest"
)

// The scheduler runs in `serve` by default and in `worker` always; with
// GRIDGOV_SCHEDULER=worker, `serve` leaves it alone.
func TestServeAndWorkerRunTheScheduler(t *testing.T) {
	url := dbtest.NewURL(t)
	t.Setenv("GRIDGOV_PG_URL", url)
	t.Setenv("GRIDGOV_MODE", "development")
	t.Setenv("GRIDGOV_METRICS_LISTEN", "off")
	t.Setenv("GRIDGOV_SCHEDULER_INTERVAL", "50ms")
	t.Setenv("GRIDGOV_EVIDENCE_DIR", t.TempDir())
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `
		INSERT INTO cities (code, name) VALUES ('340181', '巢湖市');
		INSERT INTO streets (city_id, code, name, kind) SELECT id, 'S1', '卧牛山街道', 'street' FROM cities;
		INSERT INTO communities (street_id, code, name) SELECT id, 'C1', '健康社区' FROM streets;
		INSERT INTO grids (street_id, community_id, code, name) SELECT street_id, id, 'G1', '第一网格' FROM communities;
		INSERT INTO people (name) VALUES ('李居民');
		INSERT INTO issue_categories (code, name, name_zh, category_group, deadline_days) VALUES ('road', 'Road', '道路', 'infrastructure', 7)`); err != nil {
		t.Fatal(err)
	}
	// An issue dispatched six days ago, due tomorrow: past 80 % of its time, to be warned.
	newIssue := func() (id int64) {
		t.Helper()
		if err := conn.QueryRow(ctx, `INSERT INTO issues (street_id, community_id, grid_id, category_id, title, reporter_id,
			reporter_role, state, due_at, reported_at) SELECT g.street_id, g.community_id, g.id, c.id, '路灯', p.id, 'resident',
			'dispatched', now() + interval '1 day', now() - interval '6 days' FROM grids g, issue_categories c, people p
			RETURNING id`).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	warned := func(id int64) bool {
		var ok bool
		if err := conn.QueryRow(ctx, `SELECT warned_at IS NOT NULL FROM issues WHERE id = $1`, id).Scan(&ok); err != nil {
			t.Fatal(err)
		}
		return ok
	}
	start := func(args ...string) (stop func()) {
		t.Setenv("GRIDGOV_LISTEN", freeAddr(t))
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan int, 1)
		go func() {
			var out, errs bytes.Buffer
			done <- run(runCtx, args, &out, &errs)
		}()
		return func() {
			cancel()
			select {
			case code := <-done:
				if code != 0 {
					t.Errorf("%v exited %d", args, code)
				}
			case <-time.After(20 * time.Second):
				t.Fatalf("%v did not stop", args)
			}
		}
	}
	within := func(d time.Duration, ok func() bool) bool {
		for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
			if ok() {
				return true
			}
		}
		return false
	}

	first := newIssue()
	stop := start("serve")
	if !within(10*time.Second, func() bool { return warned(first) }) {
		t.Fatal("serve ran no scheduler: the issue was not warned")
	}
	stop()

	t.Setenv("GRIDGOV_SCHEDULER", "worker")
	second := newIssue()
	stop = start("serve")
	if within(time.Second, func() bool { return warned(second) }) {
		t.Fatal("serve warned an issue with GRIDGOV_SCHEDULER=worker")
	}
	stop()
	stop = start("worker")
	if !within(10*time.Second, func() bool { return warned(second) }) {
		t.Fatal("the worker did not warn the issue")
	}
	stop()
}

package etl_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"gridgov/etl"
)

// Postgres tables that carry row_xid (for their own reasons) but never leave Postgres.
var notCopied = map[string]string{
	// Old and new rows of every mutation, personal fields included: the warehouse gets no
	// direct identifiers.
	"audit_log": "the audit trail stays in Postgres",
	// Append-only like the issue and order histories, but nothing in the warehouse reads it:
	// a matter's outcome reaches fact_meeting_matter with the matter.
	"matter_events": "the history of meeting matters stays in Postgres",
	// Likewise: a check-in's withdrawal, transfer and re-verification reach fact_checkin with
	// the check-in.
	"checkin_events": "the history of check-ins stays in Postgres",
	// The community registers' texts and their history: read through the API, counted by no
	// indicator.
	"register_events":            "the history of the community registers stays in Postgres",
	"social_party_organisations": "the party organisations of social organisations stay in Postgres",
	"building_notices":           "the building leaders' public notices stay in Postgres",
	"building_conventions":       "the building conventions stay in Postgres",
	// A meeting's state and scheduled start reach fact_joint_meeting; who was named to attend,
	// and the meeting's history, no indicator reads.
	"meeting_attendees": "the people named to attend a joint meeting stay in Postgres",
	"meeting_events":    "the history of joint meetings stays in Postgres",
	// A rating's stage reaches fact_year_rating with the rating; its step-by-step history and
	// the units' inbox are operational and read by no indicator.
	"rating_events": "the history of year-end ratings stays in Postgres",
	"unit_notices":  "the units' inbox stays in Postgres",
	// Who read whose personal data: an audit trail of people, never for the warehouse.
	"personal_data_reads": "the log of personal data reads stays in Postgres",
}

// Every replicated Postgres table feeds a warehouse table.
func TestEveryReplicatedTableIsCopied(t *testing.T) {
	v := newEnv(t)
	rows, err := v.pg.Query(context.Background(), `SELECT DISTINCT c.relname FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
		WHERE g.tgname LIKE '%\_touch' OR g.tgname LIKE '%\_immutable'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		if _, ok := notCopied[name]; ok {
			continue
		}
		n++
		if _, ok := etl.TableNamed(name); !ok {
			t.Errorf("replicated table %s has no warehouse table in etl.Tables", name)
		}
	}
	if n != len(etl.Tables) {
		t.Errorf("%d replicated tables in Postgres, %d in etl.Tables", n, len(etl.Tables))
	}
}

// Random inserts, updates, soft and hard deletes across all tables, an ETL run after each
// round: the deduplicated warehouse equals Postgres every time.
func TestReconcileAfterRandomChanges(t *testing.T) {
	v := newEnv(t)
	w := newWorld(t, v.pg, 1)
	reg := prometheus.NewRegistry()
	m := etl.NewMetrics(reg)
	for round := 0; round < 6; round++ {
		for i := 0; i < 3; i++ {
			w.addCommunity(v.pg)
		}
		if round > 0 {
			w.mutate(150)
		}
		s := v.runOnce(t, etl.Options{Metrics: m, BatchSize: 10_000})
		if round == 0 && s.Rows() == 0 {
			t.Fatal("first run loaded nothing")
		}
		v.reconciled(t, fmt.Sprintf("round %d", round))
	}
	// Nothing changed. The run may still re-load rows written after the oldest transaction
	// open anywhere on the server when the last run started (xids are server-wide): harmless.
	s := v.runOnce(t, etl.Options{Metrics: m})
	t.Logf("idle run re-loaded %d rows", s.Rows())
	v.reconciled(t, "after an idle run")
	if got := testutil.ToFloat64(m.RowsLoaded.WithLabelValues("dim_city")); got < 18 {
		t.Errorf("rows_loaded_total{table=dim_city} = %v, want >= 18", got)
	}
	if testutil.ToFloat64(m.LastSuccess) == 0 {
		t.Error("last_success_timestamp_seconds not set")
	}
	if n := testutil.CollectAndCount(m.BatchDuration); n == 0 {
		t.Error("no batch durations observed")
	}
}

// A renamed street reaches every denormalised place row below it.
func TestPlaceNamesFollowAncestors(t *testing.T) {
	v := newEnv(t)
	w := newWorld(t, v.pg, 2)
	w.addCommunity(v.pg)
	v.runOnce(t, etl.Options{})
	if _, err := v.pg.Exec(context.Background(), `UPDATE streets SET name = 'Renamed'`); err != nil {
		t.Fatal(err)
	}
	v.runOnce(t, etl.Options{})
	for _, table := range []string{"dim_community", "dim_grid", "dim_building"} {
		rows, err := v.ch.Query(context.Background(), "SELECT street_name FROM "+v.ch.Database+"."+table+" FINAL WHERE is_deleted = 0")
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || rows[0][0] != "Renamed" {
			t.Errorf("%s street_name = %v, want Renamed", table, rows)
		}
	}
	v.reconciled(t, "after rename")
}

// The case an updated_at watermark gets wrong: transaction A writes before a run takes its
// snapshot and commits after the run. The next run must pick A's rows up.
func TestLateCommitIsPickedUp(t *testing.T) {
	v := newEnv(t)
	w := newWorld(t, v.pg, 3)
	w.addCommunity(v.pg)
	ctx := context.Background()
	a, err := v.pg.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Rollback(ctx) //nolint:errcheck
	// A starts and writes: a new city and an update of an existing unit.
	if _, err := a.Exec(ctx, `INSERT INTO cities (code, name) VALUES ('late', 'Late City')`); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Exec(ctx, `UPDATE units SET name = 'Late Unit'`); err != nil {
		t.Fatal(err)
	}
	// Meanwhile B commits later-started work, and the ETL runs while A is open.
	w.addCommunity(v.pg)
	v.runOnce(t, etl.Options{})
	if got := v.liveCount(t, "dim_city"); got != "2" {
		t.Fatalf("before A commits: %s cities, want 2", got)
	}
	if err := a.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	v.runOnce(t, etl.Options{})
	if got := v.liveCount(t, "dim_city"); got != "3" {
		t.Errorf("after A commits: %s cities, want 3 (the late commit was lost)", got)
	}
	// The unit that existed when A updated it.
	rows, err := v.ch.Query(ctx, "SELECT name FROM "+v.ch.Database+".dim_unit FINAL WHERE is_deleted = 0 ORDER BY id LIMIT 1")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0][0] != "Late Unit" {
		t.Errorf("unit name %v, want the late update", rows)
	}
	v.reconciled(t, "after late commit")
}

var errCrash = errors.New("injected crash")

// Crash injection: runs stopped at random points (after the snapshot, after a batch, between
// load and checkpoint, after a checkpoint) many times, with changes in between. Whatever
// was loaded or checkpointed, the next clean run converges and the warehouse reconciles.
func TestCrashAnywhereConverges(t *testing.T) {
	v := newEnv(t)
	w := newWorld(t, v.pg, 4)
	rnd := rand.New(rand.NewPCG(4, 4))
	points := []etl.Point{etl.AfterSnapshot, etl.AfterBatch, etl.AfterLoad, etl.AfterCheckpoint}
	crashes := map[etl.Point]int{}
	for i := 0; i < 40; i++ {
		if i%2 == 0 {
			w.addCommunity(v.pg) // a dozen people: batches of 7 fill
		}
		w.mutate(25)
		target := points[rnd.IntN(len(points))]
		// How many times the point passes before the crash: once per run after the
		// snapshot, a few batches, up to every table for the per-table points.
		after := rnd.IntN(map[etl.Point]int{etl.AfterSnapshot: 1, etl.AfterBatch: 2}[target] + 40*btoi(target == etl.AfterLoad || target == etl.AfterCheckpoint))
		seen := 0
		_, err := v.etl(etl.Options{BatchSize: 7, Hook: func(p etl.Point, table string) error {
			if p != target {
				return nil
			}
			seen++
			if seen > after {
				crashes[p]++
				return errCrash
			}
			return nil
		}}).RunOnce(context.Background())
		if err != nil && !errors.Is(err, errCrash) {
			t.Fatalf("run %d: %v", i, err)
		}
		if i%10 == 9 {
			v.runOnce(t, etl.Options{BatchSize: 7})
			v.reconciled(t, fmt.Sprintf("after crash run %d", i))
		}
	}
	v.runOnce(t, etl.Options{})
	v.reconciled(t, "after the crashes")
	for _, p := range points {
		if crashes[p] == 0 {
			t.Errorf("no crash injected at %s", p)
		}
	}
	t.Logf("crashes injected: %v", crashes)
}

// Two ETLs at once: the second stops with a clear message, or with Wait runs after the first.
func TestOneETLAtATime(t *testing.T) {
	v := newEnv(t)
	newWorld(t, v.pg, 5).addCommunity(v.pg)
	inside, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	first := v.etl(etl.Options{Hook: func(p etl.Point, _ string) error {
		if p == etl.AfterSnapshot {
			once.Do(func() { close(inside) })
			<-release
		}
		return nil
	}})
	done := make(chan error, 1)
	go func() {
		_, err := first.RunOnce(context.Background())
		done <- err
	}()
	<-inside
	reg := prometheus.NewRegistry()
	m := etl.NewMetrics(reg)
	_, err := v.etl(etl.Options{Metrics: m}).RunOnce(context.Background())
	if !errors.Is(err, etl.ErrLocked) || !strings.Contains(err.Error(), "gridgov etl") {
		t.Fatalf("second ETL: err = %v, want ErrLocked naming the holder", err)
	}
	if testutil.ToFloat64(m.Failures.WithLabelValues("locked")) != 1 {
		t.Error("failures_total{kind=locked} not counted")
	}
	waited := make(chan error, 1)
	go func() {
		_, err := v.etl(etl.Options{Wait: true}).RunOnce(context.Background())
		waited <- err
	}()
	select {
	case err := <-waited:
		t.Fatalf("waiting ETL ran while the first held the lock: %v", err)
	case <-time.After(1500 * time.Millisecond):
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("first ETL: %v", err)
	}
	if err := <-waited; err != nil {
		t.Fatalf("waiting ETL: %v", err)
	}
	v.reconciled(t, "after both")
}

// A row the warehouse cannot hold fails the batch, naming table, key and column; nothing of
// that table is checkpointed, and once fixed the next run loads it.
func TestBadRowFailsNamingTableAndKey(t *testing.T) {
	v := newEnv(t)
	newWorld(t, v.pg, 6).addCommunity(v.pg)
	ctx := context.Background()
	var id int64
	if err := v.pg.QueryRow(ctx, `UPDATE buildings SET covenant_adopted_on = '1960-01-01' RETURNING id`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	_, err := v.etl(etl.Options{}).RunOnce(ctx)
	want := fmt.Sprintf("table dim_building, row id=%d, column covenant_adopted_on", id)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v, want it to name %q", err, want)
	}
	cps, err := etl.Status(ctx, v.pg)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cps {
		if c.Table == "dim_building" && c.Loaded {
			t.Error("dim_building was checkpointed despite the bad row")
		}
	}
	if _, err := v.pg.Exec(ctx, `UPDATE buildings SET covenant_adopted_on = '2020-01-01'`); err != nil {
		t.Fatal(err)
	}
	v.runOnce(t, etl.Options{})
	v.reconciled(t, "after the fix")
}

// Resync reloads a table into a staging copy and swaps it in; a damaged table is repaired and
// the checkpoint moves to the resync's snapshot.
func TestResyncRepairsATable(t *testing.T) {
	v := newEnv(t)
	w := newWorld(t, v.pg, 7)
	for i := 0; i < 3; i++ {
		w.addCommunity(v.pg)
	}
	v.runOnce(t, etl.Options{})
	ctx := context.Background()
	// Damage: rows the ETL never wrote.
	if err := v.ch.Exec(ctx, "INSERT INTO "+v.ch.Database+".fact_work_log (id, street_id, community_id, grid_id, cadre_id, kind, logged_at, people_served, hours, created_at, updated_at, version, is_deleted) SELECT 999999, 1, 1, 1, 1, 'patrol', now(), 5, 1, now(), now(), 1, 0"); err != nil {
		t.Fatal(err)
	}
	w.mutate(50)
	s, err := v.etl(etl.Options{Tables: []string{"fact_work_log", "dim_grid"}}).Resync(ctx)
	if err != nil {
		t.Fatalf("resync: %v", err)
	}
	if len(s.Tables) != 2 {
		t.Fatalf("resynced %d tables, want 2", len(s.Tables))
	}
	v.runOnce(t, etl.Options{})
	v.reconciled(t, "after resync")
	rows, err := v.ch.Query(ctx, "SELECT name FROM system.tables WHERE database = '"+v.ch.Database+"' AND (name LIKE '%resync' OR name LIKE '%old')")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) > 0 {
		t.Errorf("staging tables left: %v", rows)
	}
}

// etl status reports every table, with a horizon and lag once loaded.
func TestStatus(t *testing.T) {
	v := newEnv(t)
	newWorld(t, v.pg, 8).addCommunity(v.pg)
	v.runOnce(t, etl.Options{})
	cps, err := etl.Status(context.Background(), v.pg)
	if err != nil {
		t.Fatal(err)
	}
	if len(cps) != len(etl.Tables) {
		t.Fatalf("%d checkpoints, want %d", len(cps), len(etl.Tables))
	}
	for _, c := range cps {
		if !c.Loaded || c.Horizon == 0 || c.RowsTotal == 0 || c.Lag(time.Now()) < 0 {
			t.Errorf("%s: %+v", c.Table, c)
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Postgres connections dying mid-run (the extraction and the lock's session alike) are
// retried with backoff from the checkpoints, and the run completes.
func TestRetriesWhenPostgresConnectionsDie(t *testing.T) {
	v := newEnv(t)
	w := newWorld(t, v.pg, 9)
	for i := 0; i < 3; i++ {
		w.addCommunity(v.pg)
	}
	reg := prometheus.NewRegistry()
	m := etl.NewMetrics(reg)
	kills := 0
	e := v.etl(etl.Options{Metrics: m, BatchSize: 5, Backoff: 50 * time.Millisecond, Hook: func(p etl.Point, table string) error {
		if p == etl.AfterBatch && kills < 2 {
			kills++
			_, err := v.pg.Exec(context.Background(), `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
				WHERE datname = current_database() AND pid <> pg_backend_pid()`)
			return err
		}
		return nil
	}})
	if _, err := e.RunOnce(context.Background()); err != nil {
		t.Fatalf("run: %v", err)
	}
	if got := testutil.ToFloat64(m.Failures.WithLabelValues("retryable")); got < 1 {
		t.Errorf("failures_total{kind=retryable} = %v, want >= 1", got)
	}
	v.reconciled(t, "after retries")
}

// Follow keeps the warehouse current: a committed row becomes visible within seconds, and
// the loop stops when its context ends.
func TestFollowPicksUpNewRows(t *testing.T) {
	v := newEnv(t)
	newWorld(t, v.pg, 10).addCommunity(v.pg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- v.etl(etl.Options{}).Follow(ctx, 100*time.Millisecond, nil) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("follow: %v", err)
		}
	}()
	if _, err := v.pg.Exec(context.Background(), `INSERT INTO cities (code, name) VALUES ('new', 'New')`); err != nil {
		t.Fatal(err)
	}
	committed := time.Now()
	for v.liveCount(t, "dim_city") != "2" {
		if time.Since(committed) > 10*time.Second {
			t.Fatal("the new city did not reach the warehouse within 10 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("visible %v after commit", time.Since(committed).Round(time.Millisecond))
}

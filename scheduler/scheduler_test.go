package scheduler_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"gridgov/dbtest"
	"gridgov/scheduler"
	"gridgov/store"
)

// due is when the test issues fall due.
var due = time.Date(2026, 10, 15, 9, 0, 0, 0, time.UTC)

// city builds a grid with a category (7 days, warned at 80 %, escalated 24 hours past due)
// and n dispatched issues due at due, plus a reported and a resolved one due then too (all
// reported by a resident; the resolved one resolved five days before due).
func city(t *testing.T, n int) *pgxpool.Pool {
	t.Helper()
	pool := dbtest.New(t)
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `
		INSERT INTO cities (code, name) VALUES ('340181', '巢湖市');
		INSERT INTO streets (city_id, code, name, kind) SELECT id, 'S1', '卧牛山街道', 'street' FROM cities;
		INSERT INTO communities (street_id, code, name) SELECT id, 'C1', '健康社区' FROM streets;
		INSERT INTO grids (street_id, community_id, code, name) SELECT street_id, id, 'G1', '第一网格' FROM communities;
		INSERT INTO people (name) VALUES ('李居民');
		INSERT INTO issue_categories (code, name, name_zh, category_group, deadline_days, escalate_after_hours)
			VALUES ('road', 'Road', '道路', 'infrastructure', 7, 24);`); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO issues (street_id, community_id, grid_id, category_id, title, reporter_id, reporter_role, state, due_at, reported_at)
			SELECT g.street_id, g.community_id, g.id, c.id, '问题' || k, p.id, 'resident', 'dispatched', $1::timestamptz, $1::timestamptz - interval '10 days'
			FROM grids g, issue_categories c, people p, generate_series(1, $2::int) k`, due, n); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO issues (street_id, community_id, grid_id, category_id, title, reporter_id, reporter_role, state, due_at,
			reported_at, resolved_at)
			SELECT g.street_id, g.community_id, g.id, c.id, s, p.id, 'resident', s, $1::timestamptz, $1::timestamptz - interval '10 days',
				CASE s WHEN 'resolved' THEN $1::timestamptz - interval '5 days' END
			FROM grids g, issue_categories c, people p, unnest(ARRAY['reported', 'resolved']) s`, due); err != nil {
		t.Fatal(err)
	}
	return pool
}

// events counts the system's history entries by action.
func events(t *testing.T, pool *pgxpool.Pool) map[string]int {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT action || ':' || coalesce(from_state, '') || '>' || to_state, count(*)
		FROM issue_events WHERE actor_role = 'system' GROUP BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			t.Fatal(err)
		}
		out[k] = n
	}
	return out
}

// clock is a clock the test moves.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

func newScheduler(pool *pgxpool.Pool, c *clock) *scheduler.Scheduler {
	return &scheduler.Scheduler{Store: store.New(pool), Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Interval: 20 * time.Millisecond, Now: c.now}
}

// Each step happens at its time and once: the warning once 80 % of the seven days have
// passed (for every open issue with a due time), the escalation to the community 24 hours
// past due and to the street 48 hours past due (for issues in a state that escalates: not a
// reported one); a resolved issue a resident reported closes as "no response" seven days
// after its resolution.
func TestStepsHappenAtTheirTimeOnce(t *testing.T) {
	pool := city(t, 3)
	c := &clock{}
	s := newScheduler(pool, c)
	ctx := context.Background()
	for _, tc := range []struct {
		at                      time.Time
		warn, escalate, unheard int
	}{
		{at: due.Add(-48 * time.Hour)},                         // 5 of 7 days
		{at: due.Add(-33 * time.Hour), warn: 4},                // past 5.6 days, the reported one too
		{at: due.Add(-32 * time.Hour)},                         // warned already
		{at: due.Add(23 * time.Hour)},                          // overdue, not yet 24 h
		{at: due.Add(25 * time.Hour), escalate: 3},             // to the community
		{at: due.Add(26 * time.Hour)},                          // done already
		{at: due.Add(47 * time.Hour)},                          // the resolved one: 6 days 23 hours without a verdict
		{at: due.Add(49 * time.Hour), escalate: 3, unheard: 1}, // to the street; 7 days without a verdict
		{at: due.Add(1000 * time.Hour)},                        // nothing above the street
	} {
		c.set(tc.at)
		got, err := s.Tick(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got["warn"] != tc.warn || got["escalate"] != tc.escalate || got["close_unanswered"] != tc.unheard {
			t.Fatalf("at due%+v: changed %v, want warn %d, escalate %d, close_unanswered %d", tc.at.Sub(due), got, tc.warn, tc.escalate, tc.unheard)
		}
	}
	want := map[string]int{"warn:dispatched>dispatched": 3, "warn:reported>reported": 1, "escalate:dispatched>escalated": 3,
		"escalate:escalated>escalated": 3, "verdict:resolved>closed": 1}
	got := events(t, pool)
	if len(got) != len(want) {
		t.Fatalf("history %v, want %v", got, want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Fatalf("history %v, want %v", got, want)
		}
	}
	var levels string
	if err := pool.QueryRow(ctx, `SELECT string_agg(DISTINCT state || '/' || coalesce(escalation_level, '-'), ' ' ORDER BY state || '/' || coalesce(escalation_level, '-'))
		FROM issues`).Scan(&levels); err != nil {
		t.Fatal(err)
	}
	if levels != "closed/- escalated/street reported/-" {
		t.Fatalf("states and levels: %s", levels)
	}
}

// Two processes ticking at once, many times over, change each issue once per step.
func TestConcurrentTicksChangeOnce(t *testing.T) {
	const issues = 1200 // more than one batch of a step
	pool := city(t, issues)
	c := &clock{t: due.Add(49 * time.Hour)}
	var wg sync.WaitGroup
	totals := make([]map[string]int, 4)
	for i := range totals {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := newScheduler(pool, c)
			totals[i] = map[string]int{}
			for range 3 {
				got, err := s.Tick(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				for k, n := range got {
					totals[i][k] += n
				}
			}
		}()
	}
	wg.Wait()
	sum := map[string]int{}
	for _, tot := range totals {
		for k, n := range tot {
			sum[k] += n
		}
	}
	// At 49 hours past due, a tick warns, then escalates to the community; the street needs a
	// second look at the issue, by whichever tick comes next.
	if sum["warn"] != issues+1 || sum["escalate"] != 2*issues {
		t.Fatalf("changed %v over all ticks, want %d warnings and %d escalations", sum, issues+1, 2*issues)
	}
	got := events(t, pool)
	if got["warn:dispatched>dispatched"] != issues || got["escalate:dispatched>escalated"] != issues ||
		got["escalate:escalated>escalated"] != issues {
		t.Fatalf("history %v", got)
	}
}

// Of two schedulers running, one leads at a time; when it stops, the other takes over; a
// scheduler stopped mid-tick stops cleanly.
func TestOneLeaderAtATime(t *testing.T) {
	pool := city(t, 10)
	c := &clock{t: due.Add(-time.Hour)}
	regs := []*prometheus.Registry{prometheus.NewRegistry(), prometheus.NewRegistry()}
	scheds := make([]*scheduler.Scheduler, 2)
	cancels := make([]context.CancelFunc, 2)
	done := make([]chan struct{}, 2)
	for i := range scheds {
		scheds[i] = newScheduler(pool, c)
		scheds[i].Register(regs[i])
		ctx, cancel := context.WithCancel(context.Background())
		cancels[i], done[i] = cancel, make(chan struct{})
		go func() { defer close(done[i]); scheds[i].Run(ctx) }() //nolint:errcheck
	}
	leader := func(i int) float64 {
		return gauge(t, regs[i], "gridgov_scheduler_leader")
	}
	waitFor(t, func() bool { return leader(0)+leader(1) == 1 })
	first := 0
	if leader(1) == 1 {
		first = 1
	}
	waitFor(t, func() bool { return events(t, pool)["warn:dispatched>dispatched"] == 10 })
	for range 5 {
		if leader(0)+leader(1) != 1 {
			t.Fatalf("leaders: %v and %v", leader(0), leader(1))
		}
		time.Sleep(30 * time.Millisecond)
	}
	cancels[first]()
	<-done[first]
	other := 1 - first
	waitFor(t, func() bool { return leader(other) == 1 })
	c.set(due.Add(25 * time.Hour))
	waitFor(t, func() bool { return events(t, pool)["escalate:dispatched>escalated"] == 10 })
	cancels[other]()
	<-done[other]
	if got := events(t, pool); got["warn:dispatched>dispatched"] != 10 {
		t.Fatalf("history after two leaders: %v", got)
	}
}

func gauge(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			return mf.GetMetric()[0].GetGauge().GetValue()
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

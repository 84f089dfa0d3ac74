package resolvers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	stdlog "log"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"gridgov/auth"
	"gridgov/dbtest"
	"gridgov/observe"
	"gridgov/resolvers"
	"gridgov/server"
	"gridgov/store"
)

// hangupCitySQL adds to the fuzz city what a member's profile and an issue page read: a
// verified check-in, 60 ledger records (and one per completed order) and three ratings per
// member, and four events per issue.
const hangupCitySQL = `
INSERT INTO checkins (member_id, street_id, community_id, grid_id, letter_no, state, decided_at)
	SELECT id, street_id, community_id, grid_id, 'L-' || id, 'verified', now() FROM party_members;
INSERT INTO service_records (member_id, street_id, community_id, grid_id, served_on, hours, content)
	SELECT m.id, m.street_id, m.community_id, m.grid_id, date '2025-01-01' + r, 0.5 + r % 4, '入户探访 ' || r
	FROM party_members m, generate_series(1, 60) r;
INSERT INTO service_records (member_id, street_id, community_id, grid_id, order_id, served_on, hours, content)
	SELECT claimed_by, street_id, community_id, grid_id, id, completed_at::date, hours, title FROM service_orders
	WHERE state IN ('completed', 'rated') AND deleted_at IS NULL;
INSERT INTO year_ratings (member_id, street_id, community_id, year, grade)
	SELECT m.id, m.street_id, m.community_id, y, (ARRAY['good', 'fair', 'average'])[1 + (m.id + y) % 3]
	FROM party_members m, generate_series(2023, 2025) y;
INSERT INTO issue_events (issue_id, street_id, community_id, grid_id, actor_id, actor_role, action, to_state, at)
	SELECT i.id, i.street_id, i.community_id, i.grid_id, i.reporter_id, 'resident', 'note', i.state, i.reported_at + e * interval '1 hour'
	FROM issues i, generate_series(1, 4) e;
`

// The two reads of many levels: a member's profile with ledger (node), and the console's
// issue page with people and events.
const (
	hangupProfile = `query Profile($id: ID!) {
  node(id: $id) { ... on PartyMember { id name profession specialty
    unit { name } community { name } grid { name } checkin { state }
    serviceTotals { records hours }
    ledger(last: 20) { servedOn hours content order { title } }
    ratings { year grade } } } }`
	hangupIssues = `query Console($grid: ID!) {
  issues(first: 50, filter: {place: {gridId: $grid}}, orderBy: {field: REPORTED_AT, direction: DESC}) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id title state reportedAt dueAt overdue
      grid { name } reporter { name } handler { name }
      events(last: 3) { action toState at actor { name } } } } } }`
)

// hangupCity serves the city over real HTTP through the whole /graphql handler, keeping the
// handler's log and the HTTP server's error log (where a panic net/http recovers would go).
type hangupCity struct {
	pool    *pgxpool.Pool
	batches *batchCounter
	url     string
	client  *http.Client
	token   string
	logs    *lockedBuffer
	members []int64
	grids   []int64
}

func newHangupCity(t *testing.T) *hangupCity {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(dbtest.NewURL(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 16
	batches := &batchCounter{}
	cfg.ConnConfig.Tracer = batches
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if _, err := pool.Exec(context.Background(), fuzzCitySQL+hangupCitySQL); err != nil {
		t.Fatalf("city: %v", err)
	}
	c := &hangupCity{pool: pool, batches: batches, logs: &lockedBuffer{}}
	c.members = rowIDs(t, pool, `SELECT id FROM party_members ORDER BY id`)
	c.grids = rowIDs(t, pool, `SELECT id FROM grids ORDER BY id`)
	limits := server.DefaultLimits()
	limits.RateLimit = 0
	keys := testKeys(t)
	h := server.GraphQL(server.Options{Store: store.New(pool), Log: slog.New(slog.NewTextHandler(c.logs, nil)),
		Metrics: observe.NewGraphQL(prometheus.NewRegistry()), Keys: keys, Limits: limits})
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = stdlog.New(c.logs, "http: ", 0)
	srv.Start()
	t.Cleanup(srv.Close)
	c.url, c.client = srv.URL+"/graphql", srv.Client()
	if c.token, err = keys.Issue("city_admin", auth.ScopeCity, "1", time.Hour, time.Now()); err != nil {
		t.Fatal(err)
	}
	return c
}

// hangupRequest is one query with its variables.
type hangupRequest struct {
	query string
	vars  map[string]any
}

// hangupAnswer is a decoded answer.
type hangupAnswer struct {
	Data   map[string]any
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	}
}

// post sends r and reads the whole answer; the error is the client's (a hang-up) or a
// malformed answer.
func (c *hangupCity) post(ctx context.Context, r hangupRequest) (hangupAnswer, error) {
	body, _ := json.Marshal(map[string]any{"query": r.query, "variables": r.vars})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return hangupAnswer{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.client.Do(req)
	if err != nil {
		return hangupAnswer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return hangupAnswer{}, err
	}
	var a hangupAnswer
	if err := json.Unmarshal(b, &a); err != nil {
		return hangupAnswer{}, fmt.Errorf("status %d, not JSON: %s", resp.StatusCode, b)
	}
	return a, nil
}

// requests are every member's profile and the issue page of every grid.
func (c *hangupCity) requests() []hangupRequest {
	var out []hangupRequest
	for _, m := range c.members {
		out = append(out, hangupRequest{hangupProfile, map[string]any{"id": resolvers.GlobalID("PartyMember", m)}})
	}
	for _, g := range c.grids {
		out = append(out, hangupRequest{hangupIssues, map[string]any{"grid": resolvers.GlobalID("Grid", g)}})
	}
	return out
}

// baseline answers every request once, one at a time, and checks that each read something:
// a profile 20 ledger records, each with its own order or none; a page 50 issues with 3
// events each.
func (c *hangupCity) baseline(t *testing.T, reqs []hangupRequest) []hangupAnswer {
	t.Helper()
	out := make([]hangupAnswer, len(reqs))
	for i, r := range reqs {
		a, err := c.post(context.Background(), r)
		if err != nil || len(a.Errors) > 0 {
			t.Fatalf("%v: %v %+v", r.vars, err, a.Errors)
		}
		if r.query == hangupProfile {
			if n := len(dig(a.Data, "node", "ledger").([]any)); n != 20 {
				t.Fatalf("member %v: %d ledger records, want 20", r.vars, n)
			}
		} else {
			edges := dig(a.Data, "issues", "edges").([]any)
			if len(edges) != 50 || len(dig(edges[49], "node", "events").([]any)) != 3 {
				t.Fatalf("grid %v: %d issues, want 50 with 3 events each", r.vars, len(edges))
			}
		}
		out[i] = a
	}
	return out
}

// answersAgain checks that the server still answers every request as at first, and that no
// connection is left in use.
func (c *hangupCity) answersAgain(t *testing.T, reqs []hangupRequest, want []hangupAnswer) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); c.pool.Stat().AcquiredConns() > 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d connections still in use", c.pool.Stat().AcquiredConns())
		}
	}
	for i, r := range reqs {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		a, err := c.post(ctx, r)
		cancel()
		if err != nil || !reflect.DeepEqual(a, want[i]) {
			t.Fatalf("%v afterwards: %v %+v", r.vars, err, a.Errors)
		}
	}
}

// Clients that hang up at a random moment 0-50 ms into a request of many levels (member
// profiles, issue pages), while other clients read the same pages to the end: every answer a
// client receives is the whole right answer, no panic is logged, no connection is left in
// use, and the server answers as before afterwards. Under -race, rows or a batch read by two
// goroutines fail the test.
func TestClientsThatHangUpMidRead(t *testing.T) {
	c := newHangupCity(t)
	reqs := c.requests()
	want := c.baseline(t, reqs)
	const hangers, perHanger, steady = 16, 12, 4
	var hungUp, answered, steadyDone atomic.Int32
	var wg sync.WaitGroup
	stop := make(chan struct{})
	check := func(who string, i int, a hangupAnswer) {
		if !reflect.DeepEqual(a, want[i]) {
			t.Errorf("%s: %v answered %+v, want the baseline", who, reqs[i].vars, a)
		}
	}
	for range steady {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				i := rand.IntN(len(reqs))
				a, err := c.post(context.Background(), reqs[i])
				if err != nil {
					t.Errorf("steady client: %v", err)
					return
				}
				check("steady client", i, a)
				steadyDone.Add(1)
			}
		})
	}
	var hanging sync.WaitGroup
	for range hangers {
		hanging.Go(func() {
			for range perHanger {
				i := rand.IntN(len(reqs))
				ctx, cancel := context.WithTimeout(context.Background(), time.Duration(rand.Int64N(int64(50*time.Millisecond))))
				a, err := c.post(ctx, reqs[i])
				cancel()
				switch {
				case err == nil:
					answered.Add(1)
					check("hanging client, answered in time", i, a)
				case errors.Is(err, context.DeadlineExceeded):
					hungUp.Add(1)
				default:
					t.Errorf("hanging client: %v", err)
				}
			}
		})
	}
	hanging.Wait()
	close(stop)
	wg.Wait()
	all, cut := c.batches.all.Load(), c.batches.cut.Load()
	t.Logf("%d requests hung up, %d answered before their client gave up, %d steady answers; %d of %d read batches cut off",
		hungUp.Load(), answered.Load(), steadyDone.Load(), cut, all)
	if hungUp.Load() < hangers*perHanger/4 || steadyDone.Load() < steady || cut < 5 {
		t.Fatalf("too few requests hung up, completed, or were cut off inside a read batch to show anything")
	}
	for line := range strings.Lines(c.logs.String()) {
		if strings.Contains(line, "panic") {
			t.Fatalf("a panic was logged: %s", line)
		}
	}
	c.answersAgain(t, reqs, want)
}

// A panic while a request's levels are read (here: raised by the driver as it starts a
// statement, as a bug deep in a read would) fails only the request it happened in, with
// INTERNAL "internal error" and the panic logged with its stack; the connection it held is
// not lost, concurrent requests are answered rightly, and the same requests succeed once the
// fault is gone. An operation of two root fields, each with a panic, gets two errors.
func TestPanicWhileReadingFailsOnlyItsRequest(t *testing.T) {
	c := newHangupCity(t)
	reqs := c.requests()
	want := c.baseline(t, reqs)
	var poisoned atomic.Int64 // the member whose ledger read panics
	poisoned.Store(c.members[0])
	var poisonPeople atomic.Bool
	poison := func(sql string, args []any) {
		if strings.Contains(sql, "FROM service_records r") && slices.ContainsFunc(args, func(a any) bool {
			ids, ok := a.([]int64)
			return ok && slices.Contains(ids, poisoned.Load())
		}) {
			injectedPanic("ledger")
		}
		if strings.Contains(sql, "FROM people") && poisonPeople.Load() {
			injectedPanic("people")
		}
	}
	c.batches.poison.Store(&poison)
	defer c.batches.poison.Store(nil)
	internal := func(a hangupAnswer, err error) error {
		if err != nil || len(a.Errors) != 1 || a.Errors[0].Extensions["code"] != "INTERNAL" || a.Errors[0].Message != "internal error" {
			return fmt.Errorf("answered %v %+v, want one INTERNAL \"internal error\"", err, a.Errors)
		}
		return nil
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 5 {
				a, err := c.post(context.Background(), reqs[0]) // the poisoned member's profile
				if err := internal(a, err); err != nil || a.Data["node"] != nil {
					t.Errorf("the poisoned profile: %v, data %v", err, a.Data)
				}
			}
		})
		wg.Go(func() {
			for range 5 {
				i := 1 + rand.IntN(len(reqs)-1)
				if a, err := c.post(context.Background(), reqs[i]); err != nil || !reflect.DeepEqual(a, want[i]) {
					t.Errorf("beside the poisoned profile, %v answered %v %+v", reqs[i].vars, err, a)
				}
			}
		})
	}
	wg.Wait()
	poisonPeople.Store(true)
	twoRoots := hangupRequest{`query Two($grid: ID!) {
  a: issues(first: 10, filter: {place: {gridId: $grid}}) { edges { node { reporter { name } } } }
  b: issues(first: 10, filter: {place: {gridId: $grid}}) { edges { node { reporter { name } } } } }`,
		map[string]any{"grid": resolvers.GlobalID("Grid", c.grids[0])}}
	a, err := c.post(context.Background(), twoRoots)
	if err != nil || len(a.Errors) != 2 || a.Data != nil {
		t.Fatalf("two root fields with a panic in each: %v %+v, want two errors and no data", err, a)
	}
	for _, e := range a.Errors {
		if e.Extensions["code"] != "INTERNAL" || e.Message != "internal error" {
			t.Fatalf("two root fields with a panic in each: %+v", a.Errors)
		}
	}
	poisonPeople.Store(false)
	logs := c.logs.String()
	for _, s := range []string{"level=ERROR msg=panic", "injected panic in ledger", "injected panic in people", "resolvers_test.injectedPanic"} {
		if !strings.Contains(logs, s) {
			t.Fatalf("the log lacks %q:\n%s", s, logs)
		}
	}
	if strings.Contains(logs, "http: panic") {
		t.Fatalf("a panic reached net/http:\n%s", logs)
	}
	poisoned.Store(0)
	c.answersAgain(t, reqs, want)
}

func injectedPanic(where string) { panic("injected panic in " + where) }

// lockedBuffer is a log both the handler's goroutines and the test use.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// batchCounter counts the read batches (pgx batches) that ended, and those that ended
// in an error: cut off by a request's end.
// A poison function, when set, sees every statement as it starts and may panic, as a bug in a
// read would.
type batchCounter struct {
	all, cut atomic.Int32
	poison   atomic.Pointer[func(sql string, args []any)]
}

func (b *batchCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	if poison := b.poison.Load(); poison != nil {
		(*poison)(d.SQL, d.Args)
	}
	return ctx
}
func (b *batchCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
func (b *batchCounter) TraceBatchStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceBatchStartData) context.Context {
	if poison := b.poison.Load(); poison != nil {
		for _, q := range d.Batch.QueuedQueries {
			(*poison)(q.SQL, q.Arguments)
		}
	}
	return ctx
}
func (b *batchCounter) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}
func (b *batchCounter) TraceBatchEnd(_ context.Context, _ *pgx.Conn, d pgx.TraceBatchEndData) {
	b.all.Add(1)
	if d.Err != nil {
		b.cut.Add(1)
	}
}

package store_test

import (
	"bytes"
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"gridgov/apperr"
	"gridgov/auth"
	"gridgov/dbtest"
	"gridgov/loadgen"
	"gridgov/store"
)

func pipelineStore(t *testing.T) (*store.Store, *loadgen.Recorder) {
	cfg, err := pgxpool.ParseConfig(dbtest.NewURL(t))
	if err != nil {
		t.Fatal(err)
	}
	tc := &loadgen.Recorder{}
	cfg.ConnConfig.Tracer = tc
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeWithin(t, pool, 10*time.Second) })
	if _, err := pool.Exec(context.Background(), `INSERT INTO cities (id, code, name) VALUES (1, 'c', '巢湖市');
		INSERT INTO streets (id, city_id, code, name, kind) VALUES (1, 1, 's1', '卧牛山街道', 'street'), (2, 1, 's2', '亚父街道', 'street');
		INSERT INTO communities (id, street_id, code, name) VALUES (1, 1, 'm', '东风社区')`); err != nil {
		t.Fatal(err)
	}
	return store.New(pool), tc
}

// trips counts the batches among recorded statements, the statements they carried, and the
// statements sent alone.
func trips(stmts []loadgen.Statement) (batches, batched, alone int) {
	seen := map[int]bool{}
	for _, st := range stmts {
		switch {
		case st.Batch == 0:
			alone++
		case !seen[st.Batch]:
			seen[st.Batch] = true
			batches++
			fallthrough
		default:
			batched++
		}
	}
	return batches, batched, alone
}

// Reads side by side under a pipeline: the first statement of each member goes in one batch
// and each member gets its own rows; a member that reads nothing does not hold the batch
// back; a member's second statement runs alone; the answers are those without a pipeline.
func TestPipelineBatchesFirstStatements(t *testing.T) {
	s, tc := pipelineStore(t)
	ctx := context.Background()
	city := auth.Scope{}
	for round := range 20 { // goroutines arrive in any order
		tc.Start()
		p := s.NewPipeline(ctx, 4)
		var wg sync.WaitGroup
		var cities map[int64]*store.City
		var streets, again map[int64]*store.Street
		var communities map[int64]*store.Community
		errs := make([]error, 4)
		member := func(i int, read func(context.Context) error) {
			wg.Go(func() {
				ctx := p.Join(ctx)
				defer p.Leave(ctx)
				errs[i] = read(ctx)
			})
		}
		member(0, func(ctx context.Context) (err error) { cities, err = s.CitiesByID(ctx, city, []int64{1}); return })
		member(1, func(ctx context.Context) (err error) {
			if streets, err = s.StreetsByID(ctx, city, []int64{1, 2}); err != nil {
				return err
			}
			again, err = s.StreetsByID(ctx, city, []int64{2})
			return err
		})
		member(2, func(ctx context.Context) (err error) {
			communities, err = s.CommunitiesByID(ctx, city, []int64{1})
			return
		})
		member(3, func(context.Context) error { return nil }) // nothing to read
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d: member %d: %v", round, i, err)
			}
		}
		if cities[1] == nil || cities[1].Name != "巢湖市" || len(streets) != 2 || streets[2].Name != "亚父街道" ||
			len(again) != 1 || again[2] == nil || communities[1] == nil || communities[1].Name != "东风社区" {
			t.Fatalf("round %d: wrong answers: %v %v %v %v", round, cities, streets, again, communities)
		}
		batches, batched, alone := trips(tc.Stop())
		if batches != 1 || batched != 3 || alone != 1 {
			t.Fatalf("round %d: %d batches of %d statements and %d alone; want 1 of 3 and 1 alone",
				round, batches, batched, alone)
		}
	}
}

// A statement that fails in a batch fails its own member with the database's error (text
// holding U+0000 is the client's error); the statements behind it in the batch fail too, and
// nobody waits forever.
func TestPipelineFailureReachesTheMember(t *testing.T) {
	s, _ := pipelineStore(t)
	ctx := context.Background()
	p := s.NewPipeline(ctx, 2)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range 2 {
		wg.Go(func() {
			ctx := p.Join(ctx)
			defer p.Leave(ctx)
			if i == 0 {
				first := 5
				_, _, errs[i] = s.Streets(ctx, auth.Scope{}, store.PlaceFilter{Search: "a\x00b"}, store.Page{First: &first})
				return
			}
			_, errs[i] = s.CitiesByID(ctx, auth.Scope{}, []int64{1})
		})
	}
	wg.Wait()
	var ae *apperr.Error
	if !errors.As(errs[0], &ae) || ae.Code != apperr.BadUserInput {
		t.Fatalf("the failing member got %v, want BAD_USER_INPUT", errs[0])
	}
	// A cancelled request: members return with the context's error and the batch drains.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	p = s.NewPipeline(cctx, 2)
	for i := range 2 {
		wg.Go(func() {
			ctx := p.Join(cctx)
			defer p.Leave(ctx)
			_, errs[i] = s.CitiesByID(ctx, auth.Scope{}, []int64{1})
		})
	}
	wg.Wait()
	if errs[0] == nil || errs[1] == nil {
		t.Fatalf("cancelled request: want errors, got %v", errs)
	}
}

// A request whose context ends while its members read their rows (a client that hung up), at
// a random moment, many times: each member returns its whole answer or an error, never part
// of one, and the batch lets go of its connection. Under -race, rows read by a member while
// another goroutine closes them fail the test.
func TestPipelineCancelledWhileReading(t *testing.T) {
	s, _ := pipelineStore(t)
	bg := context.Background()
	const streets = 3000
	if _, err := s.Pool().Exec(bg, `INSERT INTO streets (id, city_id, code, name, kind)
		SELECT g, 1, 's' || g, '街道' || g, 'street' FROM generate_series(3, $1) g`, streets); err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, streets)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	const members = 3
	rounds, cancelled := 150, 0
	for round := range rounds {
		ctx, cancel := context.WithCancel(bg)
		p := s.NewPipeline(ctx, members)
		got := make([]map[int64]*store.Street, members)
		errs := make([]error, members)
		var wg sync.WaitGroup
		for i := range members {
			wg.Go(func() {
				ctx := p.Join(ctx)
				defer p.Leave(ctx)
				got[i], errs[i] = s.StreetsByID(ctx, auth.Scope{}, ids)
			})
		}
		stop := time.AfterFunc(time.Duration(rand.Int64N(int64(6*time.Millisecond))), cancel)
		wg.Wait()
		if !stop.Stop() {
			cancelled++
		}
		cancel()
		for i := range members {
			if errs[i] != nil {
				if !errors.Is(errs[i], context.Canceled) {
					t.Fatalf("round %d: member %d: %v, want the context's error", round, i, errs[i])
				}
				continue
			}
			if len(got[i]) != streets || got[i][streets].Name != fmt.Sprint("街道", streets) {
				t.Fatalf("round %d: member %d read %d streets without an error, want %d", round, i, len(got[i]), streets)
			}
		}
	}
	if cancelled < rounds/4 {
		t.Fatalf("only %d of %d rounds were cancelled before their members finished", cancelled, rounds)
	}
	waitIdle(t, s.Pool())
}

// closeWithin closes pool, reporting rather than waiting forever when a connection is never
// given back (Close waits for every connection).
func closeWithin(t *testing.T, pool *pgxpool.Pool, d time.Duration) {
	closed := make(chan struct{})
	go func() { pool.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(d):
		t.Errorf("the pool did not close within %s: %d connections still in use", d, pool.Stat().AcquiredConns())
	}
}

// waitIdle waits until no connection of pool is in use: every batch and every rows closed.
func waitIdle(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); pool.Stat().AcquiredConns() > 0; {
		if time.Now().After(deadline) {
			t.Fatalf("%d connections still in use", pool.Stat().AcquiredConns())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// panicsWhenSent is an argument whose encoding panics: a panic inside pgx, on the batch's
// goroutine.
type panicsWhenSent struct{}

func (panicsWhenSent) Value() (driver.Value, error) { panic("cannot encode") }

// A panic on the batch's goroutine reaches every member that waits for an answer, raised
// again in each with the stack it was raised on; the process lives, and the batch's
// connection goes back to the pool.
func TestPipelinePanicReachesEveryMember(t *testing.T) {
	s, _ := pipelineStore(t)
	ctx := context.Background()
	p := s.NewPipeline(ctx, 2)
	got := make([]any, 2)
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Go(func() {
			ctx := p.Join(ctx)
			defer p.Leave(ctx)
			defer func() { got[i] = recover() }()
			var arg any = "fine"
			if i == 0 {
				arg = panicsWhenSent{}
			}
			if rows, err := s.ReadRows(ctx, `SELECT $1::text`, arg); err == nil {
				rows.Close()
			}
		})
	}
	wg.Wait()
	for i, v := range got {
		pn, ok := v.(*store.Panic)
		// (pgx's batch tracer panics again while the panic unwinds: the value is its own.)
		if !ok || !bytes.Contains(pn.Stack, []byte("panicsWhenSent.Value")) {
			t.Fatalf("member %d got %v, want the batch's *store.Panic with its stack", i, v)
		}
	}
	waitIdle(t, s.Pool())
	if cities, err := s.CitiesByID(ctx, auth.Scope{}, []int64{1}); err != nil || len(cities) != 1 {
		t.Fatalf("after the panic: %v, %v", cities, err)
	}
}

// A member that panics while it reads its rows, leaving them open: Leave closes them, so the
// batch answers the members behind it and lets go of its connection.
func TestPipelineMemberThatPanicsHoldingRows(t *testing.T) {
	s, _ := pipelineStore(t)
	ctx := context.Background()
	for round := range 10 {
		p := s.NewPipeline(ctx, 3)
		var cities []map[int64]*store.City
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i := range 3 {
			wg.Go(func() {
				ctx := p.Join(ctx)
				defer p.Leave(ctx)
				if i > 0 {
					c, err := s.CitiesByID(ctx, auth.Scope{}, []int64{1})
					if err != nil {
						t.Errorf("round %d: %v", round, err)
					}
					mu.Lock()
					cities = append(cities, c)
					mu.Unlock()
					return
				}
				defer func() { recover() }() // the panic below is the test's own
				rows, err := s.ReadRows(ctx, `SELECT g FROM generate_series(1, 5000) g`)
				if err == nil {
					rows.Next()
					panic("while reading")
				}
			})
		}
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("round %d: the members behind a panicked one got no answer", round)
		}
		if len(cities) != 2 || cities[0][1] == nil || cities[1][1] == nil {
			t.Fatalf("round %d: %v", round, cities)
		}
		waitIdle(t, s.Pool())
	}
}

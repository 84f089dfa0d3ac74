package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"

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
	t.Cleanup(pool.Close)
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

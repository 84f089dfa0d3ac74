package resolvers

import (
	"context"
	"errors"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"gridgov/auth"
	"gridgov/observe"
	"gridgov/store"
)

// LoadNow reads a key at once, alone, and only once; Load then finds what it read, and a
// failed read gives its error and caches nothing.
func TestLoadNowReadsOneKeyOnce(t *testing.T) {
	var asked [][]int64
	fail := false
	read := func(_ *store.Store, _ context.Context, _ auth.Scope, keys []int64) (map[int64]*string, error) {
		asked = append(asked, slices.Clone(keys))
		if fail {
			return nil, errors.New("read failed")
		}
		out := map[int64]*string{}
		for _, k := range keys {
			if k != 404 {
				s := "value"
				out[k] = &s
			}
		}
		return out, nil
	}
	l := scoped(nil, auth.Scope{}, read)
	ctx := context.Background()
	if v, err := l.LoadNow(ctx, 7); err != nil || v == nil || *v != "value" {
		t.Fatalf("LoadNow(7) = %v, %v", v, err)
	}
	if v, err := l.LoadNow(ctx, 404); err != nil || v != nil {
		t.Fatalf("LoadNow(404) = %v, %v; want nil, nil", v, err)
	}
	if v, err := l.LoadNow(ctx, 7); err != nil || v == nil {
		t.Fatalf("LoadNow(7) again = %v, %v", v, err)
	}
	if v, err := l.Load(ctx, 7); err != nil || v == nil {
		t.Fatalf("Load(7) after LoadNow = %v, %v", v, err)
	}
	if want := [][]int64{{7}, {404}}; !slices.EqualFunc(asked, want, slices.Equal) {
		t.Fatalf("reads %v, want %v", asked, want)
	}
	fail = true
	if v, err := l.LoadNow(ctx, 8); err == nil || v != nil {
		t.Fatalf("LoadNow(8) of a failed read = %v, %v", v, err)
	}
	fail = false
	if v, err := l.LoadNow(ctx, 8); err != nil || v == nil {
		t.Fatalf("LoadNow(8) after the failure = %v, %v", v, err)
	}
}

// A loader's batch metric says how the keys were gathered: read ahead (flush, LoadNow) or
// in a batch window (Load of a key nothing read ahead).
func TestLoaderReportsHowKeysWereGathered(t *testing.T) {
	reg := prometheus.NewRegistry()
	ctx := observe.WithGraphQL(context.Background(), observe.NewGraphQL(reg))
	read := func(_ *store.Store, _ context.Context, _ auth.Scope, keys []int64) (map[int64]*store.Grid, error) {
		out := map[int64]*store.Grid{}
		for _, k := range keys {
			out[k] = &store.Grid{ID: k}
		}
		return out, nil
	}
	l := scoped(nil, auth.Scope{}, read)
	if _, err := l.LoadNow(ctx, 1); err != nil {
		t.Fatal(err)
	}
	l.want(2, 3)
	if err := l.flush(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Load(ctx, 4); err != nil {
		t.Fatal(err)
	}
	got := map[string]uint64{}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "gridgov_graphql_dataloader_batch_size" {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, lp := range m.GetLabel() {
				labels[lp.GetName()] = lp.GetValue()
			}
			got[labels["loader"]+"/"+labels["gathered"]] = m.GetHistogram().GetSampleCount()
		}
	}
	if want := map[string]uint64{"Grid/prefetch": 2, "Grid/window": 1}; !maps.Equal(got, want) {
		t.Fatalf("batches %v, want %v", got, want)
	}
}

// Concurrent LoadNows of one key (two aliased node fields, say) each get the value, also
// while another caller's read of that key is still under way.
func TestConcurrentLoadNowsAllGetTheValue(t *testing.T) {
	read := func(_ *store.Store, _ context.Context, _ auth.Scope, keys []int64) (map[int64]*store.Grid, error) {
		time.Sleep(20 * time.Millisecond) // a read long enough for the others to arrive during it
		out := map[int64]*store.Grid{}
		for _, k := range keys {
			out[k] = &store.Grid{ID: k}
		}
		return out, nil
	}
	l := scoped(nil, auth.Scope{}, read)
	var wg sync.WaitGroup
	got := make([]*store.Grid, 8)
	for i := range got {
		wg.Go(func() {
			g, err := l.LoadNow(context.Background(), 7)
			if err != nil {
				t.Error(err)
			}
			got[i] = g
		})
	}
	wg.Wait()
	for i, g := range got {
		if g == nil || g.ID != 7 {
			t.Errorf("caller %d got %v, want grid 7", i, g)
		}
	}
}

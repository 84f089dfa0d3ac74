package resolvers

import (
	"bytes"
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"gridgov/auth"
	"gridgov/store"
)

// countingFlusher counts its flushes; one that panics does so after counting.
type countingFlusher struct {
	flushed atomic.Int32
	panics  bool
}

func (f *countingFlusher) flush(context.Context) error {
	f.flushed.Add(1)
	if f.panics {
		panicInFlush()
	}
	return nil
}

func panicInFlush() { panic("flush failed") }

// caught runs f and gives the panic it raised, recovered.
func caught(f func()) (v any) {
	defer func() { v = recover() }()
	f()
	return nil
}

// A panic in one flush of a prefetch level, on a worker or on the caller's goroutine (the
// last task), is raised again on the caller's goroutine with the stack it was raised on,
// once every other flush of the level has finished; the workers live on.
func TestTogetherRaisesAFlushPanicOnTheCaller(t *testing.T) {
	l := &Loaders{}
	for round := range 20 {
		for bad := range 4 {
			fs := make([]flusher, 4)
			counts := make([]*countingFlusher, 4)
			for i := range fs {
				counts[i] = &countingFlusher{panics: i == bad}
				fs[i] = counts[i]
			}
			v := caught(func() { l.together(context.Background(), fs, nil) })
			pn, ok := v.(*store.Panic)
			if !ok || pn.Value != "flush failed" || !bytes.Contains(pn.Stack, []byte("resolvers.panicInFlush")) {
				t.Fatalf("round %d, flush %d panicking: the caller got %v, want the flush's *store.Panic with its stack", round, bad, v)
			}
			for i, c := range counts {
				if n := c.flushed.Load(); n != 1 {
					t.Fatalf("round %d: flush %d ran %d times before together returned", round, i, n)
				}
			}
		}
	}
	ok := &countingFlusher{}
	if !l.together(context.Background(), []flusher{ok, &countingFlusher{}}, nil) || ok.flushed.Load() != 1 {
		t.Fatal("a level without a panic did not flush")
	}
}

// A panic in the fetch of a batch window (dataloadgen's goroutine) is raised again in every
// Load that waited for the batch, with the stack of the fetch; a later batch is unaffected.
func TestBatchedLoadRaisesAFetchPanic(t *testing.T) {
	var poisoned atomic.Bool
	poisoned.Store(true)
	read := func(_ *store.Store, _ context.Context, _ auth.Scope, keys []int64) (map[int64]*string, error) {
		if poisoned.Load() {
			panicInFetch()
		}
		out := map[int64]*string{}
		for _, k := range keys {
			out[k] = new(fmt.Sprint(k))
		}
		return out, nil
	}
	l := scoped(nil, auth.Scope{}, read)
	for _, load := range []func() error{
		func() error { _, err := l.Load(context.Background(), 1); return err },
		func() error { _, err := l.LoadAll(context.Background(), []int64{2, 3}); return err },
	} {
		v := caught(func() { load() }) //nolint:errcheck // it panics
		pn, ok := v.(*store.Panic)
		if !ok || pn.Value != "fetch failed" || !bytes.Contains(pn.Stack, []byte("resolvers.panicInFetch")) {
			t.Fatalf("the Load got %v, want the fetch's *store.Panic with its stack", v)
		}
	}
	poisoned.Store(false)
	if v, err := l.Load(context.Background(), 4); err != nil || v == nil || *v != "4" {
		t.Fatalf("a later batch gave %v, %v", v, err)
	}
}

func panicInFetch() { panic("fetch failed") }

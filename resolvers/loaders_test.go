package resolvers

import (
	"context"
	"errors"
	"slices"
	"testing"

	"gridgov/auth"
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

package server

import (
	"context"
	"strings"
	"testing"
)

// TestTextCacheKeepsItsBudget: the cache never holds more text than its budget, drops the
// least recently used entry first, and does not keep a text longer than an eighth of it.
func TestTextCacheKeepsItsBudget(t *testing.T) {
	ctx := context.Background()
	c := newTextCache[int](800)
	key := func(s string) string { return s + strings.Repeat(".", 99-len(s)) } // 99 bytes each
	for i, k := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		c.Add(ctx, key(k), i)
	}
	if _, ok := c.Get(ctx, key("a")); !ok { // a is now the most recently used
		t.Fatal("a dropped while within budget")
	}
	c.Add(ctx, key("i"), 8) // 9 × 99 > 800: the least recently used, b, goes
	if _, ok := c.Get(ctx, key("b")); ok {
		t.Error("b kept beyond the budget")
	}
	for _, k := range []string{"a", "c", "i"} {
		if _, ok := c.Get(ctx, key(k)); !ok {
			t.Errorf("%s dropped", k)
		}
	}
	if c.used > 800 {
		t.Errorf("holds %d bytes of text, budget 800", c.used)
	}
	c.Add(ctx, strings.Repeat("x", 101), 9)
	if _, ok := c.Get(ctx, strings.Repeat("x", 101)); ok {
		t.Error("a text over an eighth of the budget was kept")
	}
}

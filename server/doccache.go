package server

import (
	"container/list"
	"context"
	"sync"
)

// docCacheBytes is the budget of the parsed-document cache, in bytes of query text. A parsed
// and validated document takes some 20 to 25 times its text in memory (measured on console
// queries and on a document at the field limit), so the cache holds about 13 MB at most,
// whatever its entries are: a console's few hundred queries of a few kilobytes fit, and a
// client sending one long document after another can only push the others out.
const docCacheBytes = 512 << 10

// textCache is a least-recently-used cache keyed by query text whose budget is the total
// length of its keys: gqlgen's caches count entries, and a thousand entries of the longest
// documents the limits let through would hold half a gigabyte. A text longer than an
// eighth of the budget is not kept.
type textCache[T any] struct {
	mu     sync.Mutex
	budget int
	used   int
	order  *list.List // of *textEntry[T], most recently used first
	byKey  map[string]*list.Element
}

type textEntry[T any] struct {
	key   string
	value T
}

func newTextCache[T any](budget int) *textCache[T] {
	return &textCache[T]{budget: budget, order: list.New(), byKey: map[string]*list.Element{}}
}

// Get gives the value kept for key, and marks it recently used.
func (c *textCache[T]) Get(_ context.Context, key string) (T, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byKey[key]
	if !ok {
		var zero T
		return zero, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*textEntry[T]).value, true
}

// Add keeps value for key, dropping the least recently used entries beyond the budget.
func (c *textCache[T]) Add(_ context.Context, key string, value T) {
	if len(key) > c.budget/8 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byKey[key]; ok {
		e.Value.(*textEntry[T]).value = value
		c.order.MoveToFront(e)
		return
	}
	c.byKey[key] = c.order.PushFront(&textEntry[T]{key, value})
	c.used += len(key)
	for c.used > c.budget {
		last := c.order.Back()
		old := c.order.Remove(last).(*textEntry[T])
		delete(c.byKey, old.key)
		c.used -= len(old.key)
	}
}

// Package loaders holds what one request has read through the store's sources: the values
// its relations point to, by source and key, read within the caller's scope.
//
// A request's executor stages the keys one level of its query needs (Want), reads them all in
// one round trip (Flush: one pgx batch of every source's statements, on the caller's
// goroutine), then finds the values in the cache (Get). Load reads a single missing key at
// once: the path of gqlgen's executor, which resolves one field at a time, and which the API
// keeps as the reference its answers are compared with.
package loaders

import (
	"context"
	"net/http"
	"sync"

	"gridgov/auth"
	"gridgov/store"
)

// Cache is one request's values, read within its caller's scope. It is safe for concurrent
// use: gqlgen's executor resolves fields on several goroutines.
type Cache struct {
	store *store.Store
	scope auth.Scope
	// Counted, when set, learns of every batch: how many sources and statements it read.
	Counted func(sources, statements int)

	mu     sync.Mutex
	vals   map[any]any // *store.Source[K, V] → map[K]V
	staged []staging   // sources with keys for the next Flush, in the order first wanted
	bySrc  map[any]staging
}

// New makes an empty cache for a request of the given scope.
func New(s *store.Store, sc auth.Scope) *Cache {
	return &Cache{store: s, scope: sc, vals: map[any]any{}, bySrc: map[any]staging{}}
}

// Store gives the store the cache reads from.
func (c *Cache) Store() *store.Store { return c.store }

// staging is one source's keys waiting for a Flush.
type staging interface {
	reads(sc auth.Scope) (reads []store.Read, keep func(c *Cache))
}

type staged[K comparable, V any] struct {
	src  *store.Source[K, V]
	keys []K
	seen map[K]bool
}

// reads gives the statements of the staged keys, and what keeps their values once they ran: a
// key without a value keeps V's zero value, so it is not read again.
func (s *staged[K, V]) reads(sc auth.Scope) ([]store.Read, func(*Cache)) {
	got := make(map[K]V, len(s.keys))
	reads := s.src.Reads(sc, s.keys, func(k K, v V) { got[k] = v })
	return reads, func(c *Cache) {
		m := values(c, s.src)
		for _, k := range s.keys {
			m[k] = got[k]
		}
	}
}

// values gives the cache's map of src (c.mu held).
func values[K comparable, V any](c *Cache, src *store.Source[K, V]) map[K]V {
	m, ok := c.vals[src].(map[K]V)
	if !ok {
		m = map[K]V{}
		c.vals[src] = m
	}
	return m
}

// Want stages keys of src for the next Flush; keys already read or staged are skipped.
func Want[K comparable, V any](c *Cache, src *store.Source[K, V], keys ...K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	have := values(c, src)
	st, _ := c.bySrc[src].(*staged[K, V])
	for _, k := range keys {
		if _, ok := have[k]; ok {
			continue
		}
		if st == nil {
			st = &staged[K, V]{src: src, seen: map[K]bool{}}
			c.bySrc[src] = st
			c.staged = append(c.staged, st)
		}
		if !st.seen[k] {
			st.seen[k] = true
			st.keys = append(st.keys, k)
		}
	}
}

// Flush reads every staged key of every source in one round trip.
func (c *Cache) Flush(ctx context.Context) error {
	c.mu.Lock()
	staged := c.staged
	c.staged, c.bySrc = nil, map[any]staging{}
	c.mu.Unlock()
	if len(staged) == 0 {
		return nil
	}
	var reads []store.Read
	keeps := make([]func(*Cache), len(staged))
	for i, s := range staged {
		r, keep := s.reads(c.scope)
		reads, keeps[i] = append(reads, r...), keep
	}
	if c.Counted != nil {
		c.Counted(len(staged), len(reads))
	}
	if err := c.store.Batch(ctx, reads); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, keep := range keeps {
		keep(c)
	}
	return nil
}

// Get gives the value read for key of src; ok is false when it has not been read.
func Get[K comparable, V any](c *Cache, src *store.Source[K, V], key K) (v V, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok = values(c, src)[key]
	return v, ok
}

// Load gives the value of key, reading it at once, alone, when it has not been read. It reads
// outside the staging of Want and Flush, so concurrent Loads never wait on each other's keys.
func Load[K comparable, V any](ctx context.Context, c *Cache, src *store.Source[K, V], key K) (V, error) {
	if v, ok := Get(c, src, key); ok {
		return v, nil
	}
	m, err := store.Fetch(ctx, c.store, src, c.scope, []K{key})
	if err != nil {
		var zero V
		return zero, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	values(c, src)[key] = m[key]
	return m[key], nil
}

type cacheKey struct{}

// With gives ctx carrying c.
func With(ctx context.Context, c *Cache) context.Context {
	return context.WithValue(ctx, cacheKey{}, c)
}

// For gives the request's cache.
func For(ctx context.Context) *Cache { return ctx.Value(cacheKey{}).(*Cache) }

// Middleware puts a fresh cache, scoped to the request's caller, in each request's context.
// It must run after auth.Middleware; counted, when not nil, learns of every batch.
func Middleware(s *store.Store, counted func(sources, statements int), next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := New(s, auth.ScopeFrom(r.Context()))
		c.Counted = counted
		next.ServeHTTP(w, r.WithContext(With(r.Context(), c)))
	})
}

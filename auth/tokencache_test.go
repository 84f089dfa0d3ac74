package auth_test

import (
	"testing"
	"time"

	"gridgov/auth"
)

// A cached token is accepted exactly when Verify accepts it: at every instant around its
// validity window, after the cache has remembered it, and for tampered or foreign tokens.
func TestTokenCacheAgreesWithVerify(t *testing.T) {
	keys := hsKeys(t)
	tok, err := keys.Issue("leader", "city", "42", time.Minute, now)
	if err != nil {
		t.Fatal(err)
	}
	other, err := pairKeys(t, "ES256").Issue("leader", "city", "42", time.Minute, now)
	if err != nil {
		t.Fatal(err)
	}
	cache := auth.NewTokenCache(keys, 2)
	if _, err := cache.Verify(tok, now); err != nil {
		t.Fatalf("a fresh token: %v", err)
	}
	leeway := 30 * time.Second
	instants := []time.Time{now, now.Add(59 * time.Second), now.Add(time.Minute + leeway - time.Nanosecond),
		now.Add(time.Minute + leeway), now.Add(time.Hour), now.Add(-leeway), now.Add(-leeway - time.Nanosecond)}
	for _, at := range instants {
		for _, token := range []string{tok, tok[:len(tok)-2] + "xx", other} {
			_, want := keys.Verify(token, at)
			_, got := cache.Verify(token, at)
			if (want == nil) != (got == nil) {
				t.Errorf("at %v, token …%s: Verify says %v, the cache %v", at.Sub(now), token[len(token)-4:], want, got)
			}
		}
	}
	if _, err := cache.Verify(tok, now.Add(time.Minute+leeway)); err == nil {
		t.Fatal("an expired token was taken from the cache")
	}
}

// A full cache holds no more than its size: it starts again, keeps the token it just
// verified, and still verifies; a token it holds is taken from it without growing it.
func TestTokenCacheBounded(t *testing.T) {
	keys := hsKeys(t)
	cache := auth.NewTokenCache(keys, 2)
	var tokens []string
	for i, subject := range []string{"1", "2", "3", "4", "5"} {
		tok, err := keys.Issue("leader", "city", subject, time.Minute, now)
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, tok)
		c, err := cache.Verify(tok, now)
		if err != nil || c.Subject != subject {
			t.Fatalf("token %d: %+v, %v", i, c, err)
		}
		if want := i%2 + 1; cache.Len() != want { // 1, 2, then emptied and 1 again, ...
			t.Errorf("after token %d the cache holds %d tokens, want %d", i, cache.Len(), want)
		}
	}
	if c, err := cache.Verify(tokens[4], now); err != nil || c.Subject != "5" || cache.Len() != 1 {
		t.Errorf("the token last verified, again: %+v, %v; the cache holds %d, want 1", c, err, cache.Len())
	}
}

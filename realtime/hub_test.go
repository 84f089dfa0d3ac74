package realtime

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"gridgov/auth"
	"gridgov/dbtest"
)

func newHub(t *testing.T, l Limits) *Hub {
	t.Helper()
	h := NewHub(dbtest.New(t), slog.New(slog.NewTextHandler(io.Discard, nil)), prometheus.NewRegistry(), l)
	h.Poll = 50 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { h.Run(ctx); close(done) }() //nolint:errcheck
	t.Cleanup(func() { cancel(); <-done })
	return h
}

// insert writes an outbox row for issue id in tx-less autocommit or in tx when given.
const insertEvent = `INSERT INTO outbox (kind, entity_id, history_id, action, to_state, street_id, community_id)
	VALUES ('issue', $1, $1, 'report', 'reported', 1, 1)`

// next waits for s's next event.
func next(t *testing.T, s *Sub) Event {
	t.Helper()
	select {
	case e := <-s.Events():
		return e
	case <-time.After(5 * time.Second):
		t.Fatal("no event")
		return Event{}
	}
}

// TestLateCommitIsNotLost: a transaction that wrote its event first but commits after a later
// one's event was handed on still has its event handed on — the reader follows the
// transaction horizon, not the id — and no event is handed on twice.
func TestLateCommitIsNotLost(t *testing.T) {
	h := newHub(t, Limits{})
	s, err := h.Subscribe("issue", "t", auth.Scope{})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // the reader has taken its first horizon
	ctx := context.Background()
	long, err := h.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer long.Rollback(ctx) //nolint:errcheck
	if _, err := long.Exec(ctx, insertEvent, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := h.pool.Exec(ctx, insertEvent, 2); err != nil {
		t.Fatal(err)
	}
	if e := next(t, s); e.EntityID != 2 {
		t.Fatalf("first event: %+v", e)
	}
	if err := long.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if e := next(t, s); e.EntityID != 1 {
		t.Fatalf("late event: %+v", e)
	}
	time.Sleep(300 * time.Millisecond) // several reads later, nothing comes again
	select {
	case e := <-s.Events():
		t.Fatalf("handed on twice: %+v", e)
	default:
	}
}

// TestSlowSubscriberIsDropped: a subscriber whose buffer is full is dropped (Dropped closed,
// its subscription released) while the others still get every event; a token's
// subscriptions beyond its limit are refused.
func TestSlowSubscriberIsDropped(t *testing.T) {
	h := NewHub(nil, slog.New(slog.NewTextHandler(io.Discard, nil)), prometheus.NewRegistry(), Limits{Buffer: 2, PerToken: 2})
	slow, _ := h.Subscribe("issue", "a", auth.Scope{})
	fast, _ := h.Subscribe("issue", "b", auth.Scope{})
	other, _ := h.Subscribe("issue", "c", auth.Scope{StreetID: 9})
	for i := range 3 {
		h.fanOut(Event{Kind: "issue", EntityID: int64(i), Street: 1})
		<-fast.Events()
	}
	select {
	case <-slow.Dropped:
	default:
		t.Fatal("a subscriber two events behind with a buffer of two is not dropped")
	}
	if h.Subscriptions() != 2 || len(other.Events()) != 0 {
		t.Errorf("%d subscriptions; the other street's subscriber holds %d events", h.Subscriptions(), len(other.Events()))
	}
	if _, err := h.Subscribe("issue", "b", auth.Scope{}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Subscribe("issue", "b", auth.Scope{}); err != ErrTokenLimit {
		t.Errorf("third subscription of a token limited to two: %v", err)
	}
}

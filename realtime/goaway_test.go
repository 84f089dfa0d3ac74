package realtime

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// TestGoAway: GoAway closes each tracked connection with 1001 and returns once they ended; a
// connection tracked afterwards is closed at once; one that never ends makes GoAway give up
// when its context does.
func TestGoAway(t *testing.T) {
	h := NewHub(nil, slog.New(slog.NewTextHandler(io.Discard, nil)), prometheus.NewRegistry(), Limits{})
	codes := make(chan int, 3)
	var untrack []func()
	for i := range 2 {
		c := NewConn(1, func(code int, _ string) { codes <- code; untrack[i]() })
		untrack = append(untrack, h.Track(c))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.GoAway(ctx); err != nil {
		t.Fatal(err)
	}
	late := NewConn(1, func(code int, _ string) { codes <- code })
	h.Track(late) // never untracked: it stays open
	for i := range 3 {
		select {
		case code := <-codes:
			if code != CloseGoingAway {
				t.Errorf("closed with %d, want %d", code, CloseGoingAway)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%d of 3 connections closed", i)
		}
	}
	short, cancelShort := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancelShort()
	if err := h.GoAway(short); err == nil {
		t.Error("GoAway returned nil with a connection still open")
	}
}

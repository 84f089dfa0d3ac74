package loadgen

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// A server that can answer only one request at a time, 20 per second, is sent 40 slots a
// second for a second: the open-loop runner still sends every slot on time, and the latency
// of the last requests includes the queue they waited in (about a second), not just the
// 50 ms of their own service: coordinated omission is counted.
func TestRunPacedCountsTheQueue(t *testing.T) {
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		time.Sleep(50 * time.Millisecond)
		mu.Unlock()
		w.Write([]byte(`{"data": {"ok": true}}`)) //nolint:errcheck
	}))
	defer srv.Close()
	var answered, rivals int
	kinds := []Kind{
		{Name: "a", Weight: 3, Next: func(int) (Request, func(Answer)) {
			return Request{Query: "{ ok }"}, func(a Answer) {
				mu.Lock()
				answered++
				mu.Unlock()
			}
		}},
		{Name: "b", Weight: 1, Together: 2, Next: func(i int) (Request, func(Answer)) {
			rivals++
			return Request{Query: "{ ok }"}, nil
		}},
	}
	res := RunPaced(context.Background(), NewClient(srv.URL, 64), kinds, 40, time.Second)
	if res.Sent != 50 || answered != 30 || rivals != 20 {
		t.Fatalf("sent %d (want 50), kind a answered %d (want 30), kind b made %d (want 20)", res.Sent, answered, rivals)
	}
	all := res.Latencies[len(res.Latencies)-1]
	if all.Kind != "all" || all.Requests != 50 || all.Max < 1200*time.Millisecond || all.P50 < 400*time.Millisecond {
		t.Fatalf("latencies %+v: want the queue counted (max ≥ 1.2 s, p50 ≥ 0.4 s)", all)
	}
	if res.MaxLag > 200*time.Millisecond {
		t.Errorf("the runner fell %v behind its schedule", res.MaxLag)
	}
}

func TestSpreadInterleaves(t *testing.T) {
	got := spread([]Kind{{Weight: 2}, {Weight: 1}, {Weight: 1}})
	want := []int{0, 1, 2, 0}
	if len(got) != len(want) {
		t.Fatalf("spread %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("spread %v, want %v", got, want)
		}
	}
}

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

// Check accepts only a whole answer without errors, and Run counts every other one.
func TestCheckRefusesErrorsAndBrokenAnswers(t *testing.T) {
	answers := map[string]struct {
		status int
		body   string
		ok     bool
	}{
		"data":      {http.StatusOK, `{"data":{"ok":true}}`, true},
		"errors":    {http.StatusOK, `{"errors":[{"message":"no","extensions":{"code":"FORBIDDEN"}}],"data":null}`, false},
		"status":    {http.StatusInternalServerError, `{"data":{"ok":true}}`, false},
		"truncated": {http.StatusOK, `{"data":{"ok":tr`, false},
		"not json":  {http.StatusOK, `<html>`, false},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := answers[r.Header.Get("Authorization")[len("Bearer "):]]
		w.WriteHeader(a.status)
		w.Write([]byte(a.body)) //nolint:errcheck
	}))
	defer srv.Close()
	c := NewClient(srv.URL, 4)
	for name, a := range answers {
		if err := c.Check(context.Background(), Request{Query: "{ ok }", Token: name}); (err == nil) != a.ok {
			t.Errorf("%s: Check gave %v, want ok=%v", name, err, a.ok)
		}
	}
	res := Run(context.Background(), c, Scenario{Name: "mixed", Next: func(_, i int) Request {
		return Request{Query: "{ ok }", Token: []string{"data", "errors"}[i%2]}
	}}, 2, 0, 200*time.Millisecond)
	if res.Requests < 10 || res.Errors < res.Requests/2-2 || res.Errors > res.Requests/2+2 {
		t.Fatalf("Run counted %d errors in %d requests, want about half", res.Errors, res.Requests)
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"gridgov/auth"
	"gridgov/config"
	"gridgov/dbtest"
	"gridgov/gid"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestGracefulShutdownLosesNoAcknowledgedWrite reports issues from eight clients while the
// server is told to stop: every report the server acknowledged is in Postgres afterwards, and
// no client saw a 5xx.
func TestGracefulShutdownLosesNoAcknowledgedWrite(t *testing.T) {
	url, addr, stop := seededServer(t)
	var acked sync.Map
	var fivexx, ackedN atomic.Int64
	var wg sync.WaitGroup
	for c := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				title := fmt.Sprintf("shutdown-%d-%d", c, i)
				status, ok, err := reportIssue(addr, title)
				if err != nil {
					return // the server stopped accepting: not acknowledged
				}
				if status >= 500 {
					fivexx.Add(1)
				}
				if ok {
					acked.Store(title, true)
					ackedN.Add(1)
				}
			}
		}()
	}
	time.Sleep(700 * time.Millisecond)
	stop()
	wg.Wait()
	if ackedN.Load() == 0 {
		t.Fatal("no report was acknowledged before the shutdown")
	}
	if fivexx.Load() > 0 {
		t.Errorf("%d responses were 5xx", fivexx.Load())
	}
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	missing := 0
	acked.Range(func(k, _ any) bool {
		var n int
		conn.QueryRow(context.Background(), `SELECT count(*) FROM issues WHERE title = $1`, k).Scan(&n) //nolint:errcheck
		if n != 1 {
			missing++
		}
		return true
	})
	if missing > 0 {
		t.Errorf("%d of %d acknowledged reports are not in Postgres", missing, ackedN.Load())
	}
	t.Logf("%d reports acknowledged, all present", ackedN.Load())
}

// seededServer seeds the demo city (as of 2026-11-27) into a fresh database and serves it as
// `make demo` does, its evidence kept in a fresh directory; stop plays SIGTERM (stopServer).
func seededServer(t *testing.T) (url, addr string, stop func()) {
	t.Helper()
	url = dbtest.NewURL(t)
	t.Setenv("GRIDGOV_PG_URL", url)
	t.Setenv("GRIDGOV_MODE", "development")
	t.Setenv("GRIDGOV_EVIDENCE_DIR", t.TempDir())
	addr = freeAddr(t)
	t.Setenv("GRIDGOV_LISTEN", addr)
	if code, _, errs := gridgov(t, "seed", "--as-of", "2026-11-27"); code != 0 {
		t.Fatalf("seed: %s", errs)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan int, 1)
	go func() {
		var out, errs bytes.Buffer
		served <- run(ctx, []string{"serve"}, &out, &errs)
	}()
	waitUp(t, "http://"+addr+"/healthz")
	return url, addr, func() { stopServer(t, cancel, served) }
}

// stopServer plays SIGTERM: run's context is cancelled, and serve must return cleanly.
func stopServer(t *testing.T, stop context.CancelFunc, served chan int) {
	t.Helper()
	stop()
	select {
	case code := <-served:
		if code != 0 {
			t.Errorf("serve exited %d", code)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop within 20 s")
	}
}

func waitUp(t *testing.T, url string) {
	t.Helper()
	for range 100 {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never answered", url)
}

// reportIssue posts one reportIssue mutation as a grid worker of the demo city's first grid.
func reportIssue(addr, title string) (status int, ok bool, err error) {
	keys, err := auth.LoadKeys("HS256", config.DevSecret, "", "", "gridgov", "gridgov", 30*time.Second)
	if err != nil {
		return 0, false, err
	}
	token, err := keys.Issue("grid_worker", gid.Encode("Grid", 1), "1", time.Hour, time.Now())
	if err != nil {
		return 0, false, err
	}
	body, _ := json.Marshal(map[string]any{
		"query": `mutation($in: ReportIssueInput!) { reportIssue(input: $in) { id } }`,
		"variables": map[string]any{"in": map[string]any{"categoryId": gid.Encode("IssueCategory", 1), "gridId": gid.Encode("Grid", 1),
			"title": title, "reporterRole": "GRID_WORKER"}},
	})
	req, _ := http.NewRequest("POST", "http://"+addr+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, false, err
	}
	defer resp.Body.Close()
	var out struct {
		Data   map[string]any `json:"data"`
		Errors []any          `json:"errors"`
	}
	json.NewDecoder(resp.Body).Decode(&out) //nolint:errcheck
	return resp.StatusCode, resp.StatusCode == 200 && len(out.Errors) == 0 && out.Data["reportIssue"] != nil, nil
}

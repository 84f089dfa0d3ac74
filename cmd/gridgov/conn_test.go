package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"gridgov/auth"
	"gridgov/config"
	"gridgov/dbtest"
	"gridgov/server"
)

// connSecret signs the tokens of the production-mode server of TestConnectionLimits.
const connSecret = "conn-test-secret-of-at-least-32-bytes"

// TestConnectionLimits runs `gridgov serve` in production mode with short connection
// limits: a client that sends its headers slowly, or its headers and then its body a byte a
// second, is disconnected within the configured time; /metrics answers on its own listener
// and not on the API's.
func TestConnectionLimits(t *testing.T) {
	const readHeader, read = time.Second, 2 * time.Second
	api, metrics := freeAddr(t), freeAddr(t)
	t.Setenv("GRIDGOV_PG_URL", dbtest.NewURL(t))
	t.Setenv("GRIDGOV_MODE", "production")
	t.Setenv("GRIDGOV_EVIDENCE_DIR", t.TempDir())
	t.Setenv("GRIDGOV_JWT_SECRET", connSecret)
	t.Setenv("GRIDGOV_LISTEN", api)
	t.Setenv("GRIDGOV_METRICS_LISTEN", metrics)
	t.Setenv("GRIDGOV_READ_HEADER_TIMEOUT", readHeader.String())
	t.Setenv("GRIDGOV_READ_TIMEOUT", read.String())
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan int, 1)
	var logs bytes.Buffer
	go func() { served <- run(ctx, []string{"serve"}, io.Discard, &logs) }()
	waitUp(t, "http://"+api+"/healthz")
	defer stopServer(t, stop, served)

	t.Run("metrics on their own listener", func(t *testing.T) {
		if code, body := httpGet(t, "http://"+metrics+"/metrics"); code != http.StatusOK || !strings.Contains(body, "gridgov_http_requests_total") {
			t.Errorf("metrics listener: %d %.200s", code, body)
		}
		if code, _ := httpGet(t, "http://"+api+"/metrics"); code != http.StatusNotFound {
			t.Errorf("API listener /metrics: %d, want 404", code)
		}
	})
	t.Run("slow headers", func(t *testing.T) {
		elapsed, _ := dribble(t, api, "GET /healthz HTTP/1.1\r\nHost: gridgov\r\n", "X-Slow: "+strings.Repeat("a", 30))
		if elapsed > readHeader+time.Second {
			t.Errorf("a client sending its headers a byte a second was disconnected after %s; GRIDGOV_READ_HEADER_TIMEOUT is %s", elapsed, readHeader)
		}
	})
	t.Run("slow body", func(t *testing.T) {
		keys, err := auth.LoadKeys("HS256", connSecret, "", "", "gridgov", "gridgov", 30*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		token, err := keys.Issue("leader", auth.ScopeCity, "1", time.Hour, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		head := "POST /graphql HTTP/1.1\r\nHost: gridgov\r\nContent-Type: application/json\r\nAuthorization: Bearer " + token +
			"\r\nContent-Length: 100\r\n\r\n"
		elapsed, answer := dribble(t, api, head, `{"query": "{ __typename }", "variables": {}, "padding": "`+strings.Repeat("a", 60)+`"}`)
		if elapsed > read+time.Second || elapsed < read-time.Second {
			t.Errorf("a client sending its body a byte a second was disconnected after %s; GRIDGOV_READ_TIMEOUT is %s", elapsed, read)
		}
		// The handler was reading the body (the token was good) when the deadline cut it.
		if !strings.Contains(answer, "could not be read") {
			t.Errorf("answer: %.300q", answer)
		}
	})
}

// dribble connects to addr, sends head at once and then rest a byte a second, and reads
// until the server closes the connection: it gives how long that took, and what was read.
func dribble(t *testing.T, addr, head, rest string) (time.Duration, string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	defer close(done)
	go func() {
		for i := range len(rest) {
			select {
			case <-done:
				return
			case <-time.After(time.Second):
			}
			if _, err := conn.Write([]byte{rest[i]}); err != nil {
				return
			}
		}
	}()
	conn.SetReadDeadline(time.Now().Add(20 * time.Second)) //nolint:errcheck
	answer, err := io.ReadAll(conn)
	elapsed := time.Since(start)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("the server kept the connection open for %s", elapsed)
	}
	return elapsed, string(answer)
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestLimitDefaultsAgree: the documented defaults of the request limits are the server's.
func TestLimitDefaultsAgree(t *testing.T) {
	cfg, err := config.From(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	d := server.DefaultLimits()
	if got := limitsOf(cfg); got != d {
		t.Errorf("config's defaults %+v, the server's %+v", got, d)
	}
}

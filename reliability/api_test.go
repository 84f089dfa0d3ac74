package reliability

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"gridgov/auth"
	"gridgov/config"
	"gridgov/gid"
)

// api is a running `gridgov serve` and a way to act on it as one person.
type api struct {
	addr, token string
	person      int64
	role        string
	cmd         *exec.Cmd
	logs        *strings.Builder
}

// startServe runs `gridgov serve` against pgURL (development mode: its token secret is the
// built-in one, so the test can mint tokens). The per-token rate limit is off: these tests
// load one token far beyond it on purpose. The scheduler runs elsewhere (in no process): what
// the tests check the data against is what their requests did.
func startServe(t *testing.T, pgURL string, extra ...string) *api {
	t.Helper()
	a := &api{addr: fmt.Sprintf("127.0.0.1:%d", freePort(t)), logs: &strings.Builder{}}
	a.cmd = gridgov(context.Background(), append([]string{"GRIDGOV_PG_URL=" + pgURL, "GRIDGOV_LISTEN=" + a.addr, "GRIDGOV_RATE_LIMIT=0",
		"GRIDGOV_SCHEDULER=worker"}, extra...), "serve")
	a.cmd.Stdout, a.cmd.Stderr = a.logs, a.logs
	if err := a.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		a.cmd.Process.Kill() //nolint:errcheck
		a.cmd.Wait()         //nolint:errcheck
		if t.Failed() {
			t.Logf("serve output:\n%s", a.logs.String())
		}
	})
	for range 200 {
		if resp, err := http.Get("http://" + a.addr + "/healthz"); err == nil {
			resp.Body.Close()
			return a
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("serve never answered:\n%s", a.logs.String())
	return nil
}

// actAsCadre makes the api act as the first community cadre of community 1.
func (a *api) actAsCadre(t *testing.T, pgURL string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if err := conn.QueryRow(ctx, `SELECT person_id FROM cadres WHERE community_id = 1 ORDER BY id LIMIT 1`).Scan(&a.person); err != nil {
		t.Fatal(err)
	}
	a.role = "community_cadre"
	a.token = mint(t, a.role, gid.Encode("Community", 1), a.person)
}

// mint signs a token for role over scope, acting for person, with the development secret
// that `gridgov serve` runs with in these tests.
func mint(t *testing.T, role, scope string, person int64) string {
	t.Helper()
	cfg, _ := config.From(func(k string) string { return map[string]string{"GRIDGOV_MODE": "development"}[k] })
	keys, err := auth.LoadKeys(cfg.JWTAlg, cfg.JWTSecret, "", "", cfg.JWTAudience, cfg.JWTIssuer, cfg.JWTLeeway)
	if err != nil {
		t.Fatal(err)
	}
	token, err := keys.Issue(role, scope, strconv.FormatInt(person, 10), 24*time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// reply is what one request got back.
type reply struct {
	status int
	data   map[string]any
	codes  []string
	err    error // transport
}

func (a *api) do(ctx context.Context, query string, vars map[string]any) reply {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequestWithContext(ctx, "POST", "http://"+a.addr+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return reply{err: err}
	}
	defer resp.Body.Close()
	var out struct {
		Data   map[string]any `json:"data"`
		Errors []struct {
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	json.NewDecoder(resp.Body).Decode(&out) //nolint:errcheck
	r := reply{status: resp.StatusCode, data: out.Data}
	for _, e := range out.Errors {
		c, _ := e.Extensions["code"].(string)
		r.codes = append(r.codes, c)
	}
	return r
}

const reportMutation = `mutation($in: ReportIssueInput!) { reportIssue(input: $in) { id } }`

func reportVars(title string) map[string]any {
	return map[string]any{"in": map[string]any{"categoryId": gid.Encode("IssueCategory", 1), "gridId": gid.Encode("Grid", 1),
		"title": title, "reporterRole": "CADRE"}}
}

// tally counts what a load saw: acknowledged writes, error codes, statuses, latencies.
type tally struct {
	mu        sync.Mutex
	acked     []string
	codes     map[string]int
	statuses  map[int]int
	transport int
	retry503  int
	latencies []time.Duration
	lastAck   time.Time
}

func newTally() *tally { return &tally{codes: map[string]int{}, statuses: map[int]int{}} }

func (y *tally) add(title string, r reply, took time.Duration) {
	y.mu.Lock()
	defer y.mu.Unlock()
	y.latencies = append(y.latencies, took)
	if r.err != nil {
		y.transport++
		return
	}
	if r.status == 503 && len(r.codes) == 1 && r.codes[0] == "UNAVAILABLE" {
		y.retry503++ // the documented retryable answer while Postgres is away, not a failure
	} else {
		y.statuses[r.status]++
	}
	for _, c := range r.codes {
		y.codes[c]++
	}
	if r.status == 200 && len(r.codes) == 0 && r.data["reportIssue"] != nil {
		y.acked = append(y.acked, title)
		y.lastAck = time.Now()
	}
}

func (y *tally) fivexx() int {
	y.mu.Lock()
	defer y.mu.Unlock()
	n := 0
	for s, c := range y.statuses {
		if s >= 500 {
			n += c
		}
	}
	return n
}

// reportLoad has clients report issues until ctx ends, each title unique.
func reportLoad(ctx context.Context, a *api, clients int, y *tally) *sync.WaitGroup {
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				title := fmt.Sprintf("load-%d-%d-%d", time.Now().UnixNano(), c, i)
				began := time.Now()
				r := a.do(context.WithoutCancel(ctx), reportMutation, reportVars(title))
				y.add(title, r, time.Since(began))
				if r.err != nil {
					time.Sleep(50 * time.Millisecond)
				}
			}
		}()
	}
	return &wg
}

// missing counts acknowledged titles absent from Postgres.
func missing(t *testing.T, pgURL string, titles []string) int {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var found int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM issues WHERE title = ANY($1)`, titles).Scan(&found); err != nil {
		t.Fatal(err)
	}
	return len(titles) - found
}

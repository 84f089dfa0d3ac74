package resolvers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"gridgov/dbtest"
	"gridgov/loadgen"
	"gridgov/server"
	"gridgov/store"
)

// rows counts what a refused mutation must not have written.
func (e *env) rows() int {
	e.t.Helper()
	var n int
	if err := e.pool.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM issues) + (SELECT count(*) FROM issue_events)
		+ (SELECT count(*) FROM audit_log)`).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// post sends a raw body with a bearer token.
func (e *env) post(token, body string) gqlResp {
	e.t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return e.serve(req)
}

const reportMutation = `mutation($in: ReportIssueInput!) { reportIssue(input: $in) { id } }`

func reportBody(w world, title string) string {
	b, _ := json.Marshal(map[string]any{"query": reportMutation, "variables": map[string]any{"in": map[string]any{
		"categoryId": gid("IssueCategory", w.issueCat), "gridId": gid("Grid", w.grid), "title": title}}})
	return string(b)
}

// TestBadTokensAreRefused: expired, wrongly signed, alg none, wrong audience or issuer, a
// scope naming no place, and no token at all: 401 UNAUTHENTICATED, nothing written.
func TestBadTokensAreRefused(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	claims := func() jwt.MapClaims {
		return jwt.MapClaims{"sub": "1", "role": "city_admin", "scope": "city", "aud": "gridgov", "iss": "gridgov",
			"iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix()}
	}
	sign := func(m jwt.SigningMethod, key any, c jwt.MapClaims) string {
		s, err := jwt.NewWithClaims(m, c).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	with := func(k string, v any) jwt.MapClaims { c := claims(); c[k] = v; return c }
	tokens := map[string]string{
		"none":            "",
		"expired":         sign(jwt.SigningMethodHS256, []byte(testSecret), with("exp", time.Now().Add(-time.Hour).Unix())),
		"wrong signature": sign(jwt.SigningMethodHS256, []byte("another-secret-that-is-long-enough!!"), claims()),
		"alg none":        sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims()),
		"wrong audience":  sign(jwt.SigningMethodHS256, []byte(testSecret), with("aud", "elsewhere")),
		"wrong issuer":    sign(jwt.SigningMethodHS256, []byte(testSecret), with("iss", "evil")),
		"no subject":      sign(jwt.SigningMethodHS256, []byte(testSecret), with("sub", "")),
		"absent place":    sign(jwt.SigningMethodHS256, []byte(testSecret), with("role", "leader")),
		"garbage":         "a.b.c",
	}
	tokens["absent place"] = sign(jwt.SigningMethodHS256, []byte(testSecret), func() jwt.MapClaims {
		c := with("role", "community_cadre")
		c["scope"] = gid("Community", 987654)
		return c
	}())
	before := e.rows()
	for name, tok := range tokens {
		t.Run(name, func(t *testing.T) {
			r := e.with(t).post(tok, reportBody(w, "should not exist"))
			if r.Status != http.StatusUnauthorized || r.code() != "UNAUTHENTICATED" || r.Data != nil {
				t.Errorf("status %d %+v", r.Status, r.Errors)
			}
		})
	}
	if e.rows() != before {
		t.Errorf("a refused request wrote rows")
	}
}

// TestRefusalsHaveCodes: an oversized body, a batch, a too deep and a too costly operation,
// a burst over the rate limit and a timed-out request are each refused with their own code,
// counted by limit, and write nothing.
func TestRefusalsHaveCodes(t *testing.T) {
	pool := dbtest.New(t)
	limits := server.Limits{MaxBodyBytes: 4096, MaxDepth: 5, MaxComplexity: 2000, Timeout: 10 * time.Second,
		RateLimit: 0.001, RateBurst: 12, APQCache: 10}
	e := newEnvWith(t, pool, &loadgen.Recorder{}, &limits)
	w := e.world()
	tok := e.token("city_admin", "city", w.cadrePerson)
	before := e.rows()
	// A mutation the limits refuse is padded, batched, nested or inflated around the report.
	deep := `mutation($in: ReportIssueInput!) { reportIssue(input: $in) { grid { community { street { city { name } } } } } }`
	costlyQ := `{ issues(first: 100) { edges { node { events(last: 100) { note } } } } }`
	cases := []struct {
		name, body, code string
		status           int
		limit            string
	}{
		{"oversized", `{"query": "` + strings.Repeat(" ", 5000) + `", "variables": {}}`, "BODY_LIMIT", 413, "body"},
		{"batch", "[" + reportBody(w, "batched 1") + "," + reportBody(w, "batched 2") + "]", "BATCH_LIMIT", 400, "batch"},
		{"too deep", bodyOf(deep, w), "DEPTH_LIMIT", 200, "depth"},
		{"too costly", bodyOf(costlyQ, w), "COMPLEXITY_LIMIT", 200, "complexity"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.with(t).post(tok, c.body)
			if r.Status != c.status || r.code() != c.code || (r.Data != nil && r.Data["reportIssue"] != nil) {
				t.Errorf("want %d %s, got %d %+v", c.status, c.code, r.Status, r.Errors)
			}
			if n := refusals(e, c.limit); n < 1 {
				t.Errorf("refusal %s not counted", c.limit)
			}
		})
	}
	if e.rows() != before {
		t.Fatalf("refused requests wrote %d rows", e.rows()-before)
	}
	// The burst is 12 and the rate next to nothing: the requests above are 4 of the 12.
	var limited gqlResp
	for range 10 {
		if limited = e.post(tok, bodyOf(`{ issueCategories { name } }`, w)); limited.Status == http.StatusTooManyRequests {
			break
		}
	}
	if limited.Status != http.StatusTooManyRequests || limited.code() != "RATE_LIMITED" {
		t.Errorf("rate: %d %+v", limited.Status, limited.Errors)
	}
	// Another token has its own bucket.
	if r := e.post(e.token("leader", "city", w.cadrePerson), bodyOf(`{ issueCategories { name } }`, w)); r.code() != "" {
		t.Errorf("another token: %+v", r.Errors)
	}

	// A request that outlives its timeout is cancelled in the database and says TIMEOUT.
	short := server.DefaultLimits()
	short.RateLimit, short.Timeout = 0, time.Nanosecond
	te := newEnvWith(t, pool, &loadgen.Recorder{}, &short)
	r := te.post(te.token("city_admin", "city", w.cadrePerson), reportBody(w, "timed out"))
	if r.code() != "TIMEOUT" {
		t.Errorf("timeout: %d %+v %v", r.Status, r.Errors, r.Data)
	}
	if n := refusals(te, "timeout"); n < 1 {
		t.Errorf("timeout not counted")
	}
	if e.rows() != before {
		t.Fatalf("a timed-out mutation wrote %d rows", e.rows()-before)
	}
}

func bodyOf(q string, w world) string {
	b, _ := json.Marshal(map[string]any{"query": q, "variables": map[string]any{"in": map[string]any{
		"categoryId": gid("IssueCategory", w.issueCat), "gridId": gid("Grid", w.grid), "title": "refused"}}})
	return string(b)
}

// refusals reads the refusal counter of one limit from the env's registry.
func refusals(e *env, limit string) float64 {
	return metricSum(e, "gridgov_graphql_refusals_total", "limit", limit)
}

// metricSum adds up, in the env's registry, the series of one metric whose label has the
// given value: counters' values, histograms' sample counts.
func metricSum(e *env, name, label, value string) float64 {
	e.t.Helper()
	mfs, err := e.reg.Gather()
	if err != nil {
		e.t.Fatal(err)
	}
	sum := 0.0
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == label && l.GetValue() == value {
					sum += m.GetCounter().GetValue() + float64(m.GetHistogram().GetSampleCount())
				}
			}
		}
	}
	return sum
}

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// TestPersistedQueriesAndIntrospection: production refuses introspection; automatic persisted
// queries register a query by hash; allow-list mode runs only registered operations.
func TestPersistedQueriesAndIntrospection(t *testing.T) {
	pool := dbtest.New(t)
	e := newEnvWith(t, pool, &loadgen.Recorder{}, nil)
	w := e.world()
	tok := e.token("leader", "city", w.cadrePerson)
	if r := e.as(tok, `{ __schema { types { name } } }`, nil); r.code() != "FORBIDDEN" {
		t.Errorf("introspection in production: %+v", r.Errors)
	}
	q := `{ issueCategories { name } }`
	apq := func(query string) gqlResp {
		body := map[string]any{"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": server.Hash(q)}}}
		if query != "" {
			body["query"] = query
		}
		b, _ := json.Marshal(body)
		return e.post(tok, string(b))
	}
	if r := apq(""); r.code() != "PERSISTED_QUERY_NOT_FOUND" {
		t.Errorf("unknown hash: %+v", r.Errors)
	}
	if r := apq(q); r.code() != "" {
		t.Errorf("register: %+v", r.Errors)
	}
	if r := apq(""); r.code() != "" || r.Data["issueCategories"] == nil {
		t.Errorf("by hash: %+v", r.Errors)
	}

	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "categories.graphql"), []byte(q), 0o644) //nolint:errcheck
	list, err := server.LoadAllowList(dir)
	if err != nil {
		t.Fatal(err)
	}
	l := server.DefaultLimits()
	l.RateLimit = 0
	h := server.GraphQL(server.Options{Store: store.New(pool), Log: discard(), Metrics: e.m, Keys: e.keys, Limits: l, AllowList: list})
	ae := *e
	ae.h = h
	if r := ae.as(tok, q, nil); r.code() != "" {
		t.Errorf("registered, full text: %+v", r.Errors)
	}
	b, _ := json.Marshal(map[string]any{"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": server.Hash(q)}}})
	if r := ae.post(tok, string(b)); r.code() != "" {
		t.Errorf("registered, by hash: %+v", r.Errors)
	}
	if r := ae.as(tok, `{ issues { totalCount } }`, nil); r.code() != "OPERATION_NOT_ALLOWED" {
		t.Errorf("unregistered: %+v", r.Errors)
	}
}

// TestCORSAndHeaders: only configured origins get CORS headers, never with credentials; every
// response says nosniff.
func TestCORSAndHeaders(t *testing.T) {
	h := server.New(server.Deps{Pool: dbtest.New(t), Log: discard(), Keys: testKeys(t), CORSOrigins: []string{"https://console.example.org"}})
	pre := func(origin string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodOptions, "/graphql", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	if r := pre("https://console.example.org"); r.Header().Get("Access-Control-Allow-Origin") != "https://console.example.org" ||
		r.Header().Get("Access-Control-Allow-Credentials") != "" {
		t.Errorf("allowed origin: %v", r.Header())
	}
	if r := pre("https://evil.example"); r.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("other origin: %v", r.Header())
	}
	for _, path := range []string{"/healthz", "/graphql"} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader([]byte(`{"query":"{ issueCategories { name } }"}`)))
		req.Header.Set("Content-Type", "application/json")
		h.ServeHTTP(rec, req)
		if rec.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no nosniff", path)
		}
		if path == "/graphql" && rec.Code != http.StatusUnauthorized {
			t.Errorf("/graphql without a token: %d", rec.Code)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if rec.Code != http.StatusOK {
		t.Errorf("/healthz without a token: %d", rec.Code)
	}
}

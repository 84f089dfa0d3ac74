package server_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql/introspection"
	"github.com/prometheus/client_golang/prometheus"

	"gridgov/dbtest"
	"gridgov/server"
)

func request(query string, vars map[string]any, ext map[string]any) []byte {
	b, err := json.Marshal(map[string]any{"query": query, "variables": vars, "extensions": ext})
	if err != nil {
		panic(err)
	}
	return b
}

// refusals reads the refusal counter of one limit.
func refusals(t *testing.T, reg *prometheus.Registry, limit string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "gridgov_graphql_refusals_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			if m.GetLabel()[0].GetValue() == limit {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

// TestDocumentLimitsComeBeforeValidation: a document over the token or the node limit is
// refused with COMPLEXITY_LIMIT, and counted, even where validation would have found it
// wrong: the limits run first. At the limits, it runs.
func TestDocumentLimitsComeBeforeValidation(t *testing.T) {
	h, token, reg := limitsHandler(t)
	cases := []struct {
		name, query, code, limit string
	}{
		{"tokens", "{" + strings.Repeat(" nosuchfield", maxTokens-1) + " }", "COMPLEXITY_LIMIT", "tokens"},
		{"fields", "{" + strings.Repeat(" nosuchfield", maxNodes+1) + " }", "COMPLEXITY_LIMIT", "fields"},
		{"aliases", "{" + repeat(maxNodes+1, func(i int) string { return " a" + strings.Repeat("x", i) + ": __typename" }) + " }", "COMPLEXITY_LIMIT", "fields"},
		{"arguments", "{ issues(" + strings.Repeat("first: 1 ", maxNodes) + ") { totalCount } }", "COMPLEXITY_LIMIT", "fields"},
		{"fragments counted once", "{ ...F ...F ...F }\nfragment F on Query {" + strings.Repeat(" __typename", maxNodes-3) + " }", "", ""},
		{"at the limits", "{" + strings.Repeat(" __typename", maxNodes) + " }", "", ""},
		{"a syntax error", "{ issues(", "BAD_USER_INPUT", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := refusals(t, reg, c.limit)
			a := postBody(t, h, token, request(c.query, nil, nil))
			if a.code() != c.code {
				t.Fatalf("code %q, want %q: %v", a.code(), c.code, a.Errors)
			}
			if c.limit != "" && refusals(t, reg, c.limit) != before+1 {
				t.Errorf("refusal %s not counted", c.limit)
			}
			if c.code == "" && !strings.Contains(string(a.Data), "Query") {
				t.Errorf("no data: %s", a.Data)
			}
		})
	}
	// A GET query is held to the same limits.
	req := httptest.NewRequest(http.MethodGet, "/graphql?query="+url.QueryEscape("{"+strings.Repeat(" __typename", maxTokens)+" }"), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if !strings.Contains(rec.Body.String(), `"COMPLEXITY_LIMIT"`) {
		t.Errorf("GET over the token limit: %d %.300s", rec.Code, rec.Body.String())
	}
}

// TestInputLimits: a string argument longer than its limit (a search 64 characters, other
// text 2,000 characters, an id 64 bytes) or a list of more than 1,000 items is refused with
// BAD_USER_INPUT naming the argument's path, whether written in the document or passed as a
// variable, at any depth; at the limit it is not. Characters are counted, not bytes.
func TestInputLimits(t *testing.T) {
	h, token, reg := limitsHandler(t)
	han := func(n int) string { return strings.Repeat("中", n) }
	const count = `{ totalCount }`
	cases := []struct {
		name, query string
		vars        map[string]any
		field       string // "" for a request the input limits let through
	}{
		{"search at the limit", `{ issues(filter: {search: "` + han(64) + `"}) ` + count + ` }`, nil, ""},
		{"search over the limit", `{ issues(filter: {search: "` + han(65) + `"}) ` + count + ` }`, nil, "issues.filter.search"},
		{"search argument", `{ grids(filter: {search: "` + strings.Repeat("a", 65) + `"}) { totalCount } }`, nil, "grids.filter.search"},
		{"search in a variable", `query($s: String) { a: issues(filter: {search: $s}) ` + count + ` }`, map[string]any{"s": han(65)}, "a.filter.search"},
		{"search in an input variable", `query($f: IssueFilter) { issues(filter: $f) ` + count + ` }`,
			map[string]any{"f": map[string]any{"search": han(65)}}, "issues.filter.search"},
		{"a string variable used as text and as a search", `query($s: String) { issues(filter: {search: $s}) ` + count + ` b: grids(filter: {search: $s}) { totalCount } }`,
			map[string]any{"s": han(64)}, ""},
		{"title at the limit", `mutation($t: String!) { reportIssue(input: {categoryId: "x", gridId: "y", reporterRole: CADRE, title: $t}) { id } }`,
			map[string]any{"t": han(2000)}, ""},
		{"title over the limit", `mutation($t: String!) { reportIssue(input: {categoryId: "x", gridId: "y", reporterRole: CADRE, title: $t}) { id } }`,
			map[string]any{"t": han(2001)}, "reportIssue.input.title"},
		{"description in a block string", `mutation { reportIssue(input: {categoryId: "x", gridId: "y", reporterRole: CADRE, title: "t", description: """` +
			strings.Repeat("ab\n", 700) + `"""}) { id } }`, nil, "reportIssue.input.description"},
		{"id at the limit", `{ node(id: "` + strings.Repeat("x", 64) + `") { id } }`, nil, ""},
		{"id over the limit", `{ node(id: "` + strings.Repeat("x", 65) + `") { id } }`, nil, "node.id"},
		{"id of 22 han (66 bytes)", `{ node(id: "` + han(22) + `") { id } }`, nil, "node.id"},
		{"id in a list", `{ issues(filter: {categoryIds: ["a", "` + strings.Repeat("x", 65) + `"]}) ` + count + ` }`, nil, "issues.filter.categoryIds[1]"},
		{"id in a nested input", `{ issues(filter: {place: {gridId: "` + strings.Repeat("x", 65) + `"}}) ` + count + ` }`, nil, "issues.filter.place.gridId"},
		{"id in a list variable", `query($ids: [ID!]) { issues(filter: {categoryIds: $ids}) ` + count + ` }`,
			map[string]any{"ids": []any{"a", "b", strings.Repeat("x", 65)}}, "issues.filter.categoryIds[2]"},
		{"list over the limit", `query($ids: [ID!]) { issues(filter: {categoryIds: $ids}) ` + count + ` }`,
			map[string]any{"ids": strings.Split(strings.Repeat("a,", 1000)+"a", ",")}, "issues.filter.categoryIds"},
		{"list in a fragment", `{ ...F } fragment F on Query { issues(filter: {states: [` + strings.Repeat("REPORTED ", 1001) + `]}) ` + count + ` }`, nil,
			"issues.filter.states"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := postBody(t, h, token, request(c.query, c.vars, nil))
			if c.field == "" {
				for _, e := range a.Errors {
					if strings.Contains(e.Message, "may hold at most") {
						t.Fatalf("refused: %v", a.Errors)
					}
				}
				return
			}
			if a.code() != "BAD_USER_INPUT" || a.field() != c.field || !strings.Contains(a.Errors[0].Message, "may hold at most") {
				t.Errorf("want BAD_USER_INPUT on %s, got %v", c.field, a.Errors)
			}
		})
	}
	if refusals(t, reg, "text") == 0 {
		t.Error("input refusals not counted")
	}
}

// TestPersistedQueriesKeepWorking: automatic persisted queries register a document within
// the limits and run it by its hash; a document over the limits is refused and never
// registered. In allow-list mode registered operations run by hash and others are refused.
func TestPersistedQueriesKeepWorking(t *testing.T) {
	h, token, _ := limitsHandler(t)
	apq := func(query string) map[string]any {
		return map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": server.Hash(query)}}
	}
	small := "{ __typename }"
	if a := postBody(t, h, token, request(small, nil, apq(small))); a.code() != "" {
		t.Fatalf("register: %v", a.Errors)
	}
	if a := postBody(t, h, token, request("", nil, apq(small))); a.code() != "" || !strings.Contains(string(a.Data), "Query") {
		t.Fatalf("by hash: %v %s", a.Errors, a.Data)
	}
	big := "{" + strings.Repeat(" __typename", maxNodes+1) + " }"
	if a := postBody(t, h, token, request(big, nil, apq(big))); a.code() != "COMPLEXITY_LIMIT" {
		t.Fatalf("over the limits: %v", a.Errors)
	}
	if a := postBody(t, h, token, request("", nil, apq(big))); a.code() != "PERSISTED_QUERY_NOT_FOUND" {
		t.Fatalf("a refused document was registered: %v", a.Errors)
	}

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "probe.graphql"), []byte(small), 0o600); err != nil {
		t.Fatal(err)
	}
	list, err := server.LoadAllowList(dir)
	if err != nil {
		t.Fatal(err)
	}
	ah, atoken, _ := limitsHandler(t, func(o *server.Options) { o.AllowList = list })
	if a := postBody(t, ah, atoken, request("", nil, apq(small))); a.code() != "" {
		t.Fatalf("registered operation by hash: %v", a.Errors)
	}
	if a := postBody(t, ah, atoken, request(big, nil, nil)); a.code() != "OPERATION_NOT_ALLOWED" {
		t.Fatalf("unregistered operation: %v", a.Errors)
	}
}

// TestValidationAnswersAreBounded: a document of many conflicting fields is answered with at
// most 20 errors, not one for each two fields; production mode suggests no field names
// (development mode does).
func TestValidationAnswersAreBounded(t *testing.T) {
	h, token, _ := limitsHandler(t)
	conflicts := "{" + repeat(maxNodes/3, func(i int) string { return " a: issues(first: " + strings.Repeat("1", 1+i%3) + ") { totalCount }" }) + " }"
	a := postBody(t, h, token, request(conflicts, nil, nil))
	if a.code() != "BAD_USER_INPUT" || len(a.Errors) > 20 {
		t.Errorf("%d errors, the first %v", len(a.Errors), a.Errors[0])
	}
	a = postBody(t, h, token, request("{ isues { totalCount } }", nil, nil))
	if a.code() != "BAD_USER_INPUT" || strings.Contains(a.Errors[0].Message, "Did you mean") {
		t.Errorf("production: %v", a.Errors)
	}
	dh, dtoken, _ := limitsHandler(t, func(o *server.Options) { o.Dev = true })
	if a := postBody(t, dh, dtoken, request("{ isues { totalCount } }", nil, nil)); !strings.Contains(a.Errors[0].Message, "Did you mean") {
		t.Errorf("development: %v", a.Errors)
	}
}

// TestIntrospectionFitsTheLimits: GraphiQL's introspection query runs in development mode.
func TestIntrospectionFitsTheLimits(t *testing.T) {
	h, token, _ := limitsHandler(t, func(o *server.Options) { o.Dev = true })
	if a := postBody(t, h, token, request(introspection.Query, nil, nil)); a.code() != "" || !strings.Contains(string(a.Data), "__schema") {
		t.Errorf("introspection: %v", a.Errors)
	}
}

// TestMetricsOnlyWhereConfigured: /metrics is absent from the API's handler unless it is
// asked for there.
func TestMetricsOnlyWhereConfigured(t *testing.T) {
	pool := dbtest.New(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, on := range []bool{false, true} {
		h := server.New(server.Deps{Pool: pool, Log: log, MetricsOnAPI: on})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		served := rec.Code == http.StatusOK && strings.Contains(rec.Body.String(), "go_goroutines")
		if served != on {
			t.Errorf("MetricsOnAPI %v: /metrics answered %d", on, rec.Code)
		}
	}
}

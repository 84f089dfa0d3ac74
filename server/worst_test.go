package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"gridgov/dbtest"
	"gridgov/observe"
	"gridgov/server"
	"gridgov/store"
)

// The default limits the worst requests are built to fit: the largest request body, and the
// most nodes (fields, spreads, arguments, …) and tokens of a document.
var (
	bodyLimit = int(server.DefaultMaxBodyBytes)
	maxNodes  = server.DefaultMaxFields
	maxTokens = server.DefaultMaxTokens
)

// worst is a request built to cost the server as much as it can within the limits, and the
// code it is refused with ("" for a request the limits let run).
type worst struct {
	name string
	code string
	// query and variables make the request; the query ends with a comment the benchmark
	// rewrites on every request, so that no cache answers for it.
	query string
	vars  map[string]any
}

// repeat joins n copies of f(i).
func repeat(n int, f func(i int) string) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(f(i))
	}
	return b.String()
}

// fragmentBomb is n fragments, each spreading the previous one twice: 2^n expansions of
// the first.
func fragmentBomb(n int, first string) string {
	return "query { ...F" + fmt.Sprint(n) + " }\nfragment F0 on Query { " + first + " }\n" +
		repeat(n, func(i int) string { return fmt.Sprintf("fragment F%d on Query { ...F%d ...F%d }\n", i+1, i, i) })
}

// filling gives the request of make(n) for the largest n (up to the body limit) whose body
// fits the body limit.
func filling(make func(n int) worst) worst {
	lo, hi := 1, 1
	for hi <= bodyLimit && len(make(hi).body()) <= bodyLimit {
		lo, hi = hi, hi*2
	}
	for hi-lo > 1 {
		if mid := (lo + hi) / 2; len(make(mid).body()) <= bodyLimit {
			lo = mid
		} else {
			hi = mid
		}
	}
	return make(lo)
}

// worstRequests are the requests BenchmarkWorstRequest measures and TestWorstRequests
// checks: fragment bombs, many fields, aliases and fragments, deep nesting, long strings,
// many variables, directives and arguments, each as large as the limits let it be, and some
// just over a limit.
func worstRequests() []worst {
	n := maxNodes
	return []worst{
		{name: "fragment bomb of 27 (issue)", code: "COMPLEXITY_LIMIT", query: fragmentBomb(27, "__typename issueCategories { name }")},
		{name: "fragment bomb at the node limit", code: "COMPLEXITY_LIMIT", query: fragmentBomb((n-3)/2, "issueCategories { name }")},
		{name: "__typename filling the body", code: "COMPLEXITY_LIMIT", query: filling(func(k int) worst {
			return worst{query: "{" + strings.Repeat(" __typename", k) + " }"}
		}).query},
		{name: "__typename at the node limit", query: "{" + strings.Repeat(" __typename", n) + " }"},
		{name: "__typename over the node limit", code: "COMPLEXITY_LIMIT", query: "{" + strings.Repeat(" __typename", n+1) + " }"},
		{name: "one field in each of many fragments", query: "{" + repeat(n/2, func(i int) string { return fmt.Sprintf(" ...G%d", i) }) + " }\n" +
			repeat(n/2, func(i int) string { return fmt.Sprintf("fragment G%d on Query { __typename }\n", i) })},
		{name: "two fragments of the same fields", query: "{ ...A ...B }\nfragment A on Query {" + strings.Repeat(" x: __typename", (n-2)/2) +
			" }\nfragment B on Query {" + strings.Repeat(" x: __typename", (n-2)/2) + " }"},
		{name: "a fragment chain spread under many fields", code: "COMPLEXITY_LIMIT", query: "{" + repeat(n/4, func(i int) string {
			return fmt.Sprintf(" c%d: issueCategories { ...H%d }", i, n/4)
		}) + " }\nfragment H0 on IssueCategory { name }\n" + repeat(n/4, func(i int) string {
			return fmt.Sprintf("fragment H%d on IssueCategory { name ...H%d }\n", i+1, i)
		})},
		{name: "distinct aliases of issues", query: "{" + repeat(n/3, func(i int) string {
			return fmt.Sprintf(" a%d: issues(first: 100) { totalCount }", i)
		}) + " }"},
		{name: "one alias on conflicting fields", code: "BAD_USER_INPUT", query: "{" + repeat(n/3, func(i int) string {
			return fmt.Sprintf(" a: issues(first: %d) { totalCount }", i)
		}) + " }"},
		{name: "unknown fields", code: "BAD_USER_INPUT", query: "{" + repeat(n, func(i int) string { return fmt.Sprintf(" isues%d", i) }) + " }"},
		{name: "nested fields over the token limit", code: "COMPLEXITY_LIMIT", query: strings.Repeat("{ a ", maxTokens/2) + strings.Repeat("}", maxTokens/2)},
		{name: "nested inline fragments", query: strings.Repeat("{ ... on Query ", n-1) + "{ __typename" + strings.Repeat(" }", n)},
		{name: "a list nested in an argument", code: "BAD_USER_INPUT", query: "{ issues(filter: {categoryIds: " + strings.Repeat("[", maxTokens/2-20) +
			strings.Repeat("]", maxTokens/2-20) + "}) { totalCount } }"},
		{name: "an input object nested in an argument", code: "BAD_USER_INPUT", query: "{ issues(filter: " + strings.Repeat("{place: ", maxTokens/4-20) +
			"{}" + strings.Repeat("}", maxTokens/4-20) + ") { totalCount } }"},
		filling(func(k int) worst {
			return worst{name: "a long search in the document", code: "BAD_USER_INPUT",
				query: `{ issues(filter: {search: "` + strings.Repeat("中", k) + `"}) { totalCount } }`}
		}),
		filling(func(k int) worst {
			return worst{name: "a long search in a variable", code: "BAD_USER_INPUT",
				query: `query($s: String) { issues(filter: {search: $s}) { totalCount } }`, vars: map[string]any{"s": strings.Repeat("中", k)}}
		}),
		filling(func(k int) worst {
			return worst{name: "a long title in a block string", code: "BAD_USER_INPUT",
				query: `mutation { reportIssue(input: {categoryId: "x", gridId: "y", reporterRole: CADRE, title: """` + strings.Repeat("ab\n", k) + `"""}) { id } }`}
		}),
		filling(func(k int) worst {
			ids := make([]any, k)
			for i := range ids {
				ids[i] = "SXNzdWVDYXRlZ29yeToxMjM0NTY3"
			}
			ids[k-1] = strings.Repeat("x", 65)
			return worst{name: "many ids in a variable, the last too long", code: "BAD_USER_INPUT",
				query: `query($ids: [ID!]) { issues(filter: {categoryIds: $ids}) { totalCount } }`, vars: map[string]any{"ids": ids}}
		}),
		filling(func(k int) worst {
			ids := make([]any, k)
			for i := range ids {
				ids[i] = i
			}
			return worst{name: "many numbers as ids in a variable", code: "BAD_USER_INPUT",
				query: `query($ids: [ID!]) { issues(filter: {categoryIds: $ids}) { totalCount } }`, vars: map[string]any{"ids": ids}}
		}),
		filling(func(k int) worst {
			vars := map[string]any{}
			for i := range k {
				vars[fmt.Sprint(i)] = i
			}
			return worst{name: "many undeclared variables", query: "{ __typename }", vars: vars}
		}),
		filling(func(k int) worst {
			return worst{name: "a list of enum values", code: "BAD_USER_INPUT", query: "{ issues(filter: {states: [" + strings.Repeat("REPORTED ", min(k, maxTokens-30)) + "]}) { totalCount } }"}
		}),
		filling(func(k int) worst {
			return worst{name: "comments", query: "{ __typename }\n" + strings.Repeat("#\n", min(k, maxTokens-10))}
		}),
		{name: "unused variable definitions", code: "BAD_USER_INPUT", query: "query(" + repeat(n-1, func(i int) string { return fmt.Sprintf("$v%d:ID ", i) }) + ") { __typename }"},
		{name: "repeated directives", code: "BAD_USER_INPUT", query: "{ __typename" + strings.Repeat(" @skip(if: false)", n-1) + " }"},
		{name: "repeated arguments", code: "BAD_USER_INPUT", query: "{ issues(" + strings.Repeat("first: 1 ", n-2) + ") { totalCount } }"},
		{name: "many operations", code: "BAD_USER_INPUT", query: repeat(n, func(i int) string { return fmt.Sprintf("query Q%d { __typename }\n", i) })},
	}
}

// body is the JSON request of w, with the counter its query ends with.
func (w worst) body() []byte {
	b, err := json.Marshal(map[string]any{"query": w.query + "\n#00000000", "variables": w.vars})
	if err != nil {
		panic(err)
	}
	return b
}

// limitsHandler is the /graphql handler over a fresh database with the default limits and
// no rate limit (or as opts change them), and a leader's token for it.
func limitsHandler(tb testing.TB, opts ...func(*server.Options)) (http.Handler, string, *prometheus.Registry) {
	tb.Helper()
	keys, token := testToken(tb, "leader", "city", "7")
	reg := prometheus.NewRegistry()
	o := server.Options{Store: store.New(dbtest.New(tb)), Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Metrics: observe.NewGraphQL(reg), Keys: keys, Limits: server.DefaultLimits()}
	o.Limits.RateLimit = 0
	for _, f := range opts {
		f(&o)
	}
	return server.GraphQL(o), token, reg
}

type answer struct {
	status int
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func (a answer) code() string {
	if len(a.Errors) == 0 {
		return ""
	}
	c, _ := a.Errors[0].Extensions["code"].(string)
	return c
}

func (a answer) field() string {
	if len(a.Errors) == 0 {
		return ""
	}
	f, _ := a.Errors[0].Extensions["field"].(string)
	return f
}

func postBody(tb testing.TB, h http.Handler, token string, body []byte) answer {
	tb.Helper()
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	a := answer{status: rec.Code}
	if err := json.Unmarshal(rec.Body.Bytes(), &a); err != nil {
		tb.Fatalf("answer is not JSON: %.300s", rec.Body.String())
	}
	return a
}

// TestWorstRequests: each worst request fits the body limit and is refused with its code (or,
// where the limits let it run, answers).
func TestWorstRequests(t *testing.T) {
	h, token, _ := limitsHandler(t)
	for _, w := range worstRequests() {
		t.Run(w.name, func(t *testing.T) {
			body := w.body()
			if len(body) > bodyLimit {
				t.Fatalf("the request holds %d bytes, over the body limit", len(body))
			}
			a := postBody(t, h, token, body)
			if a.code() != w.code {
				t.Errorf("code %q, want %q: %.300v", a.code(), w.code, a.Errors)
			}
		})
	}
}

// BenchmarkWorstRequest measures each worst request through the real handler, from its
// body to the answer (a refusal, or for a request the limits let run its answer). Every
// request differs in a comment, so no cache answers for it, as none would for an attacker.
func BenchmarkWorstRequest(b *testing.B) {
	h, token, _ := limitsHandler(b)
	for _, w := range worstRequests() {
		body := w.body()
		counter := bytes.Index(body, []byte("#00000000")) + 1
		b.Run(w.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			var a answer
			i := 0
			for b.Loop() {
				i++
				copy(body[counter:counter+8], fmt.Sprintf("%08d", i))
				a = postBody(b, h, token, body)
			}
			if a.code() != w.code {
				b.Errorf("code %q, want %q", a.code(), w.code)
			}
		})
	}
}

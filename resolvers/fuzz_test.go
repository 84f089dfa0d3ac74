package resolvers_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"gridgov/auth"
	"gridgov/dbtest"
	"gridgov/observe"
	"gridgov/server"
	"gridgov/store"
)

// FuzzGraphQL sends arbitrary queries and variables through the whole /graphql handler as a
// city admin (the widest role): whatever comes in, the answer is never a 5xx, never a panic,
// and always a JSON body. The corpus under testdata/fuzz/FuzzGraphQL is replayed by plain
// `go test`; `go test -fuzz FuzzGraphQL ./resolvers/` explores further.
func FuzzGraphQL(f *testing.F) {
	pool := dbtest.New(f)
	keys := testKeys(f)
	limits := server.DefaultLimits()
	limits.RateLimit, limits.Timeout = 0, 5*time.Second
	h := server.GraphQL(server.Options{Store: store.New(pool), Log: discard(), Metrics: observe.NewGraphQL(prometheus.NewRegistry()),
		Keys: keys, Limits: limits})
	token, err := keys.Issue("city_admin", auth.ScopeCity, "1", 24*time.Hour, time.Now())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(`{ issues(first: 5) { totalCount edges { node { id title } } } }`, `{}`)
	f.Add(`query($id: ID!) { node(id: $id) { id } }`, `{"id": "SXNzdWU6MQ"}`)
	f.Fuzz(func(t *testing.T, query, vars string) {
		body := map[string]any{"query": query}
		if json.Valid([]byte(vars)) {
			body["variables"] = json.RawMessage(vars)
		} else {
			body["variables"] = vars
		}
		b, err := json.Marshal(body)
		if err != nil {
			t.Skip() // not valid UTF-8 JSON: no client can send it
		}
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("status %d for %q %q: %s", rec.Code, query, vars, rec.Body.String())
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("not JSON for %q %q: %q", query, vars, rec.Body.String())
		}
		var out struct {
			Errors []struct {
				Extensions map[string]any `json:"extensions"`
			} `json:"errors"`
		}
		json.Unmarshal(rec.Body.Bytes(), &out) //nolint:errcheck
		for _, e := range out.Errors {
			if e.Extensions["code"] == "INTERNAL" {
				t.Fatalf("INTERNAL for %q %q: %s", query, vars, rec.Body.String())
			}
		}
	})
}

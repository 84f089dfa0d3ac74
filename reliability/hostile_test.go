package reliability

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"gridgov/gid"
)

// hostile is one request an attacker or a broken client might send.
type hostile struct {
	name        string
	contentType string
	body        string
	get         string // a GET query string instead of a body
}

func gql(query string, vars map[string]any) string {
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return string(b)
}

func hostileCatalogue() []hostile {
	injections := []string{`' OR 1=1 --`, `"; DROP TABLE issues; --`, `%' UNION SELECT phone FROM people --`, `\x00`, `${jndi:ldap://x}`, `<script>alert(1)</script>`}
	nested := strings.Repeat("{ node(id: \"x\") { ... on Issue { grid ", 30) + strings.Repeat("} } }", 30)
	aliases := "{ " + strings.Repeat("a: issues(first: 100) { totalCount } ", 500) + "}"
	cs := []hostile{
		{name: "malformed JSON", contentType: "application/json", body: `{"query": "{ issues { totalCount } }"`},
		{name: "JSON array", contentType: "application/json", body: `[` + gql("{ __typename }", nil) + `,` + gql("{ __typename }", nil) + `]`},
		{name: "not JSON at all", contentType: "application/json", body: `query { issues { totalCount } }`},
		{name: "form content type", contentType: "application/x-www-form-urlencoded", body: `query={__typename}`},
		{name: "text content type", contentType: "text/plain", body: gql("{ __typename }", nil)},
		{name: "no query", contentType: "application/json", body: `{"variables": {}}`},
		{name: "huge string", contentType: "application/json", body: gql(`mutation($in: ReportIssueInput!) { reportIssue(input: $in) { id } }`,
			map[string]any{"in": map[string]any{"categoryId": gid.Encode("IssueCategory", 1), "gridId": gid.Encode("Grid", 1), "title": strings.Repeat("长", 900_000), "reporterRole": "CADRE"}})},
		{name: "invalid UTF-8", contentType: "application/json", body: "{\"query\": \"{ issues(filter: {text: \\\"\xff\xfe\\\"}) { totalCount } }\"}"},
		{name: "deeply nested", contentType: "application/json", body: gql(nested, nil)},
		{name: "many aliases", contentType: "application/json", body: gql(aliases, nil)},
		{name: "negative page", contentType: "application/json", body: gql(`{ issues(first: -5) { totalCount } }`, nil)},
		{name: "enormous page", contentType: "application/json", body: gql(`{ issues(first: 2147483647) { totalCount } }`, nil)},
		{name: "both directions", contentType: "application/json", body: gql(`{ issues(first: 5, last: 5) { totalCount } }`, nil)},
		{name: "garbage cursor", contentType: "application/json", body: gql(`{ issues(first: 5, after: "not-a-cursor") { totalCount } }`, nil)},
		{name: "cursor of another type", contentType: "application/json", body: gql(`{ issues(first: 5, after: "`+gid.Encode("Grid", 1)+`") { totalCount } }`, nil)},
		{name: "id of another type", contentType: "application/json", body: gql(`{ node(id: "`+gid.Encode("Nothing", 1)+`") { id } }`, nil)},
		{name: "id out of range", contentType: "application/json", body: gql(`{ node(id: "`+gid.Encode("Issue", 1<<62)+`") { id } }`, nil)},
		{name: "wrong enum", contentType: "application/json", body: gql(`{ issues(first: 5, filter: {states: [EXPLODED]}) { totalCount } }`, nil)},
		{name: "wrong variable type", contentType: "application/json", body: gql(`query($n: Int) { issues(first: $n) { totalCount } }`, map[string]any{"n": "ten"})},
		{name: "mutation over GET", get: "query=" + "mutation%20%7B%20acceptIssue(input%3A%7BissueId%3A%22x%22%7D)%20%7B%20id%20%7D%20%7D"},
		{name: "unknown field", contentType: "application/json", body: gql(`{ issues { secretPhone } }`, nil)},
	}
	for i, s := range injections {
		cs = append(cs, hostile{name: fmt.Sprintf("injection %d in text filter", i), contentType: "application/json",
			body: gql(`query($t: String) { issues(first: 5, filter: {text: $t}) { totalCount } }`, map[string]any{"t": s})})
		cs = append(cs, hostile{name: fmt.Sprintf("injection %d as id", i), contentType: "application/json",
			body: gql(`query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": s})})
		cs = append(cs, hostile{name: fmt.Sprintf("injection %d in a report", i), contentType: "application/json",
			body: gql(`mutation($in: ReportIssueInput!) { reportIssue(input: $in) { id } }`,
				map[string]any{"in": map[string]any{"categoryId": s, "gridId": gid.Encode("Grid", 1), "title": s, "reporterRole": "CADRE"}})})
	}
	return cs
}

// TestHostileRequests sends the catalogue to a real server, with and without a token: every
// answer is a clear error (an extensions.code on each error, no SQL or Go text), never a 5xx,
// and the database is unchanged.
func TestHostileRequests(t *testing.T) {
	url, pool := seeded(t)
	a := startServe(t, url)
	a.actAsCadre(t, url)
	before := digest(t, pool)
	for _, token := range []string{"", a.token} {
		for _, c := range hostileCatalogue() {
			t.Run(fmt.Sprintf("%s/token=%v", c.name, token != ""), func(t *testing.T) {
				status, body := send(t, a, c, token)
				if status >= 500 {
					t.Fatalf("status %d: %.300s", status, body)
				}
				var out struct {
					Errors []struct {
						Message    string         `json:"message"`
						Extensions map[string]any `json:"extensions"`
					} `json:"errors"`
				}
				if err := json.Unmarshal(body, &out); err != nil {
					t.Fatalf("answer is not JSON (%d): %.200s", status, body)
				}
				if len(out.Errors) == 0 {
					t.Fatalf("accepted (%d): %.200s", status, body)
				}
				for _, e := range out.Errors {
					if e.Extensions["code"] == nil || e.Extensions["code"] == "" {
						t.Errorf("error without a code: %q", e.Message)
					}
					for _, leak := range []string{"SQLSTATE", "pgx", "panic", "goroutine", "SELECT ", "runtime error"} {
						if strings.Contains(e.Message, leak) {
							t.Errorf("error leaks %q: %q", leak, e.Message)
						}
					}
				}
			})
		}
	}
	if after := digest(t, pool); after != before {
		t.Errorf("hostile requests changed the data: %s → %s", before, after)
	}
}

func send(t *testing.T, a *api, c hostile, token string) (int, []byte) {
	t.Helper()
	var req *http.Request
	if c.get != "" {
		req, _ = http.NewRequest("GET", "http://"+a.addr+"/graphql?"+c.get, nil)
	} else {
		req, _ = http.NewRequest("POST", "http://"+a.addr+"/graphql", bytes.NewReader([]byte(c.body)))
		req.Header.Set("Content-Type", c.contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

// digest summarises the tables a hostile write could touch.
func digest(t *testing.T, pool *pgxpool.Pool) string {
	t.Helper()
	var s string
	err := pool.QueryRow(context.Background(), `SELECT concat_ws('/',
		(SELECT count(*) || ':' || max(version) FROM issues), (SELECT count(*) FROM issue_events),
		(SELECT count(*) FROM service_orders), (SELECT count(*) FROM people), (SELECT count(*) FROM etl_tombstones))`).Scan(&s)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

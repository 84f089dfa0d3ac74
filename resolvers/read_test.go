package resolvers_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// addIssues inserts n issues in the grid, an hour apart, newest last.
func (e *env) addIssues(w world, n int, from int) {
	e.t.Helper()
	e.id(`WITH ins AS (INSERT INTO issues (street_id, community_id, grid_id, category_id, title, reporter_id, reporter_role, reported_at)
		SELECT $1, $2, $3, $4, '问题-' || i, $5, 'resident', timestamptz '2024-01-01' + i * interval '1 hour'
		FROM generate_series($6::int, $6::int + $7::int - 1) AS i RETURNING id, street_id, community_id, grid_id, reporter_id),
		ev AS (INSERT INTO issue_events (issue_id, street_id, community_id, grid_id, actor_id, actor_role, action, to_state)
		SELECT id, street_id, community_id, grid_id, reporter_id, 'resident', a, 'reported'
		FROM ins CROSS JOIN unnest(ARRAY['report', 'accept', 'dispatch', 'start']) AS a)
		SELECT count(*) FROM ins`, w.street, w.community, w.grid, w.issueCat, w.resident, from, n)
}

// Pages forward and backward over a table that changes between pages: every row that was
// there throughout is seen exactly once, in order.
func TestPaginationBothWaysOverChangingTable(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	e.addIssues(w, 45, 100)
	q := `query($first: Int, $after: String, $last: Int, $before: String) {
		issues(first: $first, after: $after, last: $last, before: $before, orderBy: {field: REPORTED_AT, direction: DESC}) {
		edges { cursor node { title } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`

	seen := map[string]int{}
	var order []string
	added := 0
	vars := map[string]any{"first": 10}
	for page := 0; ; page++ {
		d := e.ok(0, q, vars)
		for _, ed := range dig(d, "issues", "edges").([]any) {
			title := dig(ed, "node", "title").(string)
			seen[title]++
			order = append(order, title)
		}
		// The table changes between pages: newer rows (before the cursor in DESC order) and a
		// deleted row already seen must not disturb what follows.
		e.addIssues(w, 1, 1000+page)
		added++
		if !dig(d, "issues", "pageInfo", "hasNextPage").(bool) {
			break
		}
		vars = map[string]any{"first": 10, "after": dig(d, "issues", "pageInfo", "endCursor")}
	}
	for i := 100; i < 145; i++ {
		if seen[fmt.Sprintf("问题-%d", i)] != 1 {
			t.Fatalf("issue %d seen %d times (order %v)", i, seen[fmt.Sprintf("问题-%d", i)], order)
		}
	}
	if order[0] != "问题-144" || order[44] != "问题-100" {
		t.Fatalf("forward order: first %s, last %s", order[0], order[44])
	}

	// Backward from the end: last/before walks to the newest without gaps or duplicates.
	seen = map[string]int{}
	var back []string
	vars = map[string]any{"last": 7}
	for {
		d := e.ok(0, q, vars)
		edges := dig(d, "issues", "edges").([]any)
		var titles []string
		for _, ed := range edges {
			titles = append(titles, dig(ed, "node", "title").(string))
		}
		back = append(titles, back...)
		if !dig(d, "issues", "pageInfo", "hasPreviousPage").(bool) {
			break
		}
		vars = map[string]any{"last": 7, "before": dig(d, "issues", "pageInfo", "startCursor")}
	}
	for i := 1; i < len(back); i++ {
		if back[i-1] == back[i] {
			t.Fatalf("duplicate %s", back[i])
		}
	}
	if len(back) != 45+added || back[len(back)-1] != "问题-100" || back[0] != fmt.Sprintf("问题-%d", 1000+added-1) {
		t.Fatalf("backward walk: %d items, last %s", len(back), back[len(back)-1])
	}
}

// The statements a request runs depend on the query's depth, not on its rows.
func TestStatementCountDoesNotGrowWithRows(t *testing.T) {
	q := `{ issues(first: 100, filter: {place: {gridId: "%s"}}) { totalCount edges { node {
		title grid { name community { name street { name } } } reporter { name partyMember { unit { name } } }
		handler { name } category { name } events(last: 3) { action actor { name } } } } } }`
	run := func(n int) (stmts, batches int64) {
		e := newEnv(t)
		w := e.world()
		e.addIssues(w, n, 0)
		before, trips := e.stmts.Statement.Load(), e.stmts.Batches.Load()
		d := e.ok(0, fmt.Sprintf(q, gid("Grid", w.grid)), nil)
		if got := len(dig(d, "issues", "edges").([]any)); got != n {
			t.Fatalf("want %d issues, got %d", n, got)
		}
		return e.stmts.Statement.Load() - before, e.stmts.Batches.Load() - trips
	}
	// The page and its count, in one round trip; then, level by level: grids, people
	// (reporters and handlers together), categories and events; communities and members by
	// person (event actors are the reporters, already read); streets. Units are not read: no
	// reporter is a member. Each level of several statements goes in one round trip.
	const want, wantBatches = 9, 3
	small, smallBatches := run(3)
	large, largeBatches := run(100)
	t.Logf("statements: %d for 3 issues, %d for 100; batches %d and %d", small, large, smallBatches, largeBatches)
	if small != want || large != want {
		t.Fatalf("want %d statements whatever the rows, got %d for 3 and %d for 100", want, small, large)
	}
	if smallBatches != wantBatches || largeBatches != wantBatches {
		t.Fatalf("want the %d levels of several statements in %d batches, got %d and %d", wantBatches, wantBatches, smallBatches, largeBatches)
	}
}

func TestReadingPlacesMembersAndNodes(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	e.member("甲", w, true)
	e.member("乙", w, false)
	d := e.ok(0, `{ streets(first: 5) { totalCount edges { node { name kind city { name } } } }
		communities { edges { node { name street { name } } } }
		grids(filter: {place: {communityId: "`+gid("Community", w.community)+`"}}) { totalCount edges { node { code households community { name } } } }
		buildings(filter: {search: "1栋"}) { edges { node { number grid { code } } } }
		partyMembers(orderBy: {field: NAME, direction: ASC}, filter: {checkedIn: true}) { totalCount edges { node { name unit { name } checkin { state } } } }
		units { edges { node { name kind } } }
		issueCategories { name deadlineDays group }
		serviceCategories { nameZh } }`, nil)
	if dig(d, "streets", "edges", 0, "node", "kind") != "STREET" || dig(d, "grids", "totalCount") != 2.0 ||
		dig(d, "partyMembers", "totalCount") != 1.0 || dig(d, "partyMembers", "edges", 0, "node", "name") != "甲" ||
		dig(d, "issueCategories", 0, "deadlineDays") != 7.0 || dig(d, "units", "edges", 0, "node", "kind") != "MUNICIPAL_AGENCY" {
		t.Fatalf("lists: %v", d)
	}
	// Every id round-trips through node(id:).
	for typ, id := range map[string]int64{"Street": w.street, "Community": w.community, "Grid": w.grid, "Building": w.building,
		"Person": w.resident, "Unit": w.unit, "IssueCategory": w.issueCat, "ServiceCategory": w.serviceCat, "City": w.city} {
		d := e.ok(0, `query($id: ID!) { node(id: $id) { id __typename } }`, map[string]any{"id": gid(typ, id)})
		if dig(d, "node", "__typename") != typ || dig(d, "node", "id") != gid(typ, id) {
			t.Fatalf("node %s: %v", typ, d)
		}
	}
}

func TestErrorCodes(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	e.addIssues(w, 3, 0)
	cases := []struct {
		name, code, query string
		vars              map[string]any
	}{
		{"malformed id", "BAD_USER_INPUT", `{ node(id: "nonsense!") { id } }`, nil},
		{"id of an unknown type", "BAD_USER_INPUT", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": gid("Secret", 1)}},
		{"absent row", "NOT_FOUND", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": gid("Issue", 999999)}},
		{"id of the wrong type in a filter", "BAD_USER_INPUT", `query($id: ID) { issues(filter: {place: {gridId: $id}}) { totalCount } }`, map[string]any{"id": gid("Street", w.street)}},
		{"bad enum literal", "BAD_USER_INPUT", `{ issues(filter: {states: [NOPE]}) { totalCount } }`, nil},
		{"bad enum variable", "BAD_USER_INPUT", `query($s: [IssueState!]) { issues(filter: {states: $s}) { totalCount } }`, map[string]any{"s": []string{"nope"}}},
		{"bad cursor", "BAD_USER_INPUT", `{ issues(after: "garbage") { totalCount } }`, nil},
		{"cursor of another order", "BAD_USER_INPUT", `query($c: String) { issues(after: $c, orderBy: {field: DUE_AT, direction: ASC}) { totalCount } }`, nil},
		{"oversized page", "BAD_USER_INPUT", `{ issues(first: 101) { totalCount } }`, nil},
		{"oversized last", "BAD_USER_INPUT", `{ issues(last: 500) { totalCount } }`, nil},
		{"negative page", "BAD_USER_INPUT", `{ issues(first: -1) { totalCount } }`, nil},
		{"first and last", "BAD_USER_INPUT", `{ issues(first: 1, last: 1) { totalCount } }`, nil},
		{"syntax error", "BAD_USER_INPUT", `{ issues(`, nil},
		{"unknown field", "BAD_USER_INPUT", `{ issues { secret } }`, nil},
		{"bad date", "BAD_USER_INPUT", `{ issues(filter: {reported: {from: "yesterday"}}) { totalCount } }`, nil},
	}
	e.fails(anon, "UNAUTHENTICATED", `mutation { acceptIssue(input: {issueId: "`+gid("Issue", 1)+`"}) { id } }`, nil)
	// A valid cursor of the default order, to use with another order.
	d := e.ok(0, `{ issues(first: 1) { pageInfo { endCursor } } }`, nil)
	cases[7].vars = map[string]any{"c": dig(d, "issues", "pageInfo", "endCursor")}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.with(t).fails(0, c.code, c.query, c.vars)
			for _, er := range r.Errors {
				if strings.Contains(strings.ToLower(er.Message), "sql") || strings.Contains(er.Message, "pgx") {
					t.Fatalf("driver text leaked: %s", er.Message)
				}
			}
		})
	}
}

// A cursor belongs to one list: one of cadres, sorted by name like residents and volunteers,
// is refused by them as BAD_USER_INPUT on the argument that carried it, instead of paging
// them from a position in another table.
func TestCursorOfAnotherListIsRefused(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	e.id(`INSERT INTO residents (person_id, street_id, community_id, grid_id, building_id) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		w.resident, w.street, w.community, w.grid, w.building)
	e.id(`INSERT INTO volunteers (person_id, street_id, community_id, registered_on) VALUES ($1, $2, $3, '2025-01-01') RETURNING id`,
		w.cadrePerson, w.street, w.community)
	first := func(list string) any {
		d := e.ok(admin, `{ `+list+`(first: 1) { pageInfo { endCursor } } }`, nil)
		return dig(d, list, "pageInfo", "endCursor")
	}
	cadre, resident := first("cadres"), first("residents")
	cases := []struct {
		list, arg string
		cursor    any
	}{
		{"residents", "after", cadre},
		{"volunteers", "after", cadre},
		{"volunteers", "before", resident},
		{"cadres", "before", resident},
	}
	for _, c := range cases {
		t.Run(c.list+" "+c.arg, func(t *testing.T) {
			q := `query($c: String) { ` + c.list + `(` + c.arg + `: $c) { totalCount } }`
			r := e.with(t).fails(admin, "BAD_USER_INPUT", q, map[string]any{"c": c.cursor})
			if f := r.Errors[0].Extensions["field"]; f != c.arg {
				t.Fatalf("error names field %v, want %s: %+v", f, c.arg, r.Errors)
			}
		})
	}
	// The list's own cursor still pages it.
	e.ok(admin, `query($c: String) { cadres(after: $c) { totalCount } }`, map[string]any{"c": cadre})
}

func TestProtocol(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	get := func(q, op string) gqlResp {
		v := url.Values{"query": {q}}
		if op != "" {
			v.Set("operationName", op)
		}
		req := httptest.NewRequest(http.MethodGet, "/graphql?"+v.Encode(), nil)
		req.Header.Set("Authorization", "Bearer "+e.token("city_admin", "city", readerSubject))
		return e.serve(req)
	}
	if r := get(`query Cats { issueCategories { name } }`, "Cats"); r.Status != 200 || r.code() != "" {
		t.Fatalf("GET query: %d %+v", r.Status, r.Errors)
	}
	r := get(`mutation { acceptIssue(input: {issueId: "x"}) { id } }`, "")
	if r.Status != http.StatusMethodNotAllowed || r.code() != "BAD_USER_INPUT" {
		t.Fatalf("GET mutation: %d %+v", r.Status, r.Errors)
	}
	// Of two operations, the one named runs; naming the mutation over GET is refused.
	doc := `query A { issueCategories { name } } mutation B { acceptIssue(input: {issueId: "x"}) { id } }`
	if r := get(doc, "A"); r.Status != 200 || r.code() != "" {
		t.Fatalf("GET named query: %d %+v", r.Status, r.Errors)
	}
	if r := get(doc, "B"); r.Status != http.StatusMethodNotAllowed {
		t.Fatalf("GET named mutation: %d", r.Status)
	}
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`query=x`))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if r := e.serve(req); r.Status != http.StatusUnsupportedMediaType || r.code() != "BAD_USER_INPUT" {
		t.Fatalf("form POST: %d %+v", r.Status, r.Errors)
	}
	req = httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query": `))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+e.token("city_admin", "city", readerSubject))
	if r := e.serve(req); r.Status != http.StatusBadRequest || r.code() != "BAD_USER_INPUT" {
		t.Fatalf("broken JSON: %d %+v", r.Status, r.Errors)
	}
	// The answer's type follows Accept; a document that does not parse is 422 as
	// application/json and 400 as application/graphql-response+json; an answer is one JSON
	// object, also when its data holds characters JSON may escape.
	const gqlType = "application/graphql-response+json"
	for _, c := range []struct {
		accept, query, ctype string
		status               int
	}{
		{"", "{ nope", "application/json", http.StatusUnprocessableEntity},
		{gqlType, "{ nope", gqlType, http.StatusBadRequest},
		{"text/html, " + gqlType + ";q=0.9, application/json", "{ nope", gqlType, http.StatusBadRequest},
		{"*/*", "{ nope", "application/json", http.StatusUnprocessableEntity},
		{gqlType, `{ issues(filter: {search: "<&>\u2028"}) { totalCount } }`, gqlType, http.StatusOK},
	} {
		body, _ := json.Marshal(map[string]any{"query": c.query})
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", c.accept)
		req.Header.Set("Authorization", "Bearer "+e.token("city_admin", "city", readerSubject))
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, req)
		var answer struct {
			Data   json.RawMessage   `json:"data"`
			Errors []json.RawMessage `json:"errors"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &answer); err != nil || rec.Code != c.status || rec.Header().Get("Content-Type") != c.ctype ||
			(c.status == http.StatusOK) != (len(answer.Errors) == 0) {
			t.Fatalf("Accept %q, %s: %d %s %s (want %d %s)", c.accept, c.query, rec.Code, rec.Header().Get("Content-Type"), rec.Body, c.status, c.ctype)
		}
	}
	req = httptest.NewRequest(http.MethodPut, "/graphql", nil)
	if r := e.serve(req); r.Status != http.StatusMethodNotAllowed {
		t.Fatalf("PUT: %d", r.Status)
	}
	req = httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query": "{ issueCategories { name } }"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer not-a-token")
	if r := e.serve(req); r.Status != http.StatusUnauthorized || r.code() != "UNAUTHENTICATED" {
		t.Fatalf("bad token: %d %+v", r.Status, r.Errors)
	}
	_ = w
}

// An answer goes out with its length, not chunked: net/http then writes it in one piece
// after the headers. The answer here (10 kB) is larger than net/http's buffers.
func TestAnswersCarryTheirLength(t *testing.T) {
	e := newEnv(t)
	srv := httptest.NewServer(e.h)
	defer srv.Close()
	var q strings.Builder
	q.WriteString("{")
	for i := range 190 { // within the field limit, long aliases make the answer large
		fmt.Fprintf(&q, " a%d_%s: __typename", i, strings.Repeat("x", 40))
	}
	q.WriteString(" }")
	body, _ := json.Marshal(map[string]any{"query": q.String()})
	req, _ := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+e.token("city_admin", "city", readerSubject))
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || len(answer) < 8000 || bytes.Contains(answer, []byte(`"errors"`)) {
		t.Fatalf("status %d, %d bytes: %.300s", resp.StatusCode, len(answer), answer)
	}
	if resp.ContentLength != int64(len(answer)) || len(resp.TransferEncoding) > 0 {
		t.Fatalf("Content-Length %d and Transfer-Encoding %v for an answer of %d bytes", resp.ContentLength, resp.TransferEncoding, len(answer))
	}
}

// Text search finds Chinese substrings of one, two or more characters, and Latin text
// case-insensitively, through the gram index.
func TestTextSearchFindsChineseSubstrings(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	for _, title := range []string{"楼道漏水", "停车位被占", "Wifi 故障", "漏电隐患"} {
		e.id(`INSERT INTO issues (street_id, community_id, grid_id, category_id, title, description, reporter_id, reporter_role)
			VALUES ($1, $2, $3, $4, $5, '居民反映：' || $5, $6, 'resident') RETURNING id`, w.street, w.community, w.grid, w.issueCat, title, w.resident)
	}
	for search, want := range map[string]float64{"漏水": 1, "漏": 2, "停车位": 1, "车位被": 1, "wifi": 1, "居民反映": 4, "水漏": 0, "%": 0, "反映：楼": 1} {
		d := e.ok(0, `query($s: String) { issues(filter: {search: $s}) { totalCount } }`, map[string]any{"s": search})
		if got := dig(d, "issues", "totalCount"); got != want {
			t.Errorf("search %q: want %v, got %v", search, want, got)
		}
	}
}

package resolvers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"gridgov/dbtest"
	"gridgov/graph/model"
	"gridgov/loadgen"
	"gridgov/observe"
	"gridgov/seed"
	"gridgov/server"
	"gridgov/store"
)

// The fast read path (resolvers/fast.go) against gqlgen's executor on the demo city: for
// every role, hand-written console queries and a few hundred random ones — random fields,
// aliases, fragments, directives, filters, orders and pages in both directions — must give
// the same bytes from both, and the fast path must have answered the ones it knows.

// twin is the demo city served twice: by gridgov's handler and by gqlgen alone.
type twin struct {
	*env
	gqlgen http.Handler
	ids    cityIDs
}

type cityIDs struct {
	street, community, grid, building, category, reporter, handler string
	word                                                           string
}

func newTwin(t *testing.T) *twin {
	pool := dbtest.New(t)
	ctx := context.Background()
	if _, err := seed.Run(ctx, pool, seed.Options{Profile: "chaohu", Seed: 7, Scale: 1, AsOf: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	e := newEnvWith(t, pool, &loadgen.Recorder{}, nil)
	l := server.DefaultLimits()
	l.RateLimit = 0
	tw := &twin{env: e, gqlgen: server.GraphQL(server.Options{Store: store.New(pool), Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Metrics: observe.NewGraphQL(prometheus.NewRegistry()), Keys: e.keys, Limits: l, GqlgenOnly: true})}
	var street, community, grid, building, category, reporter, handler int64
	// The grid with the most issues, and a building, reporter and handler of its issues.
	if err := pool.QueryRow(ctx, `SELECT street_id, community_id, grid_id FROM issues GROUP BY 1, 2, 3 ORDER BY count(*) DESC, 3 LIMIT 1`).Scan(&street, &community, &grid); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, `SELECT (SELECT building_id FROM issues WHERE grid_id = $1 AND building_id IS NOT NULL ORDER BY id LIMIT 1),
		(SELECT category_id FROM issues WHERE grid_id = $1 ORDER BY id LIMIT 1), (SELECT reporter_id FROM issues WHERE grid_id = $1 ORDER BY id LIMIT 1),
		(SELECT handler_person_id FROM issues WHERE handler_person_id IS NOT NULL ORDER BY id LIMIT 1)`, grid).Scan(&building, &category, &reporter, &handler); err != nil {
		t.Fatal(err)
	}
	var title string
	if err := pool.QueryRow(ctx, `SELECT title FROM issues WHERE grid_id = $1 ORDER BY id LIMIT 1`, grid).Scan(&title); err != nil {
		t.Fatal(err)
	}
	tw.ids = cityIDs{street: gid("Street", street), community: gid("Community", community), grid: gid("Grid", grid),
		building: gid("Building", building), category: gid("IssueCategory", category), reporter: gid("Person", reporter),
		handler: gid("Person", handler), word: firstWord(title)}
	return tw
}

func firstWord(s string) string {
	r := []rune(s)
	return string(r[:min(2, len(r))])
}

var requestID = regexp.MustCompile(`"requestId":"[^"]*"`)

// both sends one request to both handlers and fails unless the bodies and statuses agree.
func (tw *twin) both(t *testing.T, token, query string, vars map[string]any) []byte {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	send := func(h http.Handler) (int, []byte) {
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w.Code, requestID.ReplaceAll(w.Body.Bytes(), []byte(`"requestId":""`))
	}
	fs, fast := send(tw.h)
	gs, slow := send(tw.gqlgen)
	if fs != gs || !bytes.Equal(fast, slow) && !sameErrors(fast, slow) {
		t.Fatalf("fast path and gqlgen disagree on\n%s\nvars %v\nfast   %d %.2000s\ngqlgen %d %.2000s", query, vars, fs, fast, gs, slow)
	}
	return fast
}

// answered gives how many issue lists the fast path answered itself and handed to gqlgen.
func (tw *twin) answered() (fast, gqlgen float64) {
	fams, err := tw.reg.Gather()
	if err != nil {
		tw.t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() != "gridgov_graphql_fast_path_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				switch {
				case l.GetName() != "answered_by":
				case l.GetValue() == "fast":
					fast += m.GetCounter().GetValue()
				default:
					gqlgen += m.GetCounter().GetValue()
				}
			}
		}
	}
	return fast, gqlgen
}

// sameErrors reports whether two answers with errors hold the same data and the same
// errors in any order (gqlgen resolves list items concurrently, so its errors come in no
// fixed order).
func sameErrors(a, b []byte) bool {
	var x, y struct {
		Data   json.RawMessage
		Errors []json.RawMessage
	}
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil || len(x.Errors) == 0 || !bytes.Equal(x.Data, y.Data) {
		return false
	}
	key := func(e []json.RawMessage) []string {
		out := make([]string, len(e))
		for i, m := range e {
			out[i] = string(m)
		}
		slices.Sort(out)
		return out
	}
	return slices.Equal(key(x.Errors), key(y.Errors))
}

const consoleFields = `id title state reportedAt dueAt overdue
	grid { name } reporter { name } handler { name }
	events(last: 3) { action toState at actor { name } }`

func TestFastPathMatchesGqlgen(t *testing.T) {
	tw := newTwin(t)
	tokens := map[string]string{
		"city admin":      tw.token("city_admin", "city", readerSubject),
		"leader":          tw.token("leader", tw.ids.street, readerSubject),
		"community cadre": tw.token("community_cadre", tw.ids.community, readerSubject),
		"grid worker":     tw.token("grid_worker", tw.ids.grid, readerSubject),
		"resident":        tw.token("resident", tw.ids.grid, mustRowID(t, tw.ids.reporter)),
	}
	t.Run("console", func(t *testing.T) {
		for role, tok := range tokens {
			t.Logf("console page as %s", role)
			q := `query($grid: ID!) { issues(first: 50, filter: {place: {gridId: $grid}}, orderBy: {field: REPORTED_AT, direction: DESC}) {
				totalCount pageInfo { hasNextPage endCursor } edges { node { ` + consoleFields + ` } } } }`
			out := tw.both(t, tok, q, map[string]any{"grid": tw.ids.grid})
			if role != "resident" && !bytes.Contains(out, []byte(`"events":[{`)) {
				t.Fatalf("%s: the console page holds no events: %.500s", role, out)
			}
		}
	})
	t.Run("hand-written", func(t *testing.T) {
		ok, others := handWritten(tw.ids)
		for _, q := range ok {
			if out := tw.both(t, tokens["city admin"], q, nil); bytes.Contains(out, []byte(`"errors"`)) {
				t.Fatalf("%s: %.500s", q, out)
			}
		}
		for _, q := range append(ok, others...) {
			for _, tok := range tokens {
				tw.both(t, tok, q, nil)
			}
		}
	})
	fast0, slow0 := tw.answered()
	t.Run("random", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 2))
		for i := range 300 {
			role := []string{"city admin", "leader", "community cadre", "grid worker", "resident"}[i%5]
			q, vars, forward := randomIssuesQuery(rng, tw.ids)
			out := tw.both(t, tokens[role], q, vars)
			if bytes.Contains(out, []byte("GRAPHQL_VALIDATION_FAILED")) {
				t.Fatalf("invalid random query %s: %.300s", q, out)
			}
			var page struct {
				Data struct {
					Issues struct {
						PageInfo struct{ EndCursor, StartCursor *string }
					}
				}
			}
			// And the next page in the same direction, from the page's cursor.
			if err := json.Unmarshal(out, &page); err != nil {
				t.Fatal(err)
			}
			if c := page.Data.Issues.PageInfo; forward && c.EndCursor != nil {
				vars["after"] = *c.EndCursor
				tw.both(t, tokens[role], q, vars)
			} else if !forward && c.StartCursor != nil {
				vars["before"] = *c.StartCursor
				tw.both(t, tokens[role], q, vars)
			}
		}
	})
	fast1, slow1 := tw.answered()
	if fast1-fast0 < 300 {
		t.Fatalf("the fast path answered %v of the random queries' issue lists (gqlgen %v)", fast1-fast0, slow1-slow0)
	}
	t.Logf("random queries: fast path answered %v issue lists, gqlgen %v (unsupported fields or errors)", fast1-fast0, slow1-slow0)
}

// handWritten are queries at the edges: every field the fast path writes, aliases,
// fragments, directives, __typename and literal arguments (ok, which a city admin runs
// without errors); and fields the fast path hands back to gqlgen and errors, which gqlgen
// always answers (others).
func handWritten(ids cityIDs) (ok, others []string) {
	all := `id title description state reporterRole handlerKind escalationLevel disputeOutcome dueAt overdue reportedAt
		resolvedAt closedAt resolution resolvedQuantity isDispute version updatedAt __typename
		category { id code name nameZh group deadlineDays quantityUnit __typename }
		grid { id code name households version community { id code name hasPartyOrg version } }
		community { id name } building { id number floors households covenantAdoptedOn version }
		reporter { id name phone idNumber address gender grid { name } __typename }
		handler { id name phone } handlerUnit { id code name kind isJustice civilised }
		events { action actor { id name } actorRole fromState toState note at __typename }`
	ok = []string{
		fmt.Sprintf(`{ issues(first: 8, filter: {place: {communityId: %q}}) { totalCount edges { cursor node { %s } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`, ids.community, all),
		fmt.Sprintf(`{ issues(last: 7, filter: {isDispute: true}) { edges { node { %s } } } }`, all),
		fmt.Sprintf(`{ a: issues(first: 3) { n: totalCount e: edges { c: cursor x: node { i: id t: title ...F ... on Node { id } ... on Issue { state } } } } b: issues(last: 2) { edges { node { id } } } }
			fragment F on Issue { reporter { ...P } events(last: 1) { at } }
			fragment P on Person { name n2: name }`),
		`query($yes: Boolean = true, $no: Boolean = false) { issues(first: 5) { edges { node { id title @include(if: $no) state @skip(if: $no) grid @include(if: $yes) { name } } } } }`,
		fmt.Sprintf(`{ issues(first: 10, filter: {place: {gridId: %q}, states: [REPORTED, CLOSED], search: %q}, orderBy: {field: DUE_AT, direction: ASC}) { totalCount edges { node { id dueAt } } } }`, ids.grid, ids.word),
		fmt.Sprintf(`{ issues(first: 10, filter: {states: RESOLVED, categoryIds: %q}) { totalCount edges { node { id } } } }`, ids.category),
	}
	others = []string{
		// Fields the fast path does not write: gqlgen answers.
		`{ issues(first: 5) { edges { node { id mediators { role } allowedActions reporter { partyMember { id } } } } } }`,
		// Errors: gqlgen answers, with the same codes.
		`{ issues(first: 101) { edges { node { id } } } }`,
		`{ issues(first: 5, after: "not-a-cursor") { edges { node { id } } } }`,
		`{ issues(first: 5, filter: {place: {gridId: "bm90LWFuLWlk"}}) { edges { node { id } } } }`,
		fmt.Sprintf(`{ issues(first: 5, filter: {reporterId: %q}) { edges { node { id events(last: 101) { at } } } } }`, ids.reporter),
	}
	return ok, others
}

// randomIssuesQuery builds an issue list query from random parts of the schema the console
// uses; forward tells whether it pages with first/after or last/before.
func randomIssuesQuery(rng *rand.Rand, ids cityIDs) (q string, vars map[string]any, forward bool) {
	scalars := []string{"id", "title", "description", "state", "reporterRole", "handlerKind", "escalationLevel",
		"disputeOutcome", "dueAt", "overdue", "reportedAt", "resolvedAt", "closedAt", "resolution", "resolvedQuantity",
		"isDispute", "version", "updatedAt", "__typename"}
	relations := []string{"grid { id name }", "grid { code households community { name } }", "community { name hasPartyOrg }",
		"category { name nameZh group }", "building { number floors }", "reporter { name phone }", "handler { name address gender }",
		"handlerUnit { name kind }", "e1: events { action at }", "e2: events(last: 1) { toState actor { name } }",
		"e3: events(last: $n) { fromState note actorRole actor { id name idNumber } }"}
	var fields []string
	for _, f := range scalars {
		if rng.IntN(3) == 0 {
			fields = append(fields, maybeAlias(rng, f))
		}
	}
	for _, f := range relations {
		if rng.IntN(4) == 0 {
			fields = append(fields, maybeAlias(rng, f))
		}
	}
	fields = append(fields, "id")
	filters := []map[string]any{nil, {"place": map[string]any{"gridId": ids.grid}}, {"place": map[string]any{"communityId": ids.community}},
		{"place": map[string]any{"streetId": ids.street}}, {"states": []any{"REPORTED", "IN_PROGRESS", "CLOSED"}},
		{"categoryIds": []any{ids.category}}, {"reported": map[string]any{"from": "2025-06-01T00:00:00Z", "to": "2026-03-01T00:00:00+08:00"}},
		{"dueBefore": "2026-06-01T00:00:00Z"}, {"search": ids.word}, {"overdue": true}, {"open": false}, {"isDispute": true},
		{"reporterId": ids.reporter}, {"handlerId": ids.handler}, {"buildingId": ids.building},
		{"place": map[string]any{"gridId": ids.grid}, "open": true, "overdue": false}}
	vars = map[string]any{"n": rng.IntN(5), "filter": filters[rng.IntN(len(filters))],
		"order": map[string]any{"field": []string{"REPORTED_AT", "DUE_AT", "UPDATED_AT"}[rng.IntN(3)], "direction": []string{"ASC", "DESC"}[rng.IntN(2)]}}
	forward = rng.IntN(3) > 0
	page, cursor := "first: $size, after: $after", "$after: String"
	if !forward {
		page, cursor = "last: $size, before: $before", "$before: String"
	}
	vars["size"] = 1 + rng.IntN(60)
	sel := strings.Join(fields, " ")
	decl := "$filter: IssueFilter, $order: IssueOrder, $size: Int, " + cursor
	if strings.Contains(sel, "$n") {
		decl += ", $n: Int"
	} else {
		delete(vars, "n")
	}
	q = fmt.Sprintf(`query(%s) { issues(%s, filter: $filter, orderBy: $order) {
		totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { %s } } } }`, decl, page, sel)
	return q, vars, forward
}

func maybeAlias(rng *rand.Rand, f string) string {
	if rng.IntN(5) == 0 {
		return fmt.Sprintf("a%d: %s", rng.IntN(1000), f)
	}
	return f
}

// Every field of the issue list's inputs is known to the fast path's decoder: a new filter
// field in the SDL fails this test until fast_args.go reads it (an unread key would send
// every such request to gqlgen, correct but slow).
func TestFastPathDecodesEveryIssueFilterField(t *testing.T) {
	want := map[string]bool{}
	for _, typ := range []any{model.IssueFilter{}, model.PlaceScope{}, model.DateTimeRange{}, model.IssueOrder{}} {
		rt := reflect.TypeOf(typ)
		for i := range rt.NumField() {
			want[rt.Name()+"."+strings.Split(rt.Field(i).Tag.Get("json"), ",")[0]] = true
		}
	}
	b, err := os.ReadFile("fast_args.go")
	if err != nil {
		t.Fatal(err)
	}
	src := string(b)
	for k := range want {
		name := strings.SplitN(k, ".", 2)[1]
		if !strings.Contains(src, fmt.Sprintf("%q", name)) {
			t.Errorf("fast_args.go does not decode %s", k)
		}
	}
}

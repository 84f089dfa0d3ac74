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
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"gridgov/auth"
	"gridgov/dbtest"
	"gridgov/loadgen"
	"gridgov/observe"
	"gridgov/seed"
	"gridgov/server"
	"gridgov/store"
)

// The API's executor (resolvers/exec.go) against gqlgen's on the demo city: for every role,
// hand-written console queries and hundreds drawn at random from the schema itself — any
// root field, random selections of every reachable field with random arguments, aliases,
// fragments and directives — must give the same bytes from both, and the executor must have
// answered most of them itself.

// twin is the demo city served twice: by gridgov's handler and by gqlgen alone.
type twin struct {
	*env
	gqlgen http.Handler
	ids    cityIDs
	pool   map[string][]string // global ids of rows of the city, by type: the random queries' arguments
}

// poolTables are the tables the random queries draw ids from, by the type of their rows.
var poolTables = map[string]string{"Street": "streets", "Community": "communities", "Grid": "grids", "Building": "buildings",
	"Person": "people", "Unit": "units", "PartyMember": "party_members", "Issue": "issues", "IssueCategory": "issue_categories",
	"ServiceOrder": "service_orders", "ServiceCategory": "service_categories", "Cadre": "cadres", "VolunteerTeam": "volunteer_teams",
	"SocialOrganisation": "social_organisations", "Activity": "activities", "JointMeeting": "joint_meetings",
	"MeetingMatter": "meeting_matters", "Checkin": "checkins", "Facility": "facilities", "Volunteer": "volunteers"}

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
	tw.pool = map[string][]string{}
	for typ, table := range poolTables {
		for _, id := range rowIDs(t, pool, `(SELECT id FROM `+table+` ORDER BY id LIMIT 3) UNION ALL (SELECT id FROM `+table+` ORDER BY id DESC LIMIT 2)`) {
			tw.pool[typ] = append(tw.pool[typ], gid(typ, id))
		}
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
		t.Fatalf("the executor and gqlgen disagree on\n%s\nvars %v\nexecutor %d %.2000s\ngqlgen   %d %.2000s", query, vars, fs, fast, gs, slow)
	}
	return fast
}

// answered gives how many root fields the executor answered itself and handed to gqlgen.
func (tw *twin) answered() (executor, gqlgen float64) {
	fams, err := tw.reg.Gather()
	if err != nil {
		tw.t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() != "gridgov_graphql_root_fields_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				switch {
				case l.GetName() != "answered_by":
				case l.GetValue() == "executor":
					executor += m.GetCounter().GetValue()
				default:
					gqlgen += m.GetCounter().GetValue()
				}
			}
		}
	}
	return executor, gqlgen
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

func TestExecutorMatchesGqlgen(t *testing.T) {
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
	exec0, slow0 := tw.answered()
	t.Run("random", func(t *testing.T) {
		g := newQueryGen(rand.New(rand.NewPCG(1, 2)), tw.pool)
		roles := []string{"city admin", "leader", "community cadre", "grid worker", "resident"}
		for i := range 600 {
			role := roles[i%len(roles)]
			q := g.query(auth.Policy, roleNames[role])
			out := tw.both(t, tokens[role], q, nil)
			if testing.Verbose() && bytes.Contains(out, []byte(`"errors"`)) {
				t.Logf("%s\n%.300s", q, out)
			}
			if bytes.Contains(out, []byte("GRAPHQL_VALIDATION_FAILED")) {
				t.Fatalf("invalid random query %s: %.300s", q, out)
			}
		}
	})
	exec1, slow1 := tw.answered()
	t.Logf("random queries: the executor answered %v root fields, gqlgen %v (errors, nulls where the schema has none)", exec1-exec0, slow1-slow0)
	if exec1-exec0 < 2*(slow1-slow0) {
		t.Fatalf("the executor answered %v root fields of the random queries, gqlgen %v", exec1-exec0, slow1-slow0)
	}
}

// roleNames are the tokens' roles, as auth.Policy names them.
var roleNames = map[string]string{"city admin": "city_admin", "leader": "leader", "community cadre": "community_cadre",
	"grid worker": "grid_worker", "resident": "resident"}

// handWritten are queries at the edges: aliases, fragments, directives, __typename and
// literal arguments (ok, which a city admin runs without errors); and errors, which gqlgen
// answers (others).
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
		`{ issues(first: 5) { edges { node { id mediators { role } allowedActions reporter { partyMember { id } } } } } }`,
		// Errors: gqlgen answers, with the same codes.
		`{ issues(first: 101) { edges { node { id } } } }`,
		`{ issues(first: 5, after: "not-a-cursor") { edges { node { id } } } }`,
		`{ issues(first: 5, filter: {place: {gridId: "bm90LWFuLWlk"}}) { edges { node { id } } } }`,
		fmt.Sprintf(`{ issues(first: 5, filter: {reporterId: %q}) { edges { node { id events(last: 101) { at } } } } }`, ids.reporter),
	}
	return ok, others
}

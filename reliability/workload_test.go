package reliability

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"gridgov/auth"
	"gridgov/gid"
	"gridgov/loadgen"
)

// The mixed workload of the fixed-rate and soak tests: what a working day asks of the API.
const (
	consoleQuery = `query Console($grid: ID!) {
  issues(first: 50, filter: {place: {gridId: $grid}}, orderBy: {field: REPORTED_AT, direction: DESC}) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id title state reportedAt dueAt overdue
      grid { name } reporter { name } handler { name }
      events(last: 3) { action toState at actor { name } } } } } }`
	profileQuery = `query Profile($id: ID!) {
  node(id: $id) { ... on PartyMember { id name profession specialty
    unit { name } community { name } grid { name } checkin { state }
    serviceTotals { records hours } ledger(last: 20) { servedOn hours content order { title } }
    ratings { year grade } } } }`
	reportQuery = `mutation($in: ReportIssueInput!) { reportIssue(input: $in) { id state version } }`
	claimQuery  = `mutation($in: OrderActionInput!) { claimOrder(input: $in) { id state version claimedBy { id } } }`
	periodQuery = `query($scope: ID!, $period: PeriodInput!) { indicators(scope: $scope, period: $period) {
  asOf issues { reported closed } checkins { checkedIn } } }`
)

// steps says, for each state an issue of the workload passes through, the next transition.
var steps = map[string]struct{ mutation, input string }{
	"REPORTED": {"acceptIssue", "IssueActionInput"}, "ACCEPTED": {"dispatchIssue", "DispatchIssueInput"},
	"DISPATCHED": {"startIssue", "IssueActionInput"}, "IN_PROGRESS": {"resolveIssue", "ResolveIssueInput"},
	"RESOLVED": {"closeIssue", "IssueActionInput"},
}

// claim is one attempt on a published order: every order is claimed twice at the same
// instant, by two checked-in members of its grid, each passing the version they saw on the
// demand list. One wins. The other loses with CONFLICT when the two updates raced, or with
// NOT_FOUND when the winner had already taken the order off the demand list it may see.
type claim struct {
	order, version int64
	token          string
}

// written is what a mutation of the workload answers.
type written struct {
	ID        string `json:"id"`
	State     string `json:"state"`
	Version   int64  `json:"version"`
	ClaimedBy *struct {
		ID string `json:"id"`
	} `json:"claimedBy"`
}

// workload holds the tokens and rows the mixed load uses, and tallies every answer: the
// writes acknowledged (with the version each answer gave), errors by kind and code.
type workload struct {
	run                  string
	grids, members, cats []int64
	scopes               []string
	cadre, leader, admin string
	cadrePerson          int64
	claims               []claim
	mu                   sync.Mutex
	waiting              []int64           // issues ready for their next transition
	issues               map[int64]written // last acknowledged state and version of each issue
	orders               map[int64]written // acknowledged claims
	attempts             map[int64]int     // claims sent per order
	lost                 map[int64]int     // claims lost per order
	lostBy               map[string]int    // claims lost, by code
	acked                map[string]int
	unexpected           map[string]int // "kind CODE" (or "kind status N") → count
	doubleWins           int
	fivexx, transport    int
	firstUnexpected      string
	titles               atomic.Int64
}

// newWorkload reads the rows the load needs from the seeded city and publishes orders to
// claim: enough for claims claims (each order is claimed twice).
func newWorkload(t *testing.T, pool *pgxpool.Pool, claims int) *workload {
	t.Helper()
	w := &workload{run: strconv.FormatInt(time.Now().UnixNano(), 36), issues: map[int64]written{}, orders: map[int64]written{},
		attempts: map[int64]int{}, lost: map[int64]int{}, lostBy: map[string]int{}, acked: map[string]int{}, unexpected: map[string]int{}}
	w.grids = ids(t, pool, `SELECT id FROM grids WHERE community_id = 1 ORDER BY id`)
	// Transitions resolve issues without attaching a photo: only of categories that need none.
	w.cats = ids(t, pool, `SELECT id FROM issue_categories WHERE NOT requires_resolve_photo ORDER BY id`)
	w.members = ids(t, pool, `SELECT member_id FROM service_records GROUP BY member_id ORDER BY count(*) DESC, member_id LIMIT 200`)
	w.cadrePerson = ids(t, pool, `SELECT person_id FROM cadres WHERE community_id = 1 ORDER BY id LIMIT 1`)[0]
	w.cadre = mint(t, "community_cadre", gid.Encode("Community", 1), w.cadrePerson)
	w.leader = mint(t, "leader", auth.ScopeCity, 1)
	w.admin = mint(t, "city_admin", auth.ScopeCity, 1)
	w.scopes = []string{auth.ScopeCity, gid.Encode("Street", 1), gid.Encode("Community", 1), gid.Encode("Grid", w.grids[0])}
	w.publish(t, pool, claims/2+1)
	return w
}

func ids(t *testing.T, pool *pgxpool.Pool, sql string) []int64 {
	t.Helper()
	rows, _ := pool.Query(context.Background(), sql)
	out, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil || len(out) == 0 {
		t.Fatalf("%s: %v, %d rows (is the city seeded?)", sql, err, len(out))
	}
	return out
}

// publishSQL publishes $1 orders in every grid with two checked-in members, and names them.
const publishSQL = `WITH m AS (
		SELECT m.grid_id, m.street_id, m.community_id, m.person_id, row_number() OVER (PARTITION BY m.grid_id ORDER BY m.id) AS n
		FROM party_members m WHERE m.grid_id IS NOT NULL AND m.deleted_at IS NULL AND EXISTS (SELECT 1 FROM checkins c
			WHERE c.member_id = m.id AND c.state = 'verified' AND c.deleted_at IS NULL)),
	g AS (SELECT grid_id, street_id, community_id, min(person_id) FILTER (WHERE n = 1) AS a, min(person_id) FILTER (WHERE n = 2) AS b
		FROM m WHERE n <= 2 GROUP BY grid_id, street_id, community_id HAVING count(*) = 2),
	ins AS (INSERT INTO service_orders (street_id, community_id, grid_id, category_id, resident_id, title, state, published_at)
		SELECT g.street_id, g.community_id, g.grid_id, (SELECT min(id) FROM service_categories), (SELECT min(id) FROM people),
			'mixed order ' || i, 'published', now()
		FROM g CROSS JOIN generate_series(1, $1::int) i RETURNING id, grid_id, version)
	SELECT ins.id, ins.version, ins.grid_id, g.a, g.b FROM ins JOIN g USING (grid_id) ORDER BY ins.id`

// publish puts at least n orders on the grids' demand lists, each to be claimed by two members.
func (w *workload) publish(t *testing.T, pool *pgxpool.Pool, n int) {
	t.Helper()
	grids := len(ids(t, pool, `SELECT id FROM grids`))
	rows, err := pool.Query(context.Background(), publishSQL, n/grids+1)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	tokens := map[int64]string{}
	token := func(person, grid int64) string {
		if tokens[person] == "" {
			tokens[person] = mint(t, "party_member", gid.Encode("Grid", grid), person)
		}
		return tokens[person]
	}
	for rows.Next() {
		var order, version, grid, a, b int64
		if err := rows.Scan(&order, &version, &grid, &a, &b); err != nil {
			t.Fatal(err)
		}
		w.claims = append(w.claims, claim{order, version, token(a, grid)}, claim{order, version, token(b, grid)})
	}
	if len(w.claims) < n {
		t.Fatalf("published %d orders, want %d", len(w.claims)/2, n)
	}
}

// kinds is the mix, in slots of 100: console reads, profile reads, reports, transitions,
// claims (two rival requests a slot) and indicators.
func (w *workload) kinds() []loadgen.Kind {
	return []loadgen.Kind{
		{Name: "console", Weight: 25, Next: w.console},
		{Name: "profile", Weight: 20, Next: w.profile},
		{Name: "report", Weight: 13, Next: w.report},
		{Name: "transition", Weight: 25, Next: w.transition},
		{Name: "claim", Weight: 7, Together: 2, Next: w.claim},
		{Name: "indicators", Weight: 10, Next: w.indicators},
	}
}

// claimsPerSlot is the share of slots that claim, times the claims each sends.
const claimsPerSlot = 0.07 * 2

func (w *workload) console(i int) (loadgen.Request, func(loadgen.Answer)) {
	return loadgen.Request{Query: consoleQuery, Token: w.admin, Variables: map[string]any{"grid": gid.Encode("Grid", w.grids[i%len(w.grids)])}},
		w.read("console")
}

func (w *workload) profile(i int) (loadgen.Request, func(loadgen.Answer)) {
	return loadgen.Request{Query: profileQuery, Token: w.leader, Variables: map[string]any{"id": gid.Encode("PartyMember", w.members[i%len(w.members)])}},
		w.read("profile")
}

func (w *workload) indicators(i int) (loadgen.Request, func(loadgen.Answer)) {
	periods := []map[string]any{{"kind": "YEAR", "year": 2026}, {"kind": "MONTH", "year": 2026, "month": 1 + i%11},
		{"kind": "QUARTER", "year": 2025, "quarter": 1 + i%4}}
	return loadgen.Request{Query: periodQuery, Token: w.leader,
		Variables: map[string]any{"scope": w.scopes[i%len(w.scopes)], "period": periods[i%len(periods)]}}, w.read("indicators")
}

// read tallies a read's answer.
func (w *workload) read(kind string) func(loadgen.Answer) {
	return func(a loadgen.Answer) { w.judge(kind, a) }
}

func (w *workload) report(i int) (loadgen.Request, func(loadgen.Answer)) {
	in := map[string]any{"categoryId": gid.Encode("IssueCategory", w.cats[i%len(w.cats)]), "gridId": gid.Encode("Grid", w.grids[i%len(w.grids)]),
		"title": fmt.Sprintf("mixed-%s-%d", w.run, w.titles.Add(1)), "description": "固定速率负载 fixed-rate load", "reporterRole": "CADRE"}
	return loadgen.Request{Query: reportQuery, Token: w.cadre, Variables: map[string]any{"in": in}}, w.wrote("report")
}

// transition takes the issue that has waited longest one step on towards CLOSED, passing the
// version last acknowledged for it. With no issue waiting it skips its slot.
func (w *workload) transition(int) (loadgen.Request, func(loadgen.Answer)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.waiting) == 0 {
		return loadgen.Request{}, nil
	}
	id := w.waiting[0]
	w.waiting = w.waiting[1:]
	cur := w.issues[id]
	step := steps[cur.State]
	in := map[string]any{"issueId": cur.ID, "version": cur.Version}
	switch step.mutation {
	case "dispatchIssue":
		in["handlerKind"], in["handlerPersonId"] = "CADRE", gid.Encode("Person", w.cadrePerson)
	case "resolveIssue":
		in["result"] = "处理完毕 done"
	}
	q := fmt.Sprintf(`mutation($in: %s!) { %s(input: $in) { id state version } }`, step.input, step.mutation)
	return loadgen.Request{Query: q, Token: w.cadre, Variables: map[string]any{"in": in}}, w.wrote("transition")
}

func (w *workload) claim(i int) (loadgen.Request, func(loadgen.Answer)) {
	if i >= len(w.claims) {
		return loadgen.Request{}, nil // the supply ran out: counted as skipped
	}
	c := w.claims[i]
	w.mu.Lock()
	w.attempts[c.order]++
	w.mu.Unlock()
	in := map[string]any{"orderId": gid.Encode("ServiceOrder", c.order), "version": c.version}
	return loadgen.Request{Query: claimQuery, Token: c.token, Variables: map[string]any{"in": in}}, w.claimed(c.order)
}

// claimed tallies a claim's answer: won (recorded as a write) or lost to its rival.
func (w *workload) claimed(order int64) func(loadgen.Answer) {
	return func(a loadgen.Answer) {
		if a.Err == nil && a.Status == 200 && len(a.Codes) == 1 && (a.Codes[0] == "CONFLICT" || a.Codes[0] == "NOT_FOUND") {
			w.mu.Lock()
			w.lost[order]++
			w.lostBy[a.Codes[0]]++
			w.mu.Unlock()
			return
		}
		w.wrote("claim")(a)
	}
}

// wrote records an acknowledged write: the issue's or order's state and version as answered.
// An issue that is not yet closed waits for its next transition.
func (w *workload) wrote(kind string) func(loadgen.Answer) {
	return func(a loadgen.Answer) {
		if !w.judge(kind, a) {
			return
		}
		var m map[string]written
		json.Unmarshal(a.Data, &m) //nolint:errcheck
		for _, v := range m {
			w.record(kind, v)
		}
	}
}

func (w *workload) record(kind string, v written) {
	_, id, _ := gid.Decode(v.ID)
	w.mu.Lock()
	defer w.mu.Unlock()
	if kind == "claim" {
		if _, won := w.orders[id]; won {
			w.doubleWins++
		}
		w.orders[id] = v
		return
	}
	w.issues[id] = v
	if v.State != "CLOSED" {
		w.waiting = append(w.waiting, id)
	}
}

// judge tallies an answer and says whether it was a success: 200 without errors, every
// field there.
func (w *workload) judge(kind string, a loadgen.Answer) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	bad := func(what string) {
		w.unexpected[kind+" "+what]++
		if w.firstUnexpected == "" {
			w.firstUnexpected = fmt.Sprintf("%s: status %d, codes %v, err %v, data %.200s", kind, a.Status, a.Codes, a.Err, a.Data)
		}
	}
	switch {
	case a.Err != nil:
		w.transport++
		bad("transport")
	case a.Status >= 500:
		w.fivexx++
	case a.Status != 200 && len(a.Codes) == 0:
		bad("status " + strconv.Itoa(a.Status))
	}
	for _, c := range a.Codes {
		bad(c)
	}
	ok := a.Err == nil && a.Status == 200 && len(a.Codes) == 0
	if ok && !answered(a.Data) {
		bad("null data")
		ok = false
	}
	if ok {
		w.acked[kind]++
	}
	return ok
}

// answered reports whether every field of an answer's data is there (not null).
func answered(data json.RawMessage) bool {
	var m map[string]json.RawMessage
	if json.Unmarshal(data, &m) != nil || len(m) == 0 {
		return false
	}
	for _, v := range m {
		if string(v) == "null" {
			return false
		}
	}
	return true
}

// prefill reports n issues before the load, so transitions have issues to work on from the start.
func (w *workload) prefill(t *testing.T, c *loadgen.Client, n int) {
	t.Helper()
	for i := range n {
		req, done := w.report(i)
		done(c.Exchange(context.Background(), req))
	}
	if len(w.waiting) != n {
		t.Fatalf("prefill: %d of %d reports acknowledged; first problem: %s", len(w.waiting), n, w.firstUnexpected)
	}
}

package resolvers_test

import (
	"strings"
	"sync"
	"testing"
	"time"
)

const issueFields = `id state version dueAt escalationLevel resolution overdue allowedActions
	events(last: 20) { action fromState toState note actor { name } }`

func TestIssueWorkflow(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	actor := w.cadrePerson

	d := e.ok(actor, `mutation($in: ReportIssueInput!) { reportIssue(input: $in) { `+issueFields+` reporter { name } grid { name } building { number } } }`,
		map[string]any{"in": map[string]any{"categoryId": gid("IssueCategory", w.issueCat), "gridId": gid("Grid", w.grid),
			"buildingId": gid("Building", w.building), "title": "路面塌陷", "description": "1栋门前"}})
	issue := dig(d, "reportIssue").(map[string]any)
	id := issue["id"].(string)
	if issue["state"] != "REPORTED" || dig(issue, "reporter", "name") != "王干部" || dig(issue, "events", 0, "action") != "REPORT" {
		t.Fatalf("report: %v", issue)
	}

	step := func(mutation string, in map[string]any) map[string]any {
		t.Helper()
		in["issueId"] = id
		d := e.ok(actor, `mutation($in: `+inputOf(mutation)+`!) { `+mutation+`(input: $in) { `+issueFields+` } }`, map[string]any{"in": in})
		return dig(d, mutation).(map[string]any)
	}
	refused := func(mutation string, in map[string]any, state string) {
		t.Helper()
		in["issueId"] = id
		r := e.fails(actor, "INVALID_TRANSITION", `mutation($in: `+inputOf(mutation)+`!) { `+mutation+`(input: $in) { id } }`, map[string]any{"in": in})
		if !strings.Contains(r.Errors[0].Message, state) {
			t.Fatalf("error does not name the state %s: %s", state, r.Errors[0].Message)
		}
	}

	refused("closeIssue", map[string]any{}, "reported")
	refused("startIssue", map[string]any{}, "reported")
	step("acceptIssue", map[string]any{"note": "收到"})
	// Return needs a note, and the error names the field.
	r := e.fails(actor, "BAD_USER_INPUT", `mutation { returnIssue(input: {issueId: "`+id+`"}) { id } }`, nil)
	if r.Errors[0].Extensions["field"] != "note" {
		t.Fatalf("want field note, got %v", r.Errors[0].Extensions)
	}
	before := time.Now()
	got := step("dispatchIssue", map[string]any{"handlerKind": "CADRE", "handlerPersonId": gid("Person", w.cadrePerson)})
	due, _ := time.Parse(time.RFC3339, got["dueAt"].(string))
	if got["state"] != "DISPATCHED" || due.Sub(before) < 6*24*time.Hour || due.Sub(before) > 8*24*time.Hour {
		t.Fatalf("dispatch: want due in 7 days, got %v", got)
	}
	refused("acceptIssue", map[string]any{}, "dispatched")
	step("startIssue", map[string]any{})
	step("escalateIssue", map[string]any{"level": "COMMUNITY"})
	refused("escalateIssue", map[string]any{"level": "COMMUNITY"}, "community")
	got = step("escalateIssue", map[string]any{"level": "STREET"})
	if got["escalationLevel"] != "STREET" {
		t.Fatalf("escalate: %v", got)
	}
	e.fails(actor, "BAD_USER_INPUT", `mutation { resolveIssue(input: {issueId: "`+id+`", result: ""}) { id } }`, nil)
	got = step("resolveIssue", map[string]any{"result": "已修复"})
	if got["resolution"] != "已修复" {
		t.Fatalf("resolve: %v", got)
	}
	step("closeIssue", map[string]any{})
	got = step("reopenIssue", map[string]any{"note": "复查未通过"})
	if got["state"] != "REOPENED" || got["resolution"] != nil {
		t.Fatalf("reopen: %v", got)
	}
	// The history holds every change, in order, with from and to.
	var path []string
	for _, ev := range got["events"].([]any) {
		m := ev.(map[string]any)
		path = append(path, m["action"].(string)+":"+str(m["fromState"])+">"+m["toState"].(string))
		if dig(m, "actor", "name") != "王干部" {
			t.Fatalf("event without actor: %v", m)
		}
	}
	want := "REPORT:>REPORTED ACCEPT:REPORTED>ACCEPTED DISPATCH:ACCEPTED>DISPATCHED START:DISPATCHED>IN_PROGRESS " +
		"ESCALATE:IN_PROGRESS>ESCALATED ESCALATE:ESCALATED>ESCALATED RESOLVE:ESCALATED>RESOLVED CLOSE:RESOLVED>CLOSED REOPEN:CLOSED>REOPENED"
	if strings.Join(path, " ") != want {
		t.Fatalf("history\n got %s\nwant %s", strings.Join(path, " "), want)
	}

	// A stale version is CONFLICT, and nothing is written.
	e.fails(actor, "CONFLICT", `mutation { acceptIssue(input: {issueId: "`+id+`", version: 1}) { id } }`, nil)
	// No actor: UNAUTHENTICATED.
	e.fails(anon, "UNAUTHENTICATED", `mutation { acceptIssue(input: {issueId: "`+id+`"}) { id } }`, nil)
}

func inputOf(mutation string) string {
	switch mutation {
	case "dispatchIssue":
		return "DispatchIssueInput"
	case "escalateIssue":
		return "EscalateIssueInput"
	case "resolveIssue":
		return "ResolveIssueInput"
	}
	return "IssueActionInput"
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func TestDisputeMediation(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	d := e.ok(w.cadrePerson, `mutation($in: ReportIssueInput!) { reportIssue(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"categoryId": gid("IssueCategory", w.issueCat), "gridId": gid("Grid", w.grid),
			"title": "邻里噪音纠纷", "isDispute": true}})
	id := dig(d, "reportIssue", "id").(string)
	addMediator := `mutation($issue: ID!, $person: ID!) { addMediator(input: {issueId: $issue, personId: $person, role: CADRE}) { mediators { role person { name } } } }`
	// The cadre reported the dispute: they are a party to it, not its mediator.
	e.fails(w.cadrePerson, "CONFLICT_OF_INTEREST", addMediator, map[string]any{"issue": id, "person": gid("Person", w.cadrePerson)})
	mediator := e.person("调解员", w)
	d = e.ok(w.cadrePerson, addMediator, map[string]any{"issue": id, "person": gid("Person", mediator)})
	if dig(d, "addMediator", "mediators", 0, "person", "name") != "调解员" || len(dig(d, "addMediator", "mediators").([]any)) != 1 {
		t.Fatalf("mediators: %v", d)
	}
	e.ok(w.cadrePerson, `mutation { acceptIssue(input: {issueId: "`+id+`"}) { id } }`, nil)
	r := e.fails(w.cadrePerson, "BAD_USER_INPUT", `mutation { resolveIssue(input: {issueId: "`+id+`", result: "调解"}) { id } }`, nil)
	if r.Errors[0].Extensions["field"] != "disputeOutcome" {
		t.Fatalf("want field disputeOutcome: %v", r.Errors)
	}
	d = e.ok(w.cadrePerson, `mutation { resolveIssue(input: {issueId: "`+id+`", result: "双方和解", disputeOutcome: MEDIATED}) { disputeOutcome isDispute } }`, nil)
	if dig(d, "resolveIssue", "disputeOutcome") != "MEDIATED" {
		t.Fatalf("outcome: %v", d)
	}
}

// Concurrent transitions of one issue: exactly one wins, the others get CONFLICT (or, when
// they read after the winner committed, INVALID_TRANSITION), and one event is written.
func TestConcurrentTransitions(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	d := e.ok(w.cadrePerson, `mutation($in: ReportIssueInput!) { reportIssue(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"categoryId": gid("IssueCategory", w.issueCat), "gridId": gid("Grid", w.grid),
			"title": "x"}})
	id := dig(d, "reportIssue", "id").(string)
	const n = 12
	codes := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = e.do(w.cadrePerson, `mutation { acceptIssue(input: {issueId: "`+id+`", version: 1}) { state } }`, nil).code()
		}()
	}
	wg.Wait()
	wins := 0
	for _, c := range codes {
		switch c {
		case "":
			wins++
		case "CONFLICT", "INVALID_TRANSITION":
		default:
			t.Fatalf("unexpected code %q", c)
		}
	}
	var events int
	e.pool.QueryRow(t.Context(), `SELECT count(*) FROM issue_events WHERE action = 'accept'`).Scan(&events) //nolint:errcheck
	if wins != 1 || events != 1 {
		t.Fatalf("want exactly one winner and one event, got %d winners, %d events (%v)", wins, events, codes)
	}
}

func TestIssueFiltersAndMonthlyReview(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	add := func(grid int64, title, state string, reported string, due *string) {
		e.id(`INSERT INTO issues (street_id, community_id, grid_id, category_id, title, description, reporter_id, reporter_role,
			state, reported_at, due_at, resolved_at) VALUES ($1, $2, $3, $4, $5, '', $6, 'resident', $7, $8::timestamptz, $9::timestamptz,
			CASE WHEN $7 IN ('resolved', 'closed') THEN $8::timestamptz + interval '1 day' END) RETURNING id`,
			w.street, w.community, grid, w.issueCat, title, w.resident, state, reported, due)
	}
	past := "2024-03-05T00:00:00Z"
	add(w.grid, "路灯不亮", "dispatched", "2024-03-01T08:00:00Z", &past)
	add(w.grid, "路灯闪烁", "resolved", "2024-03-02T08:00:00Z", &past)
	add(w.grid2, "路灯坏了", "dispatched", "2024-03-03T08:00:00Z", nil)
	add(w.grid, "垃圾堆积", "reported", "2024-04-03T08:00:00Z", nil)

	q := `query($f: IssueFilter) { issues(filter: $f, first: 50) { totalCount edges { node { title overdue } } } }`
	count := func(t *testing.T, f map[string]any) float64 {
		t.Helper()
		return dig(e.with(t).ok(0, q, map[string]any{"f": f}), "issues", "totalCount").(float64)
	}
	cases := []struct {
		name string
		f    map[string]any
		want float64
	}{
		{"all", map[string]any{}, 4},
		{"grid", map[string]any{"place": map[string]any{"gridId": gid("Grid", w.grid)}}, 3},
		{"grid+search", map[string]any{"place": map[string]any{"gridId": gid("Grid", w.grid)}, "search": "路灯"}, 2},
		{"grid+search+state", map[string]any{"place": map[string]any{"gridId": gid("Grid", w.grid)}, "search": "路灯", "states": []string{"DISPATCHED"}}, 1},
		{"overdue", map[string]any{"overdue": true}, 1},
		{"not overdue", map[string]any{"overdue": false}, 3},
		{"reported in March", map[string]any{"reported": map[string]any{"from": "2024-03-01T00:00:00Z", "to": "2024-04-01T00:00:00Z"}}, 3},
		{"open in street", map[string]any{"open": true, "place": map[string]any{"streetId": gid("Street", w.street)}}, 3},
		{"category", map[string]any{"categoryIds": []string{gid("IssueCategory", w.issueCat)}, "search": "垃圾"}, 1},
		{"search is literal", map[string]any{"search": "%"}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := count(t, c.f); got != c.want {
				t.Fatalf("want %v, got %v", c.want, got)
			}
		})
	}

	d := e.ok(0, `query { monthlyReview(communityId: "`+gid("Community", w.community)+`", month: "2024-03") {
		month reportedCount resolvedCount openCount overdueCount
		openIssues(first: 10) { totalCount edges { node { title } } }
		overdueIssues(first: 10) { edges { node { title } } } } }`, nil)
	mr := dig(d, "monthlyReview").(map[string]any)
	if mr["reportedCount"] != 3.0 || mr["resolvedCount"] != 1.0 || mr["openCount"] != 2.0 || mr["overdueCount"] != 1.0 ||
		dig(mr, "openIssues", "totalCount") != 2.0 || dig(mr, "overdueIssues", "edges", 0, "node", "title") != "路灯不亮" {
		t.Fatalf("monthly review: %v", mr)
	}
	e.fails(0, "BAD_USER_INPUT", `query { monthlyReview(communityId: "`+gid("Community", w.community)+`", month: "March") { month } }`, nil)
}

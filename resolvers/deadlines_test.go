package resolvers_test

import (
	"context"
	"strings"
	"testing"
	"time"
)

// deadlineWorld is an issue dispatched in the test world, and tokens of every level for it.
type deadlineWorld struct {
	w                                    world
	issue                                string
	grid, community, other, street, city string // tokens
}

func newDeadlineWorld(e *env) deadlineWorld {
	w := e.world()
	d := deadlineWorld{w: w}
	d.grid = e.token("grid_worker", gid("Grid", w.grid), e.person("网格员", w))
	d.community = e.token("community_cadre", gid("Community", w.community), w.cadrePerson)
	d.other = e.token("community_cadre", gid("Community", w.community), e.person("另一干部", w))
	d.street = e.token("street_cadre", gid("Street", w.street), e.person("街道干部", w))
	d.city = e.token("city_admin", "city", e.person("市管理员", w))
	r := e.as(d.grid, `mutation($in: ReportIssueInput!) { reportIssue(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"categoryId": gid("IssueCategory", w.issueCat), "gridId": gid("Grid", w.grid), "title": "路灯不亮"}})
	d.issue = dig(r.Data, "reportIssue", "id").(string)
	e.must(d.grid, `mutation($id: ID!) { acceptIssue(input: {issueId: $id}) { id } }`, map[string]any{"id": d.issue})
	e.must(d.grid, `mutation($id: ID!, $p: ID!) { dispatchIssue(input: {issueId: $id, handlerKind: CADRE, handlerPersonId: $p}) { id } }`,
		map[string]any{"id": d.issue, "p": gid("Person", w.cadrePerson)})
	return d
}

// must runs a query with a token and fails the test on any error.
func (e *env) must(token, query string, vars map[string]any) map[string]any {
	e.t.Helper()
	r := e.as(token, query, vars)
	if len(r.Errors) > 0 {
		e.t.Fatalf("%s: %v", query, r.Errors)
	}
	return r.Data
}

// refuses runs a query with a token, wants the error code, and checks that nothing was
// written: no table changed.
func (e *env) refuses(token, code, query string, vars map[string]any) gqlResp {
	e.t.Helper()
	before := e.rowCounts()
	r := e.as(token, query, vars)
	if r.code() != code {
		e.t.Fatalf("%s: want %s, got %+v", query, code, r.Errors)
	}
	if after := e.rowCounts(); after != before {
		e.t.Fatalf("%s was refused, yet the data changed:\n before %s\n after  %s", query, before, after)
	}
	return r
}

// rowCounts fingerprints what a refused write must leave alone.
func (e *env) rowCounts() string {
	e.t.Helper()
	var s string
	if err := e.pool.QueryRow(context.Background(), `SELECT concat_ws(' ',
		(SELECT count(*) FROM issue_events), (SELECT count(*) FROM issue_extensions), (SELECT count(*) FROM audit_log),
		(SELECT count(*) FROM work_calendar), (SELECT string_agg(id || ':' || version, ',' ORDER BY id) FROM issues),
		(SELECT string_agg(id || ':' || version, ',' ORDER BY id) FROM issue_extensions))`).Scan(&s); err != nil {
		e.t.Fatal(err)
	}
	return s
}

func (d deadlineWorld) due(e *env) time.Time {
	e.t.Helper()
	r := e.must(d.city, `query($id: ID!) { node(id: $id) { ... on Issue { dueAt } } }`, map[string]any{"id": d.issue})
	t, err := time.Parse(time.RFC3339, dig(r, "node", "dueAt").(string))
	if err != nil {
		e.t.Fatal(err)
	}
	return t
}

// A dispatch sets the due time once: dispatching again keeps it.
func TestRedispatchKeepsTheDueTime(t *testing.T) {
	e := newEnv(t)
	d := newDeadlineWorld(e)
	if got := time.Until(d.due(e)); got < 6*24*time.Hour || got > 8*24*time.Hour {
		t.Fatalf("first dispatch: due in %s, want 7 days", got)
	}
	// Move it where a recomputation cannot land, then dispatch again to a unit.
	if _, err := e.pool.Exec(context.Background(), `UPDATE issues SET due_at = '2030-01-02T03:04:05Z'`); err != nil {
		t.Fatal(err)
	}
	e.must(d.grid, `mutation($id: ID!, $u: ID!) { dispatchIssue(input: {issueId: $id, handlerKind: UNIT, handlerUnitId: $u}) { id } }`,
		map[string]any{"id": d.issue, "u": gid("Unit", d.w.unit)})
	if got := d.due(e); !got.Equal(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)) {
		t.Fatalf("a re-dispatch moved the due time to %s", got)
	}
}

// Working-day deadlines count on the calendar a city admin keeps: holidays skipped, adjusted
// working days (调休) counted.
func TestWorkingDayDeadlines(t *testing.T) {
	e := newEnv(t)
	d := newDeadlineWorld(e)
	due := func() string {
		t.Helper()
		var s string
		if err := e.pool.QueryRow(context.Background(),
			`SELECT to_char(gridgov_due_at('2026-09-30 10:00+08', 3, true) AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI')`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	// Wednesday 30 September: Thursday, Friday, Monday.
	if got := due(); got != "2026-10-05 10:00" {
		t.Fatalf("without a calendar: %s", got)
	}
	var none *time.Time
	if err := e.pool.QueryRow(context.Background(), `SELECT gridgov_due_at(NULL, 3, true)`).Scan(&none); err != nil || none != nil {
		t.Fatalf("no start: %v, %v", none, err)
	}
	set := `mutation($in: SetWorkdayInput!) { setWorkday(input: $in) { day workday note } }`
	for day := 1; day <= 7; day++ {
		e.must(d.city, set, map[string]any{"in": map[string]any{"day": "2026-10-0" + string(rune('0'+day)), "workday": false, "note": "国庆节"}})
	}
	got := e.must(d.city, set, map[string]any{"in": map[string]any{"day": "2026-10-10", "workday": true, "note": "国庆调休"}})
	if dig(got, "setWorkday", "workday") != true || dig(got, "setWorkday", "day") != "2026-10-10" {
		t.Fatalf("setWorkday: %v", got)
	}
	// Thursday 8, Friday 9 and Saturday 10 October (调休).
	if got := due(); got != "2026-10-10 10:00" {
		t.Fatalf("with the National Day holidays: %s", got)
	}
	list := e.must(d.grid, `{ workCalendar(from: "2026-10-01", to: "2026-10-31") { day workday } }`, nil)
	if n := len(dig(list, "workCalendar").([]any)); n != 8 {
		t.Fatalf("%d calendar days in October, want 8", n)
	}
	e.refuses(d.city, "BAD_USER_INPUT", set, map[string]any{"in": map[string]any{"day": "2026-10-11", "workday": true, "note": " "}})
	e.refuses(d.community, "FORBIDDEN", set, map[string]any{"in": map[string]any{"day": "2026-10-11", "workday": true, "note": "调休"}})
	e.refuses(d.city, "BAD_USER_INPUT", `{ workCalendar(from: "2026-10-01", to: "2025-10-31") { day } }`, nil)

	// A category counting working days: a dispatch today is due at least three days ahead.
	if _, err := e.pool.Exec(context.Background(), `UPDATE issue_categories SET deadline_working_days = true, deadline_days = 3;
		UPDATE issues SET due_at = NULL`); err != nil {
		t.Fatal(err)
	}
	e.must(d.grid, `mutation($id: ID!, $u: ID!) { dispatchIssue(input: {issueId: $id, handlerKind: UNIT, handlerUnitId: $u}) { id } }`,
		map[string]any{"id": d.issue, "u": gid("Unit", d.w.unit)})
	var want time.Time
	if err := e.pool.QueryRow(context.Background(), `SELECT gridgov_due_at(e.at, 3, true) FROM issue_events e
		WHERE e.action = 'dispatch' ORDER BY e.id DESC LIMIT 1`).Scan(&want); err != nil {
		t.Fatal(err)
	}
	if got := d.due(e); !got.Equal(want.Truncate(time.Second)) && !got.Equal(want) {
		t.Fatalf("working-day dispatch due %s, want %s", got, want)
	}
}

const requestExtension = `mutation($in: RequestIssueExtensionInput!) { requestIssueExtension(input: $in) { id state reason version } }`
const decideExtension = `mutation($in: DecideIssueExtensionInput!) { decideIssueExtension(input: $in) {
	state decisionNote decidedBy { name } issue { dueAt } } }`

// Only an extension approved by a level above the asker's moves the due time; every request
// and decision stays in the issue's history.
func TestExtensionsAreDecidedAbove(t *testing.T) {
	e := newEnv(t)
	d := newDeadlineWorld(e)
	due := d.due(e)
	later := due.Add(72 * time.Hour).UTC().Format(time.RFC3339)
	ask := func(reason, at string) map[string]any {
		return map[string]any{"in": map[string]any{"issueId": d.issue, "dueAt": at, "reason": reason}}
	}
	r := e.refuses(d.grid, "BAD_USER_INPUT", requestExtension, ask("  ", later))
	if r.Errors[0].Extensions["field"] != "reason" {
		t.Fatalf("an empty reason names %v", r.Errors[0].Extensions)
	}
	e.refuses(d.grid, "BAD_USER_INPUT", requestExtension, ask("材料未到", due.Add(-time.Hour).UTC().Format(time.RFC3339)))
	e.refuses(d.city, "FORBIDDEN", requestExtension, ask("材料未到", later))
	ext := dig(e.must(d.grid, requestExtension, ask("材料未到", later)), "requestIssueExtension").(map[string]any)
	if ext["state"] != "PENDING" || !d.due(e).Equal(due) {
		t.Fatalf("a pending extension: %v, due %s (was %s)", ext, d.due(e), due)
	}
	e.refuses(d.grid, "INVALID_TRANSITION", requestExtension, ask("再延", later))

	decide := func(id string, approve bool, note string) map[string]any {
		return map[string]any{"in": map[string]any{"extensionId": id, "approve": approve, "note": note}}
	}
	// The grid worker's request is decided by the community, the street or the city: not by
	// the asker, nor by another grid worker.
	e.refuses(d.grid, "FORBIDDEN", decideExtension, decide(ext["id"].(string), true, ""))
	got := dig(e.must(d.community, decideExtension, decide(ext["id"].(string), true, "同意")), "decideIssueExtension").(map[string]any)
	if got["state"] != "APPROVED" || dig(got, "decidedBy", "name") != "王干部" || dig(got, "issue", "dueAt") != later {
		t.Fatalf("approved: %v, want due %s", got, later)
	}
	e.refuses(d.street, "INVALID_TRANSITION", decideExtension, decide(ext["id"].(string), false, "不同意"))

	// The community's own request is decided by the street, not by another community cadre.
	even := due.Add(240 * time.Hour).UTC().Format(time.RFC3339)
	ext2 := dig(e.must(d.community, requestExtension, ask("需协调多部门", even)), "requestIssueExtension").(map[string]any)
	e.refuses(d.other, "FORBIDDEN", decideExtension, decide(ext2["id"].(string), true, ""))
	e.refuses(d.community, "CONFLICT_OF_INTEREST", decideExtension, decide(ext2["id"].(string), true, ""))
	e.refuses(d.street, "BAD_USER_INPUT", decideExtension, decide(ext2["id"].(string), false, ""))
	e.refuses(d.street, "CONFLICT", decideExtension, map[string]any{"in": map[string]any{"extensionId": ext2["id"], "approve": true, "version": 7}})
	got = dig(e.must(d.street, decideExtension, decide(ext2["id"].(string), false, "理由不充分")), "decideIssueExtension").(map[string]any)
	if got["state"] != "REJECTED" || dig(got, "issue", "dueAt") != later {
		t.Fatalf("rejected: %v, want due still %s", got, later)
	}

	hist := e.must(d.city, `query($id: ID!) { node(id: $id) { ... on Issue {
		extensions { state reason requestedBy { name } dueBefore dueRequested }
		events(last: 10) { action note } } } }`, map[string]any{"id": d.issue})
	exts := dig(hist, "node", "extensions").([]any)
	if len(exts) != 2 || dig(exts[0], "state") != "APPROVED" || dig(exts[1], "state") != "REJECTED" ||
		dig(exts[1], "dueBefore") != later || dig(exts[1], "requestedBy", "name") != "王干部" {
		t.Fatalf("extensions: %v", exts)
	}
	var actions []string
	for _, ev := range dig(hist, "node", "events").([]any) {
		actions = append(actions, dig(ev, "action").(string))
	}
	want := "REPORT ACCEPT DISPATCH REQUEST_EXTENSION APPROVE_EXTENSION REQUEST_EXTENSION REJECT_EXTENSION"
	if strings.Join(actions, " ") != want {
		t.Fatalf("history %v, want %s", actions, want)
	}
}

// The community or street urges with a note; the street or city supervises, once, with a
// deadline of its own; neither touches an issue that is no longer open.
func TestUrgeAndSupervise(t *testing.T) {
	e := newEnv(t)
	d := newDeadlineWorld(e)
	urge := `mutation($id: ID!, $note: String!) { urgeIssue(input: {issueId: $id, note: $note}) { urgeCount lastUrgedAt events(last: 1) { action note } } }`
	e.refuses(d.community, "BAD_USER_INPUT", urge, map[string]any{"id": d.issue, "note": ""})
	e.refuses(d.grid, "FORBIDDEN", urge, map[string]any{"id": d.issue, "note": "尽快"})
	e.must(d.community, urge, map[string]any{"id": d.issue, "note": "尽快处理"})
	got := dig(e.must(d.street, urge, map[string]any{"id": d.issue, "note": "街道催办"}), "urgeIssue").(map[string]any)
	if got["urgeCount"] != float64(2) || got["lastUrgedAt"] == nil || dig(got, "events", 0, "action") != "URGE" ||
		dig(got, "events", 0, "note") != "街道催办" {
		t.Fatalf("urged twice: %v", got)
	}

	supervise := `mutation($id: ID!, $due: DateTime!) { superviseIssue(input: {issueId: $id, dueAt: $due, note: "限期办结"}) {
		supervision { supervisor { name } dueAt note overdue } } }`
	soon := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second).Format(time.RFC3339)
	e.refuses(d.street, "BAD_USER_INPUT", supervise, map[string]any{"id": d.issue, "due": time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)})
	e.refuses(d.community, "FORBIDDEN", supervise, map[string]any{"id": d.issue, "due": soon})
	s := dig(e.must(d.street, supervise, map[string]any{"id": d.issue, "due": soon}), "superviseIssue", "supervision").(map[string]any)
	if dig(s, "supervisor", "name") != "街道干部" || s["dueAt"] != soon || s["note"] != "限期办结" || s["overdue"] != false {
		t.Fatalf("supervision: %v", s)
	}
	e.refuses(d.city, "INVALID_TRANSITION", supervise, map[string]any{"id": d.issue, "due": soon})
	// The supervision list, and the urged ones: this issue alone of two.
	e.must(d.grid, `mutation($in: ReportIssueInput!) { reportIssue(input: $in) { id } }`, map[string]any{"in": map[string]any{
		"categoryId": gid("IssueCategory", d.w.issueCat), "gridId": gid("Grid", d.w.grid), "title": "另一问题"}})
	for _, f := range []string{"supervised", "urged"} {
		l := e.must(d.street, `{ issues(filter: {`+f+`: true}) { totalCount edges { node { id } } } }`, nil)
		if dig(l, "issues", "totalCount") != float64(1) || dig(l, "issues", "edges", 0, "node", "id") != d.issue {
			t.Fatalf("%s: %v", f, l)
		}
		l = e.must(d.street, `{ issues(filter: {`+f+`: false}) { totalCount } }`, nil)
		if dig(l, "issues", "totalCount") != float64(1) {
			t.Fatalf("not %s: %v", f, l)
		}
	}
	if _, err := e.pool.Exec(context.Background(), `UPDATE issues SET supervision_due_at = now() - interval '1 hour' WHERE supervisor_id IS NOT NULL`); err != nil {
		t.Fatal(err)
	}
	over := e.must(d.city, `query($id: ID!) { node(id: $id) { ... on Issue { supervision { overdue } } } }`, map[string]any{"id": d.issue})
	if dig(over, "node", "supervision", "overdue") != true {
		t.Fatalf("past its supervision deadline: %v", over)
	}

	e.must(d.community, `mutation($id: ID!) { startIssue(input: {issueId: $id}) { id } }`, map[string]any{"id": d.issue})
	e.must(d.community, `mutation($id: ID!) { resolveIssue(input: {issueId: $id, result: "已修复"}) { id } }`, map[string]any{"id": d.issue})
	e.must(d.community, `mutation($id: ID!) { closeIssue(input: {issueId: $id}) { id } }`, map[string]any{"id": d.issue})
	r := e.refuses(d.street, "INVALID_TRANSITION", urge, map[string]any{"id": d.issue, "note": "再催"})
	if !strings.Contains(r.Errors[0].Message, "closed") {
		t.Fatalf("urging a closed issue: %s", r.Errors[0].Message)
	}
	e.refuses(d.grid, "INVALID_TRANSITION", requestExtension, map[string]any{"in": map[string]any{"issueId": d.issue,
		"dueAt": time.Now().Add(1000 * time.Hour).UTC().Format(time.RFC3339), "reason": "x"}})
}

// A resident's issue closes through their verdict: satisfied closes it, unsatisfied reopens
// it and, past the category's reopens, sends it to the street; only the reporter gives it, or
// a cadre records it after a call; the community cannot close it before.
func TestResidentsVerdict(t *testing.T) {
	e := newEnv(t)
	d := newDeadlineWorld(e)
	resident := e.token("resident", gid("Grid", d.w.grid), d.w.resident)
	neighbour := e.token("resident", gid("Grid", d.w.grid), e.person("邻居", d.w))
	report := func() string {
		r := e.must(resident, `mutation($in: ReportIssueInput!) { reportIssue(input: $in) { id } }`, map[string]any{"in": map[string]any{
			"categoryId": gid("IssueCategory", d.w.issueCat), "gridId": gid("Grid", d.w.grid), "title": "楼道灯坏"}})
		return dig(r, "reportIssue", "id").(string)
	}
	resolve := func(id string) {
		for _, m := range []string{"acceptIssue(input: {issueId: $id})", "dispatchIssue(input: {issueId: $id, handlerKind: UNIT, handlerUnitId: $u})",
			"startIssue(input: {issueId: $id})", `resolveIssue(input: {issueId: $id, result: "已更换"})`} {
			if strings.HasPrefix(m, "dispatch") {
				e.must(d.community, `mutation($id: ID!, $u: ID!) { `+m+` { id } }`, map[string]any{"id": id, "u": gid("Unit", d.w.unit)})
				continue
			}
			e.must(d.community, `mutation($id: ID!) { `+m+` { id } }`, map[string]any{"id": id})
		}
	}
	const confirm = `mutation($in: ConfirmIssueInput!) { confirmIssue(input: $in) { state reopenCount escalationLevel
		verdict { verdict score comment channel recordedBy { name } } } }`
	verdict := func(id string, satisfied bool, score int) map[string]any {
		return map[string]any{"in": map[string]any{"issueId": id, "satisfied": satisfied, "score": score, "comment": "还是不亮"}}
	}
	id := report()
	e.refuses(resident, "INVALID_TRANSITION", confirm, verdict(id, true, 5))
	resolve(id)
	e.refuses(d.community, "INVALID_TRANSITION", `mutation($id: ID!) { closeIssue(input: {issueId: $id}) { id } }`, map[string]any{"id": id})
	e.refuses(resident, "BAD_USER_INPUT", confirm, verdict(id, true, 6))
	e.refuses(neighbour, "NOT_FOUND", confirm, verdict(id, true, 5))
	e.refuses(d.grid, "FORBIDDEN", confirm, verdict(id, true, 5))

	got := dig(e.must(resident, confirm, verdict(id, false, 2)), "confirmIssue").(map[string]any)
	if got["state"] != "REOPENED" || got["reopenCount"] != float64(1) || dig(got, "verdict", "verdict") != "UNSATISFIED" ||
		dig(got, "verdict", "channel") != "RESIDENT" || dig(got, "verdict", "score") != float64(2) {
		t.Fatalf("unsatisfied: %v", got)
	}
	resolve(id)
	// A new resolution asks anew: a cadre records the verdict given on the phone.
	got = dig(e.must(d.community, confirm, verdict(id, true, 5)), "confirmIssue").(map[string]any)
	if got["state"] != "CLOSED" || dig(got, "verdict", "channel") != "PHONE" || dig(got, "verdict", "recordedBy", "name") != "王干部" {
		t.Fatalf("recorded by phone: %v", got)
	}
	e.refuses(resident, "INVALID_TRANSITION", confirm, verdict(id, false, 1))

	// With no reopen allowed, the first unsatisfied verdict sends the issue to the street.
	if _, err := e.pool.Exec(context.Background(), `UPDATE issue_categories SET max_reopens = 0`); err != nil {
		t.Fatal(err)
	}
	id = report()
	resolve(id)
	got = dig(e.must(resident, confirm, verdict(id, false, 1)), "confirmIssue").(map[string]any)
	if got["state"] != "ESCALATED" || got["escalationLevel"] != "STREET" {
		t.Fatalf("past the reopens: %v", got)
	}
	hist := e.must(d.city, `query($id: ID!) { node(id: $id) { ... on Issue { events(last: 1) { action fromState toState note } } } }`,
		map[string]any{"id": id})
	if ev := dig(hist, "node", "events", 0).(map[string]any); ev["action"] != "VERDICT" || ev["toState"] != "ESCALATED" ||
		!strings.Contains(ev["note"].(string), "还是不亮") {
		t.Fatalf("history: %v", ev)
	}
}

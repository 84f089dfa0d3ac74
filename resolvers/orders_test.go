package resolvers_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestOrderCycleAndLedger(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	memberPerson, member := e.member("张党员", w, true)
	outsiderPerson, _ := e.member("赵党员", w, false)

	d := e.ok(w.resident, `mutation { postOrder(input: {categoryId: "`+gid("ServiceCategory", w.serviceCat)+`", gridId: "`+gid("Grid", w.grid)+`", title: "代购药品"}) { id state resident { name } } }`, nil)
	id := dig(d, "postOrder", "id").(string)
	act := func(actor int64, mutation, extra string) gqlResp {
		return e.do(actor, `mutation { `+mutation+`(input: {orderId: "`+id+`"`+extra+`}) { state claimedBy { name } hours events(last: 10) { action fromState toState } } }`, nil)
	}
	if r := act(memberPerson, "claimOrder", ""); r.code() != "INVALID_TRANSITION" || !strings.Contains(r.Errors[0].Message, "posted") {
		t.Fatalf("claim before publish: %+v", r.Errors)
	}
	if r := act(w.cadrePerson, "publishOrder", ""); r.code() != "" {
		t.Fatalf("publish: %+v", r.Errors)
	}
	if r := act(outsiderPerson, "claimOrder", ""); r.code() != "FORBIDDEN" {
		t.Fatalf("claim by a member not checked in: %+v", r.Errors)
	}
	if r := act(memberPerson, "claimOrder", ""); r.code() != "" || dig(r.Data, "claimOrder", "claimedBy", "name") != "张党员" {
		t.Fatalf("claim: %+v %v", r.Errors, r.Data)
	}
	if r := act(memberPerson, "completeOrder", `, hours: 30, content: "x"`); r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "hours" {
		t.Fatalf("complete with 30 hours: %+v", r.Errors)
	}
	if r := act(w.cadrePerson, "completeOrder", `, hours: 1.5, content: "x"`); r.code() != "FORBIDDEN" {
		t.Fatalf("complete by someone else: %+v", r.Errors)
	}
	if r := act(memberPerson, "completeOrder", `, hours: 1.5, content: "送药上门"`); r.code() != "" || dig(r.Data, "completeOrder", "hours") != 1.5 {
		t.Fatalf("complete: %+v", r.Errors)
	}
	if r := act(memberPerson, "rateOrder", `, rating: 5`); r.code() != "FORBIDDEN" {
		t.Fatalf("rate by the member: %+v", r.Errors)
	}
	r := act(w.resident, "rateOrder", `, rating: 5, comment: "很好"`)
	if r.code() != "" || len(dig(r.Data, "rateOrder", "events").([]any)) != 5 {
		t.Fatalf("rate: %+v %v", r.Errors, r.Data)
	}
	if r := act(w.resident, "cancelOrder", ""); r.code() != "INVALID_TRANSITION" || !strings.Contains(r.Errors[0].Message, "rated") {
		t.Fatalf("cancel a rated order: %+v", r.Errors)
	}

	// The completion wrote the ledger: the member profile and the grid's quarterly ledger show it.
	d = e.ok(0, `query { node(id: "`+gid("PartyMember", member)+`") { ... on PartyMember { name
		ledger(last: 5) { hours content order { title } } serviceTotals { records hours } } } }`, nil)
	if dig(d, "node", "ledger", 0, "content") != "送药上门" || dig(d, "node", "serviceTotals", "hours") != 1.5 ||
		dig(d, "node", "ledger", 0, "order", "title") != "代购药品" {
		t.Fatalf("member ledger: %v", d)
	}
	now := time.Now()
	q := (int(now.Month())-1)/3 + 1
	d = e.ok(0, fmt.Sprintf(`query { gridLedger(gridId: "%s", year: %d, quarter: %d) { totalHours entries { name hours records { content } } } }`,
		gid("Grid", w.grid), now.Year(), q), nil)
	if dig(d, "gridLedger", "totalHours") != 1.5 || dig(d, "gridLedger", "entries", 0, "name") != "张党员" {
		t.Fatalf("grid ledger: %v", d)
	}
	e.fails(0, "BAD_USER_INPUT", `query { gridLedger(gridId: "`+gid("Grid", w.grid)+`", year: 2024, quarter: 5) { totalHours } }`, nil)
}

// Of many checked-in members claiming one published order at once, exactly one wins.
func TestConcurrentClaims(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	const n = 10
	people := make([]int64, n)
	for i := range people {
		people[i], _ = e.member(fmt.Sprintf("党员%d", i), w, true)
	}
	d := e.ok(w.resident, `mutation { postOrder(input: {categoryId: "`+gid("ServiceCategory", w.serviceCat)+`", gridId: "`+gid("Grid", w.grid)+`", title: "修水管"}) { id } }`, nil)
	id := dig(d, "postOrder", "id").(string)
	e.ok(w.cadrePerson, `mutation { publishOrder(input: {orderId: "`+id+`"}) { state } }`, nil)

	codes := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = e.do(people[i], `mutation { claimOrder(input: {orderId: "`+id+`"}) { state } }`, nil).code()
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
			t.Fatalf("unexpected code %q (%v)", c, codes)
		}
	}
	var claims int
	e.pool.QueryRow(t.Context(), `SELECT count(*) FROM order_events WHERE action = 'claim'`).Scan(&claims) //nolint:errcheck
	if wins != 1 || claims != 1 {
		t.Fatalf("want one winner and one claim event, got %d winners, %d events: %v", wins, claims, codes)
	}
}

func TestCheckinRosterAppointmentsRatings(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	_, member := e.member("孙党员", w, false)

	d := e.ok(w.cadrePerson, `mutation { registerCheckin(input: {memberId: "`+gid("PartyMember", member)+`", letterNo: "司法〔2024〕1号"}) { id state } }`, nil)
	cid := dig(d, "registerCheckin", "id").(string)
	r := e.fails(w.cadrePerson, "CONFLICT", `mutation { registerCheckin(input: {memberId: "`+gid("PartyMember", member)+`", letterNo: "again"}) { id } }`, nil)
	if r.Errors[0].Extensions["field"] != "memberId" {
		t.Fatalf("duplicate check-in names memberId: %v", r.Errors)
	}
	e.fails(w.resident, "FORBIDDEN", `mutation { verifyCheckin(input: {checkinId: "`+cid+`"}) { id } }`, nil)
	r = e.fails(w.cadrePerson, "BAD_USER_INPUT", `mutation { verifyCheckin(input: {checkinId: "`+cid+`", gridId: "`+gid("Grid", w.grid2)+`"}) { id } }`, nil)
	if r.Errors[0].Extensions["field"] != "gridId" {
		t.Fatalf("wrong grid: %v", r.Errors)
	}
	d = e.ok(w.cadrePerson, `mutation { verifyCheckin(input: {checkinId: "`+cid+`"}) { state grid { code } member { grid { code } }
		decidedBy { person { name } } } }`, nil)
	if dig(d, "verifyCheckin", "state") != "VERIFIED" || dig(d, "verifyCheckin", "member", "grid", "code") != "G1" ||
		dig(d, "verifyCheckin", "decidedBy", "person", "name") != "王干部" {
		t.Fatalf("verify: %v", d)
	}
	e.fails(w.cadrePerson, "INVALID_TRANSITION", `mutation { rejectCheckin(input: {checkinId: "`+cid+`", reason: "x"}) { id } }`, nil)

	// The public roster shows name, unit and building; the schema has no phone to ask for.
	d = e.ok(0, `query { gridRoster(gridId: "`+gid("Grid", w.grid)+`") { name unit { name } building { number } } }`, nil)
	if dig(d, "gridRoster", 0, "name") != "孙党员" || dig(d, "gridRoster", 0, "unit", "name") != "市司法局" {
		t.Fatalf("roster: %v", d)
	}
	e.fails(0, "BAD_USER_INPUT", `query { gridRoster(gridId: "`+gid("Grid", w.grid)+`") { phone } }`, nil)

	// A second member is rejected with a reason.
	_, other := e.member("周党员", w, false)
	d = e.ok(w.cadrePerson, `mutation { registerCheckin(input: {memberId: "`+gid("PartyMember", other)+`", letterNo: "L2"}) { id } }`, nil)
	oid := dig(d, "registerCheckin", "id").(string)
	e.fails(w.cadrePerson, "BAD_USER_INPUT", `mutation { rejectCheckin(input: {checkinId: "`+oid+`", reason: ""}) { id } }`, nil)
	d = e.ok(w.cadrePerson, `mutation { rejectCheckin(input: {checkinId: "`+oid+`", reason: "不在本社区居住"}) { state rejectReason } }`, nil)
	if dig(d, "rejectCheckin", "state") != "REJECTED" {
		t.Fatalf("reject: %v", d)
	}

	// Building leader: one at a time.
	appoint := `mutation($m: ID!) { appointBuildingRole(input: {buildingId: "` + gid("Building", w.building) + `", memberId: $m, role: BUILDING_LEADER, appointedOn: "2024-01-01"}) { id role appointedOn member { name } } }`
	d = e.ok(w.cadrePerson, appoint, map[string]any{"m": gid("PartyMember", member)})
	if dig(d, "appointBuildingRole", "appointedOn") != "2024-01-01" {
		t.Fatalf("appoint: %v", d)
	}
	e.fails(w.cadrePerson, "CONFLICT", appoint, map[string]any{"m": gid("PartyMember", other)})
	d = e.ok(0, `query { node(id: "`+gid("Building", w.building)+`") { ... on Building { appointments { role member { name } } } } }`, nil)
	if dig(d, "node", "appointments", 0, "member", "name") != "孙党员" {
		t.Fatalf("building appointments: %v", d)
	}

	// Year-end rating: once per member and year; the unit sees it.
	rate := `mutation($m: ID!) { rateMember(input: {memberId: $m, year: 2024, grade: GOOD}) { grade year } }`
	e.ok(w.cadrePerson, rate, map[string]any{"m": gid("PartyMember", member)})
	e.fails(w.cadrePerson, "CONFLICT", rate, map[string]any{"m": gid("PartyMember", member)})
	e.fails(w.cadrePerson, "BAD_USER_INPUT", rate, map[string]any{"m": gid("PartyMember", other)})
	d = e.ok(0, `query { node(id: "`+gid("Unit", w.unit)+`") { ... on Unit { members(filter: {checkedIn: true}, first: 10) {
		totalCount edges { node { name ratings { year grade } serviceTotals(year: 2024) { hours } checkin { state } } } } } } }`, nil)
	if dig(d, "node", "members", "totalCount") != 1.0 || dig(d, "node", "members", "edges", 0, "node", "ratings", 0, "grade") != "GOOD" {
		t.Fatalf("unit view: %v", d)
	}
}

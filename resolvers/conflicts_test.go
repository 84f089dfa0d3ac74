package resolvers_test

import (
	"testing"
)

// TestConflictsOfInterest: no one decides about themself. A resident who is also a party
// member cannot claim, complete or rate their own order; a cadre cannot decide their own
// check-in or rate themself. Each refusal is CONFLICT_OF_INTEREST and changes nothing.
func TestConflictsOfInterest(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	person, member := e.member("钱党员", w, true)
	grid := gid("Grid", w.grid)
	asResident := e.token("resident", grid, person)
	asMember := e.token("party_member", grid, person)
	cadre := e.token("community_cadre", gid("Community", w.community), w.cadrePerson)

	d := e.ok(person, `mutation { postOrder(input: {categoryId: "`+gid("ServiceCategory", w.serviceCat)+`", gridId: "`+grid+`", title: "自己下单"}) { id } }`, nil)
	order := dig(d, "postOrder", "id").(string)
	e.ok(w.cadrePerson, `mutation { publishOrder(input: {orderId: "`+order+`"}) { state } }`, nil)
	conflict := func(name, token, q string, vars map[string]any) {
		t.Helper()
		before := e.rows()
		r := e.as(token, q, vars)
		if r.code() != "CONFLICT_OF_INTEREST" {
			t.Errorf("%s: want CONFLICT_OF_INTEREST, got %+v", name, r.Errors)
		}
		if after := e.rows(); after != before {
			t.Errorf("%s: the refusal wrote %d rows", name, after-before)
		}
	}
	orderOp := `mutation($id: ID!) { claimOrder(input: {orderId: $id}) { state } }`
	conflict("claim one's own order", asMember, orderOp, map[string]any{"id": order})

	// An order that reached the member's hands before the rule: completing and rating it are
	// refused all the same.
	orderID := mustRowID(t, order)
	e.id(`UPDATE service_orders SET state = 'claimed', claimed_by = $1, claimed_at = now() WHERE id = $2 RETURNING id`, member, orderID)
	conflict("complete one's own order", asMember, `mutation($id: ID!) { completeOrder(input: {orderId: $id, hours: 2, content: "x"}) { state } }`,
		map[string]any{"id": order})
	e.id(`UPDATE service_orders SET state = 'completed', completed_at = now(), hours = 2 WHERE id = $1 RETURNING id`, orderID)
	conflict("rate an order one served", asResident, `mutation($id: ID!) { rateOrder(input: {orderId: $id, rating: 5}) { state } }`,
		map[string]any{"id": order})

	// The cadre is a party member too, with a pending check-in, and checked in last year.
	cadreMember := e.id(`INSERT INTO party_members (person_id, unit_id, street_id, community_id, building_id, grid_id)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, w.cadrePerson, w.unit, w.street, w.community, w.building, w.grid)
	checkin := e.id(`INSERT INTO checkins (member_id, street_id, community_id, letter_no) VALUES ($1, $2, $3, 'L-9') RETURNING id`,
		cadreMember, w.street, w.community)
	conflict("verify one's own check-in", cadre, `mutation($id: ID!) { verifyCheckin(input: {checkinId: $id}) { state } }`,
		map[string]any{"id": gid("Checkin", checkin)})
	conflict("reject one's own check-in", cadre, `mutation($id: ID!) { rejectCheckin(input: {checkinId: $id, reason: "x"}) { state } }`,
		map[string]any{"id": gid("Checkin", checkin)})
	e.id(`UPDATE checkins SET state = 'verified', grid_id = $1, decided_at = now() WHERE id = $2 RETURNING id`, w.grid, checkin)
	conflict("rate oneself", cadre, `mutation($id: ID!) { rateMember(input: {memberId: $id, year: 2025, grade: GOOD}) { grade } }`,
		map[string]any{"id": gid("PartyMember", cadreMember)})

	// The same decisions about someone else go through.
	e.ok(w.cadrePerson, `mutation($id: ID!) { rateMember(input: {memberId: $id, year: 2025, grade: GOOD}) { grade } }`,
		map[string]any{"id": gid("PartyMember", member)})
}

// TestReporterRoleComesFromTheToken: the capacity of a report is the token's role; an input
// claiming another is refused, and leaving it out stores the token's.
func TestReporterRoleComesFromTheToken(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	report := `mutation($in: ReportIssueInput!) { reportIssue(input: $in) { reporterRole } }`
	in := func(role any) map[string]any {
		v := map[string]any{"categoryId": gid("IssueCategory", w.issueCat), "gridId": gid("Grid", w.grid), "title": "路灯不亮"}
		if role != nil {
			v["reporterRole"] = role
		}
		return map[string]any{"in": v}
	}
	resident := e.token("resident", gid("Grid", w.grid), w.resident)
	before := e.rows()
	if r := e.as(resident, report, in("CADRE")); r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "reporterRole" {
		t.Errorf("a resident claiming to be a cadre: %+v", r.Errors)
	}
	if e.rows() != before {
		t.Errorf("the refused report was stored")
	}
	for _, c := range []struct {
		token, claimed any
		want           string
	}{
		{resident, nil, "RESIDENT"}, {resident, "RESIDENT", "RESIDENT"},
		{e.token("grid_worker", gid("Grid", w.grid), w.cadrePerson), nil, "GRID_WORKER"},
		{e.token("community_cadre", gid("Community", w.community), w.cadrePerson), nil, "CADRE"},
	} {
		r := e.as(c.token.(string), report, in(c.claimed))
		if r.code() != "" || dig(r.Data, "reportIssue", "reporterRole") != c.want {
			t.Errorf("report claiming %v: want %s, got %+v %v", c.claimed, c.want, r.Errors, r.Data)
		}
	}
}

// TestPeopleAWriteMayName: a community cadre may name the people who live in the community
// and those who serve there (its cadre who lives in another street); a person of another
// street with no role here is NOT_FOUND exactly like an absent one, and their name never
// comes back.
func TestPeopleAWriteMayName(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	streetB := e.id(`INSERT INTO streets (city_id, code, name, kind) VALUES ($1, 'S2', '半汤街道', 'street') RETURNING id`, w.city)
	commB := e.id(`INSERT INTO communities (street_id, code, name) VALUES ($1, 'CB', '汤山社区') RETURNING id`, streetB)
	outsider := e.id(`INSERT INTO people (name, street_id, community_id) VALUES ('外街居民', $1, $2) RETURNING id`, streetB, commB)
	commuter := e.id(`INSERT INTO people (name, street_id, community_id) VALUES ('外住干部', $1, $2) RETURNING id`, streetB, commB)
	e.id(`INSERT INTO cadres (person_id, kind, street_id, community_id) VALUES ($1, 'community_cadre', $2, $3) RETURNING id`,
		commuter, w.street, w.community)
	issue := e.id(`INSERT INTO issues (street_id, community_id, grid_id, category_id, title, reporter_id, reporter_role, state)
		VALUES ($1, $2, $3, $4, '井盖缺失', $5, 'resident', 'accepted') RETURNING id`, w.street, w.community, w.grid, w.issueCat, w.resident)
	cadre := e.token("community_cadre", gid("Community", w.community), w.cadrePerson)
	dispatch := `mutation($issue: ID!, $person: ID!) { dispatchIssue(input: {issueId: $issue, handlerKind: CADRE, handlerPersonId: $person}) {
		state handler { name } } }`
	vars := func(person string) map[string]any {
		return map[string]any{"issue": gid("Issue", issue), "person": person}
	}
	absent := e.as(cadre, dispatch, vars(gid("Person", 1<<40)))
	out := e.as(cadre, dispatch, vars(gid("Person", outsider)))
	if absent.code() != "NOT_FOUND" || out.code() != "NOT_FOUND" || out.Errors[0].Message != absent.Errors[0].Message ||
		out.Errors[0].Extensions["field"] != "handlerPersonId" {
		t.Errorf("a person of another street: %+v, an absent one: %+v", out.Errors, absent.Errors)
	}
	if r := e.as(cadre, dispatch, vars(gid("Person", commuter))); r.code() != "" || dig(r.Data, "dispatchIssue", "state") != "DISPATCHED" {
		t.Errorf("the community's own cadre, living elsewhere: %+v", r.Errors)
	}
}

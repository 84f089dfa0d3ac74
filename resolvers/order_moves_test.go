package resolvers_test

import (
	"testing"
	"time"
)

const orderFields = `state version declineReason claimDueAt completeDueAt late claimedBy { name } events(last: 10) { action fromState toState note }`

// orderMoves is a world with a posted order of its resident, a grid worker's token, and two
// members checked in to the order's grid.
type orderMoves struct {
	e                    *env
	w                    world
	order                string
	grid                 string
	memberPerson, member int64
	otherMember          int64
}

func newOrderMoves(t *testing.T) *orderMoves {
	e := newEnv(t)
	m := &orderMoves{e: e, w: e.world()}
	m.grid = e.token("grid_worker", gid("Grid", m.w.grid), m.w.cadrePerson)
	m.memberPerson, m.member = e.member("张党员", m.w, true)
	_, m.otherMember = e.member("赵党员", m.w, true)
	d := e.ok(m.w.resident, `mutation { postOrder(input: {categoryId: "`+gid("ServiceCategory", m.w.serviceCat)+`", gridId: "`+
		gid("Grid", m.w.grid)+`", title: "代购药品"}) { id } }`, nil)
	m.order = dig(d, "postOrder", "id").(string)
	return m
}

// act runs mutation on the order as token, with extra input fields.
func (m *orderMoves) act(token, mutation, extra string) gqlResp {
	return m.e.as(token, `mutation { `+mutation+`(input: {orderId: "`+m.order+`"`+extra+`}) { `+orderFields+` } }`, nil)
}

func TestOrderDeclined(t *testing.T) {
	m := newOrderMoves(t)
	member := m.e.token("party_member", gid("Grid", m.w.grid), m.memberPerson)
	wantCode(t, "by a party member", m.act(member, "declineOrder", `, reason: "x"`), "FORBIDDEN", "")
	wantCode(t, "no reason", m.act(m.grid, "declineOrder", `, reason: ""`), "BAD_USER_INPUT", "reason")
	wantCode(t, "stale version", m.act(m.grid, "declineOrder", `, reason: "x", version: 9`), "CONFLICT", "")
	own := m.e.token("grid_worker", gid("Grid", m.w.grid), m.w.resident)
	wantCode(t, "the resident's own request", m.act(own, "declineOrder", `, reason: "x"`), "CONFLICT_OF_INTEREST", "")
	_, _, otherCadre := m.e.elsewhere(m.w)
	wantCode(t, "another street", m.act(otherCadre, "declineOrder", `, reason: "x"`), "NOT_FOUND", "")
	r := m.act(m.grid, "declineOrder", `, reason: "不属于服务清单"`)
	if r.code() != "" || dig(r.Data, "declineOrder", "state") != "DECLINED" || dig(r.Data, "declineOrder", "events", 1, "note") != "不属于服务清单" {
		t.Fatalf("decline: %+v %v", r.Errors, r.Data)
	}
	// The resident sees the reason.
	r = m.e.as(m.e.token("resident", gid("Grid", m.w.grid), m.w.resident), `query { serviceOrders { edges { node { state declineReason } } } }`, nil)
	if dig(r.Data, "serviceOrders", "edges", 0, "node", "declineReason") != "不属于服务清单" {
		t.Fatalf("the resident's view: %+v %v", r.Errors, r.Data)
	}
	wantCode(t, "publish a declined order", m.act(m.grid, "publishOrder", ""), "INVALID_TRANSITION", "declined")
}

func TestOrderReleasedAndReassigned(t *testing.T) {
	m := newOrderMoves(t)
	member := m.e.token("party_member", gid("Grid", m.w.grid), m.memberPerson)
	wantCode(t, "release a posted order", m.act(m.grid, "releaseOrder", ""), "INVALID_TRANSITION", "posted")
	m.act(m.grid, "publishOrder", "")
	wantCode(t, "release a published order", m.act(m.grid, "releaseOrder", ""), "INVALID_TRANSITION", "published")
	if r := m.act(member, "claimOrder", ""); r.code() != "" {
		t.Fatalf("claim: %+v", r.Errors)
	}
	wantCode(t, "release, stale", m.act(member, "releaseOrder", `, version: 2`), "CONFLICT", "")
	r := m.act(member, "releaseOrder", `, note: "临时出差"`)
	if r.code() != "" || dig(r.Data, "releaseOrder", "state") != "PUBLISHED" || dig(r.Data, "releaseOrder", "claimedBy") != nil {
		t.Fatalf("release by the claimer: %+v %v", r.Errors, r.Data)
	}

	reassign := func(token string, member int64, extra string) gqlResp {
		return m.act(token, "reassignOrder", `, memberId: "`+gid("PartyMember", member)+`"`+extra)
	}
	wantCode(t, "reassign by a party member", reassign(member, m.otherMember, ""), "FORBIDDEN", "")
	_, outsider := m.e.member("钱党员", m.w, false)
	wantCode(t, "to a member not checked in", reassign(m.grid, outsider, ""), "BAD_USER_INPUT", "not checked in")
	residentMember := m.e.id(`INSERT INTO party_members (person_id, unit_id, street_id, community_id, building_id, grid_id)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, m.w.resident, m.w.unit, m.w.street, m.w.community, m.w.building, m.w.grid)
	m.e.id(`INSERT INTO checkins (member_id, street_id, community_id, grid_id, letter_no, state, decided_at)
		VALUES ($1, $2, $3, $4, 'L-9', 'verified', now()) RETURNING id`, residentMember, m.w.street, m.w.community, m.w.grid)
	wantCode(t, "to the resident who posted it", reassign(m.grid, residentMember, ""), "CONFLICT_OF_INTEREST", "")
	wantCode(t, "to no member", reassign(m.grid, 1<<40, ""), "NOT_FOUND", "")
	r = reassign(m.grid, m.otherMember, `, note: "就近安排"`)
	if r.code() != "" || dig(r.Data, "reassignOrder", "state") != "CLAIMED" || dig(r.Data, "reassignOrder", "claimedBy", "name") != "赵党员" {
		t.Fatalf("reassign a published order: %+v %v", r.Errors, r.Data)
	}
	wantCode(t, "to the member who holds it", reassign(m.grid, m.otherMember, ""), "BAD_USER_INPUT", "already")
	wantCode(t, "release by another member", m.act(member, "releaseOrder", ""), "NOT_FOUND", "")
	r = reassign(m.grid, m.member, "")
	if r.code() != "" || dig(r.Data, "reassignOrder", "claimedBy", "name") != "张党员" {
		t.Fatalf("reassign a claimed order: %+v %v", r.Errors, r.Data)
	}
	r = m.act(m.grid, "releaseOrder", "")
	events := dig(r.Data, "releaseOrder", "events").([]any)
	var actions []any
	for _, ev := range events {
		actions = append(actions, dig(ev, "action"))
	}
	if r.code() != "" || len(actions) != 7 || actions[3] != "RELEASE" || actions[4] != "REASSIGN" || actions[6] != "RELEASE" {
		t.Fatalf("history: %+v %v", r.Errors, actions)
	}
}

func TestOrderDueTimesAndLate(t *testing.T) {
	m := newOrderMoves(t)
	configure := func(token, extra string) gqlResp {
		return m.e.as(token, `mutation { configureServiceCategory(input: {categoryId: "`+gid("ServiceCategory", m.w.serviceCat)+`"`+
			extra+`}) { claimWithinHours completeWithinHours version } }`, nil)
	}
	wantCode(t, "by a grid worker", configure(m.grid, `, claimWithinHours: 2`), "FORBIDDEN", "")
	admin := m.e.token("city_admin", "city", m.w.cadrePerson)
	wantCode(t, "no hours", configure(admin, `, claimWithinHours: 0`), "BAD_USER_INPUT", "claimWithinHours")
	wantCode(t, "stale version", configure(admin, `, claimWithinHours: 2, version: 5`), "CONFLICT", "")
	if r := configure(admin, `, claimWithinHours: 2, completeWithinHours: 24, version: 1`); r.code() != "" ||
		dig(r.Data, "configureServiceCategory", "claimWithinHours") != 2.0 {
		t.Fatalf("configure: %+v %v", r.Errors, r.Data)
	}
	r := m.act(m.grid, "publishOrder", "")
	due, err := time.Parse(time.RFC3339, dig(r.Data, "publishOrder", "claimDueAt").(string))
	if err != nil || due.Sub(time.Now()) < 119*time.Minute || due.Sub(time.Now()) > 121*time.Minute || dig(r.Data, "publishOrder", "late") != false {
		t.Fatalf("claim due two hours after publishing: %v %v", err, r.Data)
	}
	late := func(late bool, want float64) {
		t.Helper()
		r := m.e.as(m.grid, `query($l: Boolean) { serviceOrders(filter: {late: $l}) { totalCount edges { node { late } } } }`, map[string]any{"l": late})
		if r.code() != "" || dig(r.Data, "serviceOrders", "totalCount") != want {
			t.Fatalf("late: %v: want %v, got %+v %v", late, want, r.Errors, r.Data)
		}
	}
	late(true, 0)
	m.e.id(`UPDATE service_orders SET claim_due_at = now() - interval '1 minute' RETURNING id`)
	late(true, 1)
	late(false, 0)
	member := m.e.token("party_member", gid("Grid", m.w.grid), m.memberPerson)
	r = m.act(member, "claimOrder", "")
	if r.code() != "" || dig(r.Data, "claimOrder", "completeDueAt") == nil || dig(r.Data, "claimOrder", "late") != false {
		t.Fatalf("claimed: %+v %v", r.Errors, r.Data)
	}
	late(false, 1)
}

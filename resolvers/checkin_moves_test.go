package resolvers_test

import (
	"strings"
	"testing"
	"time"
)

// elsewhere adds a second street with a community, a grid and a cadre of it; it gives the
// community, the grid and the cadre's token.
func (e *env) elsewhere(w world) (community, grid int64, cadre string) {
	e.t.Helper()
	street := e.id(`INSERT INTO streets (city_id, code, name, kind) VALUES ($1, 'S2', '中庙街道', 'street') RETURNING id`, w.city)
	community = e.id(`INSERT INTO communities (street_id, code, name) VALUES ($1, 'C2', '姥山社区') RETURNING id`, street)
	grid = e.id(`INSERT INTO grids (street_id, community_id, code, name) VALUES ($1, $2, 'G9', '第九网格') RETURNING id`, street, community)
	person := e.id(`INSERT INTO people (name, street_id, community_id) VALUES ('刘干部', $1, $2) RETURNING id`, street, community)
	e.id(`INSERT INTO cadres (person_id, kind, street_id, community_id) VALUES ($1, 'community_cadre', $2, $3) RETURNING id`, person, street, community)
	return community, grid, e.token("community_cadre", gid("Community", community), person)
}

// wantCode fails unless r failed with code and, when given, a message or field naming what.
func wantCode(t *testing.T, what string, r gqlResp, code, naming string) {
	t.Helper()
	if r.code() != code || (naming != "" && !strings.Contains(r.Errors[0].Message, naming) && r.Errors[0].Extensions["field"] != naming) {
		t.Fatalf("%s: want %s naming %q, got %+v (data %v)", what, code, naming, r.Errors, r.Data)
	}
}

const checkinFields = `id state version endReason reverifiedYear reverificationDue transferredTo { id state }
	transferredFrom { id } events(last: 10) { action fromState toState note actorRole }`

func TestCheckinWithdrawal(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	memberPerson, member := e.member("孙党员", w, false)
	cadre := e.token("community_cadre", gid("Community", w.community), w.cadrePerson)
	own := e.token("party_member", gid("Grid", w.grid), memberPerson)
	d := e.ok(w.cadrePerson, `mutation { registerCheckin(input: {memberId: "`+gid("PartyMember", member)+`", letterNo: "L1"}) { id } }`, nil)
	cid := dig(d, "registerCheckin", "id").(string)
	e.ok(w.cadrePerson, `mutation { verifyCheckin(input: {checkinId: "`+cid+`"}) { state } }`, nil)
	withdraw := func(token, reason string, version int) gqlResp {
		return e.as(token, `mutation($r: String!, $v: Int) { withdrawCheckin(input: {checkinId: "`+cid+`", reason: $r, version: $v}) { `+
			checkinFields+` } }`, map[string]any{"r": reason, "v": version})
	}
	wantCode(t, "a resident", withdraw(e.token("resident", gid("Grid", w.grid), w.resident), "x", 2), "FORBIDDEN", "")
	wantCode(t, "stale version", withdraw(own, "搬走了", 1), "CONFLICT", "")
	wantCode(t, "no reason", withdraw(own, "", 2), "BAD_USER_INPUT", "reason")
	_, _, otherCadre := e.elsewhere(w)
	wantCode(t, "a cadre of another community", withdraw(otherCadre, "x", 2), "NOT_FOUND", "")
	r := withdraw(own, "工作调动", 2)
	if r.code() != "" || dig(r.Data, "withdrawCheckin", "state") != "WITHDRAWN" || dig(r.Data, "withdrawCheckin", "endReason") != "工作调动" {
		t.Fatalf("withdraw: %+v %v", r.Errors, r.Data)
	}
	events := dig(r.Data, "withdrawCheckin", "events").([]any)
	if len(events) != 3 || dig(events[0], "action") != "REGISTER" || dig(events[1], "action") != "VERIFY" ||
		dig(events[2], "action") != "WITHDRAW" || dig(events[2], "fromState") != "VERIFIED" || dig(events[2], "note") != "工作调动" ||
		dig(events[2], "actorRole") != "party_member" {
		t.Fatalf("history: %v", events)
	}
	wantCode(t, "withdrawn again", withdraw(cadre, "x", 3), "INVALID_TRANSITION", "withdrawn")
	// The member's unit was told of the verification and of the withdrawal, each naming the check-in.
	d = e.ok(0, `query { unitNotices(filter: {kinds: [CHECKIN]}) { edges { node { text checkin { id state } member { id } } } } }`, nil)
	notices := dig(d, "unitNotices", "edges").([]any)
	if len(notices) != 2 || dig(notices[0], "node", "text") != "已退出社区报到: 工作调动" ||
		dig(notices[0], "node", "checkin", "id") != cid || dig(notices[1], "node", "text") != "到社区报到已核实" {
		t.Fatalf("unit notices: %v", notices)
	}
	// Withdrawn, the member claims nothing and leaves the roster; a new check-in may follow.
	d = e.ok(0, `query { gridRoster(gridId: "`+gid("Grid", w.grid)+`") { name } }`, nil)
	if len(dig(d, "gridRoster").([]any)) != 0 {
		t.Fatalf("roster after withdrawal: %v", d)
	}
	e.ok(w.cadrePerson, `mutation { registerCheckin(input: {memberId: "`+gid("PartyMember", member)+`", letterNo: "L2"}) { id } }`, nil)
}

func TestCheckinTransfer(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	memberPerson, member := e.member("孙党员", w, true)
	own := e.token("party_member", gid("Grid", w.grid), memberPerson)
	cid := gid("Checkin", e.id(`SELECT id FROM checkins WHERE member_id = $1`, member))
	target, targetGrid, targetCadre := e.elsewhere(w)
	transfer := func(token, community string, version int) gqlResp {
		return e.as(token, `mutation($c: ID!, $v: Int) { transferCheckin(input: {checkinId: "`+cid+`", communityId: $c, note: "搬家", version: $v}) { `+
			checkinFields+` } }`, map[string]any{"c": community, "v": version})
	}
	wantCode(t, "to its own community", transfer(own, gid("Community", w.community), 1), "BAD_USER_INPUT", "")
	wantCode(t, "to no community", transfer(own, gid("Community", 1<<40), 1), "NOT_FOUND", "")
	wantCode(t, "stale version", transfer(own, gid("Community", target), 7), "CONFLICT", "")
	wantCode(t, "by the target's cadre", transfer(targetCadre, gid("Community", target), 1), "NOT_FOUND", "")
	// The member names a community of another street: the directory, not their scope.
	r := transfer(own, gid("Community", target), 1)
	if r.code() != "" || dig(r.Data, "transferCheckin", "state") != "TRANSFERRED" ||
		dig(r.Data, "transferCheckin", "transferredTo", "state") != "PENDING" ||
		dig(r.Data, "transferCheckin", "events", 0, "action") != "TRANSFER" {
		t.Fatalf("transfer: %+v %v", r.Errors, r.Data)
	}
	newID := dig(r.Data, "transferCheckin", "transferredTo", "id").(string)
	wantCode(t, "transferred again", transfer(own, gid("Community", target), 2), "INVALID_TRANSITION", "transferred")

	// The target community's cadre finds it pending and verifies it with a grid of theirs.
	d := e.ok(0, `query { node(id: "`+newID+`") { ... on Checkin { community { code } transferredFrom { id } events { action toState } } } }`, nil)
	if dig(d, "node", "transferredFrom", "id") != cid || dig(d, "node", "community", "code") != "C2" || dig(d, "node", "events", 0, "action") != "TRANSFER_IN" {
		t.Fatalf("the new check-in: %v", d)
	}
	r = e.as(targetCadre, `query { checkins(filter: {states: [PENDING]}) { totalCount edges { node { id member { name } } } } }`, nil)
	if r.code() != "" || dig(r.Data, "checkins", "totalCount") != 1.0 || dig(r.Data, "checkins", "edges", 0, "node", "member", "name") != "孙党员" {
		t.Fatalf("the target's queue: %+v %v", r.Errors, r.Data)
	}
	r = e.as(targetCadre, `mutation { verifyCheckin(input: {checkinId: "`+newID+`", gridId: "`+gid("Grid", targetGrid)+`"}) { state grid { code } } }`, nil)
	if r.code() != "" || dig(r.Data, "verifyCheckin", "grid", "code") != "G9" {
		t.Fatalf("verify at the target: %+v %v", r.Errors, r.Data)
	}
	// The old community no longer reaches the new check-in.
	cadre := e.token("community_cadre", gid("Community", w.community), w.cadrePerson)
	r = e.as(cadre, `query { checkins { edges { node { state member { name } transferredTo { id } } } } }`, nil)
	if r.code() != "" || dig(r.Data, "checkins", "edges", 0, "node", "state") != "TRANSFERRED" ||
		dig(r.Data, "checkins", "edges", 0, "node", "member", "name") != "孙党员" || dig(r.Data, "checkins", "edges", 0, "node", "transferredTo") != nil {
		t.Fatalf("the old community's view: %+v %v", r.Errors, r.Data)
	}
}

func TestCheckinReverification(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	memberPerson, member := e.member("孙党员", w, true)
	checkin := e.id(`SELECT id FROM checkins WHERE member_id = $1`, member)
	cid := gid("Checkin", checkin)
	cadre := e.token("community_cadre", gid("Community", w.community), w.cadrePerson)
	reverify := func(token string, version int) gqlResp {
		return e.as(token, `mutation($v: Int) { reverifyCheckin(input: {checkinId: "`+cid+`", version: $v}) { `+checkinFields+` } }`,
			map[string]any{"v": version})
	}
	year := time.Now().In(time.FixedZone("CST", 8*3600)).Year()
	wantCode(t, "verified this year", reverify(cadre, 1), "INVALID_TRANSITION", "verified for")
	due := func(want float64) {
		t.Helper()
		r := e.as(cadre, `query { checkins(filter: {reverificationDue: true}) { totalCount edges { node { reverificationDue } } } }`, nil)
		if r.code() != "" || dig(r.Data, "checkins", "totalCount") != want {
			t.Fatalf("due for re-verification: want %v, got %+v %v", want, r.Errors, r.Data)
		}
	}
	due(0)
	e.id(`UPDATE checkins SET decided_at = now() - interval '400 days' WHERE id = $1 RETURNING version`, checkin)
	due(1)
	wantCode(t, "a party member", reverify(e.token("party_member", gid("Grid", w.grid), memberPerson), 2), "FORBIDDEN", "")
	wantCode(t, "stale version", reverify(cadre, 1), "CONFLICT", "")
	r := reverify(cadre, 2)
	if r.code() != "" || dig(r.Data, "reverifyCheckin", "reverifiedYear") != float64(year) ||
		dig(r.Data, "reverifyCheckin", "reverificationDue") != false || dig(r.Data, "reverifyCheckin", "events", 0, "action") != "REVERIFY" {
		t.Fatalf("re-verify: %+v %v", r.Errors, r.Data)
	}
	due(0)
	wantCode(t, "twice a year", reverify(cadre, 3), "INVALID_TRANSITION", "verified for")
	e.ok(w.cadrePerson, `mutation { withdrawCheckin(input: {checkinId: "`+cid+`", reason: "x"}) { state } }`, nil)
	wantCode(t, "withdrawn", reverify(cadre, 4), "INVALID_TRANSITION", "withdrawn")
}

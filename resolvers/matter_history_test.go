package resolvers_test

import (
	"context"
	"testing"
)

// TestMatterHistory: every change of a joint-meeting matter's outcome appends one immutable
// history row (who, in which role, when, from, to, a note) in the transaction of the change;
// a refused transition, a version conflict, a change out of scope and a change whose history
// cannot be written append nothing and change nothing.
func TestMatterHistory(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	commB, _, _, _ := e.communityB(w)
	cadre := e.token("community_cadre", gid("Community", w.community), w.cadrePerson)
	ctx := context.Background()
	events := func(matter string) int64 {
		t.Helper()
		return e.id(`SELECT count(*) FROM matter_events WHERE matter_id = $1`, mustRowID(t, matter))
	}
	outcome := func(matter string) string {
		t.Helper()
		var o string
		if err := e.pool.QueryRow(ctx, `SELECT outcome FROM meeting_matters WHERE id = $1`, mustRowID(t, matter)).Scan(&o); err != nil {
			t.Fatal(err)
		}
		return o
	}
	set := func(token string, in map[string]any) gqlResp {
		t.Helper()
		return e.as(token, `mutation($in: SetMatterOutcomeInput!) { setMatterOutcome(input: $in) { outcome version
			history { action actor { name } actorRole fromOutcome toOutcome note at } } }`, map[string]any{"in": in})
	}

	// Recording a meeting starts each matter's history.
	r := e.as(cadre, `mutation($in: HoldJointMeetingInput!) { holdJointMeeting(input: $in) { id version matters { id outcome version
		history { action actor { name } actorRole fromOutcome toOutcome note } } } }`, map[string]any{"in": map[string]any{
		"communityId": gid("Community", w.community), "heldOn": "2024-06-28", "title": "二季度联席会", "matters": []any{
			map[string]any{"kind": "MAJOR_MATTER", "title": "加装电梯", "outcome": "DISCUSSED"},
			map[string]any{"kind": "DISPUTE", "title": "邻里漏水纠纷", "outcome": "UNRESOLVED"},
			map[string]any{"kind": "URGENT_MATTER", "title": "汛期排涝", "outcome": "UNRESOLVED"}}}})
	if len(r.Errors) > 0 {
		t.Fatalf("hold meeting: %+v", r.Errors)
	}
	matters := dig(r.Data, "holdJointMeeting", "matters").([]any)
	major, dispute, urgent := matters[0].(map[string]any), matters[1].(map[string]any), matters[2].(map[string]any)
	rec := dig(major, "history", 0).(map[string]any)
	if len(major["history"].([]any)) != 1 || rec["action"] != "RECORD" || dig(rec, "actor", "name") != "王干部" || rec["actorRole"] != "community_cadre" ||
		rec["fromOutcome"] != nil || rec["toOutcome"] != "DISCUSSED" {
		t.Fatalf("history of a recorded matter: %v", major["history"])
	}
	if events(major["id"].(string)) != 1 || events(dispute["id"].(string)) != 1 || e.id(`SELECT count(*) FROM matter_events`) != 3 {
		t.Fatalf("recording wrote %d and %d events", events(major["id"].(string)), events(dispute["id"].(string)))
	}

	// A change appends exactly one row: actor, role, from, to, note; newest last.
	r = set(cadre, map[string]any{"matterId": major["id"], "outcome": "DECIDED", "note": "三季度联席会表决通过", "version": major["version"]})
	if len(r.Errors) > 0 {
		t.Fatalf("decide: %+v", r.Errors)
	}
	got := dig(r.Data, "setMatterOutcome").(map[string]any)
	hist := got["history"].([]any)
	if got["outcome"] != "DECIDED" || len(hist) != 2 || dig(hist[0], "action") != "RECORD" {
		t.Fatalf("after deciding: %v", got)
	}
	last := hist[1].(map[string]any)
	if last["action"] != "SET_OUTCOME" || dig(last, "actor", "name") != "王干部" || last["actorRole"] != "community_cadre" ||
		last["fromOutcome"] != "DISCUSSED" || last["toOutcome"] != "DECIDED" || last["note"] != "三季度联席会表决通过" {
		t.Fatalf("the change's entry: %v", last)
	}
	if n := events(major["id"].(string)); n != 2 {
		t.Fatalf("the change wrote %d events in all, want 2", n)
	}
	var actorID, matter int64
	var role, from, to, note string
	if err := e.pool.QueryRow(ctx, `SELECT actor_id, actor_role, from_state, to_state, note, matter_id FROM matter_events
		WHERE action = 'set_outcome'`).Scan(&actorID, &role, &from, &to, &note, &matter); err != nil {
		t.Fatal(err)
	}
	if actorID != w.cadrePerson || role != "community_cadre" || from != "discussed" || to != "decided" || note != "三季度联席会表决通过" ||
		matter != mustRowID(t, major["id"].(string)) {
		t.Fatalf("stored event: %d %s %s→%s %q matter %d", actorID, role, from, to, note, matter)
	}
	// A street cadre acting on it is recorded in their own role, and the entry is the newest.
	street := e.token("street_cadre", gid("Street", w.street), w.cadrePerson)
	uv := urgent["version"]
	r = set(street, map[string]any{"matterId": urgent["id"], "outcome": "DISCUSSED", "version": uv})
	if len(r.Errors) > 0 || dig(r.Data, "setMatterOutcome", "history", 1, "actorRole") != "street_cadre" ||
		dig(r.Data, "setMatterOutcome", "history", 1, "note") != "" {
		t.Fatalf("street cadre's change: %+v %v", r.Errors, r.Data)
	}

	// Refused changes append nothing and change nothing.
	before := e.id(`SELECT count(*) FROM matter_events`)
	refusals := []struct {
		name, token, code string
		in                map[string]any
	}{
		{"invalid transition", cadre, "INVALID_TRANSITION", map[string]any{"matterId": major["id"], "outcome": "DISCUSSED", "note": "重议"}},
		{"outcome not for its kind", cadre, "BAD_USER_INPUT", map[string]any{"matterId": major["id"], "outcome": "MEDIATED"}},
		{"stale version", cadre, "CONFLICT", map[string]any{"matterId": urgent["id"], "outcome": "DECIDED", "version": uv}},
		{"made-up version", cadre, "CONFLICT", map[string]any{"matterId": dispute["id"], "outcome": "MEDIATED", "version": 99}},
		{"out of scope", e.token("community_cadre", gid("Community", commB), w.cadrePerson), "NOT_FOUND",
			map[string]any{"matterId": dispute["id"], "outcome": "MEDIATED"}},
		{"not a cadre", e.token("leader", "city", w.cadrePerson), "FORBIDDEN", map[string]any{"matterId": dispute["id"], "outcome": "MEDIATED"}},
		// The outcome is updated before the history row is written; the row cannot be stored,
		// so the whole change rolls back.
		{"history that cannot be written", cadre, "BAD_USER_INPUT", map[string]any{"matterId": dispute["id"], "outcome": "MEDIATED", "note": "调解\x00成功"}},
	}
	for _, c := range refusals {
		r := set(c.token, c.in)
		if r.code() != c.code {
			t.Errorf("%s: want %s, got %+v", c.name, c.code, r.Errors)
		}
		if n := e.id(`SELECT count(*) FROM matter_events`); n != before {
			t.Errorf("%s appended %d history rows", c.name, n-before)
		}
	}
	if outcome(major["id"].(string)) != "decided" || outcome(dispute["id"].(string)) != "unresolved" || outcome(urgent["id"].(string)) != "discussed" {
		t.Fatalf("refused changes changed outcomes: %s, %s, %s", outcome(major["id"].(string)), outcome(dispute["id"].(string)), outcome(urgent["id"].(string)))
	}
	// The dispute can still be mediated: one more row.
	if r := set(cadre, map[string]any{"matterId": dispute["id"], "outcome": "MEDIATED", "note": "调解成功"}); len(r.Errors) > 0 ||
		dig(r.Data, "setMatterOutcome", "history", 1, "toOutcome") != "MEDIATED" {
		t.Fatalf("mediate: %+v %v", r.Errors, r.Data)
	}
	if n := e.id(`SELECT count(*) FROM matter_events`); n != before+1 {
		t.Fatalf("mediation wrote %d rows", n-before)
	}
	before++

	// The history is immutable.
	if _, err := e.pool.Exec(ctx, `UPDATE matter_events SET note = 'rewritten'`); err == nil {
		t.Error("matter_events accepted an update")
	}
	if _, err := e.pool.Exec(ctx, `DELETE FROM matter_events`); err == nil {
		t.Error("matter_events accepted a delete")
	}
	// Every history row a mutation wrote is in the audit log, with the mutation that wrote it.
	d := e.ok(admin, `{ auditRecords(filter: {targetTable: "matter_events"}) { totalCount edges { node { mutation } } } }`, nil)
	if dig(d, "auditRecords", "totalCount") != float64(before) || dig(d, "auditRecords", "edges", 0, "node", "mutation") != "setMatterOutcome" {
		t.Errorf("audit of the history: %v (%d rows)", d, before)
	}

	// Reading: newest last, last bounds it, out of scope sees nothing.
	q := `query($id: ID!, $n: Int) { node(id: $id) { ... on MeetingMatter { history(last: $n) { action toOutcome } } } }`
	d = e.ok(admin, q, map[string]any{"id": major["id"], "n": 1})
	if h := dig(d, "node", "history").([]any); len(h) != 1 || dig(h[0], "toOutcome") != "DECIDED" {
		t.Errorf("last entry: %v", h)
	}
	d = e.ok(admin, q, map[string]any{"id": major["id"], "n": 0})
	if h := dig(d, "node", "history").([]any); len(h) != 0 {
		t.Errorf("no entries: %v", h)
	}
	e.fails(admin, "BAD_USER_INPUT", q, map[string]any{"id": major["id"], "n": 101})
	if r := e.as(e.token("community_cadre", gid("Community", commB), w.cadrePerson), q, map[string]any{"id": major["id"]}); r.code() != "NOT_FOUND" {
		t.Errorf("another community reads the history: %+v %v", r.Errors, r.Data)
	}
	d = e.ok(admin, `{ jointMeetings(first: 5) { edges { node { matters { title history(last: 5) { action fromOutcome toOutcome } } } } } }`, nil)
	if h := dig(d, "jointMeetings", "edges", 0, "node", "matters", 2, "history").([]any); len(h) != 2 || dig(h[1], "fromOutcome") != "UNRESOLVED" ||
		dig(h[1], "toOutcome") != "DISCUSSED" {
		t.Errorf("history through the meeting list: %v", h)
	}
}

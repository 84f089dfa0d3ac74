package resolvers_test

import (
	"strings"
	"testing"
	"time"
)

// meetingFixture is a world with a second community in another street, a partner and a party
// member of the first community, and a community cadre's token over it.
type meetingFixture struct {
	e                       *env
	w                       world
	cadre                   string
	partner, member, remote int64
	otherCommunity          int64
}

func newMeetingFixture(t *testing.T) meetingFixture {
	e := newEnv(t)
	w := e.world()
	f := meetingFixture{e: e, w: w, cadre: e.token("community_cadre", gid("Community", w.community), w.cadrePerson)}
	f.partner = e.person("孙片警", w)
	e.id(`INSERT INTO partners (person_id, street_id, community_id, kind, organisation) VALUES ($1, $2, $3, 'community_police', '派出所') RETURNING id`,
		f.partner, w.street, w.community)
	f.member, _ = e.member("赵党员", w, true)
	street2 := e.id(`INSERT INTO streets (city_id, code, name, kind) VALUES ($1, 'S2', '天河街道', 'street') RETURNING id`, w.city)
	f.otherCommunity = e.id(`INSERT INTO communities (street_id, code, name) VALUES ($1, 'C2', '湖光社区') RETURNING id`, street2)
	f.remote = e.id(`INSERT INTO people (name, street_id, community_id) VALUES ('外街居民', $1, $2) RETURNING id`, street2, f.otherCommunity)
	return f
}

// run calls mutation name with input in as token and gives the response.
func (f meetingFixture) run(token, name, input string, in map[string]any, fields string) gqlResp {
	f.e.t.Helper()
	return f.e.as(token, `mutation($in: `+input+`!) { `+name+`(input: $in) { `+fields+` } }`, map[string]any{"in": in})
}

// ok runs a mutation as the community cadre that must succeed.
func (f meetingFixture) ok(name, input string, in map[string]any, fields string) map[string]any {
	f.e.t.Helper()
	r := f.run(f.cadre, name, input, in, fields)
	if len(r.Errors) > 0 {
		f.e.t.Fatalf("%s: %+v", name, r.Errors)
	}
	return dig(r.Data, name).(map[string]any)
}

// refused runs a mutation as token that must fail with code, and gives the error message.
func (f meetingFixture) refused(token, code, name, input string, in map[string]any) string {
	f.e.t.Helper()
	r := f.run(token, name, input, in, "id")
	if r.code() != code {
		f.e.t.Fatalf("%s: want %s, got %+v", name, code, r.Errors)
	}
	return r.Errors[0].Message
}

func (f meetingFixture) schedule(attendees ...any) map[string]any {
	f.e.t.Helper()
	return f.ok("scheduleJointMeeting", "ScheduleJointMeetingInput", map[string]any{
		"communityId": gid("Community", f.w.community), "scheduledAt": time.Now().Add(72 * time.Hour).Format(time.RFC3339),
		"place": "党群服务中心", "title": "三季度联席会", "agenda": []any{"加装电梯", " 停车难 "}, "attendees": attendees},
		"id version state place agenda heldOn namedAttendees { person { name } role attended unit { name } } history { action toState }")
}

func attendee(person int64, role string) map[string]any {
	return map[string]any{"personId": gid("Person", person), "role": role}
}

func TestJointMeetingScheduledHeldAndRaised(t *testing.T) {
	f := newMeetingFixture(t)
	e, w := f.e, f.w
	rep := attendee(w.resident, "UNIT_REPRESENTATIVE")
	rep["unitId"] = gid("Unit", w.unit)
	m := f.schedule(attendee(w.cadrePerson, "CADRE"), attendee(f.partner, "PARTNER"), attendee(f.member, "PARTY_MEMBER"), rep)
	if m["state"] != "SCHEDULED" || len(m["agenda"].([]any)) != 2 || dig(m, "agenda", 1) != "停车难" ||
		len(m["namedAttendees"].([]any)) != 4 || dig(m, "namedAttendees", 0, "attended") != nil ||
		dig(m, "namedAttendees", 3, "unit", "name") != "市司法局" || dig(m, "history", 0, "action") != "SCHEDULE" {
		t.Fatalf("schedule: %v", m)
	}

	// A scheduled meeting takes no matter until held; the refusal names its state.
	msg := f.refused(f.cadre, "INVALID_TRANSITION", "recordMeetingMatter", "RecordMeetingMatterInput", map[string]any{"meetingId": m["id"],
		"matter": map[string]any{"kind": "MAJOR_MATTER", "title": "x", "outcome": "DISCUSSED"}})
	if !strings.Contains(msg, "scheduled") {
		t.Fatalf("refusal names the state: %s", msg)
	}
	// Rescheduling: a stale version is CONFLICT; the right one moves the day and keeps the place.
	later := time.Now().Add(10 * 24 * time.Hour)
	move := map[string]any{"meetingId": m["id"], "scheduledAt": later.Format(time.RFC3339), "note": "书记出差", "version": m["version"]}
	moved := f.ok("rescheduleJointMeeting", "RescheduleJointMeetingInput", move, "version heldOn place state history { action note }")
	if moved["heldOn"] != later.In(shanghai(t)).Format(time.DateOnly) || moved["place"] != "党群服务中心" || dig(moved, "history", 1, "note") != "书记出差" {
		t.Fatalf("reschedule: %v", moved)
	}
	f.refused(f.cadre, "CONFLICT", "rescheduleJointMeeting", "RescheduleJointMeetingInput", move)

	// Minutes: only people named can be marked present; then it is held and final.
	minutes := map[string]any{"meetingId": m["id"], "minutes": "议定加装电梯方案", "heldOn": time.Now().Format(time.DateOnly),
		"attended": []any{gid("Person", w.cadrePerson), gid("Person", f.partner), gid("Person", e.person("路人", w))}, "version": moved["version"]}
	f.refused(f.cadre, "BAD_USER_INPUT", "recordMeetingMinutes", "RecordMeetingMinutesInput", minutes)
	minutes["attended"] = []any{gid("Person", w.cadrePerson), gid("Person", f.partner)}
	minutes["matters"] = []any{map[string]any{"kind": "MAJOR_MATTER", "title": "加装电梯", "outcome": "DECIDED"},
		map[string]any{"kind": "DISPUTE", "title": "漏水纠纷", "outcome": "MEDIATED"}}
	held := f.ok("recordMeetingMinutes", "RecordMeetingMinutesInput", minutes,
		"state minutes attendees version namedAttendees { attended } matters { id version outcome } history { action fromState toState }")
	if held["state"] != "HELD" || held["attendees"] != 2.0 || dig(held, "namedAttendees", 0, "attended") != true ||
		dig(held, "namedAttendees", 2, "attended") != false || dig(held, "history", 2, "fromState") != "SCHEDULED" ||
		dig(held, "history", 2, "action") != "RECORD_MINUTES" {
		t.Fatalf("minutes: %v", held)
	}
	msg = f.refused(f.cadre, "INVALID_TRANSITION", "cancelJointMeeting", "CancelJointMeetingInput", map[string]any{"meetingId": m["id"], "reason": "x"})
	if !strings.Contains(msg, "held") {
		t.Fatalf("refusal names the state: %s", msg)
	}

	// The decided matter becomes an issue in one step, linked both ways, once.
	decided, mediated := dig(held, "matters", 0).(map[string]any), dig(held, "matters", 1).(map[string]any)
	raise := map[string]any{"matterId": decided["id"], "categoryId": gid("IssueCategory", w.issueCat), "gridId": gid("Grid", w.grid2),
		"version": decided["version"]}
	got := f.ok("raiseMatterIssue", "RaiseMatterIssueInput", raise,
		"issue { title state grid { code } reporterRole meetingMatter { id } events { action } } history { action } outcome")
	if dig(got, "issue", "title") != "加装电梯" || dig(got, "issue", "state") != "REPORTED" || dig(got, "issue", "grid", "code") != "G2" ||
		dig(got, "issue", "meetingMatter", "id") != decided["id"] || dig(got, "issue", "events", 0, "action") != "REPORT" ||
		dig(got, "history", 1, "action") != "RAISE_ISSUE" || got["outcome"] != "DECIDED" {
		t.Fatalf("raise: %v", got)
	}
	delete(raise, "version")
	msg = f.refused(f.cadre, "INVALID_TRANSITION", "raiseMatterIssue", "RaiseMatterIssueInput", raise)
	if !strings.Contains(msg, "raised") {
		t.Fatalf("a matter is raised once: %s", msg)
	}
	raise["matterId"] = mediated["id"]
	if msg = f.refused(f.cadre, "INVALID_TRANSITION", "raiseMatterIssue", "RaiseMatterIssueInput", raise); !strings.Contains(msg, "mediated") {
		t.Fatalf("a mediated dispute is not raised: %s", msg)
	}
	if n := e.id(`SELECT count(*) FROM issues WHERE matter_id IS NOT NULL`); n != 1 {
		t.Fatalf("issues raised: %d", n)
	}
}

func shanghai(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestJointMeetingRefusals(t *testing.T) {
	f := newMeetingFixture(t)
	e, w := f.e, f.w
	before := e.id(`SELECT count(*) FROM joint_meetings`)
	in := map[string]any{"communityId": gid("Community", w.community), "scheduledAt": time.Now().Add(time.Hour).Format(time.RFC3339),
		"title": "联席会", "attendees": []any{attendee(f.remote, "CADRE")}}
	// An attendee out of the caller's scope looks exactly like a missing one.
	r := f.run(f.cadre, "scheduleJointMeeting", "ScheduleJointMeetingInput", in, "id")
	missing := map[string]any{}
	for k, v := range in {
		missing[k] = v
	}
	missing["attendees"] = []any{attendee(1<<40, "CADRE")}
	r2 := f.run(f.cadre, "scheduleJointMeeting", "ScheduleJointMeetingInput", missing, "id")
	if r.code() != "NOT_FOUND" || r2.code() != "NOT_FOUND" || r.Errors[0].Message != r2.Errors[0].Message {
		t.Fatalf("out of scope attendee: %+v / %+v", r.Errors, r2.Errors)
	}
	// A person named in a capacity they are not registered in is refused; nothing is written.
	in["attendees"] = []any{attendee(w.resident, "PARTNER")}
	f.refused(f.cadre, "BAD_USER_INPUT", "scheduleJointMeeting", "ScheduleJointMeetingInput", in)
	in["attendees"] = []any{attendee(f.member, "UNIT_REPRESENTATIVE")}
	f.refused(f.cadre, "BAD_USER_INPUT", "scheduleJointMeeting", "ScheduleJointMeetingInput", in)
	in["attendees"] = nil
	in["scheduledAt"] = time.Now().Add(-time.Hour).Format(time.RFC3339)
	f.refused(f.cadre, "BAD_USER_INPUT", "scheduleJointMeeting", "ScheduleJointMeetingInput", in)
	if n := e.id(`SELECT count(*) FROM joint_meetings`); n != before || e.id(`SELECT count(*) FROM meeting_attendees`) != 0 {
		t.Fatalf("a refused schedule wrote %d meetings", n-before)
	}
	// Wrong roles are FORBIDDEN.
	in["scheduledAt"] = time.Now().Add(time.Hour).Format(time.RFC3339)
	for _, tok := range []string{e.token("grid_worker", gid("Grid", w.grid), w.cadrePerson), e.token("leader", gid("Street", w.street), w.cadrePerson),
		e.token("resident", gid("Grid", w.grid), w.resident)} {
		f.refused(tok, "FORBIDDEN", "scheduleJointMeeting", "ScheduleJointMeetingInput", in)
	}
	// Another street's community is NOT_FOUND.
	in["communityId"] = gid("Community", f.otherCommunity)
	f.refused(f.cadre, "NOT_FOUND", "scheduleJointMeeting", "ScheduleJointMeetingInput", in)

	// Cancel: a reason is required, a stale version is CONFLICT, a cancelled meeting is final.
	m := f.schedule(attendee(f.member, "PARTY_MEMBER"))
	f.refused(f.cadre, "BAD_USER_INPUT", "cancelJointMeeting", "CancelJointMeetingInput", map[string]any{"meetingId": m["id"], "reason": " "})
	f.refused(f.cadre, "CONFLICT", "cancelJointMeeting", "CancelJointMeetingInput", map[string]any{"meetingId": m["id"], "reason": "台风", "version": 99})
	c := f.ok("cancelJointMeeting", "CancelJointMeetingInput", map[string]any{"meetingId": m["id"], "reason": "台风", "version": m["version"]},
		"state cancelReason history { action note fromState toState }")
	if c["state"] != "CANCELLED" || c["cancelReason"] != "台风" || dig(c, "history", 1, "note") != "台风" || dig(c, "history", 1, "toState") != "CANCELLED" {
		t.Fatalf("cancel: %v", c)
	}
	msg := f.refused(f.cadre, "INVALID_TRANSITION", "recordMeetingMinutes", "RecordMeetingMinutesInput", map[string]any{"meetingId": m["id"], "minutes": "x"})
	if !strings.Contains(msg, "cancelled") {
		t.Fatalf("refusal names the state: %s", msg)
	}
	if n := e.id(`SELECT count(*) FROM meeting_events WHERE meeting_id = $1`, mustRowID(t, m["id"].(string))); n != 2 {
		t.Fatalf("history rows: %d", n)
	}
	// The held meeting recorded after the fact has its history too, and is listed by state.
	d := e.ok(admin, `{ jointMeetings(filter: {states: [CANCELLED]}) { totalCount edges { node { state } } } }`, nil)
	if dig(d, "jointMeetings", "totalCount") != 1.0 {
		t.Fatalf("filter by state: %v", d)
	}
}

func TestMeetingCompliance(t *testing.T) {
	f := newMeetingFixture(t)
	e, w := f.e, f.w
	third := e.id(`INSERT INTO communities (street_id, code, name) VALUES ($1, 'C3', '半汤社区') RETURNING id`, w.street)
	hold := func(community int64, day, state string) {
		e.id(`INSERT INTO joint_meetings (street_id, community_id, held_on, title, state, scheduled_at, cancel_reason)
			VALUES ((SELECT street_id FROM communities WHERE id = $1), $1, $2, '联席会', $3, CASE WHEN $3 <> 'held' THEN now() END,
			CASE WHEN $3 = 'cancelled' THEN '台风' END) RETURNING id`, community, day, state)
	}
	hold(w.community, "2024-02-10", "held")
	hold(w.community, "2024-03-31", "held")
	hold(third, "2024-03-15", "cancelled")
	hold(third, "2024-04-01", "held")
	hold(f.otherCommunity, "2024-01-05", "held")
	q := `query($q: Int!, $place: PlaceScope) { meetingCompliance(year: 2024, quarter: $q, place: $place) { communities compliantCommunities share
		entries { community { name } meetingsHeld compliant } } }`
	street := e.token("street_cadre", gid("Street", w.street), w.cadrePerson)
	r := e.as(street, q, map[string]any{"q": 1})
	if len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	c := dig(r.Data, "meetingCompliance")
	if dig(c, "communities") != 2.0 || dig(c, "compliantCommunities") != 1.0 || dig(c, "share") != 0.5 ||
		dig(c, "entries", 0, "meetingsHeld") != 2.0 || dig(c, "entries", 1, "compliant") != false {
		t.Fatalf("Q1 in street 1: %v", c)
	}
	d := e.ok(admin, q, map[string]any{"q": 2, "place": map[string]any{"communityId": gid("Community", third)}})
	if dig(d, "meetingCompliance", "communities") != 1.0 || dig(d, "meetingCompliance", "entries", 0, "compliant") != true {
		t.Fatalf("Q2 of the third community: %v", d)
	}
	d = e.ok(admin, q, map[string]any{"q": 1})
	if dig(d, "meetingCompliance", "communities") != 3.0 || dig(d, "meetingCompliance", "compliantCommunities") != 2.0 {
		t.Fatalf("Q1 city-wide: %v", d)
	}
	e.fails(admin, "BAD_USER_INPUT", `{ meetingCompliance(year: 2024, quarter: 5) { share } }`, nil)
	if r := e.as(e.token("grid_worker", gid("Grid", w.grid), w.cadrePerson), q, map[string]any{"q": 1}); r.code() != "FORBIDDEN" {
		t.Fatalf("a grid worker reads no compliance: %+v", r.Errors)
	}
}

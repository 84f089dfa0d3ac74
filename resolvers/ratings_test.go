package resolvers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// ratingWorld is a checked-in member of the test world and tokens of everyone the rating
// cycle involves, with a cadre of another street who must not reach it.
type ratingWorld struct {
	w                                         world
	member                                    int64 // party_members id
	community, street, city, mine, unit, away string
}

func newRatingWorld(e *env) ratingWorld {
	w := e.world()
	person, member := e.member("孙党员", w, true)
	r := ratingWorld{w: w, member: member}
	r.community = e.token("community_cadre", gid("Community", w.community), w.cadrePerson)
	r.street = e.token("street_cadre", gid("Street", w.street), e.person("街道干部", w))
	r.city = e.token("city_admin", "city", e.person("市管理员", w))
	r.mine = e.token("party_member", gid("Grid", w.grid), person)
	r.unit = e.token("unit_admin", gid("Unit", w.unit), e.person("单位管理员", w))
	street2 := e.id(`INSERT INTO streets (city_id, code, name, kind) VALUES ($1, 'S2', '中庙街道', 'street') RETURNING id`, w.city)
	r.away = e.token("street_cadre", gid("Street", street2), e.person("外街干部", w))
	return r
}

const ratingFields = `id state grade version appeal { reason decision gradeBefore note } history { action fromState toState gradeBefore gradeAfter note actorRole }`

// step runs one rating mutation with the token and returns the rating it answers.
func (r ratingWorld) step(e *env, token, mutation, input string, vars map[string]any) map[string]any {
	e.t.Helper()
	d := e.must(token, `mutation($id: ID!, $v: Int) { `+mutation+`(input: {ratingId: $id, version: $v`+input+`}) { `+ratingFields+` } }`, vars)
	return d[mutation].(map[string]any)
}

// refused runs one rating mutation that must fail with code and change nothing.
func (r ratingWorld) refused(e *env, token, code, mutation, input string, vars map[string]any) gqlResp {
	e.t.Helper()
	before := ratingDigest(e)
	res := e.as(token, `mutation($id: ID!, $v: Int) { `+mutation+`(input: {ratingId: $id, version: $v`+input+`}) { id } }`, vars)
	if res.code() != code {
		e.t.Fatalf("%s: want %s, got %+v", mutation, code, res.Errors)
	}
	if after := ratingDigest(e); after != before {
		e.t.Fatalf("%s was refused, yet the data changed:\n before %s\n after  %s", mutation, before, after)
	}
	return res
}

// ratingDigest fingerprints every rating, its history and the unit notices.
func ratingDigest(e *env) string {
	e.t.Helper()
	var s string
	if err := e.pool.QueryRow(context.Background(), `SELECT concat_ws(' ',
		(SELECT string_agg(id || ':' || version || ':' || state || ':' || grade, ',' ORDER BY id) FROM year_ratings),
		(SELECT count(*) FROM rating_events), (SELECT count(*) FROM audit_log),
		(SELECT string_agg(id || ':' || version, ',' ORDER BY id) FROM unit_notices))`).Scan(&s); err != nil {
		e.t.Fatal(err)
	}
	return s
}

func (r ratingWorld) rate(e *env, member int64, grade string) map[string]any {
	e.t.Helper()
	d := e.must(r.community, `mutation($m: ID!) { rateMember(input: {memberId: $m, year: 2025, grade: `+grade+`, comment: "年终"}) { `+
		ratingFields+` } }`, map[string]any{"m": gid("PartyMember", member)})
	return d["rateMember"].(map[string]any)
}

func vars(rating map[string]any) map[string]any {
	return map[string]any{"id": rating["id"], "v": rating["version"]}
}

func actions(rating map[string]any) string {
	var out []string
	for _, h := range rating["history"].([]any) {
		out = append(out, h.(map[string]any)["action"].(string))
	}
	return strings.Join(out, " ")
}

// TestRatingCycle walks a rating from draft to the unit's acknowledgement, through an appeal
// that revises it, and back to the unit; each step is refused to the wrong role, at a stale
// version, in the wrong state and out of scope, and a refusal writes nothing.
func TestRatingCycle(t *testing.T) {
	e := newEnv(t)
	r := newRatingWorld(e)
	x := r.rate(e, r.member, "GOOD")
	if x["state"] != "DRAFT" || actions(x) != "RATE" {
		t.Fatalf("draft: %v", x)
	}
	stale := vars(x)
	x = r.step(e, r.community, "updateRating", ", grade: POOR", vars(x))
	if x["grade"] != "POOR" || x["state"] != "DRAFT" {
		t.Fatalf("update: %v", x)
	}
	r.refused(e, r.community, "CONFLICT", "updateRating", ", grade: FAIR", stale)
	res := r.refused(e, r.street, "INVALID_TRANSITION", "approveRating", "", vars(x))
	if !strings.Contains(res.Errors[0].Message, "draft") {
		t.Errorf("the refusal names the state: %q", res.Errors[0].Message)
	}
	x = r.step(e, r.community, "submitRating", "", vars(x))
	// The community rated it: the community does not approve it, nor a street it is not in.
	r.refused(e, r.community, "FORBIDDEN", "approveRating", "", vars(x))
	away := r.refused(e, r.away, "NOT_FOUND", "approveRating", "", vars(x))
	absent := r.refused(e, r.street, "NOT_FOUND", "approveRating", "", map[string]any{"id": gid("YearRating", 1<<40)})
	if away.Errors[0].Message != absent.Errors[0].Message {
		t.Errorf("out of scope %q and absent %q differ", away.Errors[0].Message, absent.Errors[0].Message)
	}
	x = r.step(e, r.street, "approveRating", "", vars(x))
	// Neither the member nor the unit sees it before the unit is told.
	if d := e.as(r.mine, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": x["id"]}); d.code() != "NOT_FOUND" {
		t.Errorf("the member sees an approved rating: %+v", d)
	}
	r.refused(e, r.unit, "NOT_FOUND", "acknowledgeRating", "", vars(x))
	x = r.step(e, r.community, "notifyRatingUnit", "", vars(x))
	notices := `{ unitNotices(filter: {kinds: [RATING]}, first: 10) { totalCount edges { node { kind text acknowledgedAt rating { id } member { id } } } } }`
	d := e.must(r.unit, notices, nil)
	if dig(d, "unitNotices", "totalCount") != 1.0 || dig(d, "unitNotices", "edges", 0, "node", "rating", "id") != x["id"] ||
		dig(d, "unitNotices", "edges", 0, "node", "acknowledgedAt") != nil {
		t.Fatalf("the unit's inbox: %v", d)
	}
	r.refused(e, r.community, "FORBIDDEN", "acknowledgeRating", "", vars(x))
	x = r.step(e, r.unit, "acknowledgeRating", "", vars(x))
	if res := r.refused(e, r.unit, "INVALID_TRANSITION", "acknowledgeRating", "", vars(x)); !strings.Contains(res.Errors[0].Message, "acknowledged") {
		t.Errorf("the refusal names the state: %q", res.Errors[0].Message)
	}
	if d := e.must(r.unit, notices, nil); dig(d, "unitNotices", "edges", 0, "node", "acknowledgedAt") == nil {
		t.Errorf("acknowledging the rating leaves its notice unread: %v", d)
	}

	// The member appeals; a level above the rater revises the grade; the unit is told again.
	r.refused(e, r.street, "FORBIDDEN", "appealRating", `, reason: "x"`, vars(x))
	r.refused(e, r.mine, "BAD_USER_INPUT", "appealRating", `, reason: " "`, vars(x))
	x = r.step(e, r.mine, "appealRating", `, reason: "服务时长记录有误"`, vars(x))
	// The member reads their rating's history.
	if x["state"] != "APPEALED" || dig(x, "appeal", "reason") != "服务时长记录有误" || dig(x, "appeal", "decision") != nil ||
		!strings.HasSuffix(actions(x), "ACKNOWLEDGE APPEAL") {
		t.Fatalf("appeal: %v", x)
	}
	r.refused(e, r.community, "FORBIDDEN", "decideRatingAppeal", ", decision: UPHELD", vars(x))
	r.refused(e, r.street, "BAD_USER_INPUT", "decideRatingAppeal", ", decision: REVISED, grade: POOR", vars(x))
	x = r.step(e, r.street, "decideRatingAppeal", `, decision: REVISED, grade: FAIR, note: "核实后改评"`, vars(x))
	if x["state"] != "APPROVED" || x["grade"] != "FAIR" || dig(x, "appeal", "gradeBefore") != "POOR" || dig(x, "appeal", "decision") != "REVISED" {
		t.Fatalf("revised: %v", x)
	}
	x = r.step(e, r.community, "notifyRatingUnit", "", vars(x))
	x = r.step(e, r.unit, "acknowledgeRating", "", vars(x))
	res = r.refused(e, r.mine, "INVALID_TRANSITION", "appealRating", `, reason: "again"`, vars(x))
	if !strings.Contains(res.Errors[0].Message, "appealed already") {
		t.Errorf("a second appeal: %q", res.Errors[0].Message)
	}
	if got := actions(x); got != "RATE UPDATE SUBMIT APPROVE NOTIFY ACKNOWLEDGE APPEAL REVISE NOTIFY ACKNOWLEDGE" {
		t.Errorf("history: %s", got)
	}
	revise := dig(x, "history", 7).(map[string]any)
	if revise["gradeBefore"] != "POOR" || revise["gradeAfter"] != "FAIR" || revise["fromState"] != "APPEALED" ||
		revise["toState"] != "APPROVED" || revise["note"] != "核实后改评" || revise["actorRole"] != "street_cadre" {
		t.Errorf("the revision's history entry: %v", revise)
	}
	if d := e.must(r.unit, notices, nil); dig(d, "unitNotices", "totalCount") != 2.0 {
		t.Errorf("the revision reached the unit as a second notice: %v", d)
	}
}

// TestRatingAppealUpheld: an upheld appeal keeps the grade and tells the unit again; another
// member's rating is not the member's to appeal.
func TestRatingAppealUpheld(t *testing.T) {
	e := newEnv(t)
	r := newRatingWorld(e)
	x := r.rate(e, r.member, "AVERAGE")
	for _, s := range []struct{ token, mutation string }{{r.community, "submitRating"}, {r.city, "approveRating"},
		{r.community, "notifyRatingUnit"}} {
		x = r.step(e, s.token, s.mutation, "", vars(x))
	}
	otherPerson, _ := e.member("周党员", r.w, true)
	other := e.token("party_member", gid("Grid", r.w.grid), otherPerson)
	r.refused(e, other, "NOT_FOUND", "appealRating", `, reason: "x"`, vars(x))
	x = r.step(e, r.mine, "appealRating", `, reason: "不服"`, vars(x))
	r.refused(e, r.city, "BAD_USER_INPUT", "decideRatingAppeal", `, decision: UPHELD, grade: GOOD`, vars(x))
	x = r.step(e, r.city, "decideRatingAppeal", `, decision: UPHELD, note: "维持"`, vars(x))
	if x["state"] != "NOTIFIED" || x["grade"] != "AVERAGE" || dig(x, "appeal", "decision") != "UPHELD" || dig(x, "appeal", "note") != "维持" {
		t.Fatalf("upheld: %v", x)
	}
	d := e.must(r.city, `{ unitNotices(first: 10) { totalCount edges { node { text } } } }`, nil)
	if dig(d, "unitNotices", "totalCount") != 2.0 || !strings.Contains(dig(d, "unitNotices", "edges", 0, "node", "text").(string), "维持") {
		t.Errorf("the unit is told of the decision: %v", d)
	}
	otherUnit := e.id(`INSERT INTO units (code, name, kind) VALUES ('U2', '市教育局', 'municipal_agency') RETURNING id`)
	otherAdmin := e.token("unit_admin", gid("Unit", otherUnit), e.person("他单位管理员", r.w))
	if d := e.must(otherAdmin, `{ unitNotices(first: 10) { totalCount } }`, nil); dig(d, "unitNotices", "totalCount") != 0.0 {
		t.Errorf("another unit's admin reads the notices: %v", d)
	}
	if res := e.as(otherAdmin, `mutation($id: ID!) { acknowledgeRating(input: {ratingId: $id}) { id } }`, map[string]any{"id": x["id"]}); res.code() != "NOT_FOUND" {
		t.Errorf("another unit's admin acknowledges: %+v", res.Errors)
	}
	if res := e.as(r.community, `{ unitNotices(first: 10) { totalCount } }`, nil); res.code() != "FORBIDDEN" {
		t.Errorf("a cadre reads the units' inbox: %+v", res.Errors)
	}
}

// TestRatingOwnApproval: a street cadre who is a party member rated by their community does
// not approve their own rating.
func TestRatingOwnApproval(t *testing.T) {
	e := newEnv(t)
	r := newRatingWorld(e)
	cadrePerson, cadreMember := e.member("街道党员干部", r.w, true)
	cadre := e.token("street_cadre", gid("Street", r.w.street), cadrePerson)
	x := r.rate(e, cadreMember, "GOOD")
	x = r.step(e, r.community, "submitRating", "", vars(x))
	r.refused(e, cadre, "CONFLICT_OF_INTEREST", "approveRating", "", vars(x))
	x = r.step(e, r.street, "approveRating", "", vars(x))
	if x["state"] != "APPROVED" {
		t.Fatalf("approved by someone else: %v", x)
	}
}

// TestRatingApprovedAboveTheRater: a rating a street cadre made is approved at the city, not
// by another cadre of the street.
func TestRatingApprovedAboveTheRater(t *testing.T) {
	e := newEnv(t)
	r := newRatingWorld(e)
	raterPerson := e.person("街道评定干部", r.w)
	e.id(`INSERT INTO cadres (person_id, kind, street_id) VALUES ($1, 'street_cadre', $2) RETURNING id`, raterPerson, r.w.street)
	rater := e.token("street_cadre", gid("Street", r.w.street), raterPerson)
	d := e.must(rater, `mutation($m: ID!) { rateMember(input: {memberId: $m, year: 2025, grade: GOOD}) { `+ratingFields+` } }`,
		map[string]any{"m": gid("PartyMember", r.member)})
	x := r.step(e, rater, "submitRating", "", vars(d["rateMember"].(map[string]any)))
	r.refused(e, r.street, "FORBIDDEN", "approveRating", "", vars(x))
	if x = r.step(e, r.city, "approveRating", "", vars(x)); x["state"] != "APPROVED" {
		t.Fatalf("approved at the city: %v", x)
	}
}

// TestUnitScorecard: the scorecard of a year counts the unit's members living in the scope,
// their check-ins, hours and the grades their unit was told of, and scores them by the
// documented weights; a unit admin sees their own unit only, a member none.
func TestUnitScorecard(t *testing.T) {
	e := newEnv(t)
	r := newRatingWorld(e)
	_, unchecked := e.member("未报到党员", r.w, false)
	e.id(`INSERT INTO service_records (member_id, street_id, community_id, grid_id, served_on, hours, content)
		VALUES ($1, $2, $3, $4, '2025-05-01', 10, '助老') RETURNING id`, r.member, r.w.street, r.w.community, r.w.grid)
	e.id(`INSERT INTO service_records (member_id, street_id, community_id, grid_id, served_on, hours, content)
		VALUES ($1, $2, $3, $4, '2024-05-01', 9, '去年') RETURNING id`, r.member, r.w.street, r.w.community, r.w.grid)
	e.id(`INSERT INTO year_ratings (member_id, street_id, community_id, year, grade, state) VALUES ($1, $2, $3, 2025, 'good', 'acknowledged') RETURNING id`,
		r.member, r.w.street, r.w.community)
	e.id(`INSERT INTO year_ratings (member_id, street_id, community_id, year, grade, state) VALUES ($1, $2, $3, 2025, 'poor', 'draft') RETURNING id`,
		unchecked, r.w.street, r.w.community)
	q := `{ unitScorecard(year: 2025) { unit { id } members checkedIn checkinRate serviceHours hoursPerMember good poor goodShare score } }`
	d := e.must(r.street, q, nil)
	want := map[string]any{"unit": map[string]any{"id": gid("Unit", r.w.unit)}, "members": 2.0, "checkedIn": 1.0, "checkinRate": 0.5,
		"serviceHours": 10.0, "hoursPerMember": 5.0, "good": 1.0, "poor": 0.0, "goodShare": 1.0, "score": 40*0.5 + 30*0.25 + 30.0}
	if got := dig(d, "unitScorecard", 0); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("scorecard: got %v, want %v", got, want)
	}
	if d := e.must(r.unit, q, nil); len(d["unitScorecard"].([]any)) != 1 {
		t.Errorf("the unit admin's own unit: %v", d)
	}
	otherUnit := e.id(`INSERT INTO units (code, name, kind) VALUES ('U2', '市教育局', 'municipal_agency') RETURNING id`)
	for name, token := range map[string]string{"another unit's admin": e.token("unit_admin", gid("Unit", otherUnit), e.person("他单位", r.w)),
		"another street's cadre": r.away} {
		if d := e.must(token, q, nil); len(d["unitScorecard"].([]any)) != 0 {
			t.Errorf("%s sees %v", name, d)
		}
	}
	if res := e.as(r.mine, q, nil); res.code() != "FORBIDDEN" {
		t.Errorf("a member: %+v", res.Errors)
	}
}

package resolvers_test

import (
	"strings"
	"testing"

	"gridgov/auth"
)

// otherStreet adds a second street with a community, a grid and a building: what tokens of
// the world's street must not reach.
func (e *env) otherStreet(w world) (street, community, grid, building int64) {
	street = e.id(`INSERT INTO streets (city_id, code, name, kind) VALUES ($1, 'S2', '半汤街道', 'street') RETURNING id`, w.city)
	community = e.id(`INSERT INTO communities (street_id, code, name) VALUES ($1, 'C2', '汤山社区') RETURNING id`, street)
	grid = e.id(`INSERT INTO grids (street_id, community_id, code, name) VALUES ($1, $2, 'G9', '第九网格') RETURNING id`, street, community)
	building = e.id(`INSERT INTO buildings (street_id, community_id, grid_id, number) VALUES ($1, $2, $3, '9栋') RETURNING id`, street, community, grid)
	return
}

func num(v any) int { f, _ := v.(float64); return int(f) }

const (
	appointSteward = `mutation($p: ID!, $g: ID!) { appointRedSteward(input: {personId: $p, gridId: $g, selectedOn: "2024-01-01"}) { id name version endedOn } }`
	endSteward     = `mutation($s: ID!, $v: Int!) { endRedSteward(input: {stewardId: $s, version: $v, endedOn: "2024-12-31", note: "搬离"}) {
		version endedOn history { action fromState toState note actorRole } } }`
	logPatrol = `mutation($s: ID!, $g: ID!) { logPatrol(input: {stewardId: $s, gridId: $g, patrolledAt: "2024-06-01T08:00:00+08:00", route: "环湖路",
		findings: [{category: SAFETY_HAZARD, description: "消防通道堵塞"}, {category: ENVIRONMENT, description: "垃圾未清"}]}) {
		id route findings { id category description version issue { id } } } }`
	raiseFinding = `mutation($f: ID!, $v: Int!, $c: ID!) { raisePatrolFinding(input: {findingId: $f, version: $v, categoryId: $c}) {
		raisedAt version issue { id title state reporter { name } } } }`
)

func TestRedStewardsAndPatrols(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	person, _ := e.member("赵党员", w, true)
	_, _, otherGrid, _ := e.otherStreet(w)
	admin := e.token("city_admin", auth.ScopeCity, w.cadrePerson)
	cadre := e.token("community_cadre", gid("Community", w.community), w.cadrePerson)

	d := e.must(cadre, appointSteward, map[string]any{"p": gid("Person", person), "g": gid("Grid", w.grid)})
	steward := dig(d, "appointRedSteward", "id").(string)
	if dig(d, "appointRedSteward", "name") != "赵党员" || dig(d, "appointRedSteward", "endedOn") != nil {
		t.Fatalf("appointed: %v", d)
	}
	e.refuses(cadre, "CONFLICT", appointSteward, map[string]any{"p": gid("Person", person), "g": gid("Grid", w.grid)})
	e.refuses(cadre, "NOT_FOUND", appointSteward, map[string]any{"p": gid("Person", person), "g": gid("Grid", otherGrid)})
	e.refuses(e.token("resident", gid("Grid", w.grid), w.resident), "FORBIDDEN", appointSteward,
		map[string]any{"p": gid("Person", person), "g": gid("Grid", w.grid)})

	// The steward logs their own patrol; another grid is refused.
	own := e.token("party_member", gid("Grid", w.grid), person)
	e.refuses(cadre, "BAD_USER_INPUT", logPatrol, map[string]any{"s": steward, "g": gid("Grid", w.grid2)})
	d = e.must(own, logPatrol, map[string]any{"s": steward, "g": gid("Grid", w.grid)})
	findings := dig(d, "logPatrol", "findings").([]any)
	if len(findings) != 2 || dig(findings, 0, "category") != "SAFETY_HAZARD" || dig(findings, 0, "issue") != nil {
		t.Fatalf("patrol: %v", d)
	}
	finding := dig(findings, 0, "id").(string)
	e.refuses(e.token("party_member", gid("Grid", w.grid), w.resident), "NOT_FOUND", logPatrol, map[string]any{"s": steward, "g": gid("Grid", w.grid)})

	// Listed by steward and date, by the steward and by cadres.
	list := `query($s: ID) { patrols(filter: {stewardId: $s, patrolled: {from: "2024-06-01T00:00:00+08:00", to: "2024-06-02T00:00:00+08:00"}}) {
		totalCount edges { node { steward { name } grid { code } findings { description } } } } }`
	for _, tok := range []string{own, cadre} {
		d = e.must(tok, list, map[string]any{"s": steward})
		if num(dig(d, "patrols", "totalCount")) != 1 || dig(d, "patrols", "edges", 0, "node", "steward", "name") != "赵党员" {
			t.Fatalf("patrols: %v", d)
		}
	}

	// A finding becomes an issue once; a stale version is CONFLICT.
	grid := e.token("grid_worker", gid("Grid", w.grid), w.cadrePerson)
	raise := map[string]any{"f": finding, "v": 1, "c": gid("IssueCategory", w.issueCat)}
	e.refuses(grid, "CONFLICT", raiseFinding, map[string]any{"f": finding, "v": 7, "c": gid("IssueCategory", w.issueCat)})
	d = e.must(grid, raiseFinding, raise)
	if dig(d, "raisePatrolFinding", "issue", "title") != "消防通道堵塞" || dig(d, "raisePatrolFinding", "issue", "state") != "REPORTED" ||
		dig(d, "raisePatrolFinding", "raisedAt") == nil {
		t.Fatalf("raised: %v", d)
	}
	issue := dig(d, "raisePatrolFinding", "issue", "id").(string)
	raise["v"] = num(dig(d, "raisePatrolFinding", "version"))
	r := e.as(grid, raiseFinding, raise)
	if r.code() != "INVALID_TRANSITION" || !strings.Contains(r.Errors[0].Message, "raised already") {
		t.Fatalf("raised twice: %+v", r.Errors)
	}
	d = e.must(admin, `query { issues { totalCount } }`, nil)
	if num(dig(d, "issues", "totalCount")) != 1 {
		t.Fatalf("one issue for one finding: %v", d)
	}
	d = e.must(admin, `query($id: ID!) { node(id: $id) { ... on PatrolFinding { issue { id } patrol { route } } } }`, map[string]any{"id": finding})
	if dig(d, "node", "issue", "id") != issue || dig(d, "node", "patrol", "route") != "环湖路" {
		t.Fatalf("finding ↔ issue: %v", d)
	}

	// Ended: stale CONFLICT, then ENDED with history, then INVALID_TRANSITION naming the state.
	e.refuses(cadre, "CONFLICT", endSteward, map[string]any{"s": steward, "v": 9})
	d = e.must(cadre, endSteward, map[string]any{"s": steward, "v": 1})
	hist := dig(d, "endRedSteward", "history").([]any)
	if dig(d, "endRedSteward", "endedOn") != "2024-12-31" || len(hist) != 2 || dig(hist, 1, "action") != "END" ||
		dig(hist, 1, "fromState") != "CURRENT" || dig(hist, 1, "toState") != "ENDED" || dig(hist, 1, "note") != "搬离" {
		t.Fatalf("ended: %v", d)
	}
	r = e.as(cadre, endSteward, map[string]any{"s": steward, "v": num(dig(d, "endRedSteward", "version"))})
	if r.code() != "INVALID_TRANSITION" || !strings.Contains(r.Errors[0].Message, "ended") {
		t.Fatalf("ended twice: %+v", r.Errors)
	}
	e.refuses(own, "INVALID_TRANSITION", logPatrol, map[string]any{"s": steward, "g": gid("Grid", w.grid)})
	// Ended, the person may be appointed again.
	e.must(cadre, appointSteward, map[string]any{"p": gid("Person", person), "g": gid("Grid", w.grid)})
}

func TestRedStewardOutOfScope(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	person, _ := e.member("赵党员", w, true)
	_, community, _, _ := e.otherStreet(w)
	d := e.must(e.token("city_admin", auth.ScopeCity, w.cadrePerson), appointSteward,
		map[string]any{"p": gid("Person", person), "g": gid("Grid", w.grid)})
	steward := dig(d, "appointRedSteward", "id").(string)
	other := e.token("community_cadre", gid("Community", community), w.cadrePerson)
	absent := e.as(other, endSteward, map[string]any{"s": gid("RedSteward", 1<<40), "v": 1})
	r := e.as(other, endSteward, map[string]any{"s": steward, "v": 1})
	if r.code() != "NOT_FOUND" || r.Errors[0].Message != absent.Errors[0].Message {
		t.Fatalf("out of scope %+v, absent %+v", r.Errors, absent.Errors)
	}
}

const (
	createOrg = `mutation($s: ID) { createSocialOrganisation(input: {name: "红领公益", streetId: $s, registeredOn: "2020-01-01"}) { id version } }`
	updateOrg = `mutation($o: ID!, $v: Int!) { updateSocialOrganisation(input: {socialOrganisationId: $o, version: $v, name: "红领公益服务中心"}) {
		name version } }`
	endOrg      = `mutation($o: ID!, $v: Int!) { endSocialOrganisation(input: {socialOrganisationId: $o, version: $v, endedOn: "2025-01-01"}) { endedOn version history { action } } }`
	foundParty  = `mutation($o: ID!) { foundSocialPartyOrganisation(input: {socialOrganisationId: $o, name: "红领公益党支部", kind: BRANCH, secretary: "钱书记", membersCount: 5, foundedOn: "2021-07-01"}) { id version } }`
	updateParty = `mutation($p: ID!, $v: Int!) { updateSocialPartyOrganisation(input: {partyOrganisationId: $p, version: $v, kind: JOINT_BRANCH, membersCount: 8}) {
		kind membersCount version socialOrganisation { hasPartyOrg partyOrganisation { name } } } }`
	dissolveParty = `mutation($p: ID!, $v: Int!) { dissolveSocialPartyOrganisation(input: {partyOrganisationId: $p, version: $v, dissolvedOn: "2024-12-01"}) {
		dissolvedOn version history { action toState } } }`
	createProject = `mutation($o: ID!, $c: ID!) { createVentureProject(input: {socialOrganisationId: $o, communityId: $c, name: "助老餐桌", theme: ELDERLY_CARE,
		fundingYuan: 50000, startedOn: "2024-01-01"}) { id version } }`
	updateProject = `mutation($p: ID!, $v: Int!) { updateVentureProject(input: {ventureProjectId: $p, version: $v, fundingYuan: 80000}) { fundingYuan version } }`
	endProject    = `mutation($p: ID!, $v: Int!) { endVentureProject(input: {ventureProjectId: $p, version: $v, endedOn: "2024-12-31"}) { endedOn version history { action } } }`
)

// registerCycle runs update → end of one register's row at version from: a stale version is
// CONFLICT, an ended row refuses the update and the end with INVALID_TRANSITION naming its
// state.
func (e *env) registerCycle(token, update, end, name string, id string, from int) {
	e.t.Helper()
	e.refuses(token, "CONFLICT", update, map[string]any{name: id, "v": from + 5})
	d := e.must(token, update, map[string]any{name: id, "v": from})
	var v int
	for _, f := range d {
		v = num(f.(map[string]any)["version"])
	}
	if v != from+1 {
		e.t.Fatalf("updated: %v", d)
	}
	e.refuses(token, "CONFLICT", end, map[string]any{name: id, "v": from})
	d = e.must(token, end, map[string]any{name: id, "v": v})
	for _, f := range d {
		v = num(f.(map[string]any)["version"])
		if h := f.(map[string]any)["history"].([]any); len(h) != 3 {
			e.t.Fatalf("history of create, update, end: %v", h)
		}
	}
	for _, q := range []string{update, end} {
		r := e.as(token, q, map[string]any{name: id, "v": v})
		if r.code() != "INVALID_TRANSITION" || !strings.Contains(r.Errors[0].Message, "ended") {
			e.t.Fatalf("ended row: %+v", r.Errors)
		}
	}
}

func TestOrganisationRegisters(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	otherStreet, otherCommunity, _, _ := e.otherStreet(w)
	street := e.token("street_cadre", gid("Street", w.street), w.cadrePerson)
	other := e.token("street_cadre", gid("Street", otherStreet), w.cadrePerson)

	e.refuses(street, "BAD_USER_INPUT", createOrg, nil) // no street: the city's
	e.refuses(e.token("grid_worker", gid("Grid", w.grid), w.cadrePerson), "FORBIDDEN", createOrg, map[string]any{"s": gid("Street", w.street)})
	org := dig(e.must(street, createOrg, map[string]any{"s": gid("Street", w.street)}), "createSocialOrganisation", "id").(string)
	e.refuses(other, "NOT_FOUND", updateOrg, map[string]any{"o": org, "v": 1})

	// Its party organisation: founded once, changed, dissolved.
	e.refuses(other, "NOT_FOUND", foundParty, map[string]any{"o": org})
	party := dig(e.must(street, foundParty, map[string]any{"o": org}), "foundSocialPartyOrganisation", "id").(string)
	e.refuses(street, "CONFLICT", foundParty, map[string]any{"o": org})
	d := e.must(street, updateParty, map[string]any{"p": party, "v": 1})
	if dig(d, "updateSocialPartyOrganisation", "kind") != "JOINT_BRANCH" ||
		dig(d, "updateSocialPartyOrganisation", "socialOrganisation", "hasPartyOrg") != true ||
		dig(d, "updateSocialPartyOrganisation", "socialOrganisation", "partyOrganisation", "name") != "红领公益党支部" {
		t.Fatalf("party organisation: %v", d)
	}
	e.refuses(other, "NOT_FOUND", dissolveParty, map[string]any{"p": party, "v": 2})
	e.refuses(street, "CONFLICT", dissolveParty, map[string]any{"p": party, "v": 1})
	d = e.must(street, dissolveParty, map[string]any{"p": party, "v": 2})
	if dig(d, "dissolveSocialPartyOrganisation", "dissolvedOn") != "2024-12-01" {
		t.Fatalf("dissolved: %v", d)
	}
	e.refuses(street, "INVALID_TRANSITION", dissolveParty, map[string]any{"p": party, "v": num(dig(d, "dissolveSocialPartyOrganisation", "version"))})

	// A venture project in a community of the scope.
	e.refuses(street, "NOT_FOUND", createProject, map[string]any{"o": org, "c": gid("Community", otherCommunity)})
	project := dig(e.must(street, createProject, map[string]any{"o": org, "c": gid("Community", w.community)}), "createVentureProject", "id").(string)
	e.refuses(other, "NOT_FOUND", updateProject, map[string]any{"p": project, "v": 1})
	e.registerCycle(street, updateProject, endProject, "p", project, 1)

	// The organisation itself (founding its party organisation changed it once); once ended, no
	// new project.
	e.registerCycle(street, updateOrg, endOrg, "o", org, 2)
	r := e.as(street, createProject, map[string]any{"o": org, "c": gid("Community", w.community)})
	if r.code() != "INVALID_TRANSITION" || !strings.Contains(r.Errors[0].Message, "ended") {
		t.Fatalf("project of an ended organisation: %+v", r.Errors)
	}
}

const (
	publishNotice = `mutation($b: ID!, $v: Int) { publishBuildingNotice(input: {buildingId: $b, version: $v, leaderName: "赵党员", contact: "13900000000",
		duties: "收集民意", commitments: "有事找我"}) { id version history { action } } }`
	readNotice     = `query($b: ID!) { noticeOfBuilding(buildingId: $b) { leaderName contact building { number } } }`
	adoptConv      = `mutation($b: ID!, $v: Int) { adoptBuildingConvention(input: {buildingId: $b, version: $v, body: "楼道不堆放杂物", adoptedOn: "2024-03-01"}) { id version } }`
	readConvention = `query($b: ID!) { conventionOfBuilding(buildingId: $b) { body adoptedOn } }`
)

func TestBuildingNoticeAndConvention(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	_, _, _, otherBuilding := e.otherStreet(w)
	grid := e.token("grid_worker", gid("Grid", w.grid), w.cadrePerson)
	b := gid("Building", w.building)

	e.refuses(grid, "NOT_FOUND", publishNotice, map[string]any{"b": gid("Building", otherBuilding)})
	e.refuses(e.token("resident", gid("Grid", w.grid), w.resident), "FORBIDDEN", publishNotice, map[string]any{"b": b})
	e.refuses(grid, "CONFLICT", publishNotice, map[string]any{"b": b, "v": 1}) // none published yet
	e.must(grid, publishNotice, map[string]any{"b": b})
	e.refuses(grid, "BAD_USER_INPUT", publishNotice, map[string]any{"b": b}) // published: the version is needed
	e.refuses(grid, "CONFLICT", publishNotice, map[string]any{"b": b, "v": 3})
	d := e.must(grid, publishNotice, map[string]any{"b": b, "v": 1})
	if num(dig(d, "publishBuildingNotice", "version")) != 2 || len(dig(d, "publishBuildingNotice", "history").([]any)) != 2 {
		t.Fatalf("republished: %v", d)
	}
	e.must(grid, adoptConv, map[string]any{"b": b})
	e.refuses(grid, "CONFLICT", adoptConv, map[string]any{"b": b, "v": 4})

	// Readers: the building's resident and the party member living there, cadres over it; not a
	// resident of another building of the same grid.
	neighbour := e.id(`INSERT INTO buildings (street_id, community_id, grid_id, number) VALUES ($1, $2, $3, '2栋') RETURNING id`, w.street, w.community, w.grid)
	stranger := e.id(`INSERT INTO people (name, street_id, community_id, grid_id, building_id) VALUES ('孙邻楼', $1, $2, $3, $4) RETURNING id`,
		w.street, w.community, w.grid, neighbour)
	memberPerson, _ := e.member("赵党员", w, true)
	for who, tok := range map[string]string{
		"resident": e.token("resident", gid("Grid", w.grid), w.resident), "member": e.token("party_member", gid("Grid", w.grid), memberPerson),
		"cadre": e.token("community_cadre", gid("Community", w.community), w.cadrePerson), "grid": grid,
	} {
		d := e.must(tok, readNotice, map[string]any{"b": b})
		if dig(d, "noticeOfBuilding", "leaderName") != "赵党员" {
			t.Fatalf("%s reads the notice: %v", who, d)
		}
		d = e.must(tok, readConvention, map[string]any{"b": b})
		if dig(d, "conventionOfBuilding", "body") != "楼道不堆放杂物" {
			t.Fatalf("%s reads the convention: %v", who, d)
		}
	}
	other := e.token("resident", gid("Grid", w.grid), stranger)
	for _, q := range []string{readNotice, readConvention} {
		d := e.must(other, q, map[string]any{"b": b})
		for k, v := range d {
			if v != nil {
				t.Fatalf("a resident of another building reads %s: %v", k, v)
			}
		}
	}
}

const recordDuty = `mutation($t: ID!, $c: ID!, $v: ID!) { recordPoliceDuty(input: {teamId: $t, kind: PATROL, title: "夜间巡逻", communityId: $c,
	startsAt: "2024-07-01T19:00:00+08:00", endsAt: "2024-07-01T22:00:00+08:00", participants: [{volunteerId: $v, hours: 3}]}) {
	kind totalHours team { name } participants { role hours person { name } } } }`

func TestPoliceDuty(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	police := e.id(`INSERT INTO volunteer_teams (name, team_type, street_id, is_volunteer_police, founded_on) VALUES ('卧牛山义警队', 'town_street', $1, true, '2021-01-01') RETURNING id`, w.street)
	plain := e.id(`INSERT INTO volunteer_teams (name, team_type, street_id, founded_on) VALUES ('助老队', 'town_street', $1, '2021-01-01') RETURNING id`, w.street)
	volunteer := func(name string, team int64) string {
		return gid("Volunteer", e.id(`INSERT INTO volunteers (person_id, team_id, street_id, community_id, registered_on) VALUES ($1, $2, $3, $4, '2022-01-01') RETURNING id`,
			e.person(name, w), team, w.street, w.community))
	}
	officer, helper := volunteer("周义警", police), volunteer("吴志愿", plain)
	cadre := e.token("community_cadre", gid("Community", w.community), w.cadrePerson)
	c := gid("Community", w.community)

	e.refuses(cadre, "BAD_USER_INPUT", recordDuty, map[string]any{"t": gid("VolunteerTeam", plain), "c": c, "v": helper})
	e.refuses(cadre, "BAD_USER_INPUT", recordDuty, map[string]any{"t": gid("VolunteerTeam", police), "c": c, "v": helper})
	e.refuses(e.token("grid_worker", gid("Grid", w.grid), w.cadrePerson), "FORBIDDEN", recordDuty,
		map[string]any{"t": gid("VolunteerTeam", police), "c": c, "v": officer})
	d := e.must(cadre, recordDuty, map[string]any{"t": gid("VolunteerTeam", police), "c": c, "v": officer})
	if dig(d, "recordPoliceDuty", "kind") != "POLICE_PATROL" || dig(d, "recordPoliceDuty", "totalHours") != 3.0 ||
		dig(d, "recordPoliceDuty", "participants", 0, "role") != "VOLUNTEER" || dig(d, "recordPoliceDuty", "participants", 0, "person", "name") != "周义警" {
		t.Fatalf("duty: %v", d)
	}
}

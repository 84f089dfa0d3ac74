package resolvers_test

import (
	"strings"
	"testing"

	"gridgov/graph"
)

// everything adds one row of every entity to the world and gives its id by GraphQL type.
func (e *env) everything(w world) map[string]int64 {
	e.t.Helper()
	ids := map[string]int64{"City": w.city, "Street": w.street, "Community": w.community, "Grid": w.grid, "Building": w.building,
		"Person": w.resident, "Unit": w.unit, "IssueCategory": w.issueCat, "ServiceCategory": w.serviceCat, "Cadre": w.cadre}
	person, member := e.member("赵党员", w, true)
	ids["PartyMember"] = member
	ids["Checkin"] = e.id(`SELECT id FROM checkins WHERE member_id = $1`, member)
	ids["Compound"] = e.id(`INSERT INTO compounds (street_id, community_id, name) VALUES ($1, $2, '健康小区') RETURNING id`, w.street, w.community)
	ids["Facility"] = e.id(`INSERT INTO facilities (street_id, community_id, kind, name) VALUES ($1, $2, 'practice_station', '实践站') RETURNING id`, w.street, w.community)
	ids["Intersection"] = e.id(`INSERT INTO intersections (street_id, community_id, name) VALUES ($1, $2, '健康路口') RETURNING id`, w.street, w.community)
	ids["BuildingAppointment"] = e.id(`INSERT INTO building_appointments (street_id, community_id, grid_id, building_id, member_id, role, appointed_on)
		VALUES ($1, $2, $3, $4, $5, 'building_leader', '2024-01-01') RETURNING id`, w.street, w.community, w.grid, w.building, member)
	ids["ServiceRecord"] = e.id(`INSERT INTO service_records (member_id, street_id, community_id, grid_id, served_on, hours, content)
		VALUES ($1, $2, $3, $4, '2024-03-01', 2, '助老') RETURNING id`, member, w.street, w.community, w.grid)
	ids["YearRating"] = e.id(`INSERT INTO year_ratings (member_id, street_id, community_id, year, grade) VALUES ($1, $2, $3, 2023, 'good') RETURNING id`,
		member, w.street, w.community)
	ids["UnitNotice"] = e.id(`INSERT INTO unit_notices (unit_id, kind, member_id, subject_id, street_id, community_id, text)
		VALUES ($1, 'rating', $2, $3, $4, $5, '2023年度考核结果: 好') RETURNING id`, w.unit, member, ids["YearRating"], w.street, w.community)
	ids["GridAssignment"] = e.id(`INSERT INTO grid_assignments (street_id, community_id, grid_id, cadre_id, role, started_on)
		VALUES ($1, $2, $3, $4, 'grid_leader', '2024-01-01') RETURNING id`, w.street, w.community, w.grid, w.cadre)
	ids["RedSteward"] = e.id(`INSERT INTO red_stewards (person_id, street_id, community_id, grid_id, selected_on) VALUES ($1, $2, $3, $4, '2024-01-01') RETURNING id`,
		person, w.street, w.community, w.grid)
	ids["GovernanceInstructor"] = e.id(`INSERT INTO governance_instructors (person_id, street_id, community_id, former_post, appointed_on)
		VALUES ($1, $2, $3, '原局长', '2024-01-01') RETURNING id`, e.person("钱指导员", w), w.street, w.community)
	ids["Partner"] = e.id(`INSERT INTO partners (person_id, street_id, community_id, kind, organisation) VALUES ($1, $2, $3, 'community_police', '派出所') RETURNING id`,
		e.person("孙片警", w), w.street, w.community)
	ids["WorkLog"] = e.id(`INSERT INTO work_logs (street_id, community_id, grid_id, cadre_id, kind, logged_at, content, people_served, hours)
		VALUES ($1, $2, $3, $4, 'patrol', '2024-02-01 09:00+08', '巡查', 3, 1.5) RETURNING id`, w.street, w.community, w.grid, w.cadre)
	ids["Issue"] = e.id(`INSERT INTO issues (street_id, community_id, grid_id, category_id, title, reporter_id, reporter_role)
		VALUES ($1, $2, $3, $4, '路灯不亮', $5, 'resident') RETURNING id`, w.street, w.community, w.grid, w.issueCat, w.resident)
	ids["IssueExtension"] = e.id(`INSERT INTO issue_extensions (issue_id, street_id, community_id, grid_id, requested_by,
		requester_level, reason, due_before, due_requested) VALUES ($1, $2, $3, $4, $5, 'grid', '材料未到', now(), now() + interval '3 days')
		RETURNING id`, ids["Issue"], w.street, w.community, w.grid, w.cadrePerson)
	ids["Evidence"] = e.id(`INSERT INTO evidence (issue_id, street_id, community_id, grid_id, stage, sha256, media_type, bytes, uploaded_by)
		VALUES ($1, $2, $3, $4, 'report', repeat('ab', 32), 'application/pdf', 100, $5) RETURNING id`,
		ids["Issue"], w.street, w.community, w.grid, w.cadrePerson)
	ids["ServiceOrder"] = e.id(`INSERT INTO service_orders (street_id, community_id, grid_id, category_id, resident_id, title)
		VALUES ($1, $2, $3, $4, $5, '代购药品') RETURNING id`, w.street, w.community, w.grid, w.serviceCat, w.resident)
	ids["SocialOrganisation"] = e.id(`INSERT INTO social_organisations (name, has_party_org, street_id, registered_on) VALUES ('红领公益', true, $1, '2020-01-01') RETURNING id`, w.street)
	ids["VentureProject"] = e.id(`INSERT INTO venture_projects (social_organisation_id, street_id, community_id, name, theme, funding_yuan, started_on)
		VALUES ($1, $2, $3, '助老餐桌', 'elderly_care', 50000, '2024-01-01') RETURNING id`, ids["SocialOrganisation"], w.street, w.community)
	ids["VolunteerTeam"] = e.id(`INSERT INTO volunteer_teams (name, team_type, street_id, is_volunteer_police, founded_on) VALUES ('卧牛山义警队', 'town_street', $1, true, '2021-01-01') RETURNING id`, w.street)
	ids["Volunteer"] = e.id(`INSERT INTO volunteers (person_id, team_id, street_id, community_id, grid_id, registered_on, skills)
		VALUES ($1, $2, $3, $4, $5, '2022-01-01', '巡逻') RETURNING id`, e.person("周义警", w), ids["VolunteerTeam"], w.street, w.community, w.grid)
	ids["Pairing"] = e.id(`INSERT INTO pairings (unit_id, street_id, community_id, kind, started_on) VALUES ($1, $2, $3, 'community', '2023-01-01') RETURNING id`,
		w.unit, w.street, w.community)
	ids["Activity"] = e.id(`INSERT INTO activities (kind, title, street_id, community_id, starts_at, ends_at, people_served, team_id)
		VALUES ('volunteer_service', '文明劝导', $1, $2, '2024-05-01 08:00+08', '2024-05-01 11:00+08', 40, $3) RETURNING id`, w.street, w.community, ids["VolunteerTeam"])
	ids["ActivityParticipant"] = e.id(`INSERT INTO activity_participants (activity_id, street_id, community_id, person_id, role, hours)
		VALUES ($1, $2, $3, $4, 'party_member', 2.5) RETURNING id`, ids["Activity"], w.street, w.community, person)
	ids["JointMeeting"] = e.id(`INSERT INTO joint_meetings (street_id, community_id, held_on, title, attendees) VALUES ($1, $2, '2024-03-20', '一季度联席会', 12) RETURNING id`,
		w.street, w.community)
	ids["MeetingMatter"] = e.id(`INSERT INTO meeting_matters (meeting_id, street_id, community_id, kind, title, outcome)
		VALUES ($1, $2, $3, 'major_matter', '加装电梯', 'discussed') RETURNING id`, ids["JointMeeting"], w.street, w.community)
	ids["Resident"] = e.id(`INSERT INTO residents (person_id, street_id, community_id, grid_id, building_id, household_size, collected_by)
		VALUES ($1, $2, $3, $4, $5, 3, $6) RETURNING id`, w.resident, w.street, w.community, w.grid, w.building, w.cadre)
	centre := e.id(`INSERT INTO facilities (street_id, community_id, kind, name) VALUES ($1, $2, 'service_centre', '党群服务中心') RETURNING id`, w.street, w.community)
	ids["DutyShift"] = e.id(`INSERT INTO duty_shifts (street_id, community_id, facility_id, cadre_id, on_date) VALUES ($1, $2, $3, $4, '2024-05-06') RETURNING id`,
		w.street, w.community, centre, w.cadre)
	room := e.id(`INSERT INTO facilities (street_id, community_id, compound_id, kind, name) VALUES ($1, $2, $3, 'mediation_room', '法律调解室') RETURNING id`,
		w.street, w.community, ids["Compound"])
	ids["MediationRoomMember"] = e.id(`INSERT INTO mediation_room_members (street_id, community_id, facility_id, member_id, joined_on) VALUES ($1, $2, $3, $4, '2023-06-01') RETURNING id`,
		w.street, w.community, room, member)
	ids["Patrol"] = e.id(`INSERT INTO patrols (steward_id, street_id, community_id, grid_id, patrolled_at, route) VALUES ($1, $2, $3, $4, '2024-06-01 08:00+08', '环湖路')
		RETURNING id`, ids["RedSteward"], w.street, w.community, w.grid)
	ids["PatrolFinding"] = e.id(`INSERT INTO patrol_findings (patrol_id, street_id, community_id, grid_id, category, description)
		VALUES ($1, $2, $3, $4, 'safety_hazard', '消防通道堵塞') RETURNING id`, ids["Patrol"], w.street, w.community, w.grid)
	ids["SocialPartyOrganisation"] = e.id(`INSERT INTO social_party_organisations (social_organisation_id, name, kind, founded_on)
		VALUES ($1, '红领公益党支部', 'branch', '2021-01-01') RETURNING id`, ids["SocialOrganisation"])
	ids["BuildingNotice"] = e.id(`INSERT INTO building_notices (building_id, street_id, community_id, grid_id, leader_name, contact)
		VALUES ($1, $2, $3, $4, '赵党员', '13900000000') RETURNING id`, w.building, w.street, w.community, w.grid)
	ids["BuildingConvention"] = e.id(`INSERT INTO building_conventions (building_id, street_id, community_id, grid_id, body, adopted_on)
		VALUES ($1, $2, $3, $4, '楼道不堆放杂物', '2024-01-01') RETURNING id`, w.building, w.street, w.community, w.grid)
	ids["AuditRecord"] = e.id(`INSERT INTO audit_log (person_id, role, mutation, target_table, target_id, action, after)
		VALUES ($1, 'city_admin', 'reportIssue', 'cities', $2, 'insert', '{}') RETURNING id`, w.cadrePerson, w.city)
	return ids
}

// Every type implementing Node in the SDL resolves through node(id:), with its own id.
func TestEveryNodeTypeResolves(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	ids := e.everything(w)
	s := graph.NewExecutableSchema(graph.Config{}).Schema()
	types := s.GetPossibleTypes(s.Types["Node"])
	if len(types) < 30 {
		t.Fatalf("only %d Node types", len(types))
	}
	for _, def := range types {
		t.Run(def.Name, func(t *testing.T) {
			id, ok := ids[def.Name]
			if !ok {
				t.Fatalf("no fixture for Node type %s: add one to everything()", def.Name)
			}
			d := e.with(t).ok(0, `query($id: ID!) { node(id: $id) { id __typename } }`, map[string]any{"id": gid(def.Name, id)})
			if dig(d, "node", "__typename") != def.Name || dig(d, "node", "id") != gid(def.Name, id) {
				t.Fatalf("node %s: %v", def.Name, d)
			}
		})
	}
}

func TestVolunteerReads(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	ids := e.everything(w)
	community := gid("Community", w.community)
	d := e.ok(0, `query($c: ID) {
		volunteers(filter: {place: {communityId: $c}, volunteerPolice: true}) { totalCount edges { node { name isVolunteerPolice team { name teamType volunteerCount street { name } } grid { code } } } }
		volunteerTeams(filter: {types: [TOWN_STREET]}) { totalCount edges { node { name isVolunteerPolice volunteers(first: 5) { totalCount } } } }
		activities(filter: {place: {communityId: $c}, kinds: [VOLUNTEER_SERVICE], search: "劝导"}) { totalCount edges { node {
			title kind peopleServed participantCount totalHours team { name } participants { role hours person { name } } } } }
		jointMeetings(filter: {held: {from: "2024-01-01", to: "2024-04-01"}}) { edges { node { title attendees matters { kind title outcome allowedOutcomes } } } }
		pairings(filter: {current: true}) { edges { node { kind unit { name } community { name } } } }
		workLogs(filter: {kinds: [PATROL]}) { edges { node { kind content peopleServed hours cadre { name } grid { code } } } }
		cadres(filter: {kinds: [COMMUNITY_CADRE]}) { edges { node { name kind community { name } assignments { role grid { code } } } } }
		grids(filter: {place: {communityId: $c}}) { edges { node { code assignments { role cadre { name } } } } }
		redStewards { edges { node { name grid { code } } } }
		governanceInstructors { edges { node { name formerPost community { name } } } }
		partners(filter: {kinds: [COMMUNITY_POLICE]}) { edges { node { name kind organisation } } }
		socialOrganisations(search: "红领") { edges { node { name hasPartyOrg ventureProjects { name theme fundingYuan } } } }
		ventureProjects(filter: {themes: [ELDERLY_CARE]}) { totalCount }
		compounds { totalCount } facilities(kinds: [PRACTICE_STATION]) { edges { node { kind name } } } intersections { totalCount }
	}`, map[string]any{"c": community})
	checks := []struct {
		got  any
		want any
	}{
		{dig(d, "volunteers", "totalCount"), 1.0},
		{dig(d, "volunteers", "edges", 0, "node", "team", "volunteerCount"), 1.0},
		{dig(d, "volunteerTeams", "edges", 0, "node", "volunteers", "totalCount"), 1.0},
		{dig(d, "activities", "edges", 0, "node", "participantCount"), 1.0},
		{dig(d, "activities", "edges", 0, "node", "totalHours"), 2.5},
		{dig(d, "activities", "edges", 0, "node", "participants", 0, "person", "name"), "赵党员"},
		{dig(d, "jointMeetings", "edges", 0, "node", "matters", 0, "outcome"), "DISCUSSED"},
		{len(dig(d, "jointMeetings", "edges", 0, "node", "matters", 0, "allowedOutcomes").([]any)), 2},
		{dig(d, "pairings", "edges", 0, "node", "unit", "name"), "市司法局"},
		{dig(d, "workLogs", "edges", 0, "node", "cadre", "name"), "王干部"},
		{dig(d, "cadres", "edges", 0, "node", "assignments", 0, "role"), "GRID_LEADER"},
		{dig(d, "grids", "edges", 0, "node", "assignments", 0, "cadre", "name"), "王干部"},
		{dig(d, "redStewards", "edges", 0, "node", "name"), "赵党员"},
		{dig(d, "partners", "edges", 0, "node", "kind"), "COMMUNITY_POLICE"},
		{dig(d, "socialOrganisations", "edges", 0, "node", "ventureProjects", 0, "fundingYuan"), 50000.0},
		{dig(d, "ventureProjects", "totalCount"), 1.0},
		{dig(d, "facilities", "edges", 0, "node", "kind"), "PRACTICE_STATION"},
	}
	for i, c := range checks {
		if c.got != c.want {
			t.Errorf("check %d: want %v, got %v", i, c.want, c.got)
		}
	}
	// A member's hours from activities and orders are one ledger.
	_ = ids
}

func TestVolunteerMutations(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	ids := e.everything(w)
	actor := w.cadrePerson
	mut := func(name, input string, in map[string]any, fields string) map[string]any {
		t.Helper()
		d := e.ok(actor, `mutation($in: `+input+`!) { `+name+`(input: $in) { `+fields+` } }`, map[string]any{"in": in})
		return dig(d, name).(map[string]any)
	}
	fails := func(code, name, input string, in map[string]any) gqlResp {
		t.Helper()
		return e.fails(actor, code, `mutation($in: `+input+`!) { `+name+`(input: $in) { id } }`, map[string]any{"in": in})
	}

	// Teams: the owner must match the type; updates check the version.
	r := fails("BAD_USER_INPUT", "createVolunteerTeam", "CreateVolunteerTeamInput", map[string]any{"name": "队", "teamType": "MUNICIPAL_AGENCY", "streetId": gid("Street", w.street)})
	if r.Errors[0].Extensions["field"] != "unitId" {
		t.Fatalf("owner mismatch names the field: %v", r.Errors[0].Extensions)
	}
	team := mut("createVolunteerTeam", "CreateVolunteerTeamInput", map[string]any{"name": "司法局志愿服务队", "teamType": "MUNICIPAL_AGENCY",
		"unitId": gid("Unit", w.unit)}, "id name teamType isVolunteerPolice version unit { name }")
	if team["teamType"] != "MUNICIPAL_AGENCY" || dig(team, "unit", "name") != "市司法局" || team["isVolunteerPolice"] != false {
		t.Fatalf("create team: %v", team)
	}
	upd := mut("updateVolunteerTeam", "UpdateVolunteerTeamInput", map[string]any{"teamId": team["id"], "isVolunteerPolice": true, "version": team["version"]},
		"isVolunteerPolice version name")
	if upd["isVolunteerPolice"] != true || upd["version"] == team["version"] || upd["name"] != "司法局志愿服务队" {
		t.Fatalf("update team: %v", upd)
	}
	fails("CONFLICT", "updateVolunteerTeam", "UpdateVolunteerTeamInput", map[string]any{"teamId": team["id"], "name": "新名", "version": team["version"]})

	// Volunteers register under their real name, once.
	noID := e.person("吴无证", w)
	fails("BAD_USER_INPUT", "registerVolunteer", "RegisterVolunteerInput", map[string]any{"personId": gid("Person", noID), "communityId": gid("Community", w.community)})
	withID := e.id(`INSERT INTO people (name, id_number, street_id, community_id) VALUES ('郑实名', '340181199001011234', $1, $2) RETURNING id`, w.street, w.community)
	reg := map[string]any{"personId": gid("Person", withID), "communityId": gid("Community", w.community), "gridId": gid("Grid", w.grid),
		"teamId": team["id"], "skills": "法律咨询"}
	v := mut("registerVolunteer", "RegisterVolunteerInput", reg, "name isVolunteerPolice team { name } grid { code }")
	if v["name"] != "郑实名" || v["isVolunteerPolice"] != true || dig(v, "grid", "code") != "G1" {
		t.Fatalf("register: %v", v)
	}
	fails("CONFLICT", "registerVolunteer", "RegisterVolunteerInput", reg)

	// Activities: participants in their registered roles; a member's hours reach the ledger.
	_, member := e.member("冯党员", w, true)
	memberPerson := e.id(`SELECT person_id FROM party_members WHERE id = $1`, member)
	act := map[string]any{"kind": "THEMED_PARTY_DAY", "title": "红动网格主题党日", "gridId": gid("Grid", w.grid),
		"startsAt": "2024-07-01T09:00:00+08:00", "endsAt": "2024-07-01T12:00:00+08:00", "peopleServed": 30,
		"participants": []any{map[string]any{"personId": gid("Person", memberPerson), "role": "PARTY_MEMBER", "hours": 3}}}
	a := mut("recordActivity", "RecordActivityInput", act, "id version participantCount totalHours community { name } grid { code }")
	if a["participantCount"] != 1.0 || a["totalHours"] != 3.0 || dig(a, "community", "name") != "健康社区" {
		t.Fatalf("record activity: %v", a)
	}
	d := e.ok(0, `query($id: ID!) { node(id: $id) { ... on PartyMember { ledger { hours content } } } }`, map[string]any{"id": gid("PartyMember", member)})
	if dig(d, "node", "ledger", 0, "content") != "红动网格主题党日" {
		t.Fatalf("ledger: %v", d)
	}
	bad := map[string]any{"kind": "THEMED_PARTY_DAY", "title": "x", "gridId": gid("Grid", w.grid),
		"startsAt": "2024-07-01T09:00:00+08:00", "endsAt": "2024-07-01T10:00:00+08:00",
		"participants": []any{map[string]any{"personId": gid("Person", w.resident), "role": "VOLUNTEER", "hours": 1}}}
	fails("BAD_USER_INPUT", "recordActivity", "RecordActivityInput", bad) // not a volunteer
	bad["participants"] = []any{map[string]any{"personId": gid("Person", w.resident), "role": "RESIDENT", "hours": 2}}
	fails("BAD_USER_INPUT", "recordActivity", "RecordActivityInput", bad) // longer than the activity
	bad["endsAt"] = "2024-07-01T08:00:00+08:00"
	fails("BAD_USER_INPUT", "recordActivity", "RecordActivityInput", bad) // ends before it starts
	added := mut("addActivityParticipants", "AddActivityParticipantsInput", map[string]any{"activityId": a["id"], "version": a["version"],
		"participants": []any{map[string]any{"personId": gid("Person", w.resident), "role": "RESIDENT", "hours": 1}}}, "participantCount version")
	if added["participantCount"] != 2.0 {
		t.Fatalf("add participants: %v", added)
	}
	fails("CONFLICT", "addActivityParticipants", "AddActivityParticipantsInput", map[string]any{"activityId": a["id"], "version": a["version"],
		"participants": []any{map[string]any{"personId": gid("Person", w.cadrePerson), "role": "CADRE", "hours": 1}}})

	// Joint meetings and the outcome machine of their matters.
	m := mut("holdJointMeeting", "HoldJointMeetingInput", map[string]any{"communityId": gid("Community", w.community), "heldOn": "2024-06-28",
		"title": "二季度联席会", "attendees": 15, "matters": []any{
			map[string]any{"kind": "MAJOR_MATTER", "title": "停车位规划", "outcome": "DISCUSSED"},
			map[string]any{"kind": "DISPUTE", "title": "邻里漏水纠纷联合调解", "outcome": "UNRESOLVED"}}},
		"id version matters { id kind outcome version }")
	matters := m["matters"].([]any)
	if len(matters) != 2 {
		t.Fatalf("meeting: %v", m)
	}
	fails("BAD_USER_INPUT", "holdJointMeeting", "HoldJointMeetingInput", map[string]any{"communityId": gid("Community", w.community), "heldOn": "2024-06-28",
		"title": "x", "matters": []any{map[string]any{"kind": "DISPUTE", "title": "纠纷", "outcome": "DECIDED"}}})
	fails("BAD_USER_INPUT", "holdJointMeeting", "HoldJointMeetingInput", map[string]any{"communityId": gid("Community", w.community), "heldOn": "2999-01-01", "title": "x"})
	major, dispute := matters[0].(map[string]any), matters[1].(map[string]any)
	got := mut("setMatterOutcome", "SetMatterOutcomeInput", map[string]any{"matterId": major["id"], "outcome": "DECIDED", "version": major["version"]}, "outcome allowedOutcomes")
	if got["outcome"] != "DECIDED" || len(got["allowedOutcomes"].([]any)) != 0 {
		t.Fatalf("decide: %v", got)
	}
	r = fails("INVALID_TRANSITION", "setMatterOutcome", "SetMatterOutcomeInput", map[string]any{"matterId": major["id"], "outcome": "DISCUSSED"})
	if !strings.Contains(r.Errors[0].Message, "decided") {
		t.Fatalf("refusal names the outcome: %s", r.Errors[0].Message)
	}
	fails("CONFLICT", "setMatterOutcome", "SetMatterOutcomeInput", map[string]any{"matterId": dispute["id"], "outcome": "MEDIATED", "version": 99})
	mut("setMatterOutcome", "SetMatterOutcomeInput", map[string]any{"matterId": dispute["id"], "outcome": "MEDIATED"}, "outcome")
	m2 := mut("recordMeetingMatter", "RecordMeetingMatterInput", map[string]any{"meetingId": m["id"], "version": m["version"],
		"matter": map[string]any{"kind": "URGENT_MATTER", "title": "汛期排涝", "outcome": "DECIDED"}}, "matters { title }")
	if len(m2["matters"].([]any)) != 3 {
		t.Fatalf("record matter: %v", m2)
	}
	fails("CONFLICT", "recordMeetingMatter", "RecordMeetingMatterInput", map[string]any{"meetingId": m["id"], "version": m["version"],
		"matter": map[string]any{"kind": "URGENT_MATTER", "title": "冬季供暖", "outcome": "DECIDED"}})

	// Pairings: one current pairing per unit and community or station; ending twice is refused.
	unit2 := e.id(`INSERT INTO units (code, name, kind) VALUES ('U2', '市文明办', 'municipal_agency') RETURNING id`)
	p := mut("pairUnit", "PairUnitInput", map[string]any{"unitId": gid("Unit", unit2), "communityId": gid("Community", w.community),
		"practiceStationId": gid("Facility", ids["Facility"]), "startedOn": "2024-01-01"}, "id kind version practiceStation { name }")
	if p["kind"] != "PRACTICE_STATION" {
		t.Fatalf("pair: %v", p)
	}
	fails("CONFLICT", "pairUnit", "PairUnitInput", map[string]any{"unitId": gid("Unit", unit2), "communityId": gid("Community", w.community),
		"practiceStationId": gid("Facility", ids["Facility"])})
	fails("CONFLICT", "endPairing", "EndPairingInput", map[string]any{"pairingId": p["id"], "version": 42})
	mut("endPairing", "EndPairingInput", map[string]any{"pairingId": p["id"], "endedOn": "2024-12-31", "version": p["version"]}, "endedOn")
	fails("INVALID_TRANSITION", "endPairing", "EndPairingInput", map[string]any{"pairingId": p["id"]})

	// Grid work log: only a responsible cadre writes it.
	log := mut("logGridWork", "LogGridWorkInput", map[string]any{"gridId": gid("Grid", w.grid), "kind": "RESIDENT_VISIT",
		"content": "走访独居老人", "peopleServed": 4, "hours": 2}, "kind cadre { name } grid { code } peopleServed")
	if dig(log, "cadre", "name") != "王干部" || log["peopleServed"] != 4.0 {
		t.Fatalf("log work: %v", log)
	}
	e.fails(w.resident, "FORBIDDEN", `mutation { logGridWork(input: {gridId: "`+gid("Grid", w.grid)+`", kind: PATROL, content: "巡查"}) { id } }`, nil)
	fails("BAD_USER_INPUT", "logGridWork", "LogGridWorkInput", map[string]any{"gridId": gid("Grid", w.grid), "kind": "PATROL", "content": "x", "hours": 25})
	fails("BAD_USER_INPUT", "logGridWork", "LogGridWorkInput", map[string]any{"gridId": gid("Grid", w.grid), "kind": "PATROL", "content": " "})
	e.fails(anon, "UNAUTHENTICATED", `mutation { logGridWork(input: {gridId: "`+gid("Grid", w.grid)+`", kind: PATROL, content: "巡查"}) { id } }`, nil)
}

package resolvers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	globalid "gridgov/gid"
)

// register is one register of people on duty as a console drives it: create a row, change
// it, end it, and list it with and without its ended rows.
type register struct {
	name             string
	create, update   string // mutation names; their inputs are the names' Input types
	end              string
	idField          string         // the id field of update and end
	createIn         map[string]any // a valid creation
	updateIn         map[string]any // a valid change (id and version added)
	endIn            map[string]any // a valid end (id and version added)
	list             string         // the list query with %v for "with ended rows"
	endedState       string         // how INVALID_TRANSITION names an ended row
	table, history   string         // the row's table; its name in register_events
	changedField     string         // a field update changes, and its new value
	changedValue     any
	createRole, role string // a role that may not create; the token of a cadre of another community
}

// inputType is the input type of a mutation that takes Input of its own name.
func inputType(mutation string) string { return strings.ToUpper(mutation[:1]) + mutation[1:] + "Input" }

func withFields(m map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

// TestRegisters drives every register through create → update → end and its history:
// stale versions are CONFLICT, an ended row refuses changes with INVALID_TRANSITION naming
// its state, a role outside the policy is FORBIDDEN and a row of another community is
// NOT_FOUND to its cadre.
func TestRegisters(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	leaderPerson := e.person("赵书记", w)
	leader := e.id(`INSERT INTO cadres (person_id, kind, street_id, is_leader) VALUES ($1, 'street_cadre', $2, true) RETURNING id`, leaderPerson, w.street)
	centre := e.id(`INSERT INTO facilities (street_id, community_id, kind, name) VALUES ($1, $2, 'service_centre', '服务中心') RETURNING id`, w.street, w.community)
	other := e.id(`INSERT INTO communities (street_id, code, name) VALUES ($1, 'C2', '另一社区') RETURNING id`, w.street)
	otherCadre := e.token("community_cadre", gid("Community", other), w.cadrePerson)
	member := e.token("party_member", gid("Grid", w.grid), w.resident)
	day := func(d int) string { return time.Now().AddDate(0, 0, d).Format(time.DateOnly) }
	cases := []register{
		{name: "grid staffing", create: "assignGridStaff", update: "updateGridAssignment", end: "endGridAssignment", idField: "assignmentId",
			createIn: map[string]any{"gridId": gid("Grid", w.grid), "cadreId": gid("Cadre", leader), "role": "INSTRUCTOR", "startedOn": "2024-01-01"},
			updateIn: map[string]any{"startedOn": "2024-02-01"}, endIn: map[string]any{"endedOn": day(0)},
			list: `gridAssignments(filter: {includeEnded: %v}) { totalCount }`, endedState: "that is ended",
			table: "grid_assignments", history: "grid_assignment", changedField: "startedOn", changedValue: "2024-02-01"},
		{name: "governance instructors", create: "appointGovernanceInstructor", update: "updateGovernanceInstructor", end: "endGovernanceInstructor",
			idField:  "instructorId",
			createIn: map[string]any{"personId": gid("Person", e.person("钱老干部", w)), "communityId": gid("Community", w.community), "formerPost": "原副县长"},
			updateIn: map[string]any{"formerPost": "原县人大副主任"}, endIn: map[string]any{},
			list: `governanceInstructors(filter: {includeEnded: %v}) { totalCount }`, endedState: "that is ended",
			table: "governance_instructors", history: "governance_instructor", changedField: "formerPost", changedValue: "原县人大副主任"},
		{name: "partners", create: "registerPartner", update: "updatePartner", end: "endPartner", idField: "partnerId",
			createIn: map[string]any{"personId": gid("Person", e.person("孙片警", w)), "communityId": gid("Community", w.community), "kind": "COMMUNITY_POLICE"},
			updateIn: map[string]any{"organisation": "卧牛山派出所", "kind": "PAIRED_UNIT_STAFF"}, endIn: map[string]any{},
			list: `partners(filter: {includeEnded: %v}) { totalCount }`, endedState: "that is ended",
			table: "partners", history: "partner", changedField: "organisation", changedValue: "卧牛山派出所"},
		{name: "duty shifts", create: "scheduleDutyShift", update: "updateDutyShift", end: "cancelDutyShift", idField: "shiftId",
			createIn: map[string]any{"facilityId": gid("Facility", centre), "cadreId": gid("Cadre", w.cadre), "onDate": day(2)},
			updateIn: map[string]any{"onDate": day(3)}, endIn: map[string]any{"reason": "培训"},
			list: `dutyShifts(filter: {includeCancelled: %v}) { totalCount }`, endedState: "it is cancelled",
			table: "duty_shifts", history: "duty_shift", changedField: "onDate", changedValue: day(3)},
		{name: "residents", create: "registerResident", update: "updateResident", end: "moveOutResident", idField: "residentId",
			createIn: map[string]any{"personId": gid("Person", e.person("周新居民", w)), "buildingId": gid("Building", w.building), "householdSize": 3},
			updateIn: map[string]any{"householdSize": 4}, endIn: map[string]any{},
			list: `residents(filter: {includeMovedOut: %v}) { totalCount }`, endedState: "that is ended",
			table: "residents", history: "resident", changedField: "householdSize", changedValue: 4.0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := e.with(t)
			call := func(token string, name string, in map[string]any) gqlResp {
				t.Helper()
				q := fmt.Sprintf(`mutation($in: %s!) { %s(input: $in) { id version ... on %s } }`, inputType(name), name, fragment(c))
				if token == "" {
					return e.do(w.cadrePerson, q, map[string]any{"in": in})
				}
				return e.as(token, q, map[string]any{"in": in})
			}
			want := func(r gqlResp, code, text string) {
				t.Helper()
				if r.code() != code || (text != "" && !strings.Contains(r.Errors[0].Message, text)) {
					t.Fatalf("want %s (%q), got %+v", code, text, r.Errors)
				}
			}
			count := func(ended bool) float64 {
				t.Helper()
				return dig(e.ok(admin, `{ `+fmt.Sprintf(c.list, ended)+` }`, nil), strings.SplitN(c.list, "(", 2)[0], "totalCount").(float64)
			}
			current, all := count(false), count(true)

			want(call(member, c.create, c.createIn), "FORBIDDEN", "")
			r := call("", c.create, c.createIn)
			want(r, "", "")
			row := dig(r.Data, c.create).(map[string]any)
			id, v := row["id"], row["version"]
			if count(false) != current+1 || count(true) != all+1 {
				t.Fatalf("a new row is current: %v/%v before, %v/%v after", current, all, count(false), count(true))
			}

			want(call("", c.update, withFields(c.updateIn, c.idField, id, "version", v.(float64)+7)), "CONFLICT", "")
			want(call(otherCadre, c.update, withFields(c.updateIn, c.idField, id, "version", v)), "NOT_FOUND", "")
			r = call("", c.update, withFields(c.updateIn, c.idField, id, "version", v))
			want(r, "", "")
			row = dig(r.Data, c.update).(map[string]any)
			if row[c.changedField] != c.changedValue || row["version"] == v {
				t.Fatalf("update: %v", row)
			}
			v = row["version"]

			want(call("", c.end, withFields(c.endIn, c.idField, id, "version", v.(float64)-1)), "CONFLICT", "")
			want(call(otherCadre, c.end, withFields(c.endIn, c.idField, id, "version", v)), "NOT_FOUND", "")
			r = call("", c.end, withFields(c.endIn, c.idField, id, "version", v))
			want(r, "", "")
			v = dig(r.Data, c.end, "version")
			want(call("", c.end, withFields(c.endIn, c.idField, id, "version", v)), "INVALID_TRANSITION", c.endedState)
			want(call("", c.update, withFields(c.updateIn, c.idField, id, "version", v)), "INVALID_TRANSITION", c.endedState)
			if count(false) != current || count(true) != all+1 {
				t.Fatalf("an ended row is history: %v/%v before, %v/%v after", current, all, count(false), count(true))
			}
			var changes int
			if err := e.pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE target_table = $1 AND target_id = $2
				AND mutation = ANY($3)`, c.table, idNumber(t, id.(string)), []string{c.create, c.update, c.end}).Scan(&changes); err != nil || changes != 3 {
				t.Fatalf("audit: %d records of the row's three changes (%v)", changes, err)
			}
			var history string
			if err := e.pool.QueryRow(context.Background(), `SELECT string_agg(action || ':' || coalesce(from_state, '-') || '>' || to_state
				|| ':' || actor_role || '#' || actor_id, ' ' ORDER BY id) FROM register_events WHERE register = $1 AND row_id = $2`, c.history,
				idNumber(t, id.(string))).Scan(&history); err != nil || history != fmt.Sprintf(wantHistory, w.cadrePerson) {
				t.Fatalf("history: got %q, want %q (%v)", history, fmt.Sprintf(wantHistory, w.cadrePerson), err)
			}
		})
	}
}

// wantHistory is the register_events entries of a row created, changed and ended by one
// person (%[1]d) acting as city administrator.
const wantHistory = "create:->current:city_admin#%[1]d update:current>current:city_admin#%[1]d end:current>ended:city_admin#%[1]d"

// fragment is the selection of a register's row type that shows its changed field.
func fragment(c register) string {
	types := map[string]string{"assignGridStaff": "GridAssignment", "appointGovernanceInstructor": "GovernanceInstructor",
		"registerPartner": "Partner", "scheduleDutyShift": "DutyShift", "registerResident": "Resident"}
	return types[c.create] + " { " + c.changedField + " }"
}

// idNumber is the row id of a global id.
func idNumber(t *testing.T, global string) int64 {
	t.Helper()
	_, id, ok := globalid.Decode(global)
	if !ok {
		t.Fatalf("not a global id: %s", global)
	}
	return id
}

// TestGridStaffingRules: the dates of one cadre's role in a grid do not overlap, and each
// role is held by the cadres it belongs to.
func TestGridStaffingRules(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	assign := func(cadre int64, role, from string) gqlResp {
		return e.do(w.cadrePerson, `mutation($in: AssignGridStaffInput!) { assignGridStaff(input: $in) { id version } }`,
			map[string]any{"in": map[string]any{"gridId": gid("Grid", w.grid), "cadreId": gid("Cadre", cadre), "role": role, "startedOn": from}})
	}
	first := assign(w.cadre, "GRID_WORKER", "2024-01-01")
	if first.code() != "" {
		t.Fatalf("assign: %+v", first.Errors)
	}
	if r := assign(w.cadre, "GRID_WORKER", "2024-03-01"); r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "startedOn" ||
		!strings.Contains(r.Errors[0].Message, "overlap") {
		t.Fatalf("overlapping dates: %+v", r.Errors)
	}
	if r := assign(w.cadre, "GRID_LEADER", "2024-03-01"); r.code() != "" {
		t.Fatalf("another role of the same cadre: %+v", r.Errors)
	}
	if r := assign(w.cadre, "LIAISON", "2024-03-01"); r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "cadreId" {
		t.Fatalf("a community cadre as liaison: %+v", r.Errors)
	}
	a := dig(first.Data, "assignGridStaff").(map[string]any)
	e.ok(w.cadrePerson, `mutation($in: EndGridAssignmentInput!) { endGridAssignment(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"assignmentId": a["id"], "version": a["version"], "endedOn": "2024-06-30"}})
	if r := assign(w.cadre, "GRID_WORKER", "2024-06-30"); r.code() != "BAD_USER_INPUT" {
		t.Fatalf("starting on the last day of the ended assignment: %+v", r.Errors)
	}
	if r := assign(w.cadre, "GRID_WORKER", "2024-07-01"); r.code() != "" {
		t.Fatalf("starting after the ended assignment: %+v", r.Errors)
	}
	n := dig(e.ok(admin, `{ gridAssignments(filter: {includeEnded: true, roles: [GRID_WORKER]}) { totalCount } }`, nil), "gridAssignments", "totalCount")
	if n != 2.0 {
		t.Fatalf("the history holds both grid-worker assignments: %v", n)
	}
}

// TestHeldShiftIsFinal: a shift whose day has passed was held and stays as it was.
func TestHeldShiftIsFinal(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	centre := e.id(`INSERT INTO facilities (street_id, community_id, kind, name) VALUES ($1, $2, 'service_centre', '服务中心') RETURNING id`, w.street, w.community)
	held := e.id(`INSERT INTO duty_shifts (street_id, community_id, facility_id, cadre_id, on_date) VALUES ($1, $2, $3, $4, current_date - 1) RETURNING id`,
		w.street, w.community, centre, w.cadre)
	d := e.ok(admin, `query($id: ID!) { node(id: $id) { ... on DutyShift { state version } } }`, map[string]any{"id": gid("DutyShift", held)})
	if dig(d, "node", "state") != "HELD" {
		t.Fatalf("state: %v", d)
	}
	r := e.fails(w.cadrePerson, "INVALID_TRANSITION", `mutation($in: CancelDutyShiftInput!) { cancelDutyShift(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"shiftId": gid("DutyShift", held), "reason": "补录", "version": dig(d, "node", "version")}})
	if !strings.Contains(r.Errors[0].Message, "held") {
		t.Fatalf("the refusal names the state: %+v", r.Errors)
	}
}

// TestPersonalDataReads: every unmasked read of another person's personal fields is logged,
// one row per person and request; a masked read and a person's read of their own fields are not.
func TestPersonalDataReads(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	for _, name := range []string{"甲居民", "乙居民"} {
		p := e.person(name, w)
		e.id(`UPDATE people SET address_detail = '3单元201' WHERE id = $1 RETURNING id`, p)
		e.id(`INSERT INTO residents (person_id, street_id, community_id, grid_id, building_id) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			p, w.street, w.community, w.grid, w.building)
	}
	reads := func() (n int, people int) {
		t.Helper()
		if err := e.pool.QueryRow(context.Background(), `SELECT count(*), count(DISTINCT person_id) FROM personal_data_reads`).Scan(&n, &people); err != nil {
			t.Fatal(err)
		}
		return n, people
	}
	// Each person twice in one answer: the list and an alias of the same list.
	const list = `{ residents { edges { node { person { phone address } } } } again: residents { edges { node { person { phone } } } } }`

	leader := e.token("leader", gid("Street", w.street), e.person("钱领导", w))
	lr := e.as(leader, list, nil)
	if len(lr.Errors) > 0 {
		t.Fatalf("a leader lists residents: %+v", lr.Errors)
	}
	d := dig(lr.Data, "residents", "edges", 0, "node", "person")
	if d.(map[string]any)["phone"] != nil {
		t.Fatalf("a leader sees masked fields: %v", d)
	}
	if n, _ := reads(); n != 0 {
		t.Fatalf("a masked read logged %d rows", n)
	}

	self := e.token("resident", gid("Grid", w.grid), w.resident)
	r := e.as(self, `query($id: ID!) { node(id: $id) { ... on Person { phone } } }`, map[string]any{"id": gid("Person", w.resident)})
	if dig(r.Data, "node", "phone") != "13800000000" {
		t.Fatalf("a resident reads their own phone: %+v", r)
	}
	if n, _ := reads(); n != 0 {
		t.Fatalf("a person's read of their own fields logged %d rows", n)
	}

	cadre := e.token("community_cadre", gid("Community", w.community), w.cadrePerson)
	e.stmts.Start()
	r = e.as(cadre, list, nil)
	inserts := 0
	for _, st := range e.stmts.Stop() {
		if strings.Contains(st.SQL, "INSERT INTO personal_data_reads") {
			inserts++
		}
	}
	if inserts != 1 {
		t.Fatalf("a request's reads are written in one statement: %d", inserts)
	}
	if len(r.Errors) > 0 || dig(r.Data, "residents", "edges", 0, "node", "person", "phone") != "13800000000" {
		t.Fatalf("a cadre reads residents' phones: %+v", r)
	}
	if n, people := reads(); n != 2 || people != 2 {
		t.Fatalf("an unmasked read of 2 residents logged %d rows for %d people", n, people)
	}
	var role, fields string
	var reader int64
	if err := e.pool.QueryRow(context.Background(), `SELECT reader_id, role, array_to_string(fields, ',') FROM personal_data_reads LIMIT 1`).
		Scan(&reader, &role, &fields); err != nil || reader != w.cadrePerson || role != "community_cadre" || fields != "address,phone" {
		t.Fatalf("a read records who, as what, and which fields: %d %s %s (%v)", reader, role, fields, err)
	}

	log := e.ok(admin, `{ personalDataReads { totalCount edges { node { role fields readerId personId } } } }`, nil)
	if dig(log, "personalDataReads", "totalCount") != 2.0 || dig(log, "personalDataReads", "edges", 0, "node", "readerId") != gid("Person", w.cadrePerson) {
		t.Fatalf("city admins read the log: %v", log)
	}
	if r := e.as(cadre, `{ personalDataReads { totalCount } }`, nil); r.code() != "FORBIDDEN" {
		t.Fatalf("a cadre reads the log: %+v", r.Errors)
	}

	// A read that cannot be logged is not sent: the log refuses every row from here on.
	if _, err := e.pool.Exec(context.Background(), `ALTER TABLE personal_data_reads ADD CONSTRAINT refuse_all CHECK (false) NOT VALID`); err != nil {
		t.Fatal(err)
	}
	r = e.as(cadre, list, nil)
	if r.code() != "UNAVAILABLE" || strings.Contains(fmt.Sprint(r.Data), "13800000000") {
		t.Fatalf("an unlogged read was sent: %+v %v", r.Errors, r.Data)
	}
}

// TestResidentRecordedWithANewPerson: a grid worker records a resident not known yet, with the
// person, in one step; the person lives in the record's building and their personal fields
// reach those allowed to see them, masked for the rest. Naming both a known and a new person,
// or neither, or giving a malformed ID number, is refused and writes nothing.
func TestResidentRecordedWithANewPerson(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	worker := e.token("grid_worker", gid("Grid", w.grid), w.cadrePerson)
	const q = `mutation($in: RegisterResidentInput!) { registerResident(input: $in) {
		householdSize person { name phone idNumber address building { id } grid { id } } } }`
	in := func(person map[string]any, known bool) map[string]any {
		v := map[string]any{"buildingId": gid("Building", w.building), "householdSize": 2, "newPerson": person}
		if known {
			v["personId"] = gid("Person", w.resident)
		}
		return map[string]any{"in": v}
	}
	person := map[string]any{"name": "赵新户", "gender": "FEMALE", "birthYear": 1990, "phone": "13800000001",
		"idNumber": "340181199001010021", "addressDetail": "2单元301"}
	e.refuses(worker, "BAD_USER_INPUT", q, in(person, true))
	e.refuses(worker, "BAD_USER_INPUT", q, in(nil, false))
	bad := map[string]any{"name": "钱新户", "idNumber": "12345"}
	if r := e.refuses(worker, "BAD_USER_INPUT", q, in(bad, false)); r.Errors[0].Extensions["field"] != "idNumber" {
		t.Fatalf("a malformed ID number: %+v", r.Errors)
	}
	r := e.as(worker, q, in(person, false))
	got := dig(r.Data, "registerResident", "person")
	if r.code() != "" || dig(got, "name") != "赵新户" || dig(got, "phone") != "13800000001" ||
		dig(got, "idNumber") != nil || dig(got, "building", "id") != gid("Building", w.building) ||
		dig(got, "grid", "id") != gid("Grid", w.grid) || dig(r.Data, "registerResident", "householdSize") != 2.0 {
		t.Fatalf("new resident: %+v %v", r.Errors, r.Data)
	}
	// A grid worker's answer masks the ID number, as every read does; a city admin reads it.
	d := e.ok(0, `query { residents(filter: {search: "赵新户"}) { edges { node { person { idNumber } } } } }`, nil)
	if edges := dig(d, "residents", "edges").([]any); len(edges) != 1 || dig(edges[0], "node", "person", "idNumber") != "340181199001010021" {
		t.Fatalf("the new person as a city admin reads them: %v", d)
	}
	// The same person twice is one person: the ID number names them.
	if r := e.refuses(worker, "CONFLICT", q, in(person, false)); r.Errors[0].Extensions["field"] != "idNumber" {
		t.Fatalf("the same ID number again: %+v", r.Errors)
	}
}

package resolvers_test

import (
	"context"
	"testing"
)

// TestMutationsAreAudited: a mutation leaves, in its own transaction, who (person, role), what
// (mutation, row) and the row before and after; only city admins read it; nobody rewrites it.
func TestMutationsAreAudited(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	cadre := e.token("community_cadre", gid("Community", w.community), w.cadrePerson)
	r := e.post(cadre, reportBody(w, "audited report"))
	if r.code() != "" {
		t.Fatalf("report: %+v", r.Errors)
	}
	issue := dig(r.Data, "reportIssue", "id").(string)
	r = e.as(cadre, `mutation($id: ID!) { acceptIssue(input: {issueId: $id}) { state } }`, map[string]any{"id": issue})
	if r.code() != "" {
		t.Fatalf("accept: %+v", r.Errors)
	}
	q := `query($id: ID) { auditRecords(filter: {targetId: $id}) { totalCount edges { node {
		id mutation role action actorId actor { name } targetTable targetId before after } } } }`
	d := e.ok(admin, q, map[string]any{"id": issue})
	if dig(d, "auditRecords", "totalCount") != 2.0 {
		t.Fatalf("audit of the issue: %v", d)
	}
	accept := dig(d, "auditRecords", "edges", 0, "node").(map[string]any) // newest first
	if accept["mutation"] != "acceptIssue" || accept["role"] != "community_cadre" || accept["action"] != "UPDATE" ||
		accept["actorId"] != gid("Person", w.cadrePerson) || dig(accept, "actor", "name") != "王干部" || accept["targetId"] != issue ||
		dig(accept, "before", "state") != "reported" || dig(accept, "after", "state") != "accepted" {
		t.Errorf("accept record: %v", accept)
	}
	report := dig(d, "auditRecords", "edges", 1, "node").(map[string]any)
	if report["mutation"] != "reportIssue" || report["action"] != "INSERT" || report["before"] != nil || dig(report, "after", "title") != "audited report" {
		t.Errorf("report record: %v", report)
	}
	// The history rows the mutations appended are audited too.
	d = e.ok(admin, `{ auditRecords(filter: {targetTable: "issue_events"}) { totalCount } }`, nil)
	if dig(d, "auditRecords", "totalCount") != 2.0 {
		t.Errorf("events audited: %v", d)
	}
	// Only city admins: a leader is refused the list and finds no record by id.
	leader := e.token("leader", "city", w.cadrePerson)
	if r := e.as(leader, q, map[string]any{"id": issue}); r.code() != "FORBIDDEN" {
		t.Errorf("leader list: %+v", r.Errors)
	}
	if r := e.as(leader, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": accept["id"]}); r.code() != "NOT_FOUND" {
		t.Errorf("leader node: %+v", r.Errors)
	}
	// Append-only, and a refused mutation leaves nothing.
	if _, err := e.pool.Exec(context.Background(), `UPDATE audit_log SET role = 'city_admin'`); err == nil {
		t.Error("audit_log accepted an update")
	}
	if _, err := e.pool.Exec(context.Background(), `DELETE FROM audit_log`); err == nil {
		t.Error("audit_log accepted a delete")
	}
	var n int
	e.pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_log`).Scan(&n) //nolint:errcheck
	e.as(leader, `mutation($id: ID!) { closeIssue(input: {issueId: $id}) { state } }`, map[string]any{"id": issue})
	var m int
	e.pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_log`).Scan(&m) //nolint:errcheck
	if m != n {
		t.Errorf("a refused mutation wrote %d audit rows", m-n)
	}
}

// TestPersonalFieldsAreMasked: phone, ID number and exact address show for the roles that
// need them and the person themself; never for leaders, unit admins or other residents.
func TestPersonalFieldsAreMasked(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	e.pool.Exec(context.Background(), `UPDATE people SET id_number = '340181199001011234', address_detail = '2单元301' WHERE id = $1`, w.resident) //nolint:errcheck
	q := `query($id: ID!) { node(id: $id) { ... on Person { name phone idNumber address } } }`
	vars := map[string]any{"id": gid("Person", w.resident)}
	other := e.person("张邻居", w)
	cases := []struct {
		name, token              string
		phone, idNumber, address bool
	}{
		{"city admin", e.token("city_admin", "city", w.cadrePerson), true, true, true},
		{"community cadre", e.token("community_cadre", gid("Community", w.community), w.cadrePerson), true, true, true},
		{"street cadre", e.token("street_cadre", gid("Street", w.street), w.cadrePerson), true, false, false},
		{"grid worker", e.token("grid_worker", gid("Grid", w.grid), w.cadrePerson), true, false, true},
		{"leader", e.token("leader", "city", w.cadrePerson), false, false, false},
		{"the person", e.token("resident", gid("Grid", w.grid), w.resident), true, true, true},
	}
	for _, c := range cases {
		r := e.as(c.token, q, vars)
		if r.code() != "" {
			t.Errorf("%s: %+v", c.name, r.Errors)
			continue
		}
		n := dig(r.Data, "node").(map[string]any)
		if (n["phone"] != nil) != c.phone || (n["idNumber"] != nil) != c.idNumber || (n["address"] != nil) != c.address {
			t.Errorf("%s sees %v", c.name, n)
		}
	}
	// Another resident does not even find the person; a unit admin neither.
	for name, tok := range map[string]string{
		"neighbour":  e.token("resident", gid("Grid", w.grid), other),
		"unit admin": e.token("unit_admin", gid("Unit", w.unit), 0),
	} {
		if r := e.as(tok, q, vars); r.code() != "NOT_FOUND" {
			t.Errorf("%s: %+v %v", name, r.Errors, r.Data)
		}
	}
}

// TestNarrowedRoles: a resident sees their own reports and orders only; a party member their
// own record and their grid's demand list; a unit admin their unit's members.
func TestNarrowedRoles(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	e.addIssues(w, 2, 0) // reported by w.resident
	other := e.person("张邻居", w)
	e.id(`INSERT INTO issues (street_id, community_id, grid_id, category_id, title, reporter_id, reporter_role)
		VALUES ($1, $2, $3, $4, 'neighbour issue', $5, 'resident') RETURNING id`, w.street, w.community, w.grid, w.issueCat, other)
	post := func(resident int64, title, state string) int64 {
		return e.id(`INSERT INTO service_orders (street_id, community_id, grid_id, category_id, resident_id, title, state, published_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $7 = 'posted' THEN NULL ELSE now() END) RETURNING id`,
			w.street, w.community, w.grid, w.serviceCat, resident, title, state)
	}
	post(w.resident, "own posted", "posted")
	post(other, "neighbour posted", "posted")
	post(other, "neighbour published", "published")
	memberPerson, _ := e.member("赵党员", w, true)
	_, otherMember := e.member("钱党员", w, true)
	_ = otherMember

	resident := e.token("resident", gid("Grid", w.grid), w.resident)
	d := e.as(resident, `{ issues { totalCount } serviceOrders { totalCount edges { node { title } } } }`, nil)
	if d.code() != "" || dig(d.Data, "issues", "totalCount") != 2.0 || dig(d.Data, "serviceOrders", "totalCount") != 1.0 {
		t.Errorf("resident: %+v %v", d.Errors, d.Data)
	}
	member := e.token("party_member", gid("Grid", w.grid), memberPerson)
	d = e.as(member, `{ serviceOrders { totalCount edges { node { title resident { name phone } } } } partyMembers { totalCount } checkins { totalCount } }`, nil)
	if d.code() != "" || dig(d.Data, "serviceOrders", "totalCount") != 1.0 || dig(d.Data, "serviceOrders", "edges", 0, "node", "title") != "neighbour published" ||
		dig(d.Data, "serviceOrders", "edges", 0, "node", "resident", "phone") != nil ||
		dig(d.Data, "partyMembers", "totalCount") != 1.0 || dig(d.Data, "checkins", "totalCount") != 1.0 {
		t.Errorf("party member: %+v %v", d.Errors, d.Data)
	}
	if r := e.as(member, `{ issues { totalCount } }`, nil); r.code() != "FORBIDDEN" {
		t.Errorf("party member reads issues: %+v", r.Errors)
	}
	unitB := e.id(`INSERT INTO units (code, name, kind) VALUES ('U2', '市税务局', 'municipal_agency') RETURNING id`)
	ua := e.token("unit_admin", gid("Unit", unitB), 0)
	d = e.as(ua, `{ partyMembers { totalCount } units { totalCount } }`, nil)
	if d.code() != "" || dig(d.Data, "partyMembers", "totalCount") != 0.0 || dig(d.Data, "units", "totalCount") != 1.0 {
		t.Errorf("unit admin of another unit: %+v %v", d.Errors, d.Data)
	}
	ua = e.token("unit_admin", gid("Unit", w.unit), 0)
	d = e.as(ua, `{ partyMembers { totalCount edges { node { name checkin { state } serviceTotals { records } ratings { year } } } } }`, nil)
	if d.code() != "" || dig(d.Data, "partyMembers", "totalCount") != 2.0 {
		t.Errorf("unit admin: %+v %v", d.Errors, d.Data)
	}
	stat := e.token("statistician", "city", 0)
	if r := e.as(stat, `{ issueCategories { name } }`, nil); r.code() != "FORBIDDEN" {
		t.Errorf("statistician: %+v", r.Errors)
	}
}

package resolvers_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// What the query selects below node's object, a mutation's answer and the workflows' root
// reports (a grid's roster and quarterly ledger, a community's monthly review) is read ahead,
// by the prefetch, not gathered from the resolvers in a batch window, which holds the request
// for the window's length. The loaders' batch metric says how each batch was gathered.
func TestRootObjectsAreReadAhead(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	memberPerson, member := e.member("张党员", w, true)
	d := e.ok(w.resident, `mutation { postOrder(input: {categoryId: "`+gid("ServiceCategory", w.serviceCat)+`", gridId: "`+gid("Grid", w.grid)+`", title: "代购药品"}) { id } }`, nil)
	order := dig(d, "postOrder", "id").(string)
	e.ok(w.cadrePerson, `mutation { publishOrder(input: {orderId: "`+order+`"}) { state } }`, nil)

	before := windows(e)
	d = e.ok(memberPerson, `mutation { claimOrder(input: {orderId: "`+order+`"}) { state claimedBy { name unit { name } }
		grid { name community { name } } resident { name } events(last: 5) { action actor { name } } } }`, nil)
	if dig(d, "claimOrder", "claimedBy", "name") != "张党员" || dig(d, "claimOrder", "grid", "community", "name") != "健康社区" ||
		dig(d, "claimOrder", "events", 1, "actor", "name") != "王干部" {
		t.Fatalf("claim: %v", d)
	}
	d = e.ok(admin, `query { node(id: "`+gid("PartyMember", member)+`") { ... on PartyMember { name unit { name } community { name }
		grid { name } checkin { state } serviceTotals { records } ledger(last: 5) { hours } ratings { year } } } }`, nil)
	if dig(d, "node", "unit", "name") != "市司法局" || dig(d, "node", "checkin", "state") != "VERIFIED" {
		t.Fatalf("member: %v", d)
	}
	e.ok(memberPerson, `mutation { completeOrder(input: {orderId: "`+order+`", hours: 2, content: "送药上门"}) { state } }`, nil)
	e.id(`INSERT INTO issues (street_id, community_id, grid_id, category_id, title, description, reporter_id, reporter_role)
		VALUES ($1, $2, $3, $4, '楼道漏水', '楼道漏水', $5, 'resident') RETURNING id`, w.street, w.community, w.grid, w.issueCat, w.resident)
	now := time.Now()
	d = e.ok(admin, fmt.Sprintf(`query { gridLedger(gridId: "%s", year: %d, quarter: %d) { grid { name community { name } }
		entries { name member { unit { name } grid { name } } records { content order { title resident { name } } } } } }`,
		gid("Grid", w.grid), now.Year(), (int(now.Month())-1)/3+1), nil)
	if dig(d, "gridLedger", "entries", 0, "member", "unit", "name") != "市司法局" ||
		dig(d, "gridLedger", "entries", 0, "records", 0, "order", "resident", "name") != "李居民" {
		t.Fatalf("grid ledger: %v", d)
	}
	d = e.ok(admin, `query { gridRoster(gridId: "`+gid("Grid", w.grid)+`") { name unit { name } building { number grid { name } }
		member { checkin { state } community { name } } } }`, nil)
	if dig(d, "gridRoster", 0, "building", "grid", "name") != "第一网格" || dig(d, "gridRoster", 0, "member", "checkin", "state") != "VERIFIED" {
		t.Fatalf("grid roster: %v", d)
	}
	d = e.ok(admin, `query { monthlyReview(communityId: "`+gid("Community", w.community)+`", month: "`+now.Format("2006-01")+`") {
		community { name } openIssues(first: 10) { edges { node { title grid { name } reporter { name } } } } } }`, nil)
	if dig(d, "monthlyReview", "community", "name") != "健康社区" || dig(d, "monthlyReview", "openIssues", "edges", 0, "node", "reporter", "name") != "李居民" {
		t.Fatalf("monthly review: %v", d)
	}
	if got := windows(e) - before; got != 0 {
		t.Fatalf("%v batches were gathered in a window, want none", got)
	}
	lists(t, e, w, member)
}

// lists reads the lists and relations of the volunteer, place and audit types (organisations
// and their projects, activities' participants, ratings, appointments, compounds, the audit
// log) and checks that none of their batches waited in a window.
func lists(t *testing.T, e *env, w world, member int64) {
	org := e.id(`INSERT INTO social_organisations (name, street_id, registered_on) VALUES ('义工联', $1, '2024-01-01') RETURNING id`, w.street)
	e.id(`INSERT INTO venture_projects (social_organisation_id, street_id, community_id, name, theme, started_on)
		VALUES ($1, $2, $3, '助老餐桌', 'elderly_care', '2024-02-01') RETURNING id`, org, w.street, w.community)
	activity := e.id(`INSERT INTO activities (kind, title, street_id, community_id, starts_at, ends_at)
		VALUES ('legal_publicity', '普法宣传', $1, $2, now(), now()) RETURNING id`, w.street, w.community)
	e.id(`INSERT INTO activity_participants (activity_id, street_id, community_id, person_id, role) VALUES ($1, $2, $3, $4, 'resident') RETURNING id`,
		activity, w.street, w.community, w.resident)
	e.id(`INSERT INTO year_ratings (member_id, street_id, community_id, year, grade) VALUES ($1, $2, $3, 2025, 'good') RETURNING id`,
		member, w.street, w.community)
	e.id(`INSERT INTO building_appointments (street_id, community_id, grid_id, building_id, member_id, role, appointed_on)
		VALUES ($1, $2, $3, $4, $5, 'building_leader', '2024-01-01') RETURNING id`, w.street, w.community, w.grid, w.building, member)
	compound := e.id(`INSERT INTO compounds (street_id, community_id, name) VALUES ($1, $2, '健康小区') RETURNING id`, w.street, w.community)
	before := windows(e)
	for _, c := range []struct{ query, want string }{
		{`{ socialOrganisations { edges { node { street { name } ventureProjects { community { name } socialOrganisation { name } } } } } }`, "卧牛山街道"},
		{`{ ventureProjects { edges { node { socialOrganisation { ventureProjects { name } } } } } }`, "助老餐桌"},
		{`{ activities { edges { node { participants { person { name } activity { title community { name } } } } } } }`, "普法宣传"},
		{`{ node(id: "` + gid("PartyMember", member) + `") { ... on PartyMember { ratings { grade community { name } member { name } } } } }`, "GOOD"},
		{`{ node(id: "` + gid("Building", w.building) + `") { ... on Building { appointments { member { name } building { number } } } } }`, "张党员"},
		{`{ node(id: "` + gid("Compound", compound) + `") { ... on Compound { community { street { name } } } } }`, "卧牛山街道"},
		{`{ auditRecords(first: 5) { edges { node { actor { name } } } } }`, "张党员"},
	} {
		d := e.ok(admin, c.query, nil)
		if b, _ := json.Marshal(d); !strings.Contains(string(b), c.want) {
			t.Errorf("%s: %s, want %s in it", c.query, b, c.want)
		}
	}
	if got := windows(e) - before; got != 0 {
		t.Fatalf("%v batches of the lists were gathered in a window, want none", got)
	}
}

// windows counts the loader batches whose keys were gathered in a batch window.
func windows(e *env) float64 {
	return metricSum(e, "gridgov_graphql_dataloader_batch_size", "gathered", "window")
}

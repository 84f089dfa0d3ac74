package resolvers_test

import (
	"testing"
)

// What the query selects below node's object and below a mutation's answer is read ahead, by
// the prefetch, not gathered from the resolvers in a batch window, which holds the request
// for the window's length. The loaders' batch metric says how each batch was gathered.
func TestNodeAndMutationAnswersAreReadAhead(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	memberPerson, member := e.member("张党员", w, true)
	d := e.ok(w.resident, `mutation { postOrder(input: {categoryId: "`+gid("ServiceCategory", w.serviceCat)+`", gridId: "`+gid("Grid", w.grid)+`", title: "代购药品"}) { id } }`, nil)
	order := dig(d, "postOrder", "id").(string)
	e.ok(w.cadrePerson, `mutation { publishOrder(input: {orderId: "`+order+`"}) { state } }`, nil)

	// The control: a relation no plan covers (an organisation's projects) waits in a window.
	org := e.id(`INSERT INTO social_organisations (name, street_id, registered_on) VALUES ('义工联', $1, '2024-01-01') RETURNING id`, w.street)
	before := windows(e)
	e.ok(admin, `query { node(id: "`+gid("SocialOrganisation", org)+`") { ... on SocialOrganisation { ventureProjects { name } } } }`, nil)
	if windows(e) == before {
		t.Fatal("an unplanned relation was not counted as gathered in a window: the metric does not tell")
	}

	before = windows(e)
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
	if got := windows(e) - before; got != 0 {
		t.Fatalf("%v batches of the claim's answer and the member were gathered in a window, want none", got)
	}
}

// windows counts the loader batches whose keys were gathered in a batch window.
func windows(e *env) float64 {
	e.t.Helper()
	mfs, err := e.reg.Gather()
	if err != nil {
		e.t.Fatal(err)
	}
	n := 0.0
	for _, mf := range mfs {
		if mf.GetName() != "gridgov_graphql_dataloader_batch_size" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "gathered" && l.GetValue() == "window" {
					n += float64(m.GetHistogram().GetSampleCount())
				}
			}
		}
	}
	return n
}

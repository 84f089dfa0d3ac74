package resolvers_test

import (
	"fmt"
	"strings"
	"testing"
)

// A record in scope shows who is on it, wherever they live: a community cadre's issue list
// names a reporter and a handler living in another community, and their actions in the
// history, but never their personal fields; the people themselves stay NOT_FOUND by id.
func TestRelatedPeopleOutsideScope(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	other := e.id(`INSERT INTO communities (street_id, code, name) VALUES ($1, 'C2', '另一社区') RETURNING id`, w.street)
	outsider := e.id(`INSERT INTO people (name, phone, id_number, street_id, community_id) VALUES ('外来人', '13900000000', '340181199001011234', $1, $2) RETURNING id`, w.street, other)
	nowhere := e.id(`INSERT INTO people (name, phone) VALUES ('无住址', '13700000000') RETURNING id`)
	issue := e.id(`INSERT INTO issues (street_id, community_id, grid_id, category_id, title, reporter_id, reporter_role, handler_kind, handler_person_id, state)
		VALUES ($1, $2, $3, $4, '路灯不亮', $5, 'resident', 'cadre', $6, 'dispatched') RETURNING id`, w.street, w.community, w.grid, w.issueCat, outsider, nowhere)
	e.id(`INSERT INTO issue_events (issue_id, street_id, community_id, grid_id, actor_id, actor_role, action, to_state)
		VALUES ($1, $2, $3, $4, $5, 'resident', 'report', 'reported') RETURNING id`, issue, w.street, w.community, w.grid, outsider)

	cadre := e.token("community_cadre", gid("Community", w.community), w.cadrePerson)
	q := `{ issues(first: 10) { edges { node { reporter { name phone idNumber } handler { name phone } events { actor { name phone } } } } } }`
	r := e.as(cadre, q, nil)
	if len(r.Errors) > 0 {
		t.Fatalf("%+v", r.Errors)
	}
	node := dig(r.Data, "issues", "edges", 0, "node")
	if dig(node, "reporter", "name") != "外来人" || dig(node, "handler", "name") != "无住址" || dig(node, "events", 0, "actor", "name") != "外来人" {
		t.Fatalf("people on the issue: %v", node)
	}
	for _, path := range [][]any{{"reporter", "phone"}, {"reporter", "idNumber"}, {"handler", "phone"}, {"events", 0, "actor", "phone"}} {
		if v := dig(node, path...); v != nil {
			t.Fatalf("%v of a person outside the scope leaked: %v", path, v)
		}
	}
	// The same people inside the scope show their phone to the cadre.
	r = e.as(e.token("city_admin", "city", readerSubject), q, nil)
	if dig(r.Data, "issues", "edges", 0, "node", "reporter", "phone") != "13900000000" {
		t.Fatalf("a city admin sees the reporter's phone: %v", r.Data)
	}
	for _, id := range []int64{outsider, nowhere} {
		r := e.as(cadre, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": gid("Person", id)})
		if r.code() != "NOT_FOUND" {
			t.Fatalf("node of a person outside the scope: %+v", r)
		}
	}
}

// U+0000 cannot be stored in Postgres text: a search or a report holding it is refused as
// BAD_USER_INPUT, never INTERNAL, and nothing is written.
func TestNULInTextIsRefused(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	e.fails(admin, "BAD_USER_INPUT", `{ issues(first: 5, filter: {search: "a\u0000b"}) { totalCount } }`, nil)
	e.fails(w.cadrePerson, "BAD_USER_INPUT", `mutation($in: ReportIssueInput!) { reportIssue(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"categoryId": gid("IssueCategory", w.issueCat), "gridId": gid("Grid", w.grid),
			"title": "漏水\x00"}})
	if n := e.id(`SELECT count(*) FROM issues`); n != 0 {
		t.Fatalf("%d issues written", n)
	}
}

// A street cadre (no community) who logged work, kept duty or was assigned in a community's
// grid shows on those records to the community's cadre, instead of failing the page; the
// cadre's own node stays NOT_FOUND to that scope.
func TestRelatedCadreOutsideScope(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	streetCadre := e.id(`INSERT INTO cadres (person_id, kind, street_id) VALUES ($1, 'street_cadre', $2) RETURNING id`,
		e.id(`INSERT INTO people (name, street_id) VALUES ('街道李干部', $1) RETURNING id`, w.street), w.street)
	e.id(`INSERT INTO work_logs (street_id, community_id, grid_id, cadre_id, kind, logged_at, content, people_served, hours)
		VALUES ($1, $2, $3, $4, 'patrol', '2024-02-01 09:00+08', '街道巡查', 3, 1.5) RETURNING id`, w.street, w.community, w.grid, streetCadre)
	e.id(`INSERT INTO grid_assignments (street_id, community_id, grid_id, cadre_id, role, started_on)
		VALUES ($1, $2, $3, $4, 'grid_leader', '2024-01-01') RETURNING id`, w.street, w.community, w.grid, streetCadre)
	cadre := e.token("community_cadre", gid("Community", w.community), w.cadrePerson)
	for _, c := range []struct{ list, query string }{
		{"workLogs", `{ workLogs(first: 10) { edges { node { content cadre { name community { name } } } } } }`},
		{"grid", `query($g: ID!) { node(id: $g) { ... on Grid { assignments { cadre { name } } } } }`},
	} {
		r := e.as(cadre, c.query, map[string]any{"g": gid("Grid", w.grid)})
		if len(r.Errors) > 0 {
			t.Fatalf("%s: %+v", c.list, r.Errors)
		}
		if !strings.Contains(fmt.Sprint(r.Data), "街道李干部") {
			t.Fatalf("%s: the street cadre is missing: %v", c.list, r.Data)
		}
	}
	if r := e.as(cadre, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": gid("Cadre", streetCadre)}); r.code() != "NOT_FOUND" {
		t.Fatalf("node of a cadre outside the scope: %+v", r)
	}
}

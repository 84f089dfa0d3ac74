package resolvers_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"gridgov/auth"
	gidpkg "gridgov/gid"
	"gridgov/graph"
	"gridgov/realtime"
)

// roleTokens mints one token per role, each over a place of the world fitting the role.
func (e *env) roleTokens(w world) map[string]string {
	e.t.Helper()
	scopes := map[string]string{
		"city_admin": "city", "leader": "city", "statistician": "city",
		"street_cadre": gid("Street", w.street), "community_cadre": gid("Community", w.community),
		"grid_worker": gid("Grid", w.grid), "party_member": gid("Grid", w.grid), "resident": gid("Grid", w.grid),
		"unit_admin": gid("Unit", w.unit),
	}
	out := map[string]string{}
	for _, role := range auth.Roles {
		subject := w.cadrePerson
		switch role {
		case "unit_admin", "statistician":
			subject = 0
		case "resident", "party_member":
			subject = w.resident
		}
		out[role] = e.token(role, scopes[role], subject)
	}
	return out
}

// sample writes a literal of type t that passes validation: the first enum value, a
// well-formed but absent id, every required field of an input.
func sample(s *ast.Schema, t *ast.Type) string {
	if t.Elem != nil {
		return "[" + sample(s, t.Elem) + "]"
	}
	def := s.Types[t.NamedType]
	switch {
	case def.Kind == ast.Enum:
		return def.EnumValues[0].Name
	case def.Kind == ast.InputObject:
		var parts []string
		for _, f := range def.Fields {
			if f.Type.NonNull && f.DefaultValue == nil {
				parts = append(parts, f.Name+": "+sample(s, f.Type))
			}
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	switch t.NamedType {
	case "ID":
		return `"` + gid("Nothing", 1) + `"`
	case "Int":
		return "1"
	case "Float":
		return "1.5"
	case "Boolean":
		return "true"
	case "Date":
		return `"2024-01-01"`
	case "DateTime":
		return `"2024-01-01T00:00:00Z"`
	case "JSON":
		return "{}"
	}
	return `"x"`
}

// call writes an operation calling one root field with its required arguments.
func call(s *ast.Schema, op string, f *ast.FieldDefinition) string {
	var args []string
	for _, a := range f.Arguments {
		if a.Type.NonNull && a.DefaultValue == nil {
			args = append(args, a.Name+": "+sample(s, a.Type))
		}
	}
	q := f.Name
	if len(args) > 0 {
		q += "(" + strings.Join(args, ", ") + ")"
	}
	if def := s.Types[f.Type.Name()]; def.Kind == ast.Object || def.Kind == ast.Interface || def.Kind == ast.Union {
		q += " { __typename }"
	}
	return op + " { " + q + " }"
}

// TestAuthorizationMatrix walks every Query and Mutation field of the schema itself, calls it
// as every role, and checks the outcome against the policy: a role the policy does not name is
// refused with FORBIDDEN before anything runs; a role it names gets past the check (the call
// may then fail on its made-up arguments, never on the policy). A field without a policy entry
// fails the test, and so does an entry naming no field.
func TestAuthorizationMatrix(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	tokens := e.roleTokens(w)
	s := graph.NewExecutableSchema(graph.Config{}).Schema()
	// What a refused call must not change: the audit log records every row a mutation writes.
	writes := func() (n int) {
		e.pool.QueryRow(t.Context(), `SELECT (SELECT count(*) FROM audit_log) + (SELECT count(*) FROM issues) + (SELECT count(*) FROM service_orders)`).Scan(&n) //nolint:errcheck
		return n
	}
	seen := map[string]bool{}
	for _, root := range []*ast.Definition{s.Query, s.Mutation} {
		op := strings.ToLower(root.Name)
		for _, f := range root.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			key := root.Name + "." + f.Name
			seen[key] = true
			rule, ok := auth.Policy[key]
			if !ok {
				t.Errorf("%s has no entry in auth.Policy: say who may use it", key)
				continue
			}
			if rule.Rows == "" {
				t.Errorf("%s: the policy does not say how rows narrow", key)
			}
			q := call(s, op, f)
			for _, role := range auth.Roles {
				before := writes()
				r := e.with(t).as(tokens[role], q, nil)
				refused := false
				for _, er := range r.Errors {
					if er.Extensions["code"] == "FORBIDDEN" && strings.Contains(er.Message, "may not use") {
						refused = true
					}
				}
				want := slices.Contains(rule.Roles, role)
				switch {
				case r.Status >= 500:
					t.Errorf("%s as %s: status %d", key, role, r.Status)
				case want && refused:
					t.Errorf("%s as %s: refused, the policy allows it (%s)", key, role, q)
				case !want && !refused:
					t.Errorf("%s as %s: not refused, the policy does not allow it: %+v", key, role, r.Errors)
				case !want && r.Data != nil && r.Data[f.Name] != nil:
					t.Errorf("%s as %s: refused but data returned: %v", key, role, r.Data)
				case !want && writes() != before:
					t.Errorf("%s as %s: refused, yet %d rows were written", key, role, writes()-before)
				}
			}
		}
	}
	subscriptionMatrix(t, e, s.Subscription, tokens, seen)
	var stale []string
	for key := range auth.Policy {
		if !seen[key] {
			stale = append(stale, key)
		}
	}
	sort.Strings(stale)
	if len(stale) > 0 {
		t.Errorf("policy entries naming no field of the schema: %v", stale)
	}
}

// placeB adds a second community of the world's street, with its own grid and issues.
func (e *env) placeB(w world) (community, grid int64, issues []int64) {
	e.t.Helper()
	community = e.id(`INSERT INTO communities (street_id, code, name) VALUES ($1, 'C2', '半汤社区') RETURNING id`, w.street)
	grid = e.id(`INSERT INTO grids (street_id, community_id, code, name) VALUES ($1, $2, 'GB1', '半汤第一网格') RETURNING id`, w.street, community)
	for i := range 3 {
		issues = append(issues, e.id(`INSERT INTO issues (street_id, community_id, grid_id, category_id, title, reporter_id, reporter_role, reported_at)
			VALUES ($1, $2, $3, $4, $5, $6, 'resident', timestamptz '2024-01-01' + $7 * interval '1 hour') RETURNING id`,
			w.street, community, grid, w.issueCat, fmt.Sprintf("SECRET-B-%d", i), w.resident, i))
	}
	return community, grid, issues
}

// TestCrossScopeProbes: a community cadre of community A asks for community B's issues by
// list, by filter, by node(id:), by nested path and with a cursor minted in another scope;
// nothing of B comes back, and an id of B is NOT_FOUND exactly like an absent one.
func TestCrossScopeProbes(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	e.addIssues(w, 3, 0)
	commB, gridB, issuesB := e.placeB(w)
	cadreA := e.token("community_cadre", gid("Community", w.community), w.cadrePerson)
	leaks := func(t *testing.T, name string, r gqlResp) {
		t.Helper()
		b, _ := json.Marshal(r)
		body := string(b)
		for _, id := range issuesB {
			if strings.Contains(body, gid("Issue", id)) {
				t.Errorf("%s: B's issue %d leaked: %s", name, id, body)
			}
		}
		if strings.Contains(body, "SECRET-B") || strings.Contains(body, "半汤") {
			t.Errorf("%s: B's data leaked: %s", name, body)
		}
		if r.Status >= 500 {
			t.Errorf("%s: status %d", name, r.Status)
		}
	}
	// The city admin sees all six; the cadre of A three.
	all := e.ok(admin, `{ issues { totalCount } }`, nil)
	if dig(all, "issues", "totalCount") != 6.0 {
		t.Fatalf("admin total %v", all)
	}
	r := e.as(cadreA, `{ issues(first: 100) { totalCount edges { node { id title } } } }`, nil)
	leaks(t, "list", r)
	if dig(r.Data, "issues", "totalCount") != 3.0 {
		t.Errorf("list: %v", r.Data)
	}
	r = e.as(cadreA, `query($c: ID, $g: ID) { a: issues(filter: {place: {communityId: $c}}) { totalCount edges { node { id } } }
		b: issues(filter: {place: {gridId: $g}}) { totalCount edges { node { id } } }
		c: issues(filter: {search: "SECRET"}) { totalCount } }`, map[string]any{"c": gid("Community", commB), "g": gid("Grid", gridB)})
	leaks(t, "filter", r)
	for _, k := range []string{"a", "b", "c"} {
		if dig(r.Data, k, "totalCount") != 0.0 {
			t.Errorf("filter %s: %v", k, r.Data)
		}
	}
	absent := e.as(cadreA, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": gid("Issue", 999999)})
	for _, typ := range []struct {
		typ string
		id  int64
	}{{"Issue", issuesB[0]}, {"Community", commB}, {"Grid", gridB}} {
		r = e.as(cadreA, `query($id: ID!) { node(id: $id) { id ... on Issue { title } } }`, map[string]any{"id": gid(typ.typ, typ.id)})
		leaks(t, "node "+typ.typ, r)
		if r.code() != "NOT_FOUND" || r.Errors[0].Message != absent.Errors[0].Message {
			t.Errorf("node %s of B: %+v, an absent id gives %+v", typ.typ, r.Errors, absent.Errors)
		}
	}
	r = e.as(cadreA, `query($c: ID!, $g: ID!) {
		monthlyReview(communityId: $c, month: "2024-01") { reportedCount openCount openIssues { edges { node { id title } } } }
		gridLedger(gridId: $g, year: 2024, quarter: 1) { totalHours entries { name } }
		gridRoster(gridId: $g) { name }
		grids(filter: {place: {communityId: $c}}) { totalCount edges { node { name } } } }`,
		map[string]any{"c": gid("Community", commB), "g": gid("Grid", gridB)})
	leaks(t, "nested", r)
	if r.Data != nil && r.Data["monthlyReview"] != nil && dig(r.Data, "monthlyReview", "reportedCount") != 0.0 {
		t.Errorf("monthly review of B counts: %v", r.Data)
	}
	// A cursor minted by the admin on a row of B: it only positions the cadre's own list.
	page := e.ok(admin, `{ issues(first: 100) { edges { cursor node { id } } } }`, nil)
	for _, edge := range dig(page, "issues", "edges").([]any) {
		node := edge.(map[string]any)["node"].(map[string]any)
		if !slices.Contains(issuesB, mustRowID(t, node["id"].(string))) {
			continue
		}
		c := edge.(map[string]any)["cursor"]
		for _, dir := range []string{"after", "before"} {
			r = e.as(cadreA, `query($c: String) { issues(`+dir+`: $c, first: 100) { totalCount edges { cursor node { id title } } } }`, map[string]any{"c": c})
			leaks(t, "cursor "+dir, r)
		}
	}
}

func mustRowID(t *testing.T, id string) int64 {
	t.Helper()
	_, n, ok := gidpkg.Decode(id)
	if !ok {
		t.Fatalf("id %s", id)
	}
	return n
}

// subscriptionMatrix opens every subscription over WebSocket as every role: the roles the
// policy allows hold it open, the others get FORBIDDEN (a next message carrying the error,
// then complete).
func subscriptionMatrix(t *testing.T, e *env, root *ast.Definition, tokens map[string]string, seen map[string]bool) {
	in := e.serveRealtime(t, realtime.Limits{})
	for _, f := range root.Fields {
		key := root.Name + "." + f.Name
		seen[key] = true
		rule, ok := auth.Policy[key]
		if !ok {
			t.Errorf("%s has no entry in auth.Policy: say who may use it", key)
			continue
		}
		for _, role := range auth.Roles {
			c := dialWS(t, in.url, tokens[role])
			c.subscribe("1", "subscription { "+f.Name+" { id } }")
			if slices.Contains(rule.Roles, role) {
				waitSubs(t, in.hub, 1)
			} else if m, ok := c.next(5 * time.Second); !ok || !strings.Contains(string(m.Payload), `"code":"FORBIDDEN"`) {
				t.Errorf("%s as %s: not refused: %s %s", key, role, m.Type, m.Payload)
			}
			c.c.CloseNow() //nolint:errcheck
			waitSubs(t, in.hub, 0)
		}
	}
}

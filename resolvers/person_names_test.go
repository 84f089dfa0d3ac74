package resolvers_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"gridgov/auth"
	"gridgov/loadgen"
)

// sortNode finds a sort in an EXPLAIN (FORMAT JSON) plan, keysetCond an index condition on
// the name (a next page's keyset).
var (
	sortNode   = regexp.MustCompile(`"Node Type": "(Incremental )?Sort"`)
	keysetCond = regexp.MustCompile(`"Index Cond": "[^"]*person_name`)
)

// TestNameSortedPagesReadAnIndexInOrder pages the large lists of people by name — residents,
// volunteers, party members — city-wide and in a street's, a community's and a grid's scope,
// first page and next, and asks Postgres for the plan of each page's statement with sorting
// disabled: the page must come from an index in (person_name, id) order, its keyset in the
// index condition, with no Sort. A join with people could use no index for that order:
// every page would sort its whole scope.
func TestNameSortedPagesReadAnIndexInOrder(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	for _, person := range []int64{w.resident, w.cadrePerson} {
		e.id(`INSERT INTO residents (person_id, street_id, community_id, grid_id, building_id) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			person, w.street, w.community, w.grid, w.building)
		e.id(`INSERT INTO volunteers (person_id, street_id, community_id, grid_id, registered_on) VALUES ($1, $2, $3, $4, '2025-01-01') RETURNING id`,
			person, w.street, w.community, w.grid)
	}
	e.member("赵党员", w, true)
	e.member("钱党员", w, true)
	scopes := []struct{ role, scope string }{{"city_admin", auth.ScopeCity}, {"street_cadre", gid("Street", w.street)},
		{"community_cadre", gid("Community", w.community)}, {"grid_worker", gid("Grid", w.grid)}}
	lists := []struct{ field, args string }{{"residents", ""}, {"volunteers", ""},
		{"partyMembers", ", orderBy: {field: NAME, direction: ASC}"}}
	for _, l := range lists {
		for _, sc := range scopes {
			t.Run(l.field+" "+sc.role, func(t *testing.T) {
				e := e.with(t)
				tok := e.token(sc.role, sc.scope, readerSubject)
				q := `query($c: String) { l: ` + l.field + `(first: 1, after: $c` + l.args + `) { edges { cursor } } }`
				first := e.pageStatement(tok, q, nil)
				cursor := dig(first.data, "l", "edges", 0, "cursor")
				next := e.pageStatement(tok, q, map[string]any{"c": cursor})
				for _, s := range []statementRun{first, next} {
					if plan := e.unsortedPlan(s.stmt); sortNode.MatchString(plan) {
						t.Errorf("%s %v sorts: %s", s.stmt.SQL, s.stmt.Args, plan)
					}
				}
				if plan := e.unsortedPlan(next.stmt); !keysetCond.MatchString(plan) {
					t.Errorf("%s %v: the keyset is not an index condition: %s", next.stmt.SQL, next.stmt.Args, plan)
				}
			})
		}
	}
}

// statementRun is a page's answer and the statement that read it.
type statementRun struct {
	data map[string]any
	stmt loadgen.Statement
}

// pageStatement runs a page query and gives its data and the statement ordered by name.
func (e *env) pageStatement(token, query string, vars map[string]any) statementRun {
	e.t.Helper()
	e.stmts.Start()
	r := e.as(token, query, vars)
	stmts := e.stmts.Stop()
	if len(r.Errors) > 0 {
		e.t.Fatalf("unexpected errors: %+v", r.Errors)
	}
	for _, s := range stmts {
		if strings.Contains(s.SQL, "ORDER BY person_name") {
			return statementRun{r.Data, s}
		}
	}
	e.t.Fatalf("no statement ordered by person_name among %d", len(stmts))
	return statementRun{}
}

// unsortedPlan gives the JSON plan of s with sorting disabled (made to cost more than any
// other path): a Sort still in it means no index gives the order.
func (e *env) unsortedPlan(s loadgen.Statement) string {
	e.t.Helper()
	ctx := context.Background()
	tx, err := e.pool.Begin(ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	var plan string
	if _, err := tx.Exec(ctx, `SET LOCAL enable_sort = off`); err != nil {
		e.t.Fatal(err)
	}
	if err := tx.QueryRow(ctx, `EXPLAIN (FORMAT JSON) `+s.SQL, s.Args...).Scan(&plan); err != nil {
		e.t.Fatalf("explain %s: %v", s.SQL, err)
	}
	return plan
}

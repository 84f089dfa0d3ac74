package resolvers_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/vektah/gqlparser/v2/ast"

	"gridgov/auth"
	"gridgov/graph"
	"gridgov/loadgen"
)

// sortBound is the most rows a page may sort, as many as the largest page holds: a list whose
// filters can match more is read in the order of an index.
const sortBound = 100

// sortedByNature are the lists that sort rows joined from another table, bounded by the
// structure of the city rather than by its population.
var sortedByNature = map[string]string{
	"mediationRoomMembers": "by the name of the party member stationed: a few per mediation room, 190 in the demo city at every scale",
}

// Every list is read a page at a time in the order of an index, whatever the caller's scope,
// the place filter and the order asked for, unless what it sorts is no more than a page (a
// street's communities): a page of the registers costs the same in a grid and across the city. The lists, their orders and filters are drawn from the schema, so
// a new list or order is checked without anyone listing it; the rows are the demo city's.
// The planner is told sorting is all but forbidden (enable_sort off), so a Sort in the plan
// means no index gives the order; its estimate of the rows sorted is held under sortBound.
func TestEveryPageIsReadInIndexOrder(t *testing.T) {
	tw := newTwin(t)
	cfg := tw.env.pool.Config()
	rec := &loadgen.Recorder{}
	cfg.ConnConfig.Tracer = rec
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	e := newEnvWith(t, pool, rec, nil)
	places := map[string]string{"street": tw.ids.street, "community": tw.ids.community, "grid": tw.ids.grid}
	callers := []struct{ role, scope string }{{"city_admin", auth.ScopeCity}, {"leader", places["street"]},
		{"community_cadre", places["community"]}, {"grid_worker", places["grid"]}}
	s := graph.NewExecutableSchema(graph.Config{}).Schema()
	checked, sorted := 0, 0
	for _, f := range s.Query.Fields {
		if !strings.HasSuffix(f.Type.Name(), "Connection") {
			continue
		}
		for _, c := range callers {
			if !slices.Contains(auth.Policy["Query."+f.Name].Roles, c.role) {
				continue
			}
			tok := e.token(c.role, c.scope, readerSubject)
			for _, args := range pageArgs(s, f, places) {
				q := fmt.Sprintf("{ %s(first: 5%s) { edges { cursor } } }", f.Name, args)
				e.stmts.Start()
				r := e.as(tok, q, nil)
				stmts := e.stmts.Stop()
				if len(r.Errors) > 0 {
					t.Fatalf("%s as %s: %v", q, c.role, r.Errors)
				}
				page := slices.IndexFunc(stmts, func(s loadgen.Statement) bool { return strings.Contains(s.SQL, " LIMIT ") })
				if page < 0 {
					t.Fatalf("%s as %s: no page statement among %d", q, c.role, len(stmts))
				}
				rows, keys := sortedRows(t, e, stmts[page].SQL, stmts[page].Args)
				if rows > sortBound && sortedByNature[f.Name] == "" {
					t.Errorf("%s as %s sorts about %.0f rows by %s: no index gives its order\n%s", q, c.role, rows, keys, stmts[page].SQL)
				}
				if rows > 0 {
					sorted++
				}
				checked++
			}
		}
	}
	t.Logf("%d pages: %d read in index order, %d sort a small list", checked, checked-sorted, sorted)
}

// pageArgs gives the arguments to read f with: none, each place filter, and each order the
// field offers in both directions.
func pageArgs(s *ast.Schema, f *ast.FieldDefinition, places map[string]string) []string {
	out := []string{""}
	for _, a := range f.Arguments {
		switch a.Name {
		case "filter":
			if s.Types[a.Type.Name()].Fields.ForName("place") == nil {
				continue
			}
			for _, level := range []string{"street", "community", "grid"} {
				out = append(out, fmt.Sprintf(`, filter: {place: {%sId: "%s"}}`, level, places[level]))
			}
		case "direction":
			out = append(out, ", direction: ASC", ", direction: DESC")
		case "orderBy":
			for _, v := range s.Types[s.Types[a.Type.Name()].Fields.ForName("field").Type.Name()].EnumValues {
				for _, dir := range []string{"ASC", "DESC"} {
					out = append(out, fmt.Sprintf(", orderBy: {field: %s, direction: %s}", v.Name, dir))
				}
			}
		}
	}
	return out
}

// sortedRows gives the most rows the planner expects a Sort of the plan of sql to sort, with
// its keys, sorting all but forbidden; 0 when nothing is sorted.
func sortedRows(t *testing.T, e *env, sql string, args []any) (rows float64, keys string) {
	t.Helper()
	ctx := context.Background()
	err := pgx.BeginFunc(ctx, e.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SET LOCAL enable_sort = off"); err != nil {
			return err
		}
		var plan []struct{ Plan planNode }
		if err := tx.QueryRow(ctx, "EXPLAIN (FORMAT JSON) "+sql, args...).Scan(&plan); err != nil {
			return err
		}
		plan[0].Plan.walk(func(n planNode) {
			if n.NodeType == "Sort" && n.Rows >= rows {
				rows, keys = n.Rows, strings.Join(n.SortKey, ", ")
			}
		})
		return nil
	})
	if err != nil {
		t.Fatalf("explain %s: %v", sql, err)
	}
	return rows, keys
}

type planNode struct {
	NodeType string     `json:"Node Type"`
	SortKey  []string   `json:"Sort Key"`
	Rows     float64    `json:"Plan Rows"`
	Plans    []planNode `json:"Plans"`
}

func (n planNode) walk(f func(planNode)) {
	f(n)
	for _, c := range n.Plans {
		c.walk(f)
	}
}

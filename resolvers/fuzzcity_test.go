package resolvers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"gridgov/auth"
	"gridgov/dbtest"
	"gridgov/observe"
	"gridgov/server"
	"gridgov/store"
)

// fuzzCitySQL builds the small city the filter and cursor fuzz targets read: 2 streets, 4
// communities, 8 grids with a building each, 40 people (all residents), 600 issues and 300 service orders that
// vary every filtered column (states, categories, places, buildings, reporters, handlers,
// times on both sides of today, disputes, ASCII and Chinese text with % _ and \), a few
// soft-deleted.
const fuzzCitySQL = `
INSERT INTO cities (code, name) VALUES ('340181', '巢湖市');
INSERT INTO streets (city_id, code, name, kind) SELECT (SELECT min(id) FROM cities), 'S' || s, '街道' || s, 'street' FROM generate_series(1, 2) s;
INSERT INTO communities (street_id, code, name) SELECT st.id, 'C' || st.id || '-' || c, '社区' || c FROM streets st, generate_series(1, 2) c;
INSERT INTO grids (street_id, community_id, code, name) SELECT co.street_id, co.id, 'G' || co.id || '-' || g, '网格' || g FROM communities co, generate_series(1, 2) g;
INSERT INTO buildings (street_id, community_id, grid_id, number) SELECT street_id, community_id, id, id || '栋' FROM grids;
INSERT INTO people (name, street_id, community_id, grid_id, building_id)
	SELECT '居民' || p, b.street_id, b.community_id, b.grid_id, b.id FROM generate_series(0, 39) p
	JOIN (SELECT row_number() OVER (ORDER BY id) - 1 AS k, * FROM buildings) b ON b.k = p % 8;
INSERT INTO residents (person_id, street_id, community_id, grid_id, building_id) SELECT id, street_id, community_id, grid_id, building_id FROM people;
INSERT INTO units (code, name, kind) VALUES ('U1', '市司法局', 'municipal_agency');
INSERT INTO party_members (person_id, unit_id, street_id, community_id, building_id, grid_id)
	SELECT DISTINCT ON (grid_id) id, (SELECT min(id) FROM units), street_id, community_id, building_id, grid_id FROM people ORDER BY grid_id, id;
INSERT INTO issue_categories (code, name, name_zh, category_group, deadline_days) VALUES
	('road', 'Road', '道路', 'infrastructure', 7), ('dispute', 'Dispute', '纠纷', 'dispute', 15),
	('green', 'Green', '绿化', 'environment', 30), ('fire', 'Fire', '消防', 'safety', 3);
INSERT INTO service_categories (code, name, name_zh) VALUES ('elderly', 'Elderly', '助老'), ('repair', 'Repair', '维修'), ('study', 'Study', '助学');
CREATE TEMP VIEW fz AS SELECT i, g.street_id, g.community_id, g.id AS grid_id, b.id AS building_id, p.id AS person, h.id AS other,
	(ARRAY['Road 道路破损', 'leak 楼道漏水', 'NOISE 噪音扰民', 'light 路灯不亮', 'tree 绿化 %_'])[1 + i % 5] || ' #' || i AS title,
	(ARRAY['', '50% off_peak', 'back\slash 反斜杠', 'MIXED Case 大小写'])[1 + i % 4] AS description
	FROM generate_series(0, 599) i
	JOIN (SELECT row_number() OVER (ORDER BY id) - 1 AS k, * FROM grids) g ON g.k = i % 8
	JOIN buildings b ON b.grid_id = g.id
	JOIN (SELECT row_number() OVER (ORDER BY id) - 1 AS k, id FROM people) p ON p.k = i % 40
	JOIN (SELECT row_number() OVER (ORDER BY id) - 1 AS k, id FROM people) h ON h.k = (i * 7) % 40;
INSERT INTO issues (street_id, community_id, grid_id, building_id, category_id, title, description, reporter_id, reporter_role, state,
		handler_kind, handler_person_id, due_at, reported_at, resolved_at, closed_at, is_dispute, deleted_at)
	SELECT street_id, community_id, grid_id, CASE WHEN i % 2 = 0 THEN building_id END,
		(SELECT id FROM issue_categories ORDER BY id OFFSET i % 4 LIMIT 1), title, description, person, 'resident', st,
		CASE WHEN i % 3 = 0 THEN 'cadre' END, CASE WHEN i % 3 = 0 THEN other END,
		CASE WHEN i % 5 <> 0 THEN date_trunc('day', now()) + (i * 3 - 900) * interval '1 day' END,
		timestamptz '2024-01-01' + i * interval '19 hours',
		CASE WHEN st IN ('resolved', 'closed') THEN timestamptz '2024-01-02' + i * interval '19 hours' END,
		CASE WHEN st = 'closed' THEN timestamptz '2024-01-03' + i * interval '19 hours' END,
		i % 6 = 0, CASE WHEN i % 50 = 7 THEN now() END
	FROM fz, LATERAL (SELECT (ARRAY['reported', 'accepted', 'dispatched', 'in_progress', 'escalated', 'returned', 'resolved',
		'closed', 'reopened'])[1 + i % 9] AS st) s;
INSERT INTO service_orders (street_id, community_id, grid_id, building_id, category_id, resident_id, title, description, state,
		posted_at, published_at, claimed_by, claimed_at, completed_at, hours, rating, deleted_at)
	SELECT fz.street_id, fz.community_id, fz.grid_id, CASE WHEN i % 2 = 1 THEN fz.building_id END,
		(SELECT id FROM service_categories ORDER BY id OFFSET i % 3 LIMIT 1), person, title, description, st,
		timestamptz '2024-03-01' + i * interval '13 hours', timestamptz '2024-03-02' + i * interval '13 hours',
		CASE WHEN st IN ('claimed', 'completed', 'rated') THEN m.id END,
		CASE WHEN st IN ('claimed', 'completed', 'rated') THEN timestamptz '2024-03-03' + i * interval '13 hours' END,
		CASE WHEN st IN ('completed', 'rated') THEN timestamptz '2024-03-04' + i * interval '13 hours' END,
		CASE WHEN st IN ('completed', 'rated') THEN 1.5 END, CASE WHEN st = 'rated' THEN 1 + i % 5 END,
		CASE WHEN i % 40 = 11 THEN now() END
	FROM fz JOIN party_members m ON m.grid_id = fz.grid_id,
		LATERAL (SELECT (ARRAY['posted', 'published', 'claimed', 'completed', 'rated', 'cancelled'])[1 + i % 6] AS st) s
	WHERE i < 300;
`

// fuzzRow is one issue or service order of the fuzz city, as stored: what the filters of its
// list look at and what it sorts by.
type fuzzRow struct {
	id, street, community, grid, category, person int64
	building, handler                             *int64 // for orders, handler is the claiming member
	state, title, description                     string
	at, updated                                   time.Time // reported or posted
	due                                           *time.Time
	dispute, deleted                              bool
}

// fuzzCity is the fuzz city in a database of its own, the handler over it, a city admin's
// token, and its rows.
type fuzzCity struct {
	pool                                           *pgxpool.Pool
	h                                              http.Handler
	token                                          string
	streets, communities, grids, buildings, people []int64
	members, issueCats, serviceCats                []int64
	issues, orders                                 []fuzzRow
}

func newFuzzCity(f *testing.F) *fuzzCity {
	f.Helper()
	c := &fuzzCity{pool: dbtest.New(f)}
	ctx := context.Background()
	if _, err := c.pool.Exec(ctx, fuzzCitySQL); err != nil {
		f.Fatalf("fuzz city: %v", err)
	}
	for _, l := range []struct {
		to  *[]int64
		sql string
	}{{&c.streets, "streets"}, {&c.communities, "communities"}, {&c.grids, "grids"}, {&c.buildings, "buildings"}, {&c.people, "people"},
		{&c.members, "party_members"}, {&c.issueCats, "issue_categories"}, {&c.serviceCats, "service_categories"}} {
		*l.to = rowIDs(f, c.pool, "SELECT id FROM "+l.sql+" ORDER BY id")
	}
	c.issues = fuzzRows(f, c.pool, `SELECT id, street_id, community_id, grid_id, category_id, reporter_id, building_id, handler_person_id,
		state, title, description, reported_at, updated_at, due_at, is_dispute, deleted_at IS NOT NULL FROM issues`)
	c.orders = fuzzRows(f, c.pool, `SELECT id, street_id, community_id, grid_id, category_id, resident_id, building_id, claimed_by,
		state, title, description, posted_at, updated_at, NULL::timestamptz, false, deleted_at IS NOT NULL FROM service_orders`)
	limits := server.DefaultLimits()
	limits.RateLimit, limits.Timeout = 0, 5*time.Second
	keys := testKeys(f)
	c.h = server.GraphQL(server.Options{Store: store.New(c.pool), Log: discard(), Metrics: observe.NewGraphQL(prometheus.NewRegistry()),
		Keys: keys, Limits: limits})
	var err error
	if c.token, err = keys.Issue("city_admin", auth.ScopeCity, "1", 24*time.Hour, time.Now()); err != nil {
		f.Fatal(err)
	}
	return c
}

// rowIDs reads the ids sql selects; none is a broken fixture.
func rowIDs(t testing.TB, pool *pgxpool.Pool, sql string) []int64 {
	t.Helper()
	rows, _ := pool.Query(context.Background(), sql)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil || len(ids) == 0 {
		t.Fatalf("%s: %d rows, %v", sql, len(ids), err)
	}
	return ids
}

func fuzzRows(f *testing.F, pool *pgxpool.Pool, sql string) []fuzzRow {
	rows, _ := pool.Query(context.Background(), sql)
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (r fuzzRow, err error) {
		err = row.Scan(&r.id, &r.street, &r.community, &r.grid, &r.category, &r.person, &r.building, &r.handler,
			&r.state, &r.title, &r.description, &r.at, &r.updated, &r.due, &r.dispute, &r.deleted)
		return r, err
	})
	if err != nil || len(out) == 0 {
		f.Fatalf("%s: %d rows, %v", sql, len(out), err)
	}
	return out
}

// fuzzAnswer is a GraphQL answer with its HTTP status.
type fuzzAnswer struct {
	status int
	Data   json.RawMessage
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	}
}

// ask posts a query as the city admin and checks what every answer must be, whatever was
// asked: not a 5xx, JSON, and every error with a code that is not INTERNAL.
func (c *fuzzCity) ask(t testing.TB, query string, vars map[string]any) fuzzAnswer {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.token)
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, req)
	a := fuzzAnswer{status: rec.Code}
	if err := json.Unmarshal(rec.Body.Bytes(), &a); err != nil || rec.Code >= 500 {
		t.Fatalf("status %d, body %.300s, for %s", rec.Code, rec.Body.String(), body)
	}
	for _, e := range a.Errors {
		if code, _ := e.Extensions["code"].(string); code == "" || code == "INTERNAL" {
			t.Fatalf("error %q with code %q for %s", e.Message, code, body)
		}
	}
	return a
}

// codes gives the codes of an answer's errors.
func (a fuzzAnswer) codes() []string {
	var out []string
	for _, e := range a.Errors {
		c, _ := e.Extensions["code"].(string)
		out = append(out, c)
	}
	return out
}

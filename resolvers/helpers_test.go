package resolvers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"gridgov/auth"
	"gridgov/dbtest"
	"gridgov/loadgen"
	"gridgov/observe"
	"gridgov/resolvers"
	"gridgov/server"
	"gridgov/store"
)

// env is one test's API: a fresh database, the real HTTP handler, and a statement counter.
type env struct {
	t     testing.TB
	pool  *pgxpool.Pool
	h     http.Handler
	stmts *loadgen.Recorder
	keys  auth.Keys
	m     *observe.GraphQL
	reg   *prometheus.Registry
}

// testSecret signs the tests' tokens.
const testSecret = "resolvers-test-secret-at-least-32-bytes"

// testKeys are the keys of every test handler.
func testKeys(t testing.TB) auth.Keys {
	t.Helper()
	k, err := auth.LoadKeys("HS256", testSecret, "", "", "gridgov", "gridgov", 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// Actors of do, ok and fails besides a person id: admin reads city-wide as a city admin
// acting for no one in particular; anon sends no token at all.
const (
	admin int64 = 0
	anon  int64 = -1
)

// readerSubject is the person the admin reader acts for: no row has this id.
const readerSubject = 1 << 40

// token mints a token for role over scope, acting for subject ("" for none).
func (e *env) token(role, scope string, subject int64) string {
	e.t.Helper()
	sub := ""
	if subject != 0 {
		sub = strconv.FormatInt(subject, 10)
	}
	tok, err := e.keys.Issue(role, scope, sub, time.Hour, time.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

func newEnv(t testing.TB) *env {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(dbtest.NewURL(t))
	if err != nil {
		t.Fatal(err)
	}
	c := &loadgen.Recorder{}
	cfg.ConnConfig.Tracer = c
	cfg.MaxConns = 16
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return newEnvWith(t, pool, c, nil)
}

// newEnvWith builds the handler over pool with limits (nil: the defaults without a rate
// limit, so tests may send as fast as they like).
func newEnvWith(t testing.TB, pool *pgxpool.Pool, c *loadgen.Recorder, limits *server.Limits) *env {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	l := server.DefaultLimits()
	l.RateLimit = 0
	if limits != nil {
		l = *limits
	}
	reg := prometheus.NewRegistry()
	m := observe.NewGraphQL(reg)
	k := testKeys(t)
	h := server.GraphQL(server.Options{Store: store.New(pool), Log: log, Metrics: m, Keys: k, Limits: l})
	return &env{t: t, pool: pool, h: h, stmts: c, keys: k, m: m, reg: reg}
}

// with gives the env reporting to t (a subtest).
func (e *env) with(t *testing.T) *env {
	c := *e
	c.t = t
	return &c
}

// gqlResp is a GraphQL response with errors flattened for assertions.
type gqlResp struct {
	Status int
	Data   map[string]any
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	}
}

func (r gqlResp) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// do POSTs a query as a city admin acting for the person actor (admin: for no one in
// particular; anon: without a token).
func (e *env) do(actor int64, query string, vars map[string]any) gqlResp {
	e.t.Helper()
	switch actor {
	case anon:
		return e.as("", query, vars)
	case admin:
		return e.as(e.token("city_admin", auth.ScopeCity, readerSubject), query, vars)
	}
	return e.as(e.token("city_admin", auth.ScopeCity, actor), query, vars)
}

// as POSTs a query with a bearer token ("": none).
func (e *env) as(token, query string, vars map[string]any) gqlResp {
	e.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return e.serve(req)
}

func (e *env) serve(req *http.Request) gqlResp {
	e.t.Helper()
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	var out gqlResp
	out.Status = w.Code
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
		e.t.Fatalf("response is not JSON (%d): %s", w.Code, w.Body.String())
	}
	return out
}

// ok runs a query that must succeed and returns its data.
func (e *env) ok(actor int64, query string, vars map[string]any) map[string]any {
	e.t.Helper()
	r := e.do(actor, query, vars)
	if len(r.Errors) > 0 {
		e.t.Fatalf("unexpected errors: %+v", r.Errors)
	}
	return r.Data
}

// fails runs a query that must fail with code.
func (e *env) fails(actor int64, code, query string, vars map[string]any) gqlResp {
	e.t.Helper()
	r := e.do(actor, query, vars)
	if r.code() != code {
		e.t.Fatalf("want %s, got %+v (data %v)", code, r.Errors, r.Data)
	}
	return r
}

// exec runs fixture SQL and returns the id it yields.
func (e *env) id(sql string, args ...any) int64 {
	e.t.Helper()
	var id int64
	if err := e.pool.QueryRow(context.Background(), sql, args...).Scan(&id); err != nil {
		e.t.Fatalf("fixture %q: %v", sql, err)
	}
	return id
}

// world is a small place chain with the people the workflows need.
type world struct {
	city, street, community, grid, grid2, building int64
	cadrePerson, cadre                             int64
	resident                                       int64
	unit                                           int64
	issueCat, serviceCat                           int64
}

func (e *env) world() world {
	e.t.Helper()
	var w world
	w.city = e.id(`INSERT INTO cities (code, name) VALUES ('340181', '巢湖市') RETURNING id`)
	w.street = e.id(`INSERT INTO streets (city_id, code, name, kind) VALUES ($1, 'S1', '卧牛山街道', 'street') RETURNING id`, w.city)
	w.community = e.id(`INSERT INTO communities (street_id, code, name) VALUES ($1, 'C1', '健康社区') RETURNING id`, w.street)
	w.grid = e.id(`INSERT INTO grids (street_id, community_id, code, name, households) VALUES ($1, $2, 'G1', '第一网格', 300) RETURNING id`, w.street, w.community)
	w.grid2 = e.id(`INSERT INTO grids (street_id, community_id, code, name) VALUES ($1, $2, 'G2', '第二网格') RETURNING id`, w.street, w.community)
	w.building = e.id(`INSERT INTO buildings (street_id, community_id, grid_id, number) VALUES ($1, $2, $3, '1栋') RETURNING id`, w.street, w.community, w.grid)
	w.cadrePerson = e.person("王干部", w)
	w.cadre = e.id(`INSERT INTO cadres (person_id, kind, street_id, community_id) VALUES ($1, 'community_cadre', $2, $3) RETURNING id`, w.cadrePerson, w.street, w.community)
	w.resident = e.person("李居民", w)
	w.unit = e.id(`INSERT INTO units (code, name, kind) VALUES ('U1', '市司法局', 'municipal_agency') RETURNING id`)
	w.issueCat = e.id(`INSERT INTO issue_categories (code, name, name_zh, category_group, deadline_days) VALUES ('road', 'Road damage', '道路破损', 'infrastructure', 7) RETURNING id`)
	w.serviceCat = e.id(`INSERT INTO service_categories (code, name, name_zh) VALUES ('elderly', 'Elderly care', '助老') RETURNING id`)
	return w
}

// person adds someone living in the world's building, with a phone that must never leak.
func (e *env) person(name string, w world) int64 {
	return e.id(`INSERT INTO people (name, phone, street_id, community_id, grid_id, building_id)
		VALUES ($1, '13800000000', $2, $3, $4, $5) RETURNING id`, name, w.street, w.community, w.grid, w.building)
}

// member adds a party member living in the world's building; checkedIn gives them a
// verified check-in to the first grid.
func (e *env) member(name string, w world, checkedIn bool) (person, member int64) {
	person = e.person(name, w)
	member = e.id(`INSERT INTO party_members (person_id, unit_id, street_id, community_id, building_id, grid_id)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, person, w.unit, w.street, w.community, w.building, w.grid)
	if checkedIn {
		e.id(`INSERT INTO checkins (member_id, street_id, community_id, grid_id, letter_no, state, decided_at)
			VALUES ($1, $2, $3, $4, 'L-1', 'verified', now()) RETURNING id`, member, w.street, w.community, w.grid)
	}
	return person, member
}

func gid(typ string, id int64) string { return resolvers.GlobalID(typ, id) }

// dig walks a decoded JSON value by keys and indexes.
func dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			v = v.(map[string]any)[k]
		case int:
			v = v.([]any)[k]
		}
	}
	return v
}

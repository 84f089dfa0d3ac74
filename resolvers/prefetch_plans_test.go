package resolvers

import (
	"context"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"gridgov/auth"
	"gridgov/dbtest"
	"gridgov/graph"
	"gridgov/loadgen"
	"gridgov/store"
)

// The prefetch plans of residents, duty shifts, mediation-room members and meeting matters,
// run directly: a page's relations must be read by the prefetch itself, level by level, one
// statement per loader and level, before any resolver asks. (Through the HTTP handler the
// loaders' batching hides a missing plan on an idle machine; here nothing else can fill the
// caches.)

// planCtx gives the context a root field resolving query's only root field would have.
func planCtx(t *testing.T, l *Loaders, query string) context.Context {
	t.Helper()
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	doc, errs := gqlparser.LoadQuery(schema, query)
	if errs != nil {
		t.Fatalf("query: %v", errs)
	}
	op := doc.Operations[0]
	f := op.SelectionSet[0].(*ast.Field)
	ctx := graphql.WithOperationContext(context.Background(), &graphql.OperationContext{RawQuery: query, Doc: doc, Operation: op,
		Variables: map[string]any{}})
	ctx = graphql.WithFieldContext(ctx, &graphql.FieldContext{Field: graphql.CollectedField{Field: f, Selections: f.SelectionSet}})
	return context.WithValue(ctx, loadersKey{}, l)
}

// cached reports whether the prefetch read every key into l.
func cached[K comparable, V any](l *Loader[K, V], keys ...K) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		if _, ok := l.vals[k]; !ok {
			return false
		}
	}
	return true
}

func TestPrefetchPlansOfRolesAndMatters(t *testing.T) {
	cfg, err := pgxpool.ParseConfig(dbtest.NewURL(t))
	if err != nil {
		t.Fatal(err)
	}
	stmts := &loadgen.Recorder{}
	cfg.ConnConfig.Tracer = stmts
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	id := func(sql string, args ...any) int64 {
		t.Helper()
		var v int64
		if err := pool.QueryRow(context.Background(), sql, args...).Scan(&v); err != nil {
			t.Fatalf("fixture %q: %v", sql, err)
		}
		return v
	}
	city := id(`INSERT INTO cities (code, name) VALUES ('c', '巢湖市') RETURNING id`)
	street := id(`INSERT INTO streets (city_id, code, name, kind) VALUES ($1, 's', '卧牛山街道', 'street') RETURNING id`, city)
	community := id(`INSERT INTO communities (street_id, code, name) VALUES ($1, 'c1', '健康社区') RETURNING id`, street)
	grid := id(`INSERT INTO grids (street_id, community_id, code, name) VALUES ($1, $2, 'g1', '第一网格') RETURNING id`, street, community)
	building := id(`INSERT INTO buildings (street_id, community_id, grid_id, number) VALUES ($1, $2, $3, '1栋') RETURNING id`, street, community, grid)
	cadrePerson := id(`INSERT INTO people (name, street_id, community_id) VALUES ('王干部', $1, $2) RETURNING id`, street, community)
	cadre := id(`INSERT INTO cadres (person_id, kind, street_id, community_id) VALUES ($1, 'community_cadre', $2, $3) RETURNING id`, cadrePerson, street, community)
	unit := id(`INSERT INTO units (code, name, kind) VALUES ('u', '市司法局', 'municipal_agency') RETURNING id`)
	compound := id(`INSERT INTO compounds (street_id, community_id, name) VALUES ($1, $2, '健康小区') RETURNING id`, street, community)
	centre := id(`INSERT INTO facilities (street_id, community_id, compound_id, kind, name) VALUES ($1, $2, $3, 'service_centre', '中心') RETURNING id`,
		street, community, compound)
	room := id(`INSERT INTO facilities (street_id, community_id, compound_id, kind, name) VALUES ($1, $2, $3, 'mediation_room', '调解室') RETURNING id`,
		street, community, compound)
	meeting := id(`INSERT INTO joint_meetings (street_id, community_id, held_on, title) VALUES ($1, $2, '2024-03-01', '联席会') RETURNING id`, street, community)
	var people, members []int64
	for i := range 3 {
		p := id(`INSERT INTO people (name, street_id, community_id, grid_id, building_id) VALUES ('居民' || $1::int, $2, $3, $4, $5) RETURNING id`,
			i, street, community, grid, building)
		people = append(people, p)
		id(`INSERT INTO residents (person_id, street_id, community_id, grid_id, building_id, collected_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			p, street, community, grid, building, cadre)
		id(`INSERT INTO duty_shifts (street_id, community_id, facility_id, cadre_id, on_date) VALUES ($1, $2, $3, $4, date '2024-01-01' + $5::int) RETURNING id`,
			street, community, centre, cadre, i)
		m := id(`INSERT INTO party_members (person_id, unit_id, street_id, community_id, grid_id) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			p, unit, street, community, grid)
		members = append(members, m)
		id(`INSERT INTO mediation_room_members (street_id, community_id, facility_id, member_id, joined_on) VALUES ($1, $2, $3, $4, '2024-01-01') RETURNING id`,
			street, community, room, m)
		matter := id(`INSERT INTO meeting_matters (meeting_id, street_id, community_id, kind, title, outcome) VALUES ($1, $2, $3, 'major_matter', '事项', 'decided') RETURNING id`,
			meeting, street, community)
		id(`INSERT INTO matter_events (matter_id, street_id, community_id, actor_id, actor_role, action, from_state, to_state)
			VALUES ($1, $2, $3, $4, 'community_cadre', 'set_outcome', 'discussed', 'decided') RETURNING id`, matter, street, community, p)
	}
	s := store.New(pool)
	city0 := auth.Scope{}
	all := store.Page{}

	cases := []struct {
		name, query string
		nodes       func(*Loaders) any
		statements  int64
		read        func(*Loaders) bool
	}{
		{"residents", `{ residents { edges { node { person { name partyMember { unit { name } } } grid { community { name } }
			building { number } collectedBy { person { name } } } } } }`,
			func(*Loaders) any {
				c, _, err := s.Residents(context.Background(), city0, store.ResidentFilter{}, all)
				return nodesOf(t, c, err)
			},
			4 + 3 + 1, // people, grids, buildings, cadres; members by person, communities, the cadre's person; units
			func(l *Loaders) bool {
				return cached(l.RelatedPerson, append(people, cadrePerson)...) && cached(l.Grid, grid) && cached(l.Building, building) &&
					cached(l.RelatedCadre, cadre) && cached(l.MemberByPerson, people...) && cached(l.Community, community) && cached(l.Unit, unit)
			}},
		{"dutyShifts", `{ dutyShifts { edges { node { cadre { person { name } } facility { compound { name } community { name } } community { street { name } } } } } }`,
			func(*Loaders) any {
				c, _, err := s.DutyShifts(context.Background(), city0, store.DutyShiftFilter{}, true, all)
				return nodesOf(t, c, err)
			},
			3 + 3, // cadres, facilities, communities; the cadre's person, compounds, streets (the facility's community is read)
			func(l *Loaders) bool {
				return cached(l.RelatedCadre, cadre) && cached(l.Facility, centre) && cached(l.Community, community) &&
					cached(l.RelatedPerson, cadrePerson) && cached(l.Compound, compound) && cached(l.Street, street)
			}},
		{"mediationRoomMembers", `{ mediationRoomMembers { edges { node { member { person { name } unit { name } } facility { compound { name } } community { name } } } } }`,
			func(*Loaders) any {
				c, _, err := s.MediationRoomMembers(context.Background(), city0, store.MediationRoomMemberFilter{}, all)
				return nodesOf(t, c, err)
			},
			3 + 3, // members, facilities, communities; people, units, compounds
			func(l *Loaders) bool {
				return cached(l.Member, members...) && cached(l.Facility, room) && cached(l.Community, community) &&
					cached(l.RelatedPerson, people...) && cached(l.Unit, unit) && cached(l.Compound, compound)
			}},
		{"jointMeetings", `{ jointMeetings { edges { node { matters { meeting { title } history(last: 3) { actor { name } } } } } } }`,
			func(*Loaders) any {
				c, _, err := s.Meetings(context.Background(), city0, store.MeetingFilter{}, all)
				return nodesOf(t, c, err)
			},
			1 + 2 + 1, // matters; their meeting and histories; the actors
			func(l *Loaders) bool {
				keys := []store.EventsKey{}
				for _, m := range l.Matters.got([]int64{meeting})[0] {
					keys = append(keys, store.EventsKey{ID: m.ID, Last: 3})
				}
				return len(keys) == 3 && cached(l.Meeting, meeting) && cached(l.MatterEvents, keys...) && cached(l.RelatedPerson, people...)
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := NewLoaders(s, city0)
			nodes := c.nodes(l)
			ctx := planCtx(t, l, c.query)
			before := stmts.Statement.Load()
			switch v := nodes.(type) {
			case []*store.Resident:
				prefetchPage(ctx, v)
			case []*store.DutyShift:
				prefetchPage(ctx, v)
			case []*store.MediationRoomMember:
				prefetchPage(ctx, v)
			case []*store.JointMeeting:
				prefetchPage(ctx, v)
			}
			if got := stmts.Statement.Load() - before; got != c.statements {
				t.Errorf("prefetch ran %d statements, want %d", got, c.statements)
			}
			if !c.read(l) {
				t.Errorf("the prefetch left relations unread")
			}
		})
	}
}

func nodesOf[T any](t *testing.T, c store.Conn[T], err error) []T {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	out := make([]T, len(c.Edges))
	for i, e := range c.Edges {
		out[i] = e.Node
	}
	if len(out) == 0 {
		t.Fatal("no rows")
	}
	return out
}

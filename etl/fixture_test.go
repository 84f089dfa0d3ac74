package etl_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"gridgov/etl"
)

// world writes small, valid fixtures into every replicated table and mutates them at random.
// The seed package builds the demo city; the ETL tests need something smaller they control.
type world struct {
	t   *testing.T
	pg  *pgxpool.Pool
	rnd *rand.Rand
	seq int
}

func newWorld(t *testing.T, pg *pgxpool.Pool, seed uint64) *world {
	return &world{t: t, pg: pg, rnd: rand.New(rand.NewPCG(seed, 7))}
}

type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// ins inserts one row and returns its id.
func (w *world) ins(q querier, sql string, args ...any) int64 {
	w.t.Helper()
	var id int64
	if err := q.QueryRow(context.Background(), sql+" RETURNING id", args...).Scan(&id); err != nil {
		w.t.Fatalf("fixture: %s: %v", sql, err)
	}
	return id
}

func (w *world) next() int {
	w.seq++
	return w.seq
}

// addCommunity inserts a community with one of everything in it, under a new city and street
// every few calls. Every replicated table gets at least one row.
func (w *world) addCommunity(q querier) {
	n := w.next()
	r := w.rnd
	city := w.ins(q, `INSERT INTO cities (code, name) VALUES ($1, $2)`, fmt.Sprintf("city%d", n), fmt.Sprintf("City %d", n))
	st := w.ins(q, `INSERT INTO streets (city_id, code, name, kind) VALUES ($1, $2, $3, 'street')`, city, fmt.Sprintf("st%d", n), fmt.Sprintf("街道 %d", n))
	cm := w.ins(q, `INSERT INTO communities (street_id, code, name) VALUES ($1, $2, $3)`, st, fmt.Sprintf("cm%d", n), fmt.Sprintf("社区 %d", n))
	gr := w.ins(q, `INSERT INTO grids (street_id, community_id, code, name, households, boundary) VALUES ($1, $2, $3, $4, $5,
		ST_Multi(ST_MakeEnvelope(117.8 + $6::float8 / 100, 31.6, 117.81 + $6::float8 / 100, 31.61, 4326)))`, st, cm, fmt.Sprintf("gr%d", n), fmt.Sprintf("网格 %d", n), r.IntN(500), n)
	cp := w.ins(q, `INSERT INTO compounds (street_id, community_id, name, market_managed, property_company, built_year) VALUES ($1, $2, $3, true, 'PropCo', $4)`, st, cm, fmt.Sprintf("小区 %d", n), 1980+r.IntN(40))
	bd := w.ins(q, `INSERT INTO buildings (street_id, community_id, grid_id, compound_id, number, floors, households, covenant_adopted_on) VALUES ($1, $2, $3, $4, $5, $6, $7, '2023-05-04')`, st, cm, gr, cp, fmt.Sprint(n), 1+r.IntN(30), r.IntN(100))
	sc := w.ins(q, `INSERT INTO facilities (street_id, community_id, kind, name) VALUES ($1, $2, 'service_centre', 'Centre')`, st, cm)
	mr := w.ins(q, `INSERT INTO facilities (street_id, community_id, compound_id, kind, name) VALUES ($1, $2, $3, 'mediation_room', 'Mediation')`, st, cm, cp)
	ps := w.ins(q, `INSERT INTO facilities (street_id, community_id, kind, name) VALUES ($1, $2, 'practice_station', 'Station')`, st, cm)
	ix := w.ins(q, `INSERT INTO intersections (street_id, community_id, name) VALUES ($1, $2, 'Crossing')`, st, cm)
	un := w.ins(q, `INSERT INTO units (code, name, kind, is_justice) VALUES ($1, $2, 'municipal_agency', $3)`, fmt.Sprintf("u%d", n), fmt.Sprintf("Unit %d", n), r.IntN(2) == 0)

	person := func() int64 {
		k := w.next()
		return w.ins(q, `INSERT INTO people (name, gender, birth_year, phone, id_number, street_id, community_id, grid_id, building_id, address_detail)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'Unit 1 Room 101')`,
			fmt.Sprintf("Person %d", k), []string{"male", "female"}[r.IntN(2)], 1940+r.IntN(60),
			fmt.Sprintf("138%08d", k), fmt.Sprintf("%017dX", k), st, cm, gr, bd)
	}
	cadrePerson := person()
	cadre := w.ins(q, `INSERT INTO cadres (person_id, kind, street_id, community_id, title) VALUES ($1, 'community_cadre', $2, $3, 'Secretary')`, cadrePerson, st, cm)
	w.ins(q, `INSERT INTO grid_assignments (street_id, community_id, grid_id, cadre_id, role, started_on) VALUES ($1, $2, $3, $4, 'grid_worker', '2024-01-01')`, st, cm, gr, cadre)
	member := w.ins(q, `INSERT INTO party_members (person_id, unit_id, street_id, community_id, grid_id, building_id, profession, joined_party_on) VALUES ($1, $2, $3, $4, $5, $6, 'teacher', '1965-07-01')`, person(), un, st, cm, gr, bd)
	w.ins(q, `INSERT INTO checkins (member_id, street_id, community_id, grid_id, letter_no, state, decided_at, decided_by) VALUES ($1, $2, $3, $4, 'L-1', 'verified', now(), $5)`, member, st, cm, gr, cadre)
	w.ins(q, `INSERT INTO building_appointments (street_id, community_id, grid_id, building_id, member_id, role, appointed_on) VALUES ($1, $2, $3, $4, $5, 'owner_representative', '2024-02-01')`, st, cm, gr, bd, member)
	w.ins(q, `INSERT INTO mediation_room_members (street_id, community_id, facility_id, member_id, joined_on) VALUES ($1, $2, $3, $4, '2024-03-01')`, st, cm, mr, member)
	w.ins(q, `INSERT INTO residents (person_id, street_id, community_id, grid_id, building_id, household_size, collected_by) VALUES ($1, $2, $3, $4, $5, $6, $7)`, person(), st, cm, gr, bd, 1+r.IntN(6), cadre)
	steward := w.ins(q, `INSERT INTO red_stewards (person_id, street_id, community_id, grid_id, selected_on) VALUES ($1, $2, $3, $4, '2024-04-01')`, person(), st, cm, gr)
	patrol := w.ins(q, `INSERT INTO patrols (steward_id, street_id, community_id, grid_id, patrolled_at, route) VALUES ($1, $2, $3, $4, now(), 'Lane')`, steward, st, cm, gr)
	w.ins(q, `INSERT INTO patrol_findings (patrol_id, street_id, community_id, grid_id, category, description) VALUES ($1, $2, $3, $4, 'environment', 'litter')`, patrol, st, cm, gr)
	w.ins(q, `INSERT INTO governance_instructors (person_id, street_id, community_id, former_post, appointed_on) VALUES ($1, $2, $3, 'Director', '2024-04-02')`, person(), st, cm)
	w.ins(q, `INSERT INTO partners (person_id, street_id, community_id, kind, organisation) VALUES ($1, $2, $3, 'community_police', 'Police')`, person(), st, cm)
	w.ins(q, `INSERT INTO duty_shifts (street_id, community_id, facility_id, cadre_id, on_date) VALUES ($1, $2, $3, $4, '2024-05-06')`, st, cm, sc, cadre)

	ic := w.ins(q, `INSERT INTO issue_categories (code, name, name_zh, category_group, deadline_days, quantity_unit) VALUES ($1, 'Greening', '绿化', 'environment', 7, 'm2')`, fmt.Sprintf("ic%d", n))
	reporter := person()
	issue := w.ins(q, `INSERT INTO issues (street_id, community_id, grid_id, building_id, category_id, title, description, reporter_id, reporter_role, state,
			handler_kind, handler_person_id, due_at, reported_at, resolved_at, resolution, resolved_quantity, is_dispute, dispute_outcome,
			urge_count, last_urged_at, warned_at, extension_count, supervisor_id, supervised_at, supervision_due_at, supervision_note)
		VALUES ($1, $2, $3, $4, $5, 'Leak', 'Zhang San reports a leak', $6, 'resident', 'resolved', 'cadre', $7, now() + interval '7 days',
			now() - interval '2 days', now(), 'fixed', $8, true, 'mediated', $9, now() - interval '1 day', now() - interval '1 hour', $10, $11,
			now() - interval '1 day', now() + interval '3 days', 'Wang Wu supervises')`, st, cm, gr, bd, ic, reporter, reporter, float64(r.IntN(10000))/100,
		r.IntN(4), r.IntN(3), cadrePerson)
	w.ins(q, `INSERT INTO issue_events (issue_id, street_id, community_id, grid_id, actor_id, actor_role, action, to_state, note) VALUES ($1, $2, $3, $4, $5, 'resident', 'report', 'reported', 'note')`, issue, st, cm, gr, reporter)
	w.ins(q, `INSERT INTO issue_events (issue_id, street_id, community_id, grid_id, actor_role, action, from_state, to_state) VALUES ($1, $2, $3, $4, 'system', 'resolve', 'reported', 'resolved')`, issue, st, cm, gr)
	w.ins(q, `INSERT INTO issue_mediators (issue_id, street_id, community_id, grid_id, person_id, role) VALUES ($1, $2, $3, $4, $5, 'cadre')`, issue, st, cm, gr, reporter)
	w.ins(q, `INSERT INTO work_logs (street_id, community_id, grid_id, cadre_id, kind, logged_at, content, people_served, hours) VALUES ($1, $2, $3, $4, 'patrol', now(), 'walked', $5, $6)`, st, cm, gr, cadre, r.IntN(20), float64(r.IntN(800))/100)

	scat := w.ins(q, `INSERT INTO service_categories (code, name, name_zh) VALUES ($1, 'Repairs', '维修')`, fmt.Sprintf("sc%d", n))
	resident := person()
	order := w.ins(q, `INSERT INTO service_orders (street_id, community_id, grid_id, building_id, category_id, resident_id, title, state, published_at, published_by,
			claimed_by, claimed_at, completed_at, hours, rating, rated_at)
		VALUES ($1, $2, $3, $4, $5, $6, 'Fix tap', 'rated', now(), $7, $8, now(), now(), $9, $10, now())`, st, cm, gr, bd, scat, resident, reporter, member, 0.5+float64(r.IntN(700))/100, 1+r.IntN(5))
	w.ins(q, `INSERT INTO order_events (order_id, street_id, community_id, grid_id, actor_id, actor_role, action, to_state) VALUES ($1, $2, $3, $4, $5, 'resident', 'post', 'posted')`, order, st, cm, gr, resident)
	w.ins(q, `INSERT INTO service_records (member_id, street_id, community_id, grid_id, order_id, served_on, hours, content) VALUES ($1, $2, $3, $4, $5, current_date, 1.5, 'fixed the tap')`, member, st, cm, gr, order)
	w.ins(q, `INSERT INTO year_ratings (member_id, street_id, community_id, year, grade, rated_by) VALUES ($1, $2, $3, 2024, 'good', $4)`, member, st, cm, cadre)

	so := w.ins(q, `INSERT INTO social_organisations (name, has_party_org, street_id, registered_on) VALUES ('NGO', true, $1, '2015-01-01')`, st)
	vp := w.ins(q, `INSERT INTO venture_projects (social_organisation_id, street_id, community_id, name, theme, funding_yuan, started_on) VALUES ($1, $2, $3, 'Care', 'elderly_care', $4, '2024-01-01')`, so, st, cm, float64(r.IntN(1000000))/100)
	team := w.ins(q, `INSERT INTO volunteer_teams (name, team_type, street_id, founded_on) VALUES ('Team', 'town_street', $1, '2020-01-01')`, st)
	w.ins(q, `INSERT INTO volunteers (person_id, team_id, street_id, community_id, grid_id, registered_on, skills) VALUES ($1, $2, $3, $4, $5, '2024-01-01', 'first aid')`, person(), team, st, cm, gr)
	w.ins(q, `INSERT INTO pairings (unit_id, street_id, community_id, facility_id, kind, started_on) VALUES ($1, $2, $3, $4, 'practice_station', '2024-01-01')`, un, st, cm, ps)
	act := w.ins(q, `INSERT INTO activities (kind, title, street_id, community_id, grid_id, intersection_id, organiser_unit_id, team_id, social_organisation_id, venture_project_id, starts_at, ends_at, people_served)
		VALUES ('themed_party_day', 'Party day', $1, $2, $3, $4, $5, $6, $7, $8, now(), now() + interval '2 hours', $9)`, st, cm, gr, ix, un, team, so, vp, r.IntN(100))
	w.ins(q, `INSERT INTO activity_participants (activity_id, street_id, community_id, grid_id, person_id, role, hours) VALUES ($1, $2, $3, $4, $5, 'party_member', 2)`, act, st, cm, gr, resident)
	mt := w.ins(q, `INSERT INTO joint_meetings (street_id, community_id, held_on, title, attendees) VALUES ($1, $2, '2024-03-31', 'Q1', $3)`, st, cm, r.IntN(40))
	w.ins(q, `INSERT INTO meeting_matters (meeting_id, street_id, community_id, kind, title, outcome) VALUES ($1, $2, $3, 'major_matter', 'Parking', 'decided')`, mt, st, cm)
}

// valueUpdates change real values (names that place dimensions denormalise, numbers that
// reconciliation sums) besides the version every update bumps.
var valueUpdates = map[string]string{
	"cities":         `UPDATE cities SET name = name || '+' WHERE id = $1`,
	"streets":        `UPDATE streets SET name = name || '+' WHERE id = $1`,
	"communities":    `UPDATE communities SET name = name || '+' WHERE id = $1`,
	"grids":          `UPDATE grids SET households = households + 1, name = name || '+' WHERE id = $1`,
	"buildings":      `UPDATE buildings SET floors = floors + 1 WHERE id = $1`,
	"units":          `UPDATE units SET civilised = NOT civilised WHERE id = $1`,
	"people":         `UPDATE people SET birth_year = birth_year + 1 WHERE id = $1`,
	"issues":         `UPDATE issues SET resolved_quantity = coalesce(resolved_quantity, 0) + 1.25, urge_count = urge_count + 1, last_urged_at = now(), extension_count = extension_count + 1, due_at = due_at + interval '1 day', warned_at = NULL WHERE id = $1`,
	"work_logs":      `UPDATE work_logs SET hours = least(hours + 0.5, 24), people_served = people_served + 1 WHERE id = $1`,
	"activities":     `UPDATE activities SET people_served = people_served + 3 WHERE id = $1`,
	"service_orders": `UPDATE service_orders SET rating = 1 + rating % 5 WHERE id = $1`,
	"joint_meetings": `UPDATE joint_meetings SET attendees = attendees + 1 WHERE id = $1`,
	"party_members":  `UPDATE party_members SET specialty = specialty || '+' WHERE id = $1`,
}

// mutate applies count random changes across every table: value updates, plain updates
// (a version bump), soft deletes, and hard deletes where nothing references the row.
func (w *world) mutate(count int) {
	w.t.Helper()
	ctx := context.Background()
	for i := 0; i < count; i++ {
		t := etl.Tables[w.rnd.IntN(len(etl.Tables))]
		var id int64
		err := w.pg.QueryRow(ctx, fmt.Sprintf(`SELECT id FROM %s ORDER BY random() LIMIT 1`, t.Source)).Scan(&id)
		if err == pgx.ErrNoRows {
			continue
		}
		if err != nil {
			w.t.Fatalf("mutate %s: %v", t.Source, err)
		}
		appendOnly := t.Source == "issue_events" || t.Source == "order_events"
		var sql string
		switch k := w.rnd.IntN(10); {
		case appendOnly:
			continue
		case k < 4 && valueUpdates[t.Source] != "":
			sql = valueUpdates[t.Source]
		case k < 6:
			sql = fmt.Sprintf(`UPDATE %s SET created_at = created_at WHERE id = $1`, t.Source)
		case k < 8:
			sql = fmt.Sprintf(`UPDATE %s SET deleted_at = CASE WHEN deleted_at IS NULL THEN now() END WHERE id = $1`, t.Source)
		default:
			sql = fmt.Sprintf(`DELETE FROM %s WHERE id = $1`, t.Source)
		}
		w.tryExec(sql, id)
	}
}

// tryExec runs a change that constraints may refuse (a referenced row, a unique index that
// a restored row would break): refused changes are simply not made.
func (w *world) tryExec(sql string, args ...any) {
	w.t.Helper()
	_, err := w.pg.Exec(context.Background(), sql, args...)
	var pe *pgconn.PgError
	if err != nil && !(errorsAs(err, &pe) && (pe.Code[:2] == "23")) {
		w.t.Fatalf("%s: %v", sql, err)
	}
}

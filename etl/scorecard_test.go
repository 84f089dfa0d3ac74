package etl_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"gridgov/auth"
	"gridgov/etl"
	"gridgov/store"
	"gridgov/warehouse"
	"gridgov/workflow"
)

// TestUnitScorecardMatchesPostgres: the unit scorecard (逐单位综合评分) the warehouse computes
// from its facts equals the one the API computes from Postgres on the same data, city-wide and
// for a street, before and after a rating moves on through the workflow; and the ratings by
// stage the indicators read (sum_rating_stage) count what Postgres holds.
func TestUnitScorecardMatchesPostgres(t *testing.T) {
	v := newEnv(t)
	ctx := context.Background()
	w := newWorld(t, v.pg, 11)
	for range 3 {
		w.addCommunity(v.pg)
	}
	year := time.Now().Year()
	// Each unit gets two more members in the community of its first one: one checked in with
	// service hours, one not; ratings of the year in every stage the scorecard tells apart.
	if _, err := v.pg.Exec(ctx, `
		WITH first AS (SELECT DISTINCT ON (unit_id) id, unit_id, street_id, community_id, grid_id, building_id FROM party_members ORDER BY unit_id, id),
		more AS (INSERT INTO party_members (person_id, unit_id, street_id, community_id, grid_id, building_id)
			SELECT p.id, f.unit_id, f.street_id, f.community_id, f.grid_id, f.building_id FROM first f
			CROSS JOIN LATERAL (SELECT id FROM people q WHERE q.community_id = f.community_id AND NOT EXISTS
				(SELECT 1 FROM party_members m WHERE m.person_id = q.id) ORDER BY id LIMIT 2) p RETURNING id, street_id, community_id, grid_id),
		checked AS (INSERT INTO checkins (member_id, street_id, community_id, grid_id, letter_no, state, decided_at)
			SELECT id, street_id, community_id, grid_id, 'L', 'verified', now() FROM more WHERE id % 2 = 0 RETURNING member_id)
		INSERT INTO service_records (member_id, street_id, community_id, grid_id, served_on, hours, content)
			SELECT m.id, m.street_id, m.community_id, m.grid_id, make_date($1, 3, 1 + k), 2.25 * k, 'served' FROM more m
			CROSS JOIN generate_series(1, 4) k WHERE m.id % 2 = 0`, year); err != nil {
		t.Fatal(err)
	}
	if _, err := v.pg.Exec(ctx, `INSERT INTO year_ratings (member_id, street_id, community_id, year, grade, state, notified_at, appeal_reason, appealed_at)
		SELECT id, street_id, community_id, $1, (ARRAY['good', 'fair', 'good', 'poor'])[1 + id % 4],
			(ARRAY['acknowledged', 'notified', 'draft', 'appealed', 'submitted'])[1 + id % 5], now(),
			CASE WHEN id % 5 = 3 THEN 'x' END, CASE WHEN id % 5 = 3 THEN now() END FROM party_members`, year); err != nil {
		t.Fatal(err)
	}
	var street int64
	if err := v.pg.QueryRow(ctx, `SELECT min(street_id) FROM party_members`).Scan(&street); err != nil {
		t.Fatal(err)
	}
	st := store.New(v.pg)
	rd := warehouse.NewReader(v.ch, v.ch.Database, warehouse.ReaderOptions{AsOf: func(context.Context) (time.Time, error) { return time.Now(), nil }})
	same := func(when string) {
		t.Helper()
		v.runOnce(t, etl.Options{})
		for _, sc := range []struct {
			pg auth.Scope
			wh warehouse.Scope
		}{{auth.Scope{}, warehouse.City}, {auth.Scope{StreetID: street}, warehouse.Scope{Level: warehouse.LevelStreet, ID: street}}} {
			live, err := st.UnitScorecard(ctx, sc.pg, store.PlaceFilter{}, year)
			if err != nil {
				t.Fatal(err)
			}
			wh, err := rd.UnitScorecard(ctx, sc.wh, year)
			if err != nil {
				t.Fatal(err)
			}
			if len(live) == 0 || !reflect.DeepEqual(live, wh) {
				t.Errorf("%s, %v: Postgres %s, warehouse %s", when, sc.wh, lines(live), lines(wh))
			}
		}
		var want string
		if err := v.pg.QueryRow(ctx, `SELECT string_agg(state || ':' || n, ',' ORDER BY state) FROM (SELECT state, count(*) n FROM year_ratings
			WHERE deleted_at IS NULL GROUP BY state) s`).Scan(&want); err != nil {
			t.Fatal(err)
		}
		rows, err := v.ch.Query(ctx, "SELECT state, sum(ratings) FROM "+warehouse.Qualified(v.ch.Database, "sum_rating_stage")+" GROUP BY state ORDER BY state")
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		for i, r := range rows {
			if i > 0 {
				got += ","
			}
			got += r[0] + ":" + r[1]
		}
		if got != want {
			t.Errorf("%s: ratings by stage %s in the warehouse, %s in Postgres", when, got, want)
		}
		var stages warehouse.RatingStages
		if err := v.pg.QueryRow(ctx, `SELECT count(*) FILTER (WHERE state = 'draft'), count(*) FILTER (WHERE state = 'submitted'),
			count(*) FILTER (WHERE state = 'approved'), count(*) FILTER (WHERE state = 'notified'),
			count(*) FILTER (WHERE state = 'acknowledged'), count(*) FILTER (WHERE state = 'appealed')
			FROM year_ratings WHERE deleted_at IS NULL AND year = $1`, year).Scan(&stages.Draft, &stages.Submitted, &stages.Approved,
			&stages.Notified, &stages.Acknowledged, &stages.Appealed); err != nil {
			t.Fatal(err)
		}
		ind, err := rd.Indicators(ctx, warehouse.City, warehouse.Year(year))
		if err != nil {
			t.Fatal(err)
		}
		if ind.Orders.RatingStages == nil || *ind.Orders.RatingStages != stages {
			t.Errorf("%s: indicators' ratings by stage %+v, Postgres %+v", when, ind.Orders.RatingStages, stages)
		}
	}
	same("first run")
	var notified, member int64
	if err := v.pg.QueryRow(ctx, `SELECT id, member_id FROM year_ratings WHERE state = 'notified' AND year = $1 ORDER BY id LIMIT 1`, year).
		Scan(&notified, &member); err != nil {
		t.Fatal(err)
	}
	var person int64
	if err := v.pg.QueryRow(ctx, `SELECT person_id FROM party_members WHERE id = $1`, member).Scan(&person); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ChangeRating(ctx, auth.Scope{Self: person}, auth.Actor{PersonID: person, Role: "party_member"}, notified,
		store.RatingChange{Step: workflow.RatingStep{Action: workflow.RatingAppeal, Reason: "记录有误"}}); err != nil {
		t.Fatal(err)
	}
	same("after an appeal")
}

func lines(us []*warehouse.UnitScore) string {
	out := ""
	for _, u := range us {
		out += fmt.Sprintf("%+v ", *u)
	}
	return out
}

package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"gridgov/apperr"
	"gridgov/dbtest"
	"gridgov/store"
)

// placeFixture inserts one city → street → community → grid → building, a unit, and a party
// member (id 1) living there.
func placeFixture(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	_, err := pool.Exec(context.Background(), `
		INSERT INTO cities (id, code, name) VALUES (1, 'c', '巢湖市');
		INSERT INTO streets (id, city_id, code, name, kind) VALUES (1, 1, 's1', '卧牛山街道', 'street'), (2, 1, 's2', '亚父街道', 'street');
		INSERT INTO communities (id, street_id, code, name) VALUES (1, 1, 'c1', '东风社区');
		INSERT INTO grids (id, street_id, community_id, code, name) VALUES (1, 1, 1, 'g1', '东风社区第1网格');
		INSERT INTO buildings (id, street_id, community_id, grid_id, number) VALUES (1, 1, 1, 1, '1栋');
		INSERT INTO units (id, code, name, kind) VALUES (1, 'u1', '巢湖市司法局', 'municipal_agency');
		INSERT INTO people (id, name) VALUES (1, '王伟');
		INSERT INTO party_members (id, person_id, unit_id, street_id, community_id) VALUES (1, 1, 1, 1, 1);
		INSERT INTO checkins (member_id, street_id, community_id, letter_no) VALUES (1, 1, 1, 'L-1');`)
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
}

// TestConstraintsRejectBadRows writes rows the schema must refuse and checks that each is
// refused, mapped to a clear application error, and leaves the data as it was.
func TestConstraintsRejectBadRows(t *testing.T) {
	pool := dbtest.New(t)
	placeFixture(t, pool)
	cases := []struct {
		name, sql string
		code      apperr.Code
		field     string
		message   string
	}{
		{"rating outside the four grades", `INSERT INTO year_ratings (member_id, street_id, community_id, year, grade) VALUES (1, 1, 1, 2025, 'excellent')`,
			apperr.BadUserInput, "grade", "good, fair, average or poor"},
		{"second rating in a year", `INSERT INTO year_ratings (member_id, street_id, community_id, year, grade) VALUES (1, 1, 1, 2024, 'fair')`,
			apperr.Conflict, "year", "already has a rating"},
		{"negative service hours", `INSERT INTO service_records (member_id, street_id, community_id, served_on, hours, content) VALUES (1, 1, 1, '2025-01-02', -2, '义务劳动')`,
			apperr.BadUserInput, "hours", "more than 0"},
		{"second check-in", `INSERT INTO checkins (member_id, street_id, community_id, letter_no) VALUES (1, 1, 1, 'L-2')`,
			apperr.Conflict, "memberId", "already checked in"},
		{"orphan grid", `INSERT INTO grids (id, street_id, community_id, code, name) VALUES (9, 1, 99, 'g9', '孤立网格')`,
			apperr.BadUserInput, "communityId", "does not exist"},
		{"grid in another street's community", `INSERT INTO grids (id, street_id, community_id, code, name) VALUES (8, 2, 1, 'g8', '错位网格')`,
			apperr.BadUserInput, "communityId", "does not exist"},
		{"rejection without a reason", `UPDATE checkins SET state = 'rejected', decided_at = now() WHERE member_id = 1`,
			apperr.BadUserInput, "reason", "needs a reason"},
		{"negative households", `UPDATE buildings SET households = -1 WHERE id = 1`,
			apperr.BadUserInput, "", "out of range"},
		{"team type unknown", `INSERT INTO volunteer_teams (name, team_type, street_id, founded_on) VALUES ('队', 'ngo', 1, '2024-01-01')`,
			apperr.BadUserInput, "teamType", "municipal_agency"},
		{"history rewritten", `INSERT INTO issue_categories (id, code, name, name_zh, category_group, deadline_days) VALUES (1, 'x', 'x', 'x', 'suggestion', 3);
			INSERT INTO issues (id, street_id, community_id, grid_id, category_id, title, reporter_id, reporter_role) VALUES (1, 1, 1, 1, 1, 't', 1, 'resident');
			INSERT INTO issue_events (issue_id, street_id, community_id, grid_id, actor_role, action, to_state) VALUES (1, 1, 1, 1, 'resident', 'report', 'reported');
			UPDATE issue_events SET note = 'changed'`,
			apperr.BadUserInput, "", ""},
	}
	if _, err := pool.Exec(context.Background(),
		`INSERT INTO year_ratings (member_id, street_id, community_id, year, grade) VALUES (1, 1, 1, 2024, 'good')`); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, pool)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := pool.Exec(context.Background(), "BEGIN; "+c.sql+"; COMMIT;")
			if err == nil {
				pool.Exec(context.Background(), "ROLLBACK") //nolint:errcheck
				t.Fatal("the database accepted the row")
			}
			pool.Exec(context.Background(), "ROLLBACK") //nolint:errcheck
			mapped := store.MapError("test", err)
			var ae *apperr.Error
			if !errors.As(mapped, &ae) {
				if c.message == "" {
					return // append-only history: refused, reported as internal
				}
				t.Fatalf("not mapped to an application error: %v", mapped)
			}
			if ae.Code != c.code || ae.Field != c.field || !strings.Contains(ae.Message, c.message) {
				t.Errorf("got %s %q (field %q), want %s containing %q (field %q)", ae.Code, ae.Message, ae.Field, c.code, c.message, c.field)
			}
			if strings.Contains(strings.ToLower(ae.Message), "violates") || strings.Contains(ae.Message, "SQLSTATE") {
				t.Errorf("message leaks database text: %q", ae.Message)
			}
		})
	}
	if after := snapshot(t, pool); after != before {
		t.Errorf("refused writes changed the data:\nbefore %s\nafter  %s", before, after)
	}
}

func snapshot(t *testing.T, pool *pgxpool.Pool) string {
	t.Helper()
	var s string
	err := pool.QueryRow(context.Background(), `SELECT concat_ws(',',
		(SELECT count(*) FROM grids), (SELECT count(*) FROM year_ratings), (SELECT count(*) FROM service_records),
		(SELECT count(*) FROM checkins), (SELECT string_agg(state, '') FROM checkins), (SELECT sum(households) FROM buildings),
		(SELECT count(*) FROM volunteer_teams), (SELECT count(*) FROM issue_events))`).Scan(&s)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

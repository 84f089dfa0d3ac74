package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"gridgov/auth"
	"gridgov/dbtest"
	"gridgov/store"
)

// personNameFixture adds Bai (2) and Chen (3) to placeFixture's 王伟 (1, a party member), each
// of them a resident, a volunteer, a party member and a cadre. The residents are written with
// a forged name and with none: the database sets the person's.
func personNameFixture(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	placeFixture(t, pool)
	exec(t, pool, `
		INSERT INTO people (id, name) VALUES (2, 'Bai'), (3, 'Chen');
		INSERT INTO residents (person_id, street_id, community_id, grid_id, building_id, person_name)
			VALUES (2, 1, 1, 1, 1, 'forged'), (3, 1, 1, 1, 1, NULL);
		INSERT INTO volunteers (person_id, street_id, community_id, registered_on) VALUES (2, 1, 1, '2025-01-01'), (3, 1, 1, '2025-01-01');
		INSERT INTO party_members (id, person_id, unit_id, street_id, community_id) VALUES (2, 2, 1, 1, 1), (3, 3, 1, 1, 1);
		INSERT INTO cadres (person_id, kind, street_id, community_id) VALUES (2, 'community_cadre', 1, 1), (3, 'community_cadre', 1, 1);`)
}

func exec(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) {
	t.Helper()
	if _, err := pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// personLists reads the name-sorted lists of people in a role, as the API pages them: the
// names of each list's first page, in order.
func personLists(s *store.Store) map[string]func(context.Context) ([]string, error) {
	city := auth.Scope{}
	return map[string]func(context.Context) ([]string, error){
		"residents": func(ctx context.Context) ([]string, error) {
			c, err := s.Residents(ctx, city, store.ResidentFilter{}, store.Page{})
			return names(c, func(v *store.Resident) string { return v.Name }), err
		},
		"volunteers": func(ctx context.Context) ([]string, error) {
			c, err := s.Volunteers(ctx, city, store.VolunteerFilter{}, store.Page{})
			return names(c, func(v *store.Volunteer) string { return v.Name }), err
		},
		"party members": func(ctx context.Context) ([]string, error) {
			c, err := s.Members(ctx, city, store.MemberFilter{}, store.MemberOrder{Key: "NAME"}, store.Page{})
			return names(c, func(v *store.PartyMember) string { return v.Name }), err
		},
		"cadres": func(ctx context.Context) ([]string, error) {
			c, err := s.Cadres(ctx, city, store.PersonRoleFilter{}, store.Page{})
			return names(c, func(v *store.Cadre) string { return v.Name }), err
		},
	}
}

func names[T any](c store.Conn[T], name func(T) string) []string {
	out := make([]string, len(c.Edges))
	for i, e := range c.Edges {
		out[i] = name(e.Node)
	}
	return out
}

// TestRenamingAPersonResortsTheirLists renames Chen to Ai: every list of people by name then
// shows Ai first, under the new name, the rows' copies having followed people.name.
func TestRenamingAPersonResortsTheirLists(t *testing.T) {
	pool := dbtest.New(t)
	personNameFixture(t, pool)
	ctx := context.Background()
	lists := personLists(store.New(pool))
	check := func(want map[string][]string) {
		t.Helper()
		for name, list := range lists {
			got, err := list(ctx)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if !slices.Equal(got, want[name]) {
				t.Errorf("%s: names %q, want %q", name, got, want[name])
			}
		}
	}
	check(map[string][]string{"residents": {"Bai", "Chen"}, "volunteers": {"Bai", "Chen"},
		"party members": {"Bai", "Chen", "王伟"}, "cadres": {"Bai", "Chen"}})
	exec(t, pool, `UPDATE people SET name = 'Ai' WHERE id = 3`)
	check(map[string][]string{"residents": {"Ai", "Bai"}, "volunteers": {"Ai", "Bai"},
		"party members": {"Ai", "Bai", "王伟"}, "cadres": {"Ai", "Bai"}})
}

// TestPersonNameIsThePersons checks that no writer can make a role row's person_name differ
// from people.name: a name written to it is replaced, a changed person_id brings the new
// person's name, and a person_id naming no one is still the foreign key's error.
func TestPersonNameIsThePersons(t *testing.T) {
	pool := dbtest.New(t)
	personNameFixture(t, pool)
	ctx := context.Background()
	exec(t, pool, `UPDATE volunteers SET person_name = 'forged' WHERE person_id = 2`)
	exec(t, pool, `UPDATE cadres SET person_id = 1 WHERE person_id = 3`)
	var wrong int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM (
		SELECT person_id, person_name FROM residents UNION ALL SELECT person_id, person_name FROM volunteers
		UNION ALL SELECT person_id, person_name FROM party_members UNION ALL SELECT person_id, person_name FROM cadres) r
		JOIN people p ON p.id = r.person_id WHERE r.person_name <> p.name`).Scan(&wrong); err != nil {
		t.Fatal(err)
	}
	if wrong != 0 {
		t.Fatalf("%d role rows carry a name that is not their person's", wrong)
	}
	_, err := pool.Exec(ctx, `INSERT INTO red_stewards (person_id, street_id, community_id, grid_id, selected_on) VALUES (99, 1, 1, 1, '2025-01-01')`)
	var pg *pgconn.PgError
	if !errors.As(err, &pg) || pg.Code != "23503" {
		t.Fatalf("a steward of no one: want a foreign-key violation, got %v", err)
	}
}

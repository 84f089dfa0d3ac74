package scheduler_test

import (
	"context"
	"testing"
	"time"
)

// Orders are flagged once each when they go late: two published orders past their claim due
// time (flag_unclaimed), one claimed order past its completion due time (flag_unfinished); an
// order without a due time, and one claimed in time, never. Ticks repeated change nothing more,
// and each flag is one history entry that keeps the order's state.
func TestOrdersFlaggedOnceWhenLate(t *testing.T) {
	pool := city(t, 0)
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `
		INSERT INTO units (code, name, kind) VALUES ('U1', '市司法局', 'municipal_agency');
		INSERT INTO service_categories (code, name, name_zh) VALUES ('elderly', 'Elderly', '助老');
		INSERT INTO people (name) VALUES ('王党员');
		INSERT INTO party_members (person_id, unit_id, street_id, community_id, grid_id)
			SELECT p.id, u.id, g.street_id, g.community_id, g.id FROM people p, units u, grids g WHERE p.name = '王党员';`); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO service_orders (street_id, community_id, grid_id, category_id, resident_id, title, state,
			published_at, claim_due_at, claimed_by, claimed_at, complete_due_at)
		SELECT g.street_id, g.community_id, g.id, c.id, p.id, o.title, o.state, $1::timestamptz - interval '2 days', o.claim_due,
			CASE WHEN o.state = 'claimed' THEN m.id END, CASE WHEN o.state = 'claimed' THEN $1::timestamptz - interval '1 day' END, o.complete_due
		FROM grids g, service_categories c, people p, party_members m, (VALUES
			('late 1', 'published', $1::timestamptz, NULL::timestamptz),
			('late 2', 'published', $1::timestamptz, NULL),
			('no limit', 'published', NULL, NULL),
			('unfinished', 'claimed', $1::timestamptz - interval '1 day', $1::timestamptz),
			('in time', 'claimed', $1::timestamptz - interval '1 day', $1::timestamptz + interval '1 day')) AS o(title, state, claim_due, complete_due)
		WHERE p.name = '李居民'`, due); err != nil {
		t.Fatal(err)
	}
	c := &clock{}
	s := newScheduler(pool, c)
	for _, tc := range []struct {
		at                    time.Time
		unclaimed, unfinished int
	}{
		{at: due.Add(-time.Minute)},
		{at: due.Add(time.Minute), unclaimed: 2, unfinished: 1},
		{at: due.Add(2 * time.Minute)},
		{at: due.Add(1000 * time.Hour)}, // the one in time is late now, but flagged later: once
	} {
		c.set(tc.at)
		got, err := s.Tick(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := tc.unfinished
		if tc.at.After(due.Add(48 * time.Hour)) {
			want = 1
		}
		if got["flag_unclaimed"] != tc.unclaimed || got["flag_unfinished"] != want {
			t.Fatalf("at due%+v: changed %v, want flag_unclaimed %d, flag_unfinished %d", tc.at.Sub(due), got, tc.unclaimed, want)
		}
	}
	var flags string
	if err := pool.QueryRow(ctx, `SELECT string_agg(o.title || ':' || e.from_state || '>' || e.to_state, ' ' ORDER BY o.title)
		FROM order_events e JOIN service_orders o ON o.id = e.order_id WHERE e.action = 'flag' AND e.actor_role = 'system'`).Scan(&flags); err != nil {
		t.Fatal(err)
	}
	if flags != "in time:claimed>claimed late 1:published>published late 2:published>published unfinished:claimed>claimed" {
		t.Fatalf("flag entries: %s", flags)
	}
}

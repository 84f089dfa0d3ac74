package etl_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"gridgov/auth"
	"gridgov/etl"
	"gridgov/store"
	"gridgov/workflow"
)

// TestCheckinAndOrderMovesReachTheWarehouse: a check-in re-verified for the year, one
// transferred (转接) to another community, an order the grid declined and one the scheduler
// flagged as not claimed in time, each made through the store as the API makes it, reach the
// facts and the summaries with the next incremental run, and the warehouse equals Postgres.
func TestCheckinAndOrderMovesReachTheWarehouse(t *testing.T) {
	v := newEnv(t)
	ctx := context.Background()
	w := newWorld(t, v.pg, 7)
	w.addCommunity(v.pg)
	w.addCommunity(v.pg)
	v.runOnce(t, etl.Options{})

	var first, second, firstCommunity, cadre, otherCadre int64
	if err := v.pg.QueryRow(ctx, `SELECT min(k.id), max(k.id), min(k.community_id) FROM checkins k`).Scan(&first, &second, &firstCommunity); err != nil {
		t.Fatal(err)
	}
	cadreOf := func(checkin int64) int64 {
		t.Helper()
		var p int64
		if err := v.pg.QueryRow(ctx, `SELECT c.person_id FROM cadres c JOIN checkins k ON k.community_id = c.community_id WHERE k.id = $1`,
			checkin).Scan(&p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cadre, otherCadre = cadreOf(first), cadreOf(second)
	st := store.New(v.pg)
	if _, err := v.pg.Exec(ctx, `UPDATE checkins SET decided_at = now() - interval '400 days' WHERE id = $1`, first); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ReverifyCheckin(ctx, auth.Scope{}, auth.Actor{PersonID: cadre, Role: "community_cadre"}, first, time.Now(), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := st.TransferCheckin(ctx, auth.Scope{}, auth.Actor{PersonID: otherCadre, Role: "community_cadre"}, second, firstCommunity, "搬家", nil); err != nil {
		t.Fatal(err)
	}
	orders := w.ins(v.pg, `INSERT INTO service_orders (street_id, community_id, grid_id, category_id, resident_id, title)
		SELECT street_id, community_id, grid_id, category_id, resident_id, 'posted' FROM service_orders ORDER BY id LIMIT 1`)
	if _, err := st.ChangeOrder(ctx, auth.Scope{}, auth.Actor{PersonID: cadre, Role: "community_cadre"}, orders,
		store.OrderChange{Step: workflow.OrderStep{Action: workflow.OrderDecline, Reason: "不属于服务清单"}}); err != nil {
		t.Fatal(err)
	}
	w.ins(v.pg, `INSERT INTO service_orders (street_id, community_id, grid_id, category_id, resident_id, title, state, published_at, claim_due_at)
		SELECT street_id, community_id, grid_id, category_id, resident_id, 'late', 'published', now() - interval '2 days', now() - interval '1 day'
		FROM service_orders ORDER BY id LIMIT 1`)
	if n, err := st.FlagUnclaimedOrders(ctx, time.Now()); err != nil || n != 1 {
		t.Fatalf("flagged %d: %v", n, err)
	}
	v.runOnce(t, etl.Options{})

	q := func(sql string) string { t.Helper(); return v.text(t, strings.ReplaceAll(sql, "{db}", v.ch.Database)) }
	year := time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006")
	for what, c := range map[string]struct{ sql, want string }{
		"re-verified": {"SELECT state, reverified_year, reverified_at IS NOT NULL FROM {db}.fact_checkin FINAL WHERE id = " + itoa(first),
			"verified " + year + " 1"},
		"transferred": {"SELECT state, ended_at IS NOT NULL, transferred_to > 0 FROM {db}.fact_checkin FINAL WHERE id = " + itoa(second),
			"transferred 1 1"},
		"transfer in": {"SELECT state, community_id FROM {db}.fact_checkin FINAL WHERE transferred_from = " + itoa(second),
			"pending " + itoa(firstCommunity)},
		"check-in summary": {"SELECT sum(verified), sum(withdrawn), sum(transferred), sum(reverification_due) FROM {db}.sum_checkin",
			"1 0 1 0"}, // the re-verified one; the transferred one; none due
		"orders": {"SELECT title_state, n FROM (SELECT state AS title_state, count() AS n FROM {db}.fact_service_order FINAL " +
			"WHERE is_deleted = 0 AND (state = 'declined' OR unclaimed_flagged_at IS NOT NULL) GROUP BY state) ORDER BY title_state",
			"declined 1,published 1"},
		"order summary": {"SELECT sum(declined), sum(late), sum(released) FROM {db}.sum_order_day", "1 1 0"},
	} {
		if got := q(c.sql); got != c.want {
			t.Errorf("%s: %q, want %q", what, got, c.want)
		}
	}
	v.reconciled(t, "after the moves")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

package main

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"gridgov/auth"
	"gridgov/gid"
	"gridgov/loadgen"
)

// The claim class writes: each claim takes a published order. The benchmark publishes the
// orders it claims (titled "benchmark order N"), and removes them, with their history and
// audit records, before each claim run and at the end: left in place, hundreds of thousands
// of them piled up over runs and made every read of the orders table slower (the city-wide
// order feed scans it), so that runs on different days measured different databases.

// claims is a supply of published orders, each with a checked-in member of its grid to
// claim it; the claim class's request i takes order i. The orders are in the database of the
// last refill: the build measured next.
type claims struct {
	keys auth.Keys

	mu     sync.RWMutex
	orders []claimable
}

type claimable struct {
	order, person, grid int64
	token               string
}

// refill removes the orders earlier claim runs left in pool's database (removeClaims),
// publishes perGrid orders in every grid that has checked-in members, replacing the supply,
// and vacuums the orders table.
func (c *claims) refill(ctx context.Context, pool *pgxpool.Pool, perGrid int) error {
	if err := removeClaims(ctx, pool); err != nil {
		return err
	}
	rows, err := pool.Query(ctx, claimSQL, perGrid)
	if err != nil {
		return fmt.Errorf("publish orders to claim: %w", err)
	}
	var orders []claimable
	for rows.Next() {
		var o claimable
		if err := rows.Scan(&o.order, &o.person, &o.grid); err != nil {
			return err
		}
		orders = append(orders, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(orders) == 0 {
		return fmt.Errorf("no checked-in members in any grid: is the database seeded?")
	}
	tokens := map[int64]string{}
	for i, o := range orders {
		if tokens[o.person] == "" {
			tok, err := c.keys.Issue("party_member", gid.Encode("Grid", o.grid), strconv.FormatInt(o.person, 10), 24*time.Hour, time.Now())
			if err != nil {
				return err
			}
			tokens[o.person] = tok
		}
		orders[i].token = tokens[o.person]
	}
	if err := vacuumOrders(ctx, pool); err != nil {
		return err
	}
	c.mu.Lock()
	c.orders = orders
	c.mu.Unlock()
	return nil
}

func (c *claims) get(i int) claimable {
	c.mu.RLock()
	defer c.mu.RUnlock()
	// Wraps only if the supply runs out: those claims then fail, and are counted.
	return c.orders[i%len(c.orders)]
}

func (c *claims) request(i int) loadgen.Request {
	o := c.get(i)
	return loadgen.Request{Query: claimQuery, Token: o.token,
		Variables: map[string]any{"in": map[string]any{"orderId": gid.Encode("ServiceOrder", o.order)}}}
}

// keysOf names the claimed order's id in the replay: each pgbench transaction claims an
// order of its own (claimReplay).
func (c *claims) keysOf(i int) loadgen.Keys {
	return loadgen.Keys{strconv.FormatInt(c.get(i).order, 10): "apibench_order"}
}

// claimSQL publishes $1 orders in each grid with checked-in members, grids interleaved so
// that concurrent claims do not queue on one grid's rows.
const claimSQL = `WITH m AS (
		SELECT DISTINCT ON (m.grid_id) m.grid_id, m.street_id, m.community_id, m.person_id FROM party_members m
		WHERE m.grid_id IS NOT NULL AND m.deleted_at IS NULL AND EXISTS (SELECT 1 FROM checkins c
			WHERE c.member_id = m.id AND c.state = 'verified' AND c.deleted_at IS NULL)
		ORDER BY m.grid_id, m.id),
	ins AS (INSERT INTO service_orders (street_id, community_id, grid_id, category_id, resident_id, title, state, published_at)
		SELECT m.street_id, m.community_id, m.grid_id, (SELECT min(id) FROM service_categories),
			(SELECT min(id) FROM people), 'benchmark order ' || g, 'published', now()
		FROM m CROSS JOIN generate_series(1, $1::int) g RETURNING id, grid_id, title)
	SELECT ins.id, m.person_id, ins.grid_id FROM ins JOIN m USING (grid_id) ORDER BY ins.title, ins.grid_id`

// replayOrdersSQL publishes $2 orders in grid $1 exactly as claimSQL does, in one statement,
// so their ids are consecutive: the replay of a claim computes the id of the order each of
// its transactions claims.
const replayOrdersSQL = `INSERT INTO service_orders (street_id, community_id, grid_id, category_id, resident_id, title, state, published_at)
	SELECT g.street_id, g.community_id, g.id, (SELECT min(id) FROM service_categories),
		(SELECT min(id) FROM people), 'benchmark order ' || n, 'published', now()
	FROM grids g CROSS JOIN generate_series(1, $2::int) n WHERE g.id = $1
	RETURNING id`

// claimSupply is the orders a claim's replay claims: ids lo to lo+n-1, all in one grid.
type claimSupply struct {
	lo int64
	n  int
}

// publishForReplay removes the orders earlier claim runs left and publishes enough orders
// for a claim replay of n clients for d, in the captured claim's grid, with consecutive ids.
func publishForReplay(ctx context.Context, pool *pgxpool.Pool, grid int64, n int, d time.Duration) (claimSupply, error) {
	if err := removeClaims(ctx, pool); err != nil {
		return claimSupply{}, err
	}
	// 2,500 claims a second is beyond what two cores have given; the rest is margin for the
	// clients' unequal shares.
	want := int(d.Seconds()*2500) + 200*n
	rows, err := pool.Query(ctx, replayOrdersSQL, grid, want)
	if err != nil {
		return claimSupply{}, fmt.Errorf("publish orders for the claim replay: %w", err)
	}
	var lo, hi int64
	count := 0
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return claimSupply{}, err
		}
		if count == 0 || id < lo {
			lo = id
		}
		hi = max(hi, id)
		count++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return claimSupply{}, err
	}
	if count != want || hi-lo+1 != int64(count) {
		return claimSupply{}, fmt.Errorf("orders for the claim replay: %d ids from %d to %d, not %d consecutive ones", count, lo, hi, want)
	}
	if err := vacuumOrders(ctx, pool); err != nil {
		return claimSupply{}, err
	}
	return claimSupply{lo: lo, n: count}, nil
}

// check reports, as a note, a replay that claimed fewer orders than it ran transactions:
// the rest found no order (each client walks its own stride of the supply, and one ran
// past its end) and did less than a claim.
func (s claimSupply) check(ctx context.Context, pool *pgxpool.Pool, transactions int) (string, error) {
	var claimed int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM service_orders WHERE id BETWEEN $1 AND $2 AND state = 'claimed'`,
		s.lo, s.lo+int64(s.n)-1).Scan(&claimed); err != nil {
		return "", err
	}
	if claimed < transactions {
		return fmt.Sprintf("only %d of %d transactions claimed an order", claimed, transactions), nil
	}
	return "", nil
}

// removeClaims deletes every order this benchmark published, with their history and their
// audit records, and vacuums the tables: the database is again the seeded city. The history
// and audit tables refuse deletes by trigger, so the deletes run with triggers off
// (session_replication_role = replica), which takes a superuser: the benchmark runs on a
// database of its own, as its owner.
func removeClaims(ctx context.Context, pool *pgxpool.Pool) error {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	for _, sql := range removeClaimsSQL {
		if _, err := tx.Exec(ctx, sql); err != nil {
			return fmt.Errorf("remove the benchmark's orders: %w", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("remove the benchmark's orders: %w", err)
	}
	return vacuumOrders(ctx, pool)
}

var removeClaimsSQL = []string{
	`SET LOCAL session_replication_role = replica`,
	`CREATE TEMP TABLE apibench_orders ON COMMIT DROP AS SELECT id FROM service_orders WHERE title LIKE 'benchmark order %'`,
	`CREATE TEMP TABLE apibench_events ON COMMIT DROP AS SELECT e.id FROM order_events e JOIN apibench_orders o ON o.id = e.order_id`,
	`DELETE FROM audit_log a USING apibench_events e WHERE a.target_table = 'order_events' AND a.target_id = e.id`,
	`DELETE FROM audit_log a USING apibench_orders o WHERE a.target_table = 'service_orders' AND a.target_id = o.id`,
	`DELETE FROM order_events e USING apibench_events x WHERE e.id = x.id`,
	`DELETE FROM service_orders s USING apibench_orders o WHERE s.id = o.id`,
}

// vacuumOrders vacuums and analyzes the tables claims write: with autovacuum off (as on the
// machines measured so far) nothing else removes their dead rows or updates their statistics.
func vacuumOrders(ctx context.Context, pool *pgxpool.Pool) error {
	if _, err := pool.Exec(ctx, "VACUUM (ANALYZE) service_orders, order_events, audit_log"); err != nil {
		return fmt.Errorf("vacuum the orders: %w", err)
	}
	return nil
}

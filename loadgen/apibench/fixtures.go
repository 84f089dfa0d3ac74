package main

import (
	"context"
	"fmt"
	"reflect"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// fixtures are the ids the requests read, taken from the seeded database so that every
// request finds data; each class rotates over its list so that no two requests in a row
// ask the same.
type fixtures struct {
	issueGrids  []int64     // console page: the grids with the most live issues
	communities []int64     // party members page: the communities with the most members
	feedBefore  []time.Time // order feed: the instants it reads back from, a day apart
	members     []int64     // member by id: the members with the longest ledgers
	rosterGrids []int64     // grid roster: the grids with the most verified check-ins
	ledgers     []ledgerKey // quarterly ledger: the grid quarters with the most records
	reviews     []reviewKey // monthly review: communities with open issues, recent months
}

type ledgerKey struct {
	grid          int64
	year, quarter int
}

type reviewKey struct {
	community int64
	month     string // YYYY-MM
}

// rotation is how many distinct ids each read class rotates over.
const rotation = 64

func loadFixtures(ctx context.Context, pool *pgxpool.Pool) (fixtures, error) {
	var f fixtures
	var err error
	if f.issueGrids, err = ids(ctx, pool, `SELECT grid_id FROM issues WHERE deleted_at IS NULL
		GROUP BY grid_id ORDER BY count(*) DESC, grid_id LIMIT $1`, rotation); err != nil {
		return f, err
	}
	if f.communities, err = ids(ctx, pool, `SELECT community_id FROM party_members WHERE deleted_at IS NULL
		GROUP BY community_id ORDER BY count(*) DESC, community_id LIMIT $1`, rotation); err != nil {
		return f, err
	}
	if f.members, err = ids(ctx, pool, `SELECT member_id FROM service_records
		GROUP BY member_id ORDER BY count(*) DESC, member_id LIMIT $1`, 1000); err != nil {
		return f, err
	}
	if f.rosterGrids, err = ids(ctx, pool, `SELECT m.grid_id FROM party_members m
		JOIN checkins c ON c.member_id = m.id AND c.state = 'verified' AND c.deleted_at IS NULL
		WHERE m.grid_id IS NOT NULL AND m.deleted_at IS NULL
		GROUP BY m.grid_id ORDER BY count(*) DESC, m.grid_id LIMIT $1`, rotation); err != nil {
		return f, err
	}
	if f.feedBefore, err = feedInstants(ctx, pool); err != nil {
		return f, err
	}
	if f.ledgers, err = ledgerKeys(ctx, pool); err != nil {
		return f, err
	}
	if f.reviews, err = reviewKeys(ctx, pool); err != nil {
		return f, err
	}
	return f, nil
}

// loadSameFixtures loads the fixtures from each database and checks that they agree: a
// request reads the same ids on every build's database, so each must hold the same city
// (the baseline's a copy of the candidate's).
func loadSameFixtures(ctx context.Context, dbs []*database) (fixtures, error) {
	var first fixtures
	for i, db := range dbs {
		f, err := loadFixtures(ctx, db.pool)
		if err != nil {
			return fixtures{}, fmt.Errorf("fixtures of %s (is the database seeded?): %w", db.name(), err)
		}
		if i == 0 {
			first = f
			continue
		}
		if list := differingList(first, f); list != "" {
			return fixtures{}, fmt.Errorf("databases %s and %s hold different %s: the builds' databases must hold the same seeded city (make one a copy of the other: CREATE DATABASE … TEMPLATE …)",
				dbs[0].name(), db.name(), list)
		}
	}
	return first, nil
}

// differingList names the first list of fixtures that differs between a and b, or gives "".
func differingList(a, b fixtures) string {
	lists := []struct {
		name string
		a, b any
	}{
		{"grids with the most issues", a.issueGrids, b.issueGrids},
		{"communities with the most members", a.communities, b.communities},
		{"order feed instants", a.feedBefore, b.feedBefore},
		{"members with the longest ledgers", a.members, b.members},
		{"grids with the most check-ins", a.rosterGrids, b.rosterGrids},
		{"ledger quarters", a.ledgers, b.ledgers},
		{"review months", a.reviews, b.reviews},
	}
	for _, l := range lists {
		if !reflect.DeepEqual(l.a, l.b) {
			return l.name
		}
	}
	return ""
}

// ids reads one column of ids; none is an error: the database is not seeded.
func ids(ctx context.Context, pool *pgxpool.Pool, sql string, limit int) ([]int64, error) {
	rows, err := pool.Query(ctx, sql, limit)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err == nil && len(out) == 0 {
		err = fmt.Errorf("no rows for %q: is the database seeded?", firstLine(sql))
	}
	return out, err
}

// feedInstants are the ends of the order feed's windows: the latest posting of the seeded
// city and the days before it. Orders this benchmark publishes for its claims are posted
// later, so the feed reads the same orders run after run.
func feedInstants(ctx context.Context, pool *pgxpool.Pool) ([]time.Time, error) {
	var last *time.Time
	if err := pool.QueryRow(ctx, `SELECT max(posted_at) FROM service_orders WHERE title NOT LIKE 'benchmark order %'`).Scan(&last); err != nil {
		return nil, err
	}
	if last == nil {
		return nil, fmt.Errorf("no service orders: is the database seeded?")
	}
	out := make([]time.Time, rotation)
	for i := range out {
		out[i] = last.Add(time.Second - time.Duration(i)*24*time.Hour).UTC()
	}
	return out, nil
}

func ledgerKeys(ctx context.Context, pool *pgxpool.Pool) ([]ledgerKey, error) {
	rows, err := pool.Query(ctx, `SELECT grid_id, extract(year FROM served_on)::int, extract(quarter FROM served_on)::int
		FROM service_records WHERE grid_id IS NOT NULL AND deleted_at IS NULL
		GROUP BY 1, 2, 3 ORDER BY count(*) DESC, 1, 2, 3 LIMIT $1`, rotation)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ledgerKey, error) {
		var k ledgerKey
		return k, r.Scan(&k.grid, &k.year, &k.quarter)
	})
	if err == nil && len(out) == 0 {
		err = fmt.Errorf("no service records: is the database seeded?")
	}
	return out, err
}

// reviewKeys are the (community, month) pairs of the last four months of the seeded city
// with the most issues open at the month's end (reported by then, not yet resolved).
func reviewKeys(ctx context.Context, pool *pgxpool.Pool) ([]reviewKey, error) {
	rows, err := pool.Query(ctx, `WITH m AS (
			SELECT date_trunc('month', l.last) - make_interval(months => k) AS month
			FROM (SELECT max(reported_at) AS last FROM issues WHERE deleted_at IS NULL) l, generate_series(0, 3) k)
		SELECT i.community_id, to_char(m.month, 'YYYY-MM') FROM m JOIN issues i
			ON i.reported_at < m.month + interval '1 month' AND i.state NOT IN ('resolved', 'closed') AND i.deleted_at IS NULL
		GROUP BY 1, 2 ORDER BY count(*) DESC, 1, 2 LIMIT $1`, rotation)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (reviewKey, error) {
		var k reviewKey
		return k, r.Scan(&k.community, &k.month)
	})
	if err == nil && len(out) == 0 {
		err = fmt.Errorf("no open issues: is the database seeded?")
	}
	return out, err
}

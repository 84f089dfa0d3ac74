package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"gridgov/auth"
	"gridgov/warehouse"
)

// UnitScorecard gives the scorecard of year (逐单位综合评分) over the live data: per unit, its
// members living in the scope (and the place filter), how many have a verified check-in, their
// service hours in the year and the grades of the year's ratings their unit was told of. A
// unit admin's scope keeps their unit. The score is warehouse.UnitScore's, as the warehouse's.
func (s *Store) UnitScorecard(ctx context.Context, sc auth.Scope, place PlaceFilter, year int) ([]*warehouse.UnitScore, error) {
	q := &query{}
	yearArg := q.arg(year)
	statesArg := q.arg(warehouse.ScoredRatingStates)
	q.where("m.deleted_at IS NULL")
	q.scoped(sc, colsFor("party_members", "m."))
	place.apply(q, scopeCols{street: "m.street_id", community: "m.community_id", grid: "m.grid_id"})
	grade := func(g string) string { return "count(*) FILTER (WHERE r.grade = '" + g + "')" }
	sql := `SELECT m.unit_id, count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM checkins c WHERE c.member_id = m.id
		AND c.state = 'verified' AND c.deleted_at IS NULL)), coalesce(sum((SELECT sum(h.hours) FROM service_records h
		WHERE h.member_id = m.id AND h.deleted_at IS NULL AND h.served_on >= make_date(` + yearArg + `, 1, 1)
		AND h.served_on < make_date(` + yearArg + ` + 1, 1, 1))), 0)::float8, ` + grade("good") + `, ` + grade("fair") + `, ` +
		grade("average") + `, ` + grade("poor") + ` FROM party_members m LEFT JOIN year_ratings r ON r.member_id = m.id
		AND r.year = ` + yearArg + ` AND r.deleted_at IS NULL AND r.state = ANY(` + statesArg + `)` + q.sql() +
		` GROUP BY m.unit_id ORDER BY m.unit_id`
	rows, err := s.querier(ctx).Query(ctx, sql, q.args...)
	if err != nil {
		return nil, MapError("unit scorecard", err)
	}
	out, err := collect(rows, func(r pgx.Row) (*warehouse.UnitScore, error) {
		var u warehouse.UnitScore
		err := r.Scan(&u.UnitID, &u.Members, &u.CheckedIn, &u.ServiceHours, &u.Good, &u.Fair, &u.Average, &u.Poor)
		u.Complete()
		return &u, err
	})
	return out, MapError("unit scorecard", err)
}

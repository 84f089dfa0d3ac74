package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"gridgov/apperr"
	"gridgov/auth"
)

// ServiceRecord is one entry of the service ledger (服务台账 / 服务纪实).
type ServiceRecord struct {
	ID          int64
	MemberID    int64
	StreetID    int64
	CommunityID int64
	GridID      *int64
	OrderID     *int64
	ServedOn    time.Time
	Hours       float64
	Content     string
}

const recordCols = `id, member_id, street_id, community_id, grid_id, order_id, served_on, hours::float8, content`

func scanRecord(r pgx.Row) (*ServiceRecord, error) {
	var s ServiceRecord
	return &s, r.Scan(&s.ID, &s.MemberID, &s.StreetID, &s.CommunityID, &s.GridID, &s.OrderID, &s.ServedOn, &s.Hours, &s.Content)
}

// LedgerKey asks for a member's latest N records, optionally within [From, To).
type LedgerKey struct {
	MemberID int64
	Last     int
	From, To time.Time // zero: unbounded
}

// MemberLedgers loads, for each key, the member's latest records newest first: one
// statement per distinct (N, From, To).
func (s *Store) MemberLedgers(ctx context.Context, sc auth.Scope, keys []LedgerKey) (map[LedgerKey][]*ServiceRecord, error) {
	type shape struct {
		last     int
		from, to time.Time
	}
	groups := map[shape][]int64{}
	for _, k := range keys {
		sh := shape{k.Last, k.From, k.To}
		groups[sh] = append(groups[sh], k.MemberID)
	}
	out := map[LedgerKey][]*ServiceRecord{}
	for sh, ids := range groups {
		q := &query{}
		idsArg := q.arg(ids)
		q.where("r.member_id = k.id")
		q.where("r.deleted_at IS NULL")
		q.scoped(sc, colsFor("service_records", "r."))
		if !sh.from.IsZero() {
			q.where("r.served_on >= ?", sh.from)
		}
		if !sh.to.IsZero() {
			q.where("r.served_on < ?", sh.to)
		}
		sql := `SELECT x.* FROM unnest(` + idsArg + `::bigint[]) AS k(id) CROSS JOIN LATERAL (SELECT ` +
			prefixed("r.", recordCols, "issue_id") + ` FROM service_records r` + q.sql() +
			` ORDER BY r.served_on DESC, r.id DESC LIMIT ` + q.arg(sh.last) + `) x`
		rows, err := s.query(ctx, sql, q.args...)
		if err != nil {
			return nil, MapError("load ledgers", err)
		}
		list, err := collect(rows, scanRecord)
		if err != nil {
			return nil, MapError("load ledgers", err)
		}
		for _, r := range list {
			k := LedgerKey{MemberID: r.MemberID, Last: sh.last, From: sh.from, To: sh.to}
			out[k] = append(out[k], r)
		}
	}
	return out, nil
}

// ServiceTotal is a member's service count and hours over a period.
type ServiceTotal struct {
	Records int
	Hours   float64
}

// TotalsKey asks for a member's totals in a year (0: all time).
type TotalsKey struct {
	MemberID int64
	Year     int
}

// ServiceTotals loads members' service totals, one statement per distinct year.
func (s *Store) ServiceTotals(ctx context.Context, sc auth.Scope, keys []TotalsKey) (map[TotalsKey]ServiceTotal, error) {
	groups := map[int][]int64{}
	for _, k := range keys {
		groups[k.Year] = append(groups[k.Year], k.MemberID)
	}
	out := map[TotalsKey]ServiceTotal{}
	for year, ids := range groups {
		q := &query{}
		q.where("member_id = ANY(?)", ids)
		q.where("deleted_at IS NULL")
		q.scoped(sc, colsFor("service_records", ""))
		if year != 0 {
			q.where("served_on >= make_date(?, 1, 1) AND served_on < make_date(?, 1, 1)", year, year+1)
		}
		rows, err := s.query(ctx, `SELECT member_id, count(*), coalesce(sum(hours), 0)::float8 FROM service_records`+
			q.sql()+` GROUP BY member_id`, q.args...)
		if err != nil {
			return nil, MapError("load service totals", err)
		}
		for rows.Next() {
			var id int64
			var t ServiceTotal
			if err := rows.Scan(&id, &t.Records, &t.Hours); err != nil {
				rows.Close()
				return nil, MapError("load service totals", err)
			}
			out[TotalsKey{id, year}] = t
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, MapError("load service totals", err)
		}
	}
	return out, nil
}

// GridLedger gives a grid's service records in [from, to), by member then date: the
// quarterly ledger as published to the grid group.
func (s *Store) GridLedger(ctx context.Context, sc auth.Scope, gridID int64, from, to time.Time) ([]*ServiceRecord, error) {
	q := &query{}
	q.where("r.grid_id = ?", gridID)
	q.where("r.served_on >= ? AND r.served_on < ?", from, to)
	q.where("r.deleted_at IS NULL")
	q.scoped(sc, colsFor("service_records", "r."))
	rows, err := s.query(ctx, `SELECT `+prefixed("r.", recordCols, "issue_id")+` FROM service_records r
		JOIN party_members m ON m.id = r.member_id`+q.sql()+
		` ORDER BY m.person_name, r.member_id, r.served_on, r.id`, q.args...)
	if err != nil {
		return nil, MapError("grid ledger", err)
	}
	out, err := collect(rows, scanRecord)
	return out, MapError("grid ledger", err)
}

// YearRating is a community's year-end rating of a member (年终考核).
type YearRating struct {
	ID          int64
	MemberID    int64
	CommunityID int64
	Year        int
	Grade       string
	RatedBy     *int64
	RatedAt     time.Time
	Comment     string
}

const ratingCols = `id, member_id, community_id, year, grade, rated_by, rated_at, comment`

func scanRating(r pgx.Row) (*YearRating, error) {
	var y YearRating
	return &y, r.Scan(&y.ID, &y.MemberID, &y.CommunityID, &y.Year, &y.Grade, &y.RatedBy, &y.RatedAt, &y.Comment)
}

// RatingsOf loads each member's ratings, newest year first.
func (s *Store) RatingsOf(ctx context.Context, sc auth.Scope, memberIDs []int64) (map[int64][]*YearRating, error) {
	q := &query{}
	q.where("member_id = ANY(?)", memberIDs)
	q.where("deleted_at IS NULL")
	q.scoped(sc, colsFor("year_ratings", ""))
	rows, err := s.query(ctx, `SELECT `+ratingCols+` FROM year_ratings`+q.sql()+` ORDER BY year DESC`, q.args...)
	if err != nil {
		return nil, MapError("load ratings", err)
	}
	list, err := collect(rows, scanRating)
	if err != nil {
		return nil, MapError("load ratings", err)
	}
	out := map[int64][]*YearRating{}
	for _, r := range list {
		out[r.MemberID] = append(out[r.MemberID], r)
	}
	return out, nil
}

// RateMember records the community's year-end rating of a checked-in member; a member is
// rated once per year.
func (s *Store) RateMember(ctx context.Context, sc auth.Scope, actor auth.Actor, memberID int64, year int, grade, comment string) (*YearRating, error) {
	var out *YearRating
	err := s.inTx(ctx, "rate member", func(tx pgx.Tx) error {
		cadreID, err := actingCadre(ctx, tx, actor, "rate a member")
		if err != nil {
			return err
		}
		q := &query{}
		q.where("m.id = ?", memberID)
		q.where("m.deleted_at IS NULL")
		q.scoped(sc, colsFor("party_members", "m."))
		var street, community int64
		var checkedIn bool
		err = tx.QueryRow(ctx, `SELECT m.street_id, m.community_id, EXISTS (SELECT 1 FROM checkins c WHERE c.member_id = m.id
			AND c.state = 'verified' AND c.deleted_at IS NULL) FROM party_members m`+q.sql(), q.args...).Scan(&street, &community, &checkedIn)
		if isNoRows(err) {
			return apperr.Invalid("memberId", "no such party member")
		}
		if err != nil {
			return err
		}
		if !checkedIn {
			return apperr.Invalid("memberId", "only a checked-in member is rated")
		}
		if err := notOwn(ctx, tx, actor, memberID, "rates themselves"); err != nil {
			return err
		}
		out, err = scanRating(tx.QueryRow(ctx, `INSERT INTO year_ratings (member_id, street_id, community_id, year, grade,
			rated_by, comment) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING `+ratingCols,
			memberID, street, community, year, grade, cadreID, comment))
		return err
	})
	return out, err
}

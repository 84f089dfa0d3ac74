package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

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

var recordCols = recordColumns.list("")

var recordColumns = cols(func(o *ServiceRecord) []column {
	return []column{
		col("id", &o.ID), col("member_id", &o.MemberID), col("street_id", &o.StreetID), col("community_id", &o.CommunityID),
		col("grid_id", &o.GridID), col("order_id", &o.OrderID), col("served_on", &o.ServedOn), col("hours::float8", &o.Hours),
		col("content", &o.Content),
	}
})

func scanRecord(r pgx.Row) (*ServiceRecord, error) { return recordColumns.scan(r) }

// LedgerKey asks for a member's latest N records, optionally within [From, To).
type LedgerKey struct {
	MemberID int64
	Last     int
	From, To time.Time // zero: unbounded
}

// MemberLedgers reads, for each key, the member's latest records newest first: one statement
// per distinct (N, From, To).
var MemberLedgers = &Source[LedgerKey, []*ServiceRecord]{name: "load ledgers",
	reads: func(sc auth.Scope, keys []LedgerKey, put func(LedgerKey, []*ServiceRecord)) []Read {
		type shape struct {
			last     int
			from, to time.Time
		}
		shapes, groups := byShape(keys, func(k LedgerKey) shape { return shape{k.Last, k.From, k.To} })
		reads := make([]Read, 0, len(shapes))
		for _, sh := range shapes {
			ids := idsOf(groups[sh], func(k LedgerKey) int64 { return k.MemberID })
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
				recordColumns.list("r.") + ` FROM service_records r` + q.sql() +
				` ORDER BY r.served_on DESC, r.id DESC LIMIT ` + q.arg(sh.last) + `) x`
			reads = append(reads, grouped("load ledgers", sql, q.args, scanRecord, groups[sh], func(r *ServiceRecord) LedgerKey {
				return LedgerKey{MemberID: r.MemberID, Last: sh.last, From: sh.from, To: sh.to}
			}, put))
		}
		return reads
	}}

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

// ServiceTotals reads members' service totals, one statement per distinct year.
var ServiceTotals = &Source[TotalsKey, ServiceTotal]{name: "load service totals",
	reads: func(sc auth.Scope, keys []TotalsKey, put func(TotalsKey, ServiceTotal)) []Read {
		years, groups := byShape(keys, func(k TotalsKey) int { return k.Year })
		reads := make([]Read, 0, len(years))
		for _, year := range years {
			ids := idsOf(groups[year], func(k TotalsKey) int64 { return k.MemberID })
			q := &query{}
			q.where("member_id = ANY(?)", ids)
			q.where("deleted_at IS NULL")
			q.scoped(sc, colsFor("service_records", ""))
			if year != 0 {
				q.where("served_on >= make_date(?, 1, 1) AND served_on < make_date(?, 1, 1)", year, year+1)
			}
			sql := `SELECT member_id, count(*), coalesce(sum(hours), 0)::float8 FROM service_records` + q.sql() + ` GROUP BY member_id`
			type total struct {
				member int64
				ServiceTotal
			}
			reads = append(reads, scanned("load service totals", sql, q.args, func(r pgx.Row) (t total, err error) {
				return t, r.Scan(&t.member, &t.Records, &t.Hours)
			}, func(t total) { put(TotalsKey{MemberID: t.member, Year: year}, t.ServiceTotal) }))
		}
		return reads
	}}

// GridLedger gives a grid's service records in [from, to), by member then date: the
// quarterly ledger as published to the grid group.
func (s *Store) GridLedger(ctx context.Context, sc auth.Scope, gridID int64, from, to time.Time) ([]*ServiceRecord, error) {
	q := &query{}
	q.where("r.grid_id = ?", gridID)
	q.where("r.served_on >= ? AND r.served_on < ?", from, to)
	q.where("r.deleted_at IS NULL")
	q.scoped(sc, colsFor("service_records", "r."))
	// The member's name is looked up per record, by primary key: a join lets the planner hash
	// every party member of the city to sort a grid's quarter.
	rows, err := s.querier(ctx).Query(ctx, `SELECT `+recordColumns.list("r.")+` FROM service_records r`+q.sql()+
		` ORDER BY (SELECT m.person_name FROM party_members m WHERE m.id = r.member_id), r.member_id, r.served_on, r.id`, q.args...)
	if err != nil {
		return nil, MapError("grid ledger", err)
	}
	out, err := collect(rows, scanRecord)
	return out, MapError("grid ledger", err)
}

package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"gridgov/auth"
)

// GeneratedReport is a report generated on schedule (generated_reports): one kind for one
// place and period, with its files. The files are read only when downloaded (ReportFile).
type GeneratedReport struct {
	ID          int64
	Kind        string
	Scope       string // the place: "city" or its global id
	StreetID    *int64
	CommunityID *int64
	GridID      *int64
	Period      string
	AsOf        time.Time
	GeneratedAt time.Time
	XLSXBytes   int64
	CSVBytes    int64
}

var reportColumns = cols(func(o *GeneratedReport) []column {
	return []column{
		col("id", &o.ID), col("kind", &o.Kind), col("place", &o.Scope), col("street_id", &o.StreetID),
		col("community_id", &o.CommunityID), col("grid_id", &o.GridID), col("period", &o.Period), col("as_of", &o.AsOf),
		col("generated_at", &o.GeneratedAt), col("octet_length(xlsx)::int8", &o.XLSXBytes), col("octet_length(csv)::int8", &o.CSVBytes),
	}
})

// NewReport is a report to keep: its kind, place (as the API names it, and its place
// columns), period, the time of its data and its files.
type NewReport struct {
	Kind, Place, Period           string
	StreetID, CommunityID, GridID *int64
	AsOf                          time.Time
	XLSX, CSV                     []byte
}

// SaveReport keeps a generated report unless one of its kind, place and period is kept
// already (the unique constraint decides, so two generators running at once keep one); it
// tells whether this one was kept.
func (s *Store) SaveReport(ctx context.Context, r NewReport) (bool, error) {
	tag, err := s.querier(ctx).Exec(ctx, `INSERT INTO generated_reports (kind, place, street_id, community_id, grid_id, period, as_of, xlsx, csv)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT ON CONSTRAINT generated_reports_once DO NOTHING`,
		r.Kind, r.Place, r.StreetID, r.CommunityID, r.GridID, r.Period, r.AsOf, r.XLSX, r.CSV)
	if err != nil {
		return false, MapError("save report", err)
	}
	return tag.RowsAffected() == 1, nil
}

// ReportsKept gives the places (as the API names them) whose report of kind and period is
// kept already: what a generator run again skips.
func (s *Store) ReportsKept(ctx context.Context, kind, period string) (map[string]bool, error) {
	rows, err := s.pool.Query(ctx, `SELECT place FROM generated_reports WHERE kind = $1 AND period = $2`, kind, period)
	if err != nil {
		return nil, MapError("reports kept", err)
	}
	places, err := pgx.CollectRows(rows, pgx.RowTo[string])
	out := make(map[string]bool, len(places))
	for _, p := range places {
		out[p] = true
	}
	return out, MapError("reports kept", err)
}

// GeneratedReports lists the reports of a period (and of a kind, unless ""), of the places
// within scope sc, newest first.
func (s *Store) GeneratedReports(ctx context.Context, sc auth.Scope, period, kind string) ([]*GeneratedReport, error) {
	q := &query{}
	q.where("r.period = ?", period)
	if kind != "" {
		q.where("r.kind = ?", kind)
	}
	q.scoped(sc, colsFor("generated_reports", "r."))
	rows, err := s.querier(ctx).Query(ctx, `SELECT `+reportColumns.list("")+` FROM generated_reports r`+q.sql()+` ORDER BY r.kind, r.id DESC`, q.args...)
	if err != nil {
		return nil, MapError("generated reports", err)
	}
	out, err := collect(rows, reportColumns.scan)
	return out, MapError("generated reports", err)
}

// ReportFile gives the file of a generated report within scope sc, XLSX or CSV, and the
// report's kind, place and period; nil when it names none the scope reaches.
func (s *Store) ReportFile(ctx context.Context, sc auth.Scope, id int64, csv bool) (*GeneratedReport, []byte, error) {
	file := "r.xlsx"
	if csv {
		file = "r.csv"
	}
	q := &query{}
	q.where("r.id = ?", id)
	q.scoped(sc, colsFor("generated_reports", "r."))
	r := &GeneratedReport{ID: id}
	var body []byte
	err := s.querier(ctx).QueryRow(ctx, `SELECT r.kind, r.place, r.period, `+file+` FROM generated_reports r`+q.sql(), q.args...).
		Scan(&r.Kind, &r.Scope, &r.Period, &body)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, MapError("report file", err)
	}
	return r, body, nil
}

// ReportPlace is a place reports are generated for on schedule: the city (no ids), a street,
// or a community (with its street).
type ReportPlace struct {
	StreetID, CommunityID *int64
}

// ReportPlaces lists the city, its live streets and their live communities, in that order.
func (s *Store) ReportPlaces(ctx context.Context) ([]ReportPlace, error) {
	rows, err := s.pool.Query(ctx, `SELECT NULL::int8, NULL::int8
		UNION ALL (SELECT id, NULL FROM streets WHERE deleted_at IS NULL ORDER BY id)
		UNION ALL (SELECT street_id, id FROM communities WHERE deleted_at IS NULL ORDER BY street_id, id)`)
	if err != nil {
		return nil, MapError("report places", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (p ReportPlace, err error) {
		return p, r.Scan(&p.StreetID, &p.CommunityID)
	})
	return out, MapError("report places", err)
}

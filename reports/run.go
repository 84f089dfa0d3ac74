package reports

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"gridgov/auth"
	"gridgov/store"
	"gridgov/warehouse"
)

// Progress hears of each place a run reaches: its position of total, the place, and whether its
// report was generated now (false: kept already, skipped).
type Progress func(done, total int, place string, generated bool, took time.Duration)

// RunResult counts a run's places: generated now, and kept already.
type RunResult struct {
	Generated, Skipped int
}

// ErrNotCurrent is a run asked for before the warehouse holds the whole month: its data is
// older than the month's end. Run again later (the scheduler does, at its next tick).
var ErrNotCurrent = fmt.Errorf("the warehouse does not hold the whole month yet")

// Run generates the monthly report of month (a warehouse.Month) for the city and every street
// and community, and keeps each (store.SaveReport): a place whose report is kept already is
// skipped, so a run interrupted and run again resumes, and two runs at once keep each report
// once. A month the warehouse does not hold to its end yet is ErrNotCurrent.
func (src Source) Run(ctx context.Context, month warehouse.Period, progress Progress) (RunResult, error) {
	var res RunResult
	span, err := month.Bounds()
	if err != nil || month.Kind != warehouse.PeriodMonth {
		return res, fmt.Errorf("reports run: want a month")
	}
	q := Request{Kind: Monthly, Period: month}
	kept, err := src.Store.ReportsKept(ctx, string(Monthly), q.Label())
	if err != nil {
		return res, err
	}
	places, err := src.Store.ReportPlaces(ctx)
	if err != nil {
		return res, err
	}
	if len(kept) < len(places) { // else every report is kept: the warehouse is not asked
		asOf, err := src.Warehouse.AsOf(ctx)
		if err != nil {
			return res, err
		}
		if asOf.Before(time.Date(span.To.Year(), span.To.Month(), span.To.Day()+1, 0, 0, 0, 0, shanghai)) {
			return res, ErrNotCurrent
		}
	}
	for i, p := range places {
		began := time.Now()
		q.Scope = scopeOf(p)
		place := q.Scope.GlobalID()
		generated := false
		if !kept[place] {
			if generated, err = src.keep(ctx, q, p); err != nil {
				return res, fmt.Errorf("report of %s: %w", place, err)
			}
		}
		if generated {
			res.Generated++
		} else {
			res.Skipped++
		}
		if progress != nil {
			progress(i+1, len(places), place, generated, time.Since(began))
		}
	}
	return res, nil
}

// keep builds, writes and keeps one report; false when another run kept it first.
func (src Source) keep(ctx context.Context, q Request, p store.ReportPlace) (bool, error) {
	rep, err := src.Build(ctx, auth.Scope{}, q)
	if err != nil {
		return false, err
	}
	var xlsx, csv bytes.Buffer
	if err := WriteXLSX(&xlsx, rep); err != nil {
		return false, err
	}
	if err := WriteCSV(&csv, rep); err != nil {
		return false, err
	}
	return src.Store.SaveReport(ctx, store.NewReport{Kind: string(q.Kind), Place: q.Scope.GlobalID(), Period: q.Label(),
		StreetID: p.StreetID, CommunityID: p.CommunityID, AsOf: rep.AsOf, XLSX: xlsx.Bytes(), CSV: csv.Bytes()})
}

// scopeOf is the warehouse scope of a place.
func scopeOf(p store.ReportPlace) warehouse.Scope {
	switch {
	case p.CommunityID != nil:
		return warehouse.Scope{Level: warehouse.LevelCommunity, ID: *p.CommunityID}
	case p.StreetID != nil:
		return warehouse.Scope{Level: warehouse.LevelStreet, ID: *p.StreetID}
	}
	return warehouse.City
}

// PreviousMonth is the month before the one now falls in, in Asia/Shanghai: the month the
// first day of a month reports on.
func PreviousMonth(now time.Time) warehouse.Period {
	l := now.In(shanghai)
	first := time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0)
	return warehouse.Month(first.Year(), int(first.Month()))
}

// Step is the scheduler's step of the monthly reports: the previous month's, for every place
// still without one, once the warehouse holds the whole month. It gives how many it generated;
// a warehouse not current yet is no failure (the next tick tries again).
func (src Source) Step(ctx context.Context, now time.Time) (int, error) {
	res, err := src.Run(ctx, PreviousMonth(now), nil)
	if err == ErrNotCurrent {
		return 0, nil
	}
	return res.Generated, err
}

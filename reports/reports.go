// Package reports holds the reports people take to meetings: the monthly report of a place
// (月报), the quarterly publication of a grid's service ledger (服务台账季度公示) and the unit
// scorecard of a year (逐单位综合评分). A Report is a few sheets of typed cells built from the
// same computations the API answers with (the warehouse's indicators and scorecard, the
// ledger the gridLedger query reads), so a figure in an exported file is the figure on the
// screen; it is written as XLSX (WriteXLSX) or CSV (WriteCSV), served at GET /reports/export
// (Handler) and generated once a month for every street and community (Run).
package reports

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gridgov/apperr"
	"gridgov/auth"
	"gridgov/store"
	"gridgov/warehouse"
)

// Kind names a report.
type Kind string

// The kinds of report.
const (
	Monthly   Kind = "monthly"   // 月报 of a place, period YYYY-MM (or the same report of a quarter or year)
	Ledger    Kind = "ledger"    // 服务台账季度公示 of a grid, period YYYY-Qn
	Scorecard Kind = "scorecard" // 逐单位综合评分 of a place, period YYYY
)

// Kinds lists every kind.
var Kinds = []Kind{Monthly, Ledger, Scorecard}

// Title is the report's name in Chinese, as its files are headed; the report of a place over a
// quarter or a year is named so.
func (q Request) Title() string {
	switch {
	case q.Kind == Monthly && q.Period.Kind == warehouse.PeriodQuarter:
		return "季度报告"
	case q.Kind == Monthly && q.Period.Kind == warehouse.PeriodYear:
		return "年度报告"
	}
	return q.Kind.Title()
}

// Title is the kind's name in Chinese.
func (k Kind) Title() string {
	switch k {
	case Monthly:
		return "月报"
	case Ledger:
		return "服务台账季度公示"
	case Scorecard:
		return "逐单位综合评分"
	}
	return string(k)
}

// Request names one report: its kind, the place and the period, as the API's ids and labels
// give them.
type Request struct {
	Kind   Kind
	Scope  warehouse.Scope
	Period warehouse.Period
}

// Label is the period as requested: YYYY-MM, YYYY-Qn or YYYY.
func (q Request) Label() string {
	switch q.Period.Kind {
	case warehouse.PeriodMonth:
		return fmt.Sprintf("%04d-%02d", q.Period.Year, q.Period.Month)
	case warehouse.PeriodQuarter:
		return fmt.Sprintf("%04d-Q%d", q.Period.Year, q.Period.Quarter)
	}
	return strconv.Itoa(q.Period.Year)
}

// ParseRequest reads a request from the API's words: kind monthly, ledger or scorecard; scope
// "city" or the global id of a street, community or grid (a grid's only for a ledger); period
// YYYY-MM for a monthly report (or YYYY-Qn, YYYY: the same report of the place over a quarter
// or a year, as the dashboard's view may be), YYYY-Qn for a ledger, YYYY for a scorecard.
// Anything else is BAD_USER_INPUT naming the field.
func ParseRequest(kind, scope, period string) (Request, error) {
	q := Request{Kind: Kind(kind)}
	s, err := warehouse.ParseScope(scope)
	if err != nil {
		return q, err
	}
	q.Scope = s
	switch q.Kind {
	case Monthly:
		y, m, ok := twoInts(period, "-", 2)
		yq, n, quarter := twoInts(period, "-Q", 1)
		year, err := strconv.Atoi(period)
		switch {
		case ok:
			q.Period = warehouse.Month(y, m)
		case quarter:
			q.Period = warehouse.Quarter(yq, n)
		case err == nil && len(period) == 4:
			q.Period = warehouse.Year(year)
		default:
			return q, apperr.Invalid("period", "want YYYY-MM for a monthly report (YYYY-Qn or YYYY for a quarter's or a year's)")
		}
	case Ledger:
		y, n, ok := twoInts(period, "-Q", 1)
		if !ok {
			return q, apperr.Invalid("period", "want YYYY-Qn for a ledger")
		}
		if s.Level != warehouse.LevelGrid {
			return q, apperr.Invalid("scope", "a ledger is a grid's: want the id of a grid")
		}
		q.Period = warehouse.Quarter(y, n)
	case Scorecard:
		y, err := strconv.Atoi(period)
		if err != nil || len(period) != 4 {
			return q, apperr.Invalid("period", "want YYYY for a scorecard")
		}
		q.Period = warehouse.Year(y)
	default:
		return q, apperr.Invalid("kind", "want monthly, ledger or scorecard")
	}
	if _, err := q.Period.Bounds(); err != nil {
		return q, apperr.Invalid("period", "want a period of the years 2000 to 2099")
	}
	return q, nil
}

// twoInts reads "YYYY<sep>N" where N has width digits.
func twoInts(s, sep string, width int) (int, int, bool) {
	a, b, ok := strings.Cut(s, sep)
	if !ok || len(a) != 4 || len(b) != width {
		return 0, 0, false
	}
	x, err1 := strconv.Atoi(a)
	y, err2 := strconv.Atoi(b)
	return x, y, err1 == nil && err2 == nil
}

// Report is one report's content: the place, the period and the time of its data, and its
// sheets.
type Report struct {
	Request Request
	Scope   warehouse.ScopeRef
	Period  warehouse.Span
	// AsOf is the time of the data: the warehouse's (see warehouse.Indicators.AsOf) for the
	// monthly report and the scorecard, the time Postgres was read for a ledger.
	AsOf   time.Time
	Sheets []Sheet
}

// Title is the report's heading: the place's name and the report's.
func (r *Report) Title() string {
	return r.Scope.Name + " " + r.Request.Title() + " " + r.Request.Label()
}

// FileName is the name the report's file is saved as, without the extension: ASCII only.
func (r *Report) FileName() string {
	name := fmt.Sprintf("gridgov-%s-%s", r.Request.Kind, strings.ToLower(string(r.Scope.Level)))
	if r.Scope.Level != warehouse.LevelCity {
		name += "-" + strconv.FormatInt(r.Scope.Place.ID, 10)
	}
	return name + "-" + r.Request.Label()
}

// Sheet is a table of a report: a Chinese name (at most 31 characters, Excel's limit), its
// Chinese column headers and its rows. A value's Go type says what it is and how a file shows
// it: string is text; int64 an integer; float64 a number; *float64 a rate, shown as a
// percentage (nil when there is nothing to divide: an empty cell); time.Time a day.
type Sheet struct {
	Name    string
	Columns []string
	Rows    [][]any
}

// Source is what reports are built from: the warehouse's reader, and the Postgres store for
// the ledger and the names of units.
type Source struct {
	Warehouse *warehouse.Reader
	Store     *store.Store
	Now       func() time.Time // default time.Now
}

// Build computes the report q asks for, for a caller whose token carries scope allowed. A
// place outside allowed, or unknown, is NOT_FOUND: out of scope looks like missing.
func (src Source) Build(ctx context.Context, allowed auth.Scope, q Request) (*Report, error) {
	if allowed.UnitID != 0 || allowed.Self != 0 {
		return nil, apperr.New(apperr.Forbidden, "reports are by place; this token has no place scope")
	}
	ref, err := src.Warehouse.Resolve(ctx, q.Scope)
	if err != nil {
		return nil, err
	}
	if !ref.Within(allowed.StreetID, allowed.CommunityID, allowed.GridID) {
		return nil, apperr.New(apperr.NotFound, "no such place")
	}
	span, _ := q.Period.Bounds()
	rep := &Report{Request: q, Scope: ref, Period: span}
	switch q.Kind {
	case Monthly:
		err = src.monthly(ctx, rep)
	case Ledger:
		err = src.ledger(ctx, allowed, rep)
	case Scorecard:
		err = src.scorecard(ctx, allowed, rep)
	default:
		err = apperr.Invalid("kind", "want monthly, ledger or scorecard")
	}
	if err != nil {
		return nil, err
	}
	return rep, nil
}

func (src Source) now() time.Time {
	if src.Now != nil {
		return src.Now()
	}
	return time.Now()
}

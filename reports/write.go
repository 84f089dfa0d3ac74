package reports

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"gridgov/analytics"
	"gridgov/warehouse"
)

// Every sheet starts with the report's heading (HeadRows rows: title, place, period, the time
// of the data, a blank row), then the columns' headers, then the rows.
const HeadRows = 5

// levelZh names the levels of the place tree.
var levelZh = map[warehouse.Level]string{warehouse.LevelCity: "市", warehouse.LevelStreet: "街道",
	warehouse.LevelCommunity: "社区", warehouse.LevelGrid: "网格"}

// head is the heading of every sheet: the title, the place, the period (first and last day)
// and the time of the data.
func (r *Report) head() [][]any {
	return [][]any{
		{r.Title()},
		{"范围", r.Scope.Name, levelZh[r.Scope.Level]},
		{"期间", r.Period.From, r.Period.To},
		{"数据截至", asOfCell{local(r.AsOf)}},
		{},
	}
}

// asOfCell is a time of day, shown to the second.
type asOfCell struct{ t time.Time }

// local gives t's wall clock in Asia/Shanghai, the time zone of every day in the warehouse, as a
// time in UTC: what a spreadsheet, which knows no time zones, should show.
func local(t time.Time) time.Time {
	l := t.In(shanghai)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), 0, time.UTC)
}

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}()

// WriteXLSX writes the report as an Excel workbook, one worksheet per sheet, streamed (a large
// ledger is not held as cells in memory): numbers as numbers, rates as percentages, days as
// dates, the heading bold.
func WriteXLSX(w io.Writer, r *Report) error {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	for i, sh := range r.Sheets {
		if i == 0 {
			err = f.SetSheetName("Sheet1", sh.Name)
		} else {
			_, err = f.NewSheet(sh.Name)
		}
		if err == nil {
			err = writeSheet(f, st, r, sh)
		}
		if err != nil {
			return fmt.Errorf("sheet %s: %w", sh.Name, err)
		}
	}
	f.SetActiveSheet(0)
	return f.Write(w)
}

// styles are the cell styles of a workbook.
type styles struct{ bold, integer, number, percent, day, moment int }

func newStyles(f *excelize.File) (styles, error) {
	var s styles
	var err error
	for _, x := range []struct {
		id    *int
		style excelize.Style
	}{
		{&s.bold, excelize.Style{Font: &excelize.Font{Bold: true}}},
		{&s.integer, excelize.Style{NumFmt: 1}},  // 0
		{&s.number, excelize.Style{NumFmt: 2}},   // 0.00
		{&s.percent, excelize.Style{NumFmt: 10}}, // 0.00%
		{&s.day, excelize.Style{CustomNumFmt: ptr("yyyy-mm-dd")}},
		{&s.moment, excelize.Style{CustomNumFmt: ptr("yyyy-mm-dd hh:mm:ss")}},
	} {
		if *x.id, err = f.NewStyle(&x.style); err != nil {
			return s, err
		}
	}
	return s, nil
}

func ptr[T any](v T) *T { return &v }

func writeSheet(f *excelize.File, st styles, r *Report, sh Sheet) error {
	sw, err := f.NewStreamWriter(sh.Name)
	if err != nil {
		return err
	}
	if err := sw.SetColWidth(1, max(len(sh.Columns), 3), 16); err != nil {
		return err
	}
	row := 1
	put := func(vals []any, style func(any) int) error {
		cells := make([]any, len(vals))
		for i, v := range vals {
			cells[i] = xlsxCell(v, style(v))
		}
		cell, _ := excelize.CoordinatesToCellName(1, row)
		row++
		return sw.SetRow(cell, cells)
	}
	for i, h := range r.head() {
		bold := func(any) int { return st.bold }
		if i > 0 {
			bold = st.of
		}
		if err := put(h, bold); err != nil {
			return err
		}
	}
	header := make([]any, len(sh.Columns))
	for i, c := range sh.Columns {
		header[i] = c
	}
	if err := put(header, func(any) int { return st.bold }); err != nil {
		return err
	}
	for _, vals := range sh.Rows {
		if err := put(vals, st.of); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// of gives the style of a value.
func (st styles) of(v any) int {
	switch v.(type) {
	case int64:
		return st.integer
	case float64:
		return st.number
	case *float64:
		return st.percent
	case time.Time:
		return st.day
	case asOfCell:
		return st.moment
	}
	return 0
}

// xlsxCell is a value as the stream writer takes it: a number, a time or text.
func xlsxCell(v any, style int) excelize.Cell {
	switch x := v.(type) {
	case *float64:
		if x == nil {
			return excelize.Cell{StyleID: style}
		}
		v = *x
	case asOfCell:
		v = x.t
	}
	return excelize.Cell{StyleID: style, Value: v}
}

// WriteCSV writes the report as one CSV file (UTF-8 with a byte-order mark, so that Excel reads
// the Chinese right; CRLF line ends): the heading once, then each sheet headed by its name in
// 【】, its columns and rows, a blank line between sheets. Rates are fractions (0.923), days
// YYYY-MM-DD; text a spreadsheet would run as a formula is neutralised.
func WriteCSV(w io.Writer, r *Report) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	for _, h := range r.head() {
		cw.Write(csvRecord(h)) //nolint:errcheck // the error is the writer's, read by Flush
	}
	for i, sh := range r.Sheets {
		if i > 0 {
			cw.Write([]string{}) //nolint:errcheck
		}
		cw.Write([]string{"【" + sh.Name + "】"})   //nolint:errcheck
		cw.Write(csvRecord(anySlice(sh.Columns))) //nolint:errcheck
		for _, row := range sh.Rows {
			cw.Write(csvRecord(row)) //nolint:errcheck
		}
	}
	cw.Flush()
	return cw.Error()
}

func anySlice(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func csvRecord(vals []any) []string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = csvValue(v)
	}
	return out
}

// csvValue renders one value of a sheet as CSV text.
func csvValue(v any) string {
	switch x := v.(type) {
	case string:
		return analytics.CSVText(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case *float64:
		if x == nil {
			return ""
		}
		return strconv.FormatFloat(*x, 'f', -1, 64)
	case time.Time:
		return x.Format(time.DateOnly)
	case asOfCell:
		return x.t.Format(time.DateTime)
	}
	return fmt.Sprint(v)
}

package analytics

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/xuri/excelize/v2"
)

// xlsxAnswer writes an answer as an Excel workbook: one sheet, the columns' names, then the
// rows, through excelize's stream writer (which moves to a temporary file past a few MiB). A
// workbook is complete only at its end, so nothing is sent before: an error at any point gets
// its status. Numbers stay numbers; other values are text, never formulas.
type xlsxAnswer struct {
	w     http.ResponseWriter
	f     *excelize.File
	sw    *excelize.StreamWriter
	err   error
	n     int
	size  int64
	limit int64
}

const xlsxSheet = "result"

func newXLSX(w http.ResponseWriter, cols []driver.ColumnType, limit int64) *xlsxAnswer {
	o := &xlsxAnswer{w: w, f: excelize.NewFile(), limit: limit}
	o.err = o.f.SetSheetName("Sheet1", xlsxSheet)
	if o.err == nil {
		o.sw, o.err = o.f.NewStreamWriter(xlsxSheet)
	}
	head := make([]any, len(cols))
	for i, c := range cols {
		head[i] = c.Name()
	}
	o.put(head)
	return o
}

// put writes one row at the next line.
func (o *xlsxAnswer) put(vals []any) {
	if o.err != nil {
		return
	}
	cell, _ := excelize.CoordinatesToCellName(1, o.n+1)
	o.err = o.sw.SetRow(cell, vals)
}

func (o *xlsxAnswer) row(vals []any) error {
	cells := make([]any, len(vals))
	for i, v := range vals {
		switch x := v.(type) {
		case nil, string, bool, int8, int16, int32, int64, uint8, uint16, uint32, uint64, float32, float64:
			cells[i] = x
		case json.Number:
			cells[i] = x.String()
		default: // arrays, maps, tuples: as JSON text
			b, _ := json.Marshal(x)
			cells[i] = string(b)
		}
		o.size += int64(len(fmt.Sprint(cells[i])))
	}
	if o.size > o.limit {
		return fail(http.StatusUnprocessableEntity, CodeLimitExceeded,
			"the answer outgrows %d bytes after %d rows: select fewer rows or columns, or aggregate", o.limit, o.n)
	}
	o.n++
	o.put(cells)
	return nil
}

func (o *xlsxAnswer) counts() (int, int64) { return o.n, o.size }

func (o *xlsxAnswer) fail(e Error) {
	o.f.Close() //nolint:errcheck // temporary files only
	writeError(o.w, e)
}

func (o *xlsxAnswer) end() error {
	defer o.f.Close() //nolint:errcheck
	if o.err == nil {
		o.err = o.sw.Flush()
	}
	if o.err != nil {
		writeError(o.w, fail(http.StatusInternalServerError, "INTERNAL", "internal error"))
		return o.err
	}
	o.w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	o.w.Header().Set("Content-Disposition", `attachment; filename="result.xlsx"`)
	o.w.WriteHeader(http.StatusOK)
	return o.f.Write(o.w)
}

package analytics

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// holdBack is how much of an answer is kept before its status is sent: an answer that fails
// or outgrows its cap within it still gets an error status.
const holdBack = 64 << 10

// answer is an answer being written: rows added one by one, then ended or failed.
type answer interface {
	row(vals []any) error
	fail(e Error)
	end() error
	counts() (rows int, bytes int64)
}

// writer streams an answer, counting its bytes against a cap.
type writer struct {
	w         http.ResponseWriter
	format    string
	limit     int64
	held      bytes.Buffer // the answer's beginning, until holdBack bytes or its end
	committed bool         // the status and held bytes are sent
	size      int64        // bytes of the answer so far
	n         int          // rows so far
	pending   bytes.Buffer // rendered, not yet in the answer
	csv       *csv.Writer  // writes into pending
	enc       *json.Encoder
}

func newWriter(w http.ResponseWriter, format string, cols []driver.ColumnType, limit int64) *writer {
	o := &writer{w: w, format: format, limit: limit}
	if format == "csv" {
		o.csv = csv.NewWriter(&o.pending)
		head := make([]string, len(cols))
		for i, c := range cols {
			head[i] = CSVText(c.Name())
		}
		o.csv.Write(head) //nolint:errcheck // into a bytes.Buffer
		o.csv.Flush()
	} else {
		o.enc = json.NewEncoder(&o.pending)
		type col struct {
			Name string `json:"name"`
			Type string `json:"type"`
		}
		meta := make([]col, len(cols))
		for i, c := range cols {
			meta[i] = col{c.Name(), c.DatabaseTypeName()}
		}
		head, _ := json.Marshal(meta)
		fmt.Fprintf(&o.pending, `{"columns":%s,"rows":[`, head)
	}
	o.emit()
	return o
}

// row adds one row, or says that it would take the answer over its cap (nothing is written
// then).
func (o *writer) row(vals []any) error {
	if o.format == "csv" {
		rec := make([]string, len(vals))
		for i, v := range vals {
			rec[i] = csvCell(v)
		}
		o.csv.Write(rec) //nolint:errcheck // into a bytes.Buffer
		o.csv.Flush()
	} else {
		if o.n > 0 {
			o.pending.WriteByte(',')
		}
		o.enc.Encode(vals) //nolint:errcheck // values from the driver encode
	}
	if o.size+int64(o.pending.Len()) > o.limit {
		o.pending.Reset()
		return fail(http.StatusUnprocessableEntity, CodeLimitExceeded,
			"the answer outgrows %d bytes after %d rows: select fewer rows or columns, or aggregate", o.limit, o.n)
	}
	o.emit()
	o.n++
	if o.n%1000 == 0 && o.committed {
		o.flush()
	}
	return nil
}

// emit moves the rendered row into the answer.
func (o *writer) emit() {
	o.size += int64(o.pending.Len())
	if o.committed {
		o.w.Write(o.pending.Bytes()) //nolint:errcheck // a gone client ends the query through its context
	} else {
		o.held.Write(o.pending.Bytes())
		if o.held.Len() >= holdBack {
			o.commit()
		}
	}
	o.pending.Reset()
}

func (o *writer) commit() {
	if o.format == "csv" {
		o.w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	} else {
		o.w.Header().Set("Content-Type", "application/json")
	}
	o.w.WriteHeader(http.StatusOK)
	o.w.Write(o.held.Bytes()) //nolint:errcheck
	o.held = bytes.Buffer{}
	o.committed = true
}

func (o *writer) flush() {
	if f, ok := o.w.(http.Flusher); ok {
		f.Flush()
	}
}

func (o *writer) counts() (int, int64) { return o.n, o.size }

func (o *writer) end() error {
	if o.format == "json" {
		o.pending.WriteString(`],"complete":true}` + "\n")
		o.emit()
	}
	if !o.committed {
		o.commit()
	}
	o.flush()
	return nil
}

// fail ends the answer with an error: an error status while nothing is sent, else a JSON
// answer's "error" member, or an aborted CSV transfer.
func (o *writer) fail(e Error) {
	if !o.committed {
		writeError(o.w, e)
		return
	}
	if o.format == "json" {
		msg, _ := json.Marshal(map[string]string{"code": e.Code, "message": e.Message})
		fmt.Fprintf(o.w, `],"complete":false,"error":%s}`+"\n", msg)
		o.flush()
		return
	}
	o.flush()
	panic(http.ErrAbortHandler)
}

// csvCell renders one value as a CSV cell: text as it is, numbers, arrays and maps as JSON
// (a negative number stays a number), NULL as an empty cell.
func csvCell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return CSVText(x)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	var text string
	if json.Unmarshal(b, &text) == nil { // a type that renders as text (UUID, IP, ...)
		return CSVText(text)
	}
	return string(b)
}

// formulaStarts are the first characters with which a spreadsheet (Excel, LibreOffice, WPS)
// reads a cell as a formula, after OWASP's CSV injection advice, with the full-width forms
// that East Asian input methods type.
var formulaStarts = []string{"=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠"}

// CSVText neutralises text a spreadsheet would run: a leading single quote makes it text. The
// report exports (package reports) write their text cells through it too.
func CSVText(s string) string {
	for _, p := range formulaStarts {
		if strings.HasPrefix(s, p) {
			return "'" + s
		}
	}
	return s
}

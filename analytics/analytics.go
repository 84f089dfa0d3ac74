// Package analytics serves POST /analytics/sql: one read-only SELECT of a statistician over
// the warehouse, answered as JSON or CSV and streamed, with clear errors.
//
// Safety does not rest on this package's checks. The query runs on a connection of the
// ClickHouse user "statistician" (deploy/clickhouse/users.xml): readonly = 1, so ClickHouse
// itself refuses writes, DDL, SET and SETTINGS clauses; its profile bounds execution time,
// result rows, rows read and memory, and its quota the hour's totals; it sees the warehouse
// database only. The checks here come first to give clear answers without a round trip, and
// to refuse what 18.16 cannot (it lets every user read the system database).
package analytics

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/shopspring/decimal"

	"gridgov/apperr"
	"gridgov/auth"
	"gridgov/warehouse"
)

// Role is the token role allowed to run SQL.
const Role = "statistician"

// The error codes of the endpoint, beside apperr's UNAUTHENTICATED, FORBIDDEN,
// BAD_USER_INPUT, WAREHOUSE_UNAVAILABLE and INTERNAL.
const (
	CodeReadOnly           = "READ_ONLY"           // not a SELECT: writes and DDL are refused
	CodeMultipleStatements = "MULTIPLE_STATEMENTS" // more than one statement
	CodeTimeout            = "TIMEOUT"             // longer than the time limit
	CodeLimitExceeded      = "LIMIT_EXCEEDED"      // result rows, rows read or memory over the limit
	CodeQuotaExceeded      = "QUOTA_EXCEEDED"      // the hourly quota is spent
	CodeQueryError         = "QUERY_ERROR"         // ClickHouse refused the query (syntax, unknown column...)
)

// Options configure the handler.
type Options struct {
	// Warehouse is a connection as the ClickHouse user "statistician", whose profile holds
	// the limits (see deploy/clickhouse/users.xml): warehouse.Open with User "statistician",
	// the password of GRIDGOV_CH_STATISTICIAN_PASSWORD and DefaultDatabase the warehouse.
	Warehouse *warehouse.Client
	Keys      auth.Keys
	Now       func() time.Time // default time.Now
	// Timeout bounds a query from the API's side too (default 35 s, just above the
	// profile's max_execution_time of 30 s, which normally answers first).
	Timeout time.Duration
	MaxSQL  int64              // longest SQL accepted, in bytes; default 64 KiB
	Metrics *warehouse.Metrics // query="analytics_sql"; nil: none
	Log     *slog.Logger       // nil: discard
}

// SystemTables are the system tables a statistician may read through the endpoint: enough to
// discover the schema and to generate rows.
var SystemTables = map[string]bool{"one": true, "numbers": true, "tables": true, "columns": true}

// Handler serves POST /analytics/sql. The request is the SQL as the body (text/plain), or
// JSON {"sql": "...", "format": "json"|"csv"}; CSV is chosen by ?format=csv, "format":
// "csv" or Accept: text/csv. The answer streams: JSON {"columns": [{"name", "type"}],
// "rows": [[...]...], "complete": true}, or CSV with a header line. An error before the
// first row is {"error": {"code", "message"}} with a 4xx/5xx status; one after it ends a JSON
// answer with "error" and "complete": false, and aborts a CSV answer (the client sees a
// truncated transfer, never a silently short file).
func Handler(o Options) http.Handler {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Timeout <= 0 {
		o.Timeout = 35 * time.Second
	}
	if o.MaxSQL <= 0 {
		o.MaxSQL = 64 << 10
	}
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &handler{o}
}

type handler struct{ o Options }

type failure struct {
	status  int
	code    string
	message string
}

func (f failure) Error() string { return f.code + ": " + f.message }

func fail(status int, code, format string, args ...any) failure {
	return failure{status, code, fmt.Sprintf(format, args...)}
}

func writeError(w http.ResponseWriter, f failure) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(f.status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": f.code, "message": f.message}}) //nolint:errcheck
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, fail(http.StatusMethodNotAllowed, string(apperr.BadUserInput), "use POST with the SQL as the body"))
		return
	}
	if f, ok := h.authorize(r); !ok {
		writeError(w, f)
		return
	}
	sql, format, f, ok := h.read(r)
	if !ok {
		writeError(w, f)
		return
	}
	if f, ok := Check(sql); !ok {
		writeError(w, f)
		return
	}
	h.run(w, r, sql, format)
}

func (h *handler) authorize(r *http.Request) (failure, bool) {
	raw, found := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !found || strings.TrimSpace(raw) == "" {
		return fail(http.StatusUnauthorized, string(apperr.Unauthenticated), "send a statistician's token: Authorization: Bearer <token>"), false
	}
	c, err := h.o.Keys.Verify(strings.TrimSpace(raw), h.o.Now())
	if err != nil {
		return fail(http.StatusUnauthorized, string(apperr.Unauthenticated), "the token is invalid or expired"), false
	}
	if c.Role != Role {
		return fail(http.StatusForbidden, string(apperr.Forbidden), "only the statistician role may run SQL (this token's role is %s)", c.Role), false
	}
	return failure{}, true
}

// read takes the SQL and the output format from the request.
func (h *handler) read(r *http.Request) (sql, format string, f failure, ok bool) {
	body, err := io.ReadAll(io.LimitReader(r.Body, h.o.MaxSQL+1))
	if err != nil {
		return "", "", fail(http.StatusBadRequest, string(apperr.BadUserInput), "cannot read the request body"), false
	}
	if int64(len(body)) > h.o.MaxSQL {
		return "", "", fail(http.StatusRequestEntityTooLarge, string(apperr.BadUserInput), "the SQL is longer than %d bytes", h.o.MaxSQL), false
	}
	format = "json"
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "application/json" {
		var in struct {
			SQL    string `json:"sql"`
			Format string `json:"format"`
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil {
			return "", "", fail(http.StatusBadRequest, string(apperr.BadUserInput), `want JSON {"sql": "SELECT ...", "format": "json" or "csv"}`), false
		}
		sql = in.SQL
		if in.Format != "" {
			format = in.Format
		}
	} else {
		sql = string(body)
	}
	for _, a := range strings.Split(r.Header.Get("Accept"), ",") {
		if mt, _, _ := mime.ParseMediaType(strings.TrimSpace(a)); mt == "text/csv" {
			format = "csv"
		}
	}
	if q := r.URL.Query().Get("format"); q != "" {
		format = q
	}
	if format != "json" && format != "csv" {
		return "", "", fail(http.StatusBadRequest, string(apperr.BadUserInput), "format: want json or csv"), false
	}
	if strings.TrimSpace(sql) == "" {
		return "", "", fail(http.StatusBadRequest, string(apperr.BadUserInput), "no SQL: send one SELECT as the body"), false
	}
	return sql, format, failure{}, true
}

var (
	leadingKeyword = regexp.MustCompile(`^\(*\s*([A-Za-z]+)`)
	systemRef      = regexp.MustCompile("(?i)(?:\\bsystem|`system`)\\s*\\.\\s*(?:`([^`]+)`|(\\w+))")
	formatClause   = regexp.MustCompile(`(?i)\b(FORMAT|INTO\s+OUTFILE)\b`)
)

// Check accepts one SELECT (or WITH ... SELECT) statement, a trailing semicolon allowed, that
// reads no system table beyond SystemTables and names no output format of its own.
func Check(sql string) (failure, bool) {
	code := stripLiterals(sql)
	code = strings.TrimSpace(code)
	code = strings.TrimSpace(strings.TrimSuffix(code, ";"))
	if strings.Contains(code, ";") {
		return fail(http.StatusBadRequest, CodeMultipleStatements, "send one statement at a time"), false
	}
	m := leadingKeyword.FindStringSubmatch(code)
	if m == nil || (!strings.EqualFold(m[1], "SELECT") && !strings.EqualFold(m[1], "WITH")) {
		word := "this statement"
		if m != nil {
			word = strings.ToUpper(m[1])
		}
		return fail(http.StatusForbidden, CodeReadOnly, "the warehouse is read-only: only SELECT is allowed, not %s", word), false
	}
	for _, ref := range systemRef.FindAllStringSubmatch(code, -1) {
		name := ref[1] + ref[2]
		if !SystemTables[strings.ToLower(name)] {
			return fail(http.StatusForbidden, string(apperr.Forbidden), "system.%s is not available to statisticians (allowed: system.one, numbers, tables, columns)", name), false
		}
	}
	if formatClause.MatchString(code) {
		return fail(http.StatusBadRequest, string(apperr.BadUserInput), "leave out FORMAT and INTO OUTFILE: ask for CSV with Accept: text/csv or ?format=csv"), false
	}
	return failure{}, true
}

// stripLiterals empties string literals and removes comments, so that checks see only the
// statement's code (a ';' or "system." inside a string is no statement).
func stripLiterals(sql string) string {
	var b strings.Builder
	for i := 0; i < len(sql); i++ {
		c := sql[i]
		switch {
		case c == '\'':
			b.WriteString("''")
			for i++; i < len(sql); i++ {
				if sql[i] == '\\' {
					i++
					continue
				}
				if sql[i] == '\'' {
					break
				}
			}
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-':
			for i < len(sql) && sql[i] != '\n' {
				i++
			}
			b.WriteByte(' ')
		case c == '/' && i+1 < len(sql) && sql[i+1] == '*':
			end := strings.Index(sql[i+2:], "*/")
			if end < 0 {
				i = len(sql)
			} else {
				i += end + 3
			}
			b.WriteByte(' ')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// run executes the query and streams its rows.
func (h *handler) run(w http.ResponseWriter, r *http.Request, sql, format string) {
	// No deadline on the context given to the driver: clickhouse-go would turn it into a
	// max_execution_time setting, which a readonly = 1 user may not send. The profile's
	// max_execution_time bounds the query; Timeout cancels it from here as well.
	ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
	defer cancel()
	stop := context.AfterFunc(r.Context(), cancel)
	defer stop()
	var timedOut atomic.Bool
	timer := time.AfterFunc(h.o.Timeout, func() { timedOut.Store(true); cancel() })
	defer timer.Stop()

	began := time.Now()
	observe := func() {
		if h.o.Metrics != nil {
			h.o.Metrics.QueryDuration.WithLabelValues("analytics_sql").Observe(time.Since(began).Seconds())
		}
	}
	rows, err := h.o.Warehouse.Conn.Query(ctx, sql)
	if err != nil {
		observe()
		writeError(w, h.classify(err, timedOut.Load()))
		return
	}
	defer rows.Close()
	if h.o.Metrics != nil {
		h.o.Metrics.Up.Set(1)
	}
	out := newWriter(w, format, rows.ColumnTypes())
	n := 0
	for rows.Next() {
		vals, err := scan(rows)
		if err != nil {
			out.fail(h.classify(err, timedOut.Load()))
			observe()
			return
		}
		out.row(vals)
		n++
	}
	err = rows.Err()
	observe()
	if err != nil {
		f := h.classify(err, timedOut.Load())
		if !out.started {
			writeError(w, f)
			return
		}
		out.fail(f)
		return
	}
	out.end()
	h.o.Log.Info("analytics sql", "rows", n, "seconds", time.Since(began).Seconds(), "format", format)
}

// classify maps a ClickHouse error to the endpoint's codes.
func (h *handler) classify(err error, timedOut bool) failure {
	if timedOut {
		return fail(http.StatusGatewayTimeout, CodeTimeout, "the query ran longer than %s", h.o.Timeout)
	}
	var ex *clickhouse.Exception
	if errors.As(err, &ex) {
		msg := ex.Message
		switch ex.Code {
		case 159: // TIMEOUT_EXCEEDED
			return fail(http.StatusGatewayTimeout, CodeTimeout, "%s", msg)
		case 158, 396, 307, 241: // TOO_MANY_ROWS, TOO_MANY_ROWS_OR_BYTES, TOO_MANY_BYTES, MEMORY_LIMIT_EXCEEDED
			return fail(http.StatusUnprocessableEntity, CodeLimitExceeded, "%s", msg)
		case 201: // QUOTA_EXPIRED
			return fail(http.StatusTooManyRequests, CodeQuotaExceeded, "%s", msg)
		case 164: // READONLY
			return fail(http.StatusForbidden, CodeReadOnly, "%s", msg)
		case 291, 497: // DATABASE_ACCESS_DENIED, ACCESS_DENIED
			return fail(http.StatusForbidden, string(apperr.Forbidden), "%s", msg)
		}
		return fail(http.StatusBadRequest, CodeQueryError, "%s", msg)
	}
	if warehouse.IsUnavailable(err) {
		if h.o.Metrics != nil {
			h.o.Metrics.Up.Set(0)
		}
		return fail(http.StatusServiceUnavailable, string(apperr.WarehouseUnavailable), "the warehouse (ClickHouse) is unavailable")
	}
	h.o.Log.Error("analytics sql", "err", err)
	return fail(http.StatusInternalServerError, string(apperr.Internal), "internal error")
}

func scan(rows driver.Rows) ([]any, error) {
	types := rows.ColumnTypes()
	dest := make([]any, len(types))
	for i, t := range types {
		dest[i] = reflect.New(t.ScanType()).Interface()
	}
	if err := rows.Scan(dest...); err != nil {
		return nil, err
	}
	for i, d := range dest {
		dest[i] = plain(reflect.ValueOf(d).Elem())
	}
	return dest, nil
}

// plain turns a scanned value into one JSON and CSV render well.
func plain(v reflect.Value) any {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	switch x := v.Interface().(type) {
	case time.Time:
		return x.Format(time.RFC3339)
	case decimal.Decimal:
		return json.Number(x.String())
	case []byte:
		return string(x)
	}
	if v.Kind() == reflect.Slice || v.Kind() == reflect.Array {
		out := make([]any, v.Len())
		for i := range out {
			out[i] = plain(v.Index(i))
		}
		return out
	}
	return v.Interface()
}

// writer streams rows; nothing is written before the first row or the end, so an early error
// still gets a proper status.
type writer struct {
	w       http.ResponseWriter
	format  string
	cols    []driver.ColumnType
	started bool
	csv     *csv.Writer
	enc     *json.Encoder
	n       int
}

func newWriter(w http.ResponseWriter, format string, cols []driver.ColumnType) *writer {
	return &writer{w: w, format: format, cols: cols}
}

func (o *writer) start() {
	if o.started {
		return
	}
	o.started = true
	if o.format == "csv" {
		o.w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		o.w.WriteHeader(http.StatusOK)
		o.csv = csv.NewWriter(o.w)
		head := make([]string, len(o.cols))
		for i, c := range o.cols {
			head[i] = c.Name()
		}
		o.csv.Write(head) //nolint:errcheck
		return
	}
	o.w.Header().Set("Content-Type", "application/json")
	o.w.WriteHeader(http.StatusOK)
	type col struct {
		Name string `json:"name"`
		Type string `json:"type"`
	}
	cols := make([]col, len(o.cols))
	for i, c := range o.cols {
		cols[i] = col{c.Name(), c.DatabaseTypeName()}
	}
	head, _ := json.Marshal(cols)
	fmt.Fprintf(o.w, `{"columns":%s,"rows":[`, head)
	o.enc = json.NewEncoder(o.w)
}

func (o *writer) row(vals []any) {
	o.start()
	if o.format == "csv" {
		rec := make([]string, len(vals))
		for i, v := range vals {
			if v != nil {
				if s, ok := v.(string); ok {
					rec[i] = s
				} else if b, err := json.Marshal(v); err == nil {
					rec[i] = strings.Trim(string(b), `"`)
				}
			}
		}
		o.csv.Write(rec) //nolint:errcheck
	} else {
		if o.n > 0 {
			o.w.Write([]byte(",")) //nolint:errcheck
		}
		o.enc.Encode(vals) //nolint:errcheck
	}
	o.n++
	if o.n%1000 == 0 {
		o.flush()
	}
}

func (o *writer) flush() {
	if o.csv != nil {
		o.csv.Flush()
	}
	if f, ok := o.w.(http.Flusher); ok {
		f.Flush()
	}
}

func (o *writer) end() {
	o.start()
	if o.format == "json" {
		o.w.Write([]byte(`],"complete":true}` + "\n")) //nolint:errcheck
	}
	o.flush()
}

// fail ends a started answer with an error: a JSON "error" member, or an aborted CSV transfer.
func (o *writer) fail(f failure) {
	if !o.started {
		writeError(o.w, f)
		return
	}
	if o.format == "json" {
		e, _ := json.Marshal(map[string]string{"code": f.code, "message": f.message})
		fmt.Fprintf(o.w, `],"complete":false,"error":%s}`+"\n", e)
		o.flush()
		return
	}
	o.flush()
	panic(http.ErrAbortHandler)
}

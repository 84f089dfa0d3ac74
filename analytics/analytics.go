// Package analytics serves POST /analytics/sql: one read-only SELECT of a statistician over
// the warehouse, answered as JSON or CSV and streamed, with clear errors.
//
// Two fences stand between a statistician and anything but the warehouse's tables, and each
// holds without the other where it can:
//   - ClickHouse: the query runs as the user "statistician" (deploy/clickhouse/users.xml),
//     readonly = 1 (no writes, DDL, SET or SETTINGS; on 18.16 no table functions), confined to
//     the warehouse database (allow_databases on 18.16, a grant on current releases), bounded
//     by its profile (time, rows and bytes read and returned, memory) and an hourly quota.
//   - This package: Check reads the SQL as ClickHouse's lexer does and refuses what the server
//     cannot (18.16 lets every user read the system database, e.g. other users' running
//     queries in system.processes) and what it should never see (other databases, table
//     functions, SETTINGS, FORMAT, INTO OUTFILE). testdata/bypass.txt is the corpus of
//     attempts both fences are tested against.
//
// The answer is capped in bytes (Options.MaxResultBytes), and CSV cells that a spreadsheet
// would run as a formula are neutralised (see CSVText).
package analytics

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"reflect"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/jackc/pgx/v5/pgxpool"
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
	CodeReadOnly           = "READ_ONLY"           // not a SELECT, or SETTINGS: writes, DDL and limit changes are refused
	CodeMultipleStatements = "MULTIPLE_STATEMENTS" // more than one statement
	CodeTimeout            = "TIMEOUT"             // longer than the time limit
	CodeLimitExceeded      = "LIMIT_EXCEEDED"      // result rows or bytes, rows read or memory over the limit
	CodeQuotaExceeded      = "QUOTA_EXCEEDED"      // the hourly quota is spent
	CodeQueryError         = "QUERY_ERROR"         // ClickHouse refused the query (syntax, unknown column...)
)

// Options configure the handler.
type Options struct {
	// Warehouse is a connection as the ClickHouse user "statistician", whose profile holds
	// the limits (see deploy/clickhouse/users.xml): warehouse.Open with User "statistician",
	// the password of GRIDGOV_CH_STATISTICIAN_PASSWORD and DefaultDatabase the warehouse.
	Warehouse *warehouse.Client
	// Database is the warehouse database, the only one whose tables a query may name;
	// default Warehouse.Database.
	Database string
	Keys     auth.Keys
	Now      func() time.Time // default time.Now
	// Timeout bounds a query from the API's side too (default 35 s, just above the
	// profile's max_execution_time of 30 s, which normally answers first).
	Timeout time.Duration
	MaxSQL  int64 // longest SQL accepted, in bytes; default 64 KiB (the profile's max_query_size)
	// MaxResultBytes caps the body of an answer (default 32 MiB). ClickHouse's own
	// max_result_bytes counts a constant column once per block, so a few rows of a long
	// constant string pass it; this cap counts what is sent.
	MaxResultBytes int64
	Metrics        *warehouse.Metrics // query="analytics_sql"; nil: none
	Log            *slog.Logger       // nil: discard
	// Pool keeps the saved queries and their runs (saved.go); nil: /analytics/queries answers
	// 404 and no query runs by name.
	Pool *pgxpool.Pool
}

// Handler serves POST /analytics/sql, and the saved queries at /analytics/queries (saved.go).
// The request is the SQL as the body (text/plain), or JSON {"sql": "...", "format":
// "json"|"csv"|"xlsx"}, or a saved query by name, {"query": "name", "params": {...}, "format":
// ...}; the format is also chosen by ?format= or Accept: text/csv. The answer streams: JSON
// {"columns": [{"name", "type"}], "rows": [[...]...], "complete": true}, or CSV with a header
// line; an XLSX workbook (one sheet, a header row) is sent once complete.
//
// An error known before the answer starts is {"error": {"code", "message"}} with a 4xx/5xx
// status. The first 64 KiB of an answer are held back, so a small answer over a limit gets
// that status too. An error after the answer has started (a limit ClickHouse reports after
// its first blocks, MaxResultBytes reached, a timeout) ends a JSON answer with "complete":
// false and "error"; a CSV answer is aborted, so the client sees a truncated transfer (no
// final chunk), never a silently short file.
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
	if o.MaxResultBytes <= 0 {
		o.MaxResultBytes = 32 << 20
	}
	if o.Database == "" && o.Warehouse != nil {
		o.Database = o.Warehouse.Database
	}
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &handler{o}
}

type handler struct{ o Options }

func writeError(w http.ResponseWriter, e Error) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.Status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": e.Code, "message": e.Message}}) //nolint:errcheck
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	saved := strings.HasPrefix(r.URL.Path, "/analytics/queries")
	if r.Method != http.MethodPost && !saved {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, fail(http.StatusMethodNotAllowed, string(apperr.BadUserInput), "use POST with the SQL as the body"))
		return
	}
	subject, err := h.authorize(r)
	if err != nil {
		writeError(w, err.(Error))
		return
	}
	if saved {
		h.queries(w, r, subject)
		return
	}
	q, err := h.read(r, subject)
	if err == nil {
		err = Check(q.sql, h.o.Database)
	}
	if err != nil {
		writeError(w, err.(Error))
		return
	}
	began := time.Now()
	rows, read, code := h.run(w, r, q.sql, q.format)
	if q.saved != nil {
		h.record(q.saved, subject, q.params, q.format, began, read, rows, code)
	}
}

// authorize checks the request's token: a statistician's; it gives the token's subject.
func (h *handler) authorize(r *http.Request) (string, error) {
	raw, found := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !found || strings.TrimSpace(raw) == "" {
		return "", fail(http.StatusUnauthorized, string(apperr.Unauthenticated), "send a statistician's token: Authorization: Bearer <token>")
	}
	c, err := h.o.Keys.Verify(strings.TrimSpace(raw), h.o.Now())
	if err != nil {
		return "", fail(http.StatusUnauthorized, string(apperr.Unauthenticated), "the token is invalid or expired")
	}
	if c.Role != Role {
		return "", fail(http.StatusForbidden, string(apperr.Forbidden), "only the statistician role may run SQL (this token's role is %s)", c.Role)
	}
	return c.Subject, nil
}

// request is what to run: the SQL (a saved query's with its parameters bound) and the format.
type request struct {
	sql, format string
	saved       *SavedQuery
	params      map[string]json.RawMessage
}

// read takes the SQL, or the saved query and its parameters, and the output format from the
// request.
func (h *handler) read(r *http.Request, subject string) (q request, err error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, h.o.MaxSQL+1))
	if err != nil {
		return q, fail(http.StatusBadRequest, string(apperr.BadUserInput), "cannot read the request body")
	}
	if int64(len(body)) > h.o.MaxSQL {
		return q, fail(http.StatusRequestEntityTooLarge, string(apperr.BadUserInput), "the SQL is longer than %d bytes", h.o.MaxSQL)
	}
	q.format = "json"
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "application/json" {
		var in struct {
			SQL    string                     `json:"sql"`
			Query  string                     `json:"query"`
			Params map[string]json.RawMessage `json:"params"`
			Format string                     `json:"format"`
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil || (in.SQL != "") == (in.Query != "") {
			return q, fail(http.StatusBadRequest, string(apperr.BadUserInput),
				`want JSON {"sql": "SELECT ...", "format": "json", "csv" or "xlsx"}, or {"query": "<saved query>", "params": {...}, "format": ...}`)
		}
		q.sql = in.SQL
		if in.Query != "" {
			if q.saved, err = h.savedNamed(r.Context(), subject, in.Query); err != nil {
				return q, err
			}
			q.params = in.Params
			if q.sql, err = bindParams(q.saved.SQL, q.saved.Params, in.Params); err != nil {
				return q, err
			}
		}
		if in.Format != "" {
			q.format = in.Format
		}
	} else {
		q.sql = string(body)
	}
	for _, a := range strings.Split(r.Header.Get("Accept"), ",") {
		if mt, _, _ := mime.ParseMediaType(strings.TrimSpace(a)); mt == "text/csv" {
			q.format = "csv"
		}
	}
	if f := r.URL.Query().Get("format"); f != "" {
		q.format = f
	}
	if q.format != "json" && q.format != "csv" && q.format != "xlsx" {
		return q, fail(http.StatusBadRequest, string(apperr.BadUserInput), "format: want json, csv or xlsx")
	}
	if strings.TrimSpace(q.sql) == "" {
		return q, fail(http.StatusBadRequest, string(apperr.BadUserInput), "no SQL: send one SELECT as the body")
	}
	return q, nil
}

// run executes the query and streams its rows; it gives the rows answered, the rows
// ClickHouse read (its progress packets added up) and the error code ("" when complete).
func (h *handler) run(w http.ResponseWriter, r *http.Request, sql, format string) (int, uint64, string) {
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
	var read atomic.Uint64
	ctx = clickhouse.Context(ctx, clickhouse.WithProgress(func(p *clickhouse.Progress) { read.Add(p.Rows) }))

	began := time.Now()
	observe := func() {
		if h.o.Metrics != nil {
			h.o.Metrics.QueryDuration.WithLabelValues("analytics_sql").Observe(time.Since(began).Seconds())
		}
	}
	rows, err := h.o.Warehouse.Conn.Query(ctx, sql)
	if err != nil {
		observe()
		e := h.classify(err, timedOut.Load())
		writeError(w, e)
		return 0, read.Load(), e.Code
	}
	// Cancelled first: Close alone would read the rest of the result.
	defer func() { cancel(); rows.Close() }()
	if h.o.Metrics != nil {
		h.o.Metrics.Up.Set(1)
	}
	var out answer
	if format == "xlsx" {
		out = newXLSX(w, rows.ColumnTypes(), h.o.MaxResultBytes)
	} else {
		out = newWriter(w, format, rows.ColumnTypes(), h.o.MaxResultBytes)
	}
	failed := func(e Error) (int, uint64, string) {
		out.fail(e)
		n, _ := out.counts()
		return n, read.Load(), e.Code
	}
	for rows.Next() {
		vals, err := scan(rows)
		if err != nil {
			observe()
			return failed(h.classify(err, timedOut.Load()))
		}
		if err := out.row(vals); err != nil {
			observe()
			n, size := out.counts()
			h.o.Log.Info("analytics sql over the result cap", "rows", n, "bytes", size, "format", format)
			return failed(err.(Error))
		}
	}
	err = rows.Err()
	observe()
	if err != nil {
		return failed(h.classify(err, timedOut.Load()))
	}
	if err := out.end(); err != nil {
		h.o.Log.Error("analytics sql answer", "err", err)
	}
	n, size := out.counts()
	h.o.Log.Info("analytics sql", "rows", n, "bytes", size, "rows_read", read.Load(), "seconds", time.Since(began).Seconds(), "format", format)
	return n, read.Load(), ""
}

// classify maps a ClickHouse error to the endpoint's codes.
func (h *handler) classify(err error, timedOut bool) Error {
	if timedOut {
		return fail(http.StatusGatewayTimeout, CodeTimeout, "the query ran longer than %s", h.o.Timeout)
	}
	if warehouse.IsUnavailable(err) {
		// Before the exceptions: on a cluster, a shard of which no replica answers is an
		// exception of the node asked (ALL_CONNECTION_TRIES_FAILED), and no complete answer.
		if h.o.Metrics != nil {
			h.o.Metrics.Up.Set(0)
		}
		return fail(http.StatusServiceUnavailable, string(apperr.WarehouseUnavailable), "the warehouse (ClickHouse) is unavailable")
	}
	var ex *clickhouse.Exception
	if errors.As(err, &ex) {
		msg := ex.Message
		switch ex.Code {
		case warehouse.CodeTimeoutExceeded:
			return fail(http.StatusGatewayTimeout, CodeTimeout, "%s", msg)
		case warehouse.CodeTooManyRows, warehouse.CodeTooManyRowsOrBytes, warehouse.CodeTooManyBytes, warehouse.CodeMemoryLimitExceeded:
			return fail(http.StatusUnprocessableEntity, CodeLimitExceeded, "%s", msg)
		case warehouse.CodeQuotaExpired:
			return fail(http.StatusTooManyRequests, CodeQuotaExceeded, "%s", msg)
		case warehouse.CodeReadonly:
			return fail(http.StatusForbidden, CodeReadOnly, "%s", msg)
		case warehouse.CodeDatabaseAccessDenied, warehouse.CodeAccessDenied:
			return fail(http.StatusForbidden, string(apperr.Forbidden), "%s", msg)
		}
		return fail(http.StatusBadRequest, CodeQueryError, "%s", msg)
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

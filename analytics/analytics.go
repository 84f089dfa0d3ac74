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
}

// Handler serves POST /analytics/sql. The request is the SQL as the body (text/plain), or
// JSON {"sql": "...", "format": "json"|"csv"}; CSV is chosen by ?format=csv, "format":
// "csv" or Accept: text/csv. The answer streams: JSON {"columns": [{"name", "type"}],
// "rows": [[...]...], "complete": true}, or CSV with a header line.
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
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, fail(http.StatusMethodNotAllowed, string(apperr.BadUserInput), "use POST with the SQL as the body"))
		return
	}
	if err := h.authorize(r); err != nil {
		writeError(w, err.(Error))
		return
	}
	sql, format, err := h.read(r)
	if err == nil {
		err = Check(sql, h.o.Database)
	}
	if err != nil {
		writeError(w, err.(Error))
		return
	}
	h.run(w, r, sql, format)
}

func (h *handler) authorize(r *http.Request) error {
	raw, found := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !found || strings.TrimSpace(raw) == "" {
		return fail(http.StatusUnauthorized, string(apperr.Unauthenticated), "send a statistician's token: Authorization: Bearer <token>")
	}
	c, err := h.o.Keys.Verify(strings.TrimSpace(raw), h.o.Now())
	if err != nil {
		return fail(http.StatusUnauthorized, string(apperr.Unauthenticated), "the token is invalid or expired")
	}
	if c.Role != Role {
		return fail(http.StatusForbidden, string(apperr.Forbidden), "only the statistician role may run SQL (this token's role is %s)", c.Role)
	}
	return nil
}

// read takes the SQL and the output format from the request.
func (h *handler) read(r *http.Request) (sql, format string, err error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, h.o.MaxSQL+1))
	if err != nil {
		return "", "", fail(http.StatusBadRequest, string(apperr.BadUserInput), "cannot read the request body")
	}
	if int64(len(body)) > h.o.MaxSQL {
		return "", "", fail(http.StatusRequestEntityTooLarge, string(apperr.BadUserInput), "the SQL is longer than %d bytes", h.o.MaxSQL)
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
			return "", "", fail(http.StatusBadRequest, string(apperr.BadUserInput), `want JSON {"sql": "SELECT ...", "format": "json" or "csv"}`)
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
		return "", "", fail(http.StatusBadRequest, string(apperr.BadUserInput), "format: want json or csv")
	}
	if strings.TrimSpace(sql) == "" {
		return "", "", fail(http.StatusBadRequest, string(apperr.BadUserInput), "no SQL: send one SELECT as the body")
	}
	return sql, format, nil
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
	// Cancelled first: Close alone would read the rest of the result.
	defer func() { cancel(); rows.Close() }()
	if h.o.Metrics != nil {
		h.o.Metrics.Up.Set(1)
	}
	out := newWriter(w, format, rows.ColumnTypes(), h.o.MaxResultBytes)
	for rows.Next() {
		vals, err := scan(rows)
		if err != nil {
			observe()
			out.fail(h.classify(err, timedOut.Load()))
			return
		}
		if err := out.row(vals); err != nil {
			observe()
			h.o.Log.Info("analytics sql over the result cap", "rows", out.n, "bytes", out.size, "format", format)
			out.fail(err.(Error))
			return
		}
	}
	err = rows.Err()
	observe()
	if err != nil {
		out.fail(h.classify(err, timedOut.Load()))
		return
	}
	out.end()
	h.o.Log.Info("analytics sql", "rows", out.n, "bytes", out.size, "seconds", time.Since(began).Seconds(), "format", format)
}

// classify maps a ClickHouse error to the endpoint's codes.
func (h *handler) classify(err error, timedOut bool) Error {
	if timedOut {
		return fail(http.StatusGatewayTimeout, CodeTimeout, "the query ran longer than %s", h.o.Timeout)
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

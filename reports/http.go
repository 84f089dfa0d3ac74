package reports

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"gridgov/apperr"
	"gridgov/auth"
	"gridgov/gid"
	"gridgov/store"
)

// Fail writes an error answer: status, code and a message safe to show (the server's, so every
// endpoint answers errors alike).
type Fail func(w http.ResponseWriter, r *http.Request, status int, code apperr.Code, msg string)

// The media types of the formats.
const (
	XLSXType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	CSVType  = "text/csv; charset=utf-8"
)

// policyField is the GraphQL root field whose access rule (auth.Policy) a kind follows: whoever
// reads the figures on the screen may take them away.
var policyField = map[Kind]string{Monthly: "indicators", Ledger: "gridLedger", Scorecard: "unitScorecard"}

// ExportHandler serves GET /reports/export?kind=&scope=&period=&format=xlsx|csv behind the
// server's authentication (the actor and scope are in the request's context): the report built
// for the token's scope, as an attachment. A role the kind's GraphQL field refuses is
// FORBIDDEN; a place outside the scope is NOT_FOUND, as an unknown one.
func ExportHandler(src Source, fail Fail, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := r.URL.Query()
		format := v.Get("format")
		if format == "" {
			format = "xlsx"
		}
		q, err := ParseRequest(v.Get("kind"), v.Get("scope"), v.Get("period"))
		if err == nil && format != "xlsx" && format != "csv" {
			err = apperr.Invalid("format", "want xlsx or csv")
		}
		if err == nil {
			err = allowed(r, q.Kind)
		}
		if err != nil {
			answerError(w, r, fail, log, err)
			return
		}
		rep, err := src.Build(r.Context(), auth.ScopeFrom(r.Context()), q)
		if err != nil {
			answerError(w, r, fail, log, err)
			return
		}
		var buf bytes.Buffer
		if format == "csv" {
			err = WriteCSV(&buf, rep)
		} else {
			err = WriteXLSX(&buf, rep)
		}
		if err != nil {
			answerError(w, r, fail, log, err)
			return
		}
		serveFile(w, rep.FileName()+"."+format, buf.Bytes())
	})
}

// allowed refuses a role the kind's GraphQL field refuses.
func allowed(r *http.Request, k Kind) error {
	a := auth.ActorFrom(r.Context())
	if a == nil || !auth.Allowed(a.Role, "Query", policyField[k]) {
		return apperr.New(apperr.Forbidden, "this role does not read the %s report", k)
	}
	return nil
}

// serveFile answers a report's bytes as an attachment named name (xlsx or csv by its extension).
func serveFile(w http.ResponseWriter, name string, b []byte) {
	h := w.Header()
	h.Set("Content-Type", CSVType)
	if len(name) > 5 && name[len(name)-5:] == ".xlsx" {
		h.Set("Content-Type", XLSXType)
	}
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	h.Set("Content-Length", strconv.Itoa(len(b)))
	h.Set("Cache-Control", "private, no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	w.Write(b) //nolint:errcheck // the client went away
}

// answerError answers err with its code's status; anything not an application error is
// INTERNAL, its cause only in the log.
func answerError(w http.ResponseWriter, r *http.Request, fail Fail, log *slog.Logger, err error) {
	code := apperr.CodeOf(err)
	status, msg := http.StatusInternalServerError, "internal error"
	var e *apperr.Error
	if errors.As(err, &e) {
		msg = e.Message
		if e.Field != "" {
			msg = e.Field + ": " + msg
		}
	}
	switch code {
	case apperr.BadUserInput:
		status = http.StatusBadRequest
	case apperr.NotFound:
		status = http.StatusNotFound
	case apperr.Forbidden:
		status = http.StatusForbidden
	case apperr.Unavailable, apperr.WarehouseUnavailable:
		status = http.StatusServiceUnavailable
	default:
		code, msg = apperr.Internal, "internal error"
		if log != nil {
			log.Error("report", "path", r.URL.Path, "err", err.Error())
		}
	}
	fail(w, r, status, code, msg)
}

// FilesHandler serves GET /reports/files/{id}[?format=csv] behind the server's authentication:
// the kept file of a generated report (store.GeneratedReport), XLSX by default, to a role that
// lists them (Query.generatedReports). The report is read within the token's scope, in SQL: out
// of scope or absent alike is 404 NOT_FOUND.
func FilesHandler(st *store.Store, fail Fail, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		format := r.URL.Query().Get("format")
		if format == "" {
			format = "xlsx"
		}
		var err error
		switch a := auth.ActorFrom(r.Context()); {
		case a == nil || !auth.Allowed(a.Role, "Query", "generatedReports"):
			err = apperr.New(apperr.Forbidden, "this role does not read reports")
		case format != "xlsx" && format != "csv":
			err = apperr.Invalid("format", "want xlsx or csv")
		}
		if err != nil {
			answerError(w, r, fail, log, err)
			return
		}
		var rep *store.GeneratedReport
		var body []byte
		if typ, id, ok := gid.Decode(r.PathValue("id")); ok && typ == "GeneratedReport" {
			rep, body, err = st.ReportFile(r.Context(), auth.ScopeFrom(r.Context()), id, format == "csv")
		}
		switch {
		case err != nil:
			answerError(w, r, fail, log, err)
		case rep == nil:
			answerError(w, r, fail, log, apperr.New(apperr.NotFound, "report not found"))
		default:
			name := fmt.Sprintf("gridgov-%s-%s-%s.%s", rep.Kind, rep.Period, strings.ReplaceAll(rep.Scope, "=", ""), format)
			serveFile(w, name, body)
		}
	})
}

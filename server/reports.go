package server

import (
	"net/http"

	"gridgov/apperr"
	"gridgov/auth"
	"gridgov/observe"
	"gridgov/reports"
	"gridgov/store"
)

// mountReports serves the report exports, GET /reports/export, and the files of the reports
// generated on schedule, GET /reports/files/{id}, to bearer tokens as /graphql takes them
// (package reports says what each report holds and who reads it).
func mountReports(route func(string, http.Handler), d Deps, st *store.Store, authn auth.Authenticator, m *observe.GraphQL) {
	src := reports.Source{Warehouse: d.Reports, Store: st}
	fail := func(w http.ResponseWriter, r *http.Request, status int, code apperr.Code, msg string) {
		writeGraphQLError(w, r, m, status, code, msg)
	}
	route("/reports/export", cors(onlyGet(authn.Middleware(reports.ExportHandler(src, fail, d.Log)), m), d.CORSOrigins))
	route("/reports/files/{id}", cors(onlyGet(authn.Middleware(reports.FilesHandler(st, fail, d.Log)), m), d.CORSOrigins))
}

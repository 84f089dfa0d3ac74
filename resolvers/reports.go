package resolvers

import (
	"context"
	"strings"

	"gridgov/apperr"
	"gridgov/gid"
	"gridgov/graph/model"
	"gridgov/store"
)

// ReportFilesPath is where the files of generated reports are served (server/reports.go):
// ReportFilesPath + the report's global id, with ?format=csv for the CSV file.
const ReportFilesPath = "/reports/files/"

func (r *queryResolver) GeneratedReports(ctx context.Context, period string, kind *model.ReportKind) ([]*store.GeneratedReport, error) {
	if len(period) < 4 || len(period) > 7 {
		return nil, apperr.Invalid("period", "want YYYY-MM, YYYY-Qn or YYYY")
	}
	k := ""
	if kind != nil {
		k = strings.ToLower(string(*kind))
	}
	return r.Store.GeneratedReports(ctx, scope(ctx), period, k)
}

// reportURL is where a generated report's file is downloaded.
func reportURL(id int64, csv bool) string {
	u := ReportFilesPath + gid.Encode("GeneratedReport", id)
	if csv {
		u += "?format=csv"
	}
	return u
}

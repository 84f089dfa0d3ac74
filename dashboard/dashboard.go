// Package dashboard serves the leaders' dashboard page at /dashboard: headline indicators and
// a panel for every indicator group as numbers and charts (Apache ECharts), drill-down city →
// street → community → grid, a period picker and the data's asOf; labels in Chinese or
// English, an export of the view (GET /reports/export) and a print style for A4. Everything
// it needs is embedded in the binary; the page reads the indicators from POST /graphql with
// the leader's token, pasted once and kept in the browser tab's sessionStorage, so it shows
// exactly what that token may see.
package dashboard

import (
	"embed"
	"io/fs"
	"net/http"

	"gridgov/webpage"
)

// EChartsVersion is the vendored Apache ECharts (static/vendor/echarts.min.js), fetched from
// npm by scripts/dashboard-assets.sh (make dashboard-assets).
const EChartsVersion = "6.1.0"

//go:embed static
var assets embed.FS

// Static is the page's files: index.html, app.js, map.js, style.css and vendor/.
func Static() fs.FS { return webpage.Sub(assets, "static") }

// Handler serves /dashboard (the page) and /dashboard/... (its assets). Mount it on both
// patterns: mux.Handle("/dashboard", h); mux.Handle("/dashboard/", h).
func Handler() http.Handler {
	// Scripts and data from this origin only; ECharts writes inline styles in tooltips.
	return webpage.Handler("/dashboard", Static(), "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "+
		"img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
}

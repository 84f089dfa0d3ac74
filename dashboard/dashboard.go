// Package dashboard serves the leaders' dashboard page at /dashboard: headline indicators as
// numbers and charts (Apache ECharts), drill-down city → street → community → grid, a period
// picker and the data's asOf. Everything it needs is embedded in the binary; the page reads
// the indicators from POST /graphql with the leader's token, pasted once and kept in the
// browser tab's sessionStorage, so it shows exactly what that token may see.
package dashboard

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"
)

// EChartsVersion is the vendored Apache ECharts (static/vendor/echarts.min.js), fetched from
// npm by scripts/dashboard-assets.sh (make dashboard-assets).
const EChartsVersion = "6.1.0"

//go:embed static
var assets embed.FS

// Static is the page's files: index.html, app.js, style.css and vendor/.
func Static() fs.FS {
	sub, err := fs.Sub(assets, "static")
	if err != nil {
		panic(err)
	}
	return sub
}

// Handler serves /dashboard (the page) and /dashboard/... (its assets). Mount it on both
// patterns: mux.Handle("/dashboard", h); mux.Handle("/dashboard/", h).
func Handler() http.Handler {
	files := http.FileServerFS(Static())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		h := w.Header()
		// Scripts and data from this origin only; ECharts writes inline styles in tooltips.
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "+
			"img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		rest := strings.TrimPrefix(r.URL.Path, "/dashboard")
		if rest == "" || rest == "/" || rest == "/index.html" {
			page, err := fs.ReadFile(Static(), "index.html")
			if err != nil {
				http.Error(w, "internal error", http.StatusInternalServerError)
				return
			}
			h.Set("Cache-Control", "no-cache")
			h.Set("Content-Type", "text/html; charset=utf-8")
			w.Write(page) //nolint:errcheck
			return
		}
		if strings.HasPrefix(rest, "/vendor/") {
			h.Set("Cache-Control", "public, max-age=86400")
		} else {
			h.Set("Cache-Control", "no-cache")
		}
		r2 := r.Clone(r.Context())
		r2.URL.Path = rest
		files.ServeHTTP(w, r2)
	})
}

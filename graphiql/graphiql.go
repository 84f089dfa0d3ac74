// Package graphiql serves the GraphQL explorer at /graphiql in development mode: GraphiQL,
// vendored with the React it runs on and embedded in the binary, so the page loads nothing
// from outside the server. A token pasted into the page is kept in the browser tab's
// sessionStorage and sent as `Authorization: Bearer …` with every request to POST /graphql,
// schema introspection included (development mode turns introspection on; production serves
// neither the explorer nor introspection, and tools read GET /graphql/schema instead).
package graphiql

import (
	"embed"
	"io/fs"
	"net/http"

	"gridgov/webpage"
)

// GraphiQLVersion is the vendored GraphiQL (static/vendor/graphiql.min.js and .css) and
// ReactVersion the vendored React and ReactDOM, fetched from npm by
// scripts/graphiql-assets.sh (make graphiql-assets).
const (
	GraphiQLVersion = "3.9.0"
	ReactVersion    = "18.3.1"
)

// ContentSecurityPolicy lets the page load scripts, styles and data from its own origin only,
// with no inline script. GraphiQL's stylesheet carries its fonts and icons as data: URLs, and
// its dialogs add inline style elements (react-remove-scroll), hence style-src 'unsafe-inline'.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"font-src 'self' data:; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

//go:embed static
var assets embed.FS

// Static is the page's files: index.html, app.js, style.css and vendor/.
func Static() fs.FS { return webpage.Sub(assets, "static") }

// Handler serves /graphiql (the page) and /graphiql/... (its assets). Mount it on both
// patterns: mux.Handle("GET /graphiql", h); mux.Handle("GET /graphiql/", h).
func Handler() http.Handler {
	return webpage.Handler("/graphiql", Static(), ContentSecurityPolicy)
}

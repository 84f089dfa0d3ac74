// Package webpage serves a page the binary embeds, with its assets, under a path prefix: the
// dashboard and the GraphQL explorer are served this way.
package webpage

import (
	"io/fs"
	"net/http"
	"strings"
)

// Handler serves prefix (the page, files' index.html) and prefix/... (the other files of
// files) under the content security policy csp. Files under vendor/ (pinned third-party
// code) may be cached for a day; the page and the others are revalidated. Mount it on both
// patterns: mux.Handle(prefix, h); mux.Handle(prefix+"/", h).
func Handler(prefix string, files fs.FS, csp string) http.Handler {
	server := http.FileServerFS(files)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		rest := strings.TrimPrefix(r.URL.Path, prefix)
		if rest == "" || rest == "/" || rest == "/index.html" {
			page, err := fs.ReadFile(files, "index.html")
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
		server.ServeHTTP(w, r2)
	})
}

// Sub is the directory dir of an embedded file system, which holds it: fs.Sub fails only
// on a malformed name.
func Sub(embedded fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(embedded, dir)
	if err != nil {
		panic(err)
	}
	return sub
}

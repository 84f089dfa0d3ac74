package graphiql_test

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"gridgov/graphiql"
)

// The vendored files are the pinned versions: each one's first line (written by
// scripts/graphiql-assets.sh) names the version of the Go constants, and so does the script.
func TestVendoredVersions(t *testing.T) {
	for file, want := range map[string]string{
		"vendor/graphiql.min.js":             "graphiql " + graphiql.GraphiQLVersion,
		"vendor/graphiql.min.css":            "graphiql " + graphiql.GraphiQLVersion,
		"vendor/react.production.min.js":     "react " + graphiql.ReactVersion,
		"vendor/react-dom.production.min.js": "react-dom " + graphiql.ReactVersion,
	} {
		body, err := fs.ReadFile(graphiql.Static(), file)
		if err != nil {
			t.Fatalf("%v (run make graphiql-assets)", err)
		}
		if first, _, _ := strings.Cut(string(body), "\n"); !strings.HasPrefix(first, "/*! "+want+" ") {
			t.Errorf("%s begins %q, want the version comment of %s", file, first, want)
		}
	}
	script, err := os.ReadFile("../scripts/graphiql-assets.sh")
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"GRAPHIQL_VERSION": graphiql.GraphiQLVersion, "REACT_VERSION": graphiql.ReactVersion} {
		pin := regexp.MustCompile(`(?m)^` + name + `=(\S+)$`).FindSubmatch(script)
		if pin == nil || string(pin[1]) != want {
			t.Errorf("scripts/graphiql-assets.sh pins %s %q, graphiql.go says %s", name, pin, want)
		}
	}
}

// The page and its assets are served from the binary under the explorer's policy; the page
// names no other origin.
func TestHandlerServesEmbeddedAssets(t *testing.T) {
	srv := httptest.NewServer(graphiql.Handler())
	defer srv.Close()
	for path, wantType := range map[string]string{
		"/graphiql": "text/html", "/graphiql/": "text/html", "/graphiql/app.js": "text/javascript",
		"/graphiql/style.css": "text/css", "/graphiql/vendor/graphiql.min.js": "text/javascript",
		"/graphiql/vendor/graphiql.min.css": "text/css", "/graphiql/vendor/react.production.min.js": "text/javascript",
	} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), wantType) {
			t.Errorf("%s: %d %s, want 200 %s", path, resp.StatusCode, resp.Header.Get("Content-Type"), wantType)
		}
		if got := resp.Header.Get("Content-Security-Policy"); got != graphiql.ContentSecurityPolicy {
			t.Errorf("%s: policy %q", path, got)
		}
	}
	if resp, err := http.Get(srv.URL + "/graphiql/nothing.js"); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown asset: %v %v, want 404", resp.StatusCode, err)
	}
	page, err := fs.ReadFile(graphiql.Static(), "index.html")
	if err != nil {
		t.Fatal(err)
	}
	if m := regexp.MustCompile(`(?i)(src|href)="(https?:)?//`).Find(page); m != nil {
		t.Errorf("index.html loads from another origin: %s", m)
	}
	if strings.Contains(string(page), "<script>") || strings.Contains(string(page), "<style") {
		t.Error("index.html holds inline script or style, which the policy refuses")
	}
}

package dashboard_test

import (
	"bufio"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"

	"gridgov/dashboard"
)

// The vendored ECharts is the pinned version: its first line (written by
// scripts/dashboard-assets.sh), the version the library reports, and the script's pin agree.
func TestVendoredEChartsVersion(t *testing.T) {
	f, err := dashboard.Static().Open("vendor/echarts.min.js")
	if err != nil {
		t.Fatalf("%v (run make dashboard-assets)", err)
	}
	defer f.Close()
	body, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(body), "\n")
	if want := "/*! echarts " + dashboard.EChartsVersion + " "; !strings.HasPrefix(first, want) {
		t.Errorf("first line %q, want it to start with %q", first, want)
	}
	if !strings.Contains(string(body), `version="`+dashboard.EChartsVersion+`"`) {
		t.Errorf("echarts.min.js does not report version %s", dashboard.EChartsVersion)
	}
	script, err := os.ReadFile("../scripts/dashboard-assets.sh")
	if err != nil {
		t.Fatal(err)
	}
	pin := regexp.MustCompile(`(?m)^ECHARTS_VERSION=(\S+)$`).FindSubmatch(script)
	if pin == nil || string(pin[1]) != dashboard.EChartsVersion {
		t.Errorf("scripts/dashboard-assets.sh pins %q, dashboard.EChartsVersion is %s", pin, dashboard.EChartsVersion)
	}
}

func TestHandlerServesEmbeddedAssets(t *testing.T) {
	srv := httptest.NewServer(mount())
	defer srv.Close()
	for _, c := range []struct {
		path, contentType, contains string
		status                      int
	}{
		{"/dashboard", "text/html", "<title>", 200},
		{"/dashboard/", "text/html", "app.js", 200},
		{"/dashboard/app.js", "text/javascript", "query Dashboard", 200},
		{"/dashboard/style.css", "text/css", "@media", 200},
		{"/dashboard/vendor/echarts.min.js", "text/javascript", "echarts", 200},
		{"/dashboard/nope.js", "", "", 404},
	} {
		resp, err := http.Get(srv.URL + c.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status || !strings.HasPrefix(resp.Header.Get("Content-Type"), c.contentType) || !strings.Contains(string(body), c.contains) {
			t.Errorf("%s: %d %s", c.path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if c.status == 200 && !strings.Contains(resp.Header.Get("Content-Security-Policy"), "script-src 'self'") {
			t.Errorf("%s: no CSP", c.path)
		}
	}
	resp, err := http.Post(srv.URL+"/dashboard", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /dashboard: %d", resp.StatusCode)
	}
}

// The page's documents validate against the indicators SDL, and every external reference of
// the page is local: no network at run time.
func TestPageQueriesValidateAndStayLocal(t *testing.T) {
	schema := indicatorsSchema(t)
	for _, q := range pageQueries(t) {
		if _, errs := gqlparser.LoadQuery(schema, q); errs != nil {
			t.Errorf("%.40s…: %v", q, errs)
		}
	}
	js, _ := fs.ReadFile(dashboard.Static(), "app.js")
	html, _ := fs.ReadFile(dashboard.Static(), "index.html")
	sc := bufio.NewScanner(strings.NewReader(string(html) + string(js)))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if strings.Contains(sc.Text(), "http://") || strings.Contains(sc.Text(), "https://") {
			t.Errorf("external URL in the page: %.200s", sc.Text())
		}
	}
}

func mount() http.Handler {
	mux := http.NewServeMux()
	h := dashboard.Handler()
	mux.Handle("/dashboard", h)
	mux.Handle("/dashboard/", h)
	return mux
}

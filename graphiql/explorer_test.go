package graphiql_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"gridgov/auth"
	"gridgov/browsertest"
	"gridgov/dbtest"
	"gridgov/server"
)

// TestExplorerOffline serves the real API in development mode over a migrated database and
// opens /graphiql in headless Chromium that reaches the loopback only: the page asks for a
// token, the pasted token runs a query and its answer (the one street) shows, the documentation pane lists the
// schema's query fields (read by introspection with the same token), the settings dialog
// opens, the page logs no error (a refused load or a breach of its policy would log one) and asked for nothing outside the server.
func TestExplorerOffline(t *testing.T) {
	bin := browsertest.Chromium(t)
	pool := dbtest.New(t)
	if _, err := pool.Exec(context.Background(), `INSERT INTO cities (code, name) VALUES ('340181', '巢湖市');
		INSERT INTO streets (city_id, code, name, kind) SELECT id, 'S1', '亚父街道', 'street' FROM cities`); err != nil {
		t.Fatal(err)
	}
	keys, err := auth.LoadKeys("HS256", strings.Repeat("s", 32), "", "", "gridgov", "gridgov", 0)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.New(server.Deps{Pool: pool, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Keys: keys, Dev: true}))
	defer srv.Close()
	token, err := keys.Issue("city_admin", auth.ScopeCity, "1", time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}

	b := browsertest.Launch(t, bin)
	b.Call(t, "Emulation.setDeviceMetricsOverride", map[string]any{"width": 1400, "height": 900, "deviceScaleFactor": 1, "mobile": false})
	b.Call(t, "Page.navigate", map[string]any{"url": srv.URL + "/graphiql"})
	b.WaitFor(t, `!document.getElementById('signin').hidden && document.getElementById('graphiql').hidden`)
	b.Eval(t, fmt.Sprintf(`document.getElementById('token').value = %q; document.getElementById('signin-button').click(); true`, token))
	b.WaitFor(t, `document.querySelector('.graphiql-query-editor .CodeMirror')`)
	if got := b.EvalString(t, `sessionStorage.getItem('gridgov.token')`); got != token {
		t.Errorf("sessionStorage holds %q, want the pasted token", got)
	}
	b.Eval(t, `document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue('{ streets { totalCount edges { node { name } } } }'); true`)
	b.Eval(t, `document.querySelector('.graphiql-execute-button').click(); true`)
	b.WaitFor(t, `document.querySelector('.graphiql-response').innerText.includes('亚父街道')`)
	answer := b.EvalString(t, `document.querySelector('.graphiql-response').innerText`)
	if strings.Contains(answer, `"errors"`) {
		t.Errorf("the query failed: %s", answer)
	}

	b.Eval(t, `document.querySelector('[aria-label="Show Documentation Explorer"]').click(); true`)
	b.WaitFor(t, `document.querySelector('.graphiql-doc-explorer') && document.querySelector('.graphiql-doc-explorer').innerText.includes('Query')`)
	b.Eval(t, `[...document.querySelectorAll('.graphiql-doc-explorer a')].find((a) => a.innerText === 'Query').click(); true`)
	b.WaitFor(t, `document.querySelector('.graphiql-doc-explorer').innerText.includes('serviceOrders')`)
	b.Screenshot(t, "graphiql.png")
	// A dialog, which adds inline styles to the page.
	b.Eval(t, `document.querySelector('[aria-label="Open settings dialog"]').click(); true`)
	b.WaitFor(t, `document.querySelector('[role="dialog"]') && document.querySelector('[role="dialog"]').innerText.includes('Theme')`)
	b.NoConsoleErrors(t)
	b.OnlyFrom(t, srv.URL)
	if n := len(b.Requests()); n < 5 {
		t.Errorf("the page made %d requests, fewer than its assets and queries", n)
	}
}

// TestOnlyInDevelopment: the explorer and its assets are served in development mode only.
func TestOnlyInDevelopment(t *testing.T) {
	pool := dbtest.New(t)
	for _, dev := range []bool{false, true} {
		h := server.New(server.Deps{Pool: pool, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Dev: dev})
		for _, path := range []string{"/graphiql", "/graphiql/app.js", "/graphiql/vendor/graphiql.min.js"} {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
			if want := map[bool]int{false: http.StatusNotFound, true: http.StatusOK}[dev]; rec.Code != want {
				t.Errorf("development mode %v: %s answers %d, want %d", dev, path, rec.Code, want)
			}
		}
	}
}

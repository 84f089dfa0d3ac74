package server

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"gridgov/dbtest"
	"gridgov/observe"
)

// TestLongWriteOutlivesTheWriteTimeout: behind the server's write timeout, an answer that
// takes longer is cut off, but not the answer of /analytics/sql, which moves its own deadline.
func TestLongWriteOutlivesTheWriteTimeout(t *testing.T) {
	slow := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		time.Sleep(300 * time.Millisecond)
		io.WriteString(w, "rows") //nolint:errcheck
	})
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	httpm := observe.NewHTTP(prometheus.NewRegistry(), log)
	for _, c := range []struct {
		name     string
		h        http.Handler
		answered bool
	}{
		{"server's deadline", httpm.Wrap("/slow", slow), false},
		{"/analytics/sql", New(Deps{Pool: dbtest.New(t), Log: log, Analytics: slow}), true},
	} {
		srv := httptest.NewUnstartedServer(c.h)
		srv.Config.WriteTimeout = 100 * time.Millisecond
		srv.Start()
		resp, err := http.Post(srv.URL+"/analytics/sql", "text/plain", nil)
		answered := false
		if err == nil {
			body, rerr := io.ReadAll(resp.Body)
			resp.Body.Close()
			answered = rerr == nil && string(body) == "rows"
		}
		if answered != c.answered {
			t.Errorf("%s: answered %v (%v)", c.name, answered, err)
		}
		srv.Close()
	}
}

//go:build cluster

package clustertest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/golang-jwt/jwt/v5"

	"gridgov/analytics"
	"gridgov/apperr"
	"gridgov/auth"
	"gridgov/warehouse"
	"gridgov/warehouse/whtest"
)

// The statisticians' path, POST /analytics/sql, served twice over the same seed: over the
// cluster, connected as the cluster's read-only ClickHouse user "statistician" (who reads only
// gridgov and gridgov_local, hence the cluster's database name), and over the single node.
// The single node's warehouse is the test's own database, which its statistician (confined to
// the shared gridgov) may not read: that handler connects as the service account, and the
// statistician of the single node is asked directly where the user matters (a write).

// checkinCity is the check-in metric view summed over the whole city.
const checkinCity = "SELECT sum(expected) AS expected, sum(checked_in) AS checked_in, sum(withdrawn) AS withdrawn, " +
	"sum(transferred) AS transferred, sum(reverification_due) AS reverification_due FROM metric_checkin"

// checkinStreet is a saved query: the check-in metric of the streets from a given id.
const checkinStreet = "SELECT street_id, sum(expected) AS expected, sum(checked_in) AS checked_in FROM metric_checkin " +
	"WHERE street_id >= {from:Int64} GROUP BY street_id ORDER BY street_id"

// analyticsSQL is a POST /analytics/sql server and a statistician's token for it.
type analyticsSQL struct {
	srv   *httptest.Server
	token string
}

// answer is an answer of the endpoint: its status, its error code if any and its body.
type answer struct {
	status int
	code   string
	body   string
}

// analyticsServers serves the endpoint over the cluster (as its statistician) and over the
// single node, with the saved queries of the test's Postgres.
func (w *world) analyticsServers(t *testing.T) (cluster, single analyticsSQL) {
	t.Helper()
	ctx := context.Background()
	pw := os.Getenv("GRIDGOV_CH_CLUSTER_STATISTICIAN_PASSWORD")
	if pw == "" {
		t.Fatal(`GRIDGOV_CH_CLUSTER_STATISTICIAN_PASSWORD is empty: eval "$(scripts/cluster.sh env)" (the cluster's statistician has a password)`)
	}
	stat, err := warehouse.Open(ctx, warehouse.Options{Addr: os.Getenv("GRIDGOV_CH_CLUSTER_NODES"), User: analytics.Role, Password: pw,
		Database: w.db, DefaultDatabase: w.db})
	if err != nil {
		t.Fatalf("connect to the cluster as the statistician: %v", err)
	}
	t.Cleanup(func() { stat.Close() })
	o := whtest.Options(t)
	o.Database, o.DefaultDatabase = w.single.Database, w.single.Database
	one, err := warehouse.Open(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { one.Close() })

	keys := auth.Keys{Method: jwt.SigningMethodHS256, Secret: []byte("cluster-test-secret-0123456789abcdef"), Audience: "gridgov", Issuer: "gridgov"}
	tok, err := keys.Issue(analytics.Role, "city", "7", time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	serve := func(c *warehouse.Client) analyticsSQL {
		srv := httptest.NewServer(analytics.Handler(analytics.Options{Warehouse: c, Keys: keys, Pool: w.pg}))
		t.Cleanup(srv.Close)
		return analyticsSQL{srv: srv, token: tok}
	}
	return serve(stat), serve(one)
}

// post sends body (JSON when it starts with '{', else SQL as text) to path and reads the answer.
func (a analyticsSQL) post(t *testing.T, path, body string) answer {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, a.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set("Content-Type", "text/plain")
	if strings.HasPrefix(body, "{") {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s: reading the answer: %v", path, err)
	}
	var e struct {
		Error struct{ Code string } `json:"error"`
	}
	json.Unmarshal(b, &e) //nolint:errcheck
	return answer{status: resp.StatusCode, code: e.Error.Code, body: string(b)}
}

// sameAnswer posts body to both servers and fails unless they answer alike, and with rows.
func sameAnswer(t *testing.T, what string, cluster, single analyticsSQL, body string) answer {
	t.Helper()
	one, many := single.post(t, "/analytics/sql", body), cluster.post(t, "/analytics/sql", body)
	if one.status != http.StatusOK {
		t.Fatalf("%s on the single node: %d %.300s", what, one.status, one.body)
	}
	if one != many {
		t.Errorf("%s: the cluster's answer differs from the single node's\nsingle node %d %.400s\ncluster     %d %.400s", what, one.status, one.body, many.status, many.body)
	}
	return many
}

// rows decodes the rows of a complete JSON answer.
func rows(t *testing.T, a answer) [][]any {
	t.Helper()
	var out struct {
		Rows     [][]any `json:"rows"`
		Complete bool    `json:"complete"`
	}
	if err := json.Unmarshal([]byte(a.body), &out); err != nil || !out.Complete {
		t.Fatalf("not a complete answer (%v): %.300s", err, a.body)
	}
	return out.Rows
}

// testAnalyticsSame runs the dictionary's examples, the check-in metric over the city and a
// saved query by name through both servers: the same answers, byte for byte.
func (w *world) testAnalyticsSame(t *testing.T, cluster, single analyticsSQL) {
	answered := 0
	for _, ex := range warehouse.Examples {
		a := sameAnswer(t, "example "+ex.Title, cluster, single, ex.SQL)
		if a.status == http.StatusOK && len(rows(t, a)) > 0 {
			answered++
		}
	}
	if answered == 0 {
		t.Error("no dictionary example answered rows: the comparison proves nothing")
	}
	t.Logf("%d of %d dictionary examples answer rows, the same through both", answered, len(warehouse.Examples))

	city := rows(t, sameAnswer(t, "metric_checkin over the city", cluster, single, checkinCity))
	if len(city) != 1 || city[0][0] == json.Number("0") || city[0][0] == float64(0) {
		t.Errorf("metric_checkin over the city: %v, want one row with members expected", city)
	}
	t.Logf("metric_checkin over the city: %v", city)

	save := `{"name": "checkin_by_street", "sql": ` + quoteJSON(checkinStreet) + `, "params": [{"name": "from", "type": "Int64"}], "shared": true}`
	if a := cluster.post(t, "/analytics/queries", save); a.status != http.StatusCreated {
		t.Fatalf("save a query through the cluster's server: %d %.300s", a.status, a.body)
	}
	byName := rows(t, sameAnswer(t, "the saved query checkin_by_street", cluster, single, `{"query": "checkin_by_street", "params": {"from": 0}}`))
	if len(byName) < 2 {
		t.Errorf("the saved query answers %d streets, want several", len(byName))
	}
	t.Logf("the saved query checkin_by_street answers %d streets, the same through both", len(byName))
}

// testAnalyticsWrite sends a write through both servers (refused alike), and straight to
// each node as the statistician, through the Distributed table and the local one, as to the
// single node's statistician: refused with the same exception.
func (w *world) testAnalyticsWrite(t *testing.T, cluster, single analyticsSQL) {
	ctx := context.Background()
	write := "INSERT INTO dim_date SELECT * FROM dim_date WHERE 0"
	one, many := single.post(t, "/analytics/sql", write), cluster.post(t, "/analytics/sql", write)
	if one.code != analytics.CodeReadOnly || one.status != many.status || one.code != many.code {
		t.Errorf("a write: single node %d %s, cluster %d %s; want %s on both", one.status, one.code, many.status, many.code, analytics.CodeReadOnly)
	}

	pw := os.Getenv("GRIDGOV_CH_STATISTICIAN_PASSWORD")
	if pw == "" {
		t.Fatal(`GRIDGOV_CH_STATISTICIAN_PASSWORD is empty: eval "$(scripts/services.sh env)"`)
	}
	const shared = "gridgov" // the single node's statistician reads only this database
	if _, err := warehouse.Migrate(ctx, whtest.Open(t), shared, warehouse.Topology{}); err != nil {
		t.Fatalf("migrate %s on the single node: %v", shared, err)
	}
	want := statisticianWrite(t, whtest.Options(t).Addr, pw, shared)
	if want != warehouse.CodeReadonly {
		t.Errorf("a write of the single node's statistician: exception %d, want READONLY (%d)", want, warehouse.CodeReadonly)
	}
	for _, n := range w.cl.Nodes {
		for _, db := range []string{w.db, warehouse.LocalDatabase(w.db)} {
			if got := statisticianWrite(t, n.Addr, os.Getenv("GRIDGOV_CH_CLUSTER_STATISTICIAN_PASSWORD"), db); got != want {
				t.Errorf("a write into %s on %s as the statistician: exception %d, want %d as on the single node", db, n.Addr, got, want)
			}
		}
	}
}

// statisticianWrite sends a write that would add no row into db on the server at addr as the
// statistician, and gives the exception code it is refused with (0 when it is not).
func statisticianWrite(t *testing.T, addr, password, db string) int32 {
	t.Helper()
	c, err := warehouse.Open(context.Background(), warehouse.Options{Addr: addr, User: analytics.Role, Password: password, Database: db, DefaultDatabase: db})
	if err != nil {
		t.Fatalf("connect to %s as the statistician: %v", addr, err)
	}
	defer c.Close()
	err = c.Exec(context.Background(), "INSERT INTO "+warehouse.Qualified(db, "dim_date")+" SELECT * FROM "+warehouse.Qualified(db, "dim_date")+" WHERE 0")
	var ex *clickhouse.Exception
	if errors.As(err, &ex) {
		return ex.Code
	}
	t.Logf("a write into %s on %s as the statistician: %v", db, addr, err)
	return 0
}

// testAnalyticsShardDown: with a shard stopped, the query and the saved query answer
// WAREHOUSE_UNAVAILABLE, never rows of the other shard.
func testAnalyticsShardDown(t *testing.T, cluster analyticsSQL) {
	for what, body := range map[string]string{"metric_checkin over the city": checkinCity,
		"the saved query": `{"query": "checkin_by_street", "params": {"from": 0}}`} {
		a := cluster.post(t, "/analytics/sql", body)
		if a.status != http.StatusServiceUnavailable || a.code != string(apperr.WarehouseUnavailable) {
			t.Errorf("%s with shard 02 down: %d %.300s; want 503 WAREHOUSE_UNAVAILABLE", what, a.status, a.body)
		}
	}
}

func quoteJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

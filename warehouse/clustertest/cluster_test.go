//go:build cluster

// Package clustertest runs the warehouse on the loopback ClickHouse cluster of
// scripts/cluster.sh (make test-cluster starts it and exports GRIDGOV_CH_CLUSTER_NODES): the
// same seed loaded into one node and into the cluster gives the same indicators, a replica
// stopped changes nothing, and a shard stopped is WAREHOUSE_UNAVAILABLE until it returns. The
// statisticians' SQL (POST /analytics/sql, as the cluster's read-only ClickHouse user) answers
// the same rows as on one node, refuses writes alike and, with a shard stopped, answers
// WAREHOUSE_UNAVAILABLE (analytics_test.go).
package clustertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"gridgov/apperr"
	"gridgov/dbtest"
	"gridgov/etl"
	"gridgov/seed"
	"gridgov/warehouse"
	"gridgov/warehouse/whtest"
)

var seedAsOf = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)

// clusterDB is the cluster's warehouse database: the one name the cluster's statistician may
// read (deploy/clickhouse-cluster/users-cluster.xml), so the suite owns it on the cluster of
// scripts/cluster.sh, dropped before and after a run (its replicated tables with it, their
// ZooKeeper paths too).
const clusterDB = "gridgov"

// world is one seeded Postgres loaded into a single node and into the cluster.
type world struct {
	pg      *pgxpool.Pool
	single  *warehouse.Client
	cl      *warehouse.Cluster
	clients *warehouse.Client // through the Distributed tables, the first node that answers
	db      string            // the cluster's warehouse database
}

func TestClusterWarehouse(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)

	began := time.Now()
	if _, err := seed.Run(ctx, w.pg, seed.Options{Profile: "chaohu", Seed: 1, Scale: 1, AsOf: seedAsOf}); err != nil {
		t.Fatalf("seed: %v", err)
	}
	t.Logf("seeded in %s", time.Since(began).Round(time.Millisecond))
	one := w.loadSingle(t)
	t.Logf("loaded the single node: %d rows in %s, %.0f rows/s", one.Rows(), one.Duration.Round(time.Millisecond), rate(one))
	many := w.loadCluster(t, etl.Options{})
	t.Logf("loaded the cluster: %d rows in %s, %.0f rows/s", many.Rows(), many.Duration.Round(time.Millisecond), rate(many))
	w.logPlacement(t)
	w.logStorage(t)

	t.Run("same indicators for every scope", func(t *testing.T) {
		scopes := w.scopes(t)
		for _, p := range []warehouse.Period{warehouse.AllTime, warehouse.Year(2026)} {
			for _, s := range scopes {
				w.same(t, s, p)
			}
		}
		t.Logf("%d scopes × 2 periods identical", len(scopes))
	})

	t.Run("the dictionary's examples give the same rows", func(t *testing.T) {
		answered := 0
		defer func() {
			t.Logf("%d of %d examples answer rows on this seed, the same on both", answered, len(warehouse.Examples))
		}()
		for i, ex := range warehouse.Examples {
			one, err := w.single.Query(ctx, whtest.QualifyTables(ex.SQL, w.single.Database))
			if err != nil {
				t.Fatalf("example %d on the single node: %v", i+1, err)
			}
			many, err := w.clients.Query(ctx, whtest.QualifyTables(ex.SQL, w.db))
			if err != nil {
				t.Errorf("example %d (%s) on the cluster: %v", i+1, ex.Title, err)
				continue
			}
			if len(one) > 0 {
				answered++
			}
			if a, b := fmt.Sprint(one), fmt.Sprint(many); a != b {
				t.Errorf("example %d (%s): single node %d rows, cluster %d rows\n%.400s\n%.400s", i+1, ex.Title, len(one), len(many), a, b)
			}
		}
	})

	sqlCluster, sqlSingle := w.analyticsServers(t)
	t.Run("the statisticians' SQL gives the same rows", func(t *testing.T) { w.testAnalyticsSame(t, sqlCluster, sqlSingle) })
	t.Run("the statisticians' writes are refused alike", func(t *testing.T) { w.testAnalyticsWrite(t, sqlCluster, sqlSingle) })

	t.Run("a replica stopped", func(t *testing.T) {
		node(t, "stop", "ch2")
		defer node(t, "start", "ch2")
		n := w.change(t, 40)
		w.loadCluster(t, etl.Options{})
		w.loadSingle(t)
		w.same(t, warehouse.City, warehouse.AllTime)
		t.Logf("%d issues deleted while ch2 was down", n)
	})
	t.Run("the returning replica caught up", func(t *testing.T) {
		ch1, ch2 := w.cl.Nodes[0].Addr, w.cl.Nodes[1].Addr
		want := w.countOn(t, ch1, "fact_issue")
		deadline := time.Now().Add(time.Minute)
		for w.countOn(t, ch2, "fact_issue") != want && time.Now().Before(deadline) {
			time.Sleep(time.Second)
		}
		if got := w.countOn(t, ch2, "fact_issue"); got != want {
			t.Errorf("fact_issue on %s: %d live rows a minute after it returned, want %d as on its replica %s", ch2, got, want, ch1)
		}
	})

	t.Run("a shard stopped", func(t *testing.T) {
		node(t, "stop", "ch3")
		restarted := false
		defer func() {
			if !restarted {
				node(t, "start", "ch3")
			}
		}()
		r := w.reader(w.clients, w.db)
		_, err := r.Indicators(ctx, warehouse.City, warehouse.AllTime)
		if code := apperr.CodeOf(err); code != apperr.WarehouseUnavailable {
			t.Fatalf("indicators with shard 02 down: code %q (%v), want WAREHOUSE_UNAVAILABLE", code, err)
		}
		testAnalyticsShardDown(t, sqlCluster)
		// A run with nothing to load fails too: shard 02's summaries cannot be brought up to date.
		if _, err := etl.New(w.pg, w.clients, etl.Options{Database: w.db, Cluster: w.cl, MaxAttempts: 1}).RunOnce(ctx); err == nil {
			t.Error("an ETL run with nothing to load succeeded with shard 02 down")
		}
		n := w.change(t, 41)
		// One short try fails and advances nothing the shard did not acknowledge...
		e := etl.New(w.pg, w.clients, etl.Options{Database: w.db, Cluster: w.cl, MaxAttempts: 1})
		if _, err := e.RunOnce(ctx); err == nil {
			t.Fatal("the ETL succeeded with shard 02 down")
		}
		// ...and a run that retries finishes once the shard is back.
		done := make(chan error, 1)
		go func() {
			_, err := etl.New(w.pg, w.clients, etl.Options{Database: w.db, Cluster: w.cl, MaxAttempts: 30, Backoff: time.Second}).RunOnce(ctx)
			done <- err
		}()
		time.Sleep(3 * time.Second)
		node(t, "start", "ch3")
		restarted = true
		if err := <-done; err != nil {
			t.Fatalf("the ETL did not catch up after shard 02 returned: %v", err)
		}
		t.Logf("%d issues deleted while shard 02 was down", n)
		w.loadSingle(t)
		w.same(t, warehouse.City, warehouse.AllTime)
	})
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	name, addrs := os.Getenv("GRIDGOV_CH_CLUSTER"), warehouse.ClusterAddrs(os.Getenv("GRIDGOV_CH_CLUSTER_NODES"))
	if name == "" || len(addrs) != 3 {
		t.Fatal("GRIDGOV_CH_CLUSTER and GRIDGOV_CH_CLUSTER_NODES (three nodes) are not set: run make test-cluster, or eval \"$(scripts/cluster.sh env)\"")
	}
	w := &world{pg: dbtest.New(t), single: whtest.New(t), db: clusterDB}
	o := whtest.Options(t)
	o.Database = w.db
	cl, err := warehouse.OpenCluster(name, addrs, o)
	if err != nil {
		t.Fatal(err)
	}
	w.cl = cl
	drop := func() {
		for _, n := range cl.Nodes {
			for _, db := range []string{w.db, warehouse.LocalDatabase(w.db)} {
				n.Exec(context.Background(), "DROP DATABASE IF EXISTS "+warehouse.Quote(db)) //nolint:errcheck
			}
		}
	}
	drop() // what a run that was killed left
	t.Cleanup(func() { drop(); cl.Close() })
	began := time.Now()
	if _, err := warehouse.MigrateCluster(ctx, cl, w.db); err != nil {
		t.Fatalf("migrate the cluster: %v", err)
	}
	t.Logf("migrated the cluster in %s", time.Since(began).Round(time.Millisecond))
	o.Addr = os.Getenv("GRIDGOV_CH_CLUSTER_NODES")
	if w.clients, err = warehouse.Open(ctx, o); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.clients.Close() })
	return w
}

// loadSingle runs the ETL into the single node. Postgres holds one set of checkpoints, the
// cluster's: the single node's own are put in their place for the run, and kept aside after.
func (w *world) loadSingle(t *testing.T) etl.Summary {
	t.Helper()
	w.checkpoints(t, "cluster", "single")
	s, err := etl.New(w.pg, w.single, etl.Options{Database: w.single.Database}).RunOnce(context.Background())
	if err != nil {
		t.Fatalf("etl into the single node: %v", err)
	}
	w.checkpoints(t, "single", "cluster")
	return s
}

func (w *world) loadCluster(t *testing.T, o etl.Options) etl.Summary {
	t.Helper()
	o.Database, o.Cluster = w.db, w.cl
	s, err := etl.New(w.pg, w.clients, o).RunOnce(context.Background())
	if err != nil {
		t.Fatalf("etl into the cluster: %v", err)
	}
	return s
}

func rate(s etl.Summary) float64 { return float64(s.Rows()) / s.Duration.Seconds() }

// logStorage logs the rows and compressed bytes on disk of the single node's warehouse and of
// each node's local tables (system.parts; the copied tables: neither the calendar nor the
// summaries): the figures of docs/scaling.md.
func (w *world) logStorage(t *testing.T) {
	t.Helper()
	q := func(e warehouse.Engine, db string) (rows, bytes int64) {
		r, err := e.Query(context.Background(), "SELECT toString(sum(rows)), toString(sum(bytes_on_disk)) FROM system.parts WHERE active AND table != 'dim_date' AND table NOT LIKE 'sum%' AND database = "+warehouse.QuoteString(db))
		if err != nil {
			t.Fatal(err)
		}
		rows, _ = strconv.ParseInt(r[0][0], 10, 64)
		bytes, _ = strconv.ParseInt(r[0][1], 10, 64)
		return rows, bytes
	}
	rows, bytes := q(w.single, w.single.Database)
	t.Logf("storage, single node: %d rows, %d bytes on disk, %.1f bytes a row", rows, bytes, float64(bytes)/float64(max(rows, 1)))
	for _, n := range w.cl.Nodes {
		rows, bytes := q(n, warehouse.LocalDatabase(w.db))
		t.Logf("storage, node %s: %d rows, %d bytes on disk", n.Addr, rows, bytes)
	}
}

// checkpoints keeps the ETL's checkpoints aside as those of target from, and puts those kept
// for target to in their place (none the first time).
func (w *world) checkpoints(t *testing.T, from, to string) {
	t.Helper()
	for _, q := range []string{
		"CREATE TABLE IF NOT EXISTS checkpoints_" + from + " AS TABLE etl_checkpoints WITH NO DATA",
		"CREATE TABLE IF NOT EXISTS checkpoints_" + to + " AS TABLE etl_checkpoints WITH NO DATA",
		"DELETE FROM checkpoints_" + from,
		"INSERT INTO checkpoints_" + from + " SELECT * FROM etl_checkpoints",
		"DELETE FROM etl_checkpoints",
		"INSERT INTO etl_checkpoints SELECT * FROM checkpoints_" + to,
	} {
		if _, err := w.pg.Exec(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// change deletes (softly) every issue whose id is divisible by mod, in every street: the
// indicators' counts of issues move in both shards.
func (w *world) change(t *testing.T, mod int) int64 {
	t.Helper()
	tag, err := w.pg.Exec(context.Background(), "UPDATE issues SET deleted_at = now() WHERE deleted_at IS NULL AND id % "+strconv.Itoa(mod)+" = 0")
	if err != nil {
		t.Fatal(err)
	}
	if tag.RowsAffected() == 0 {
		t.Fatal("no issue to delete: the change would prove nothing")
	}
	return tag.RowsAffected()
}

func (w *world) reader(e warehouse.Engine, db string) *warehouse.Reader {
	return warehouse.NewReader(e, db, warehouse.ReaderOptions{AsOf: func(context.Context) (time.Time, error) { return time.Now(), nil }})
}

// same compares the indicators of s over p on the single node and on the cluster, but for
// AsOf (the two loads took different snapshots of the same data).
func (w *world) same(t *testing.T, s warehouse.Scope, p warehouse.Period) {
	t.Helper()
	ctx := context.Background()
	one, err := w.reader(w.single, w.single.Database).Indicators(ctx, s, p)
	if err != nil {
		t.Fatalf("%s on the single node: %v", s, err)
	}
	many, err := w.reader(w.clients, w.db).Indicators(ctx, s, p)
	if err != nil {
		t.Fatalf("%s on the cluster: %v", s, err)
	}
	one.AsOf, many.AsOf = time.Time{}, time.Time{}
	if diffs := diff("", asJSON(one), asJSON(many), nil); len(diffs) > 0 {
		t.Errorf("%s over %s: the cluster's indicators differ from the single node's in %d places (single node, then cluster):\n%s",
			s, p.Kind, len(diffs), strings.Join(diffs[:min(len(diffs), 8)], "\n"))
	}
}

func asJSON(v any) any {
	b, _ := json.Marshal(v)
	var out any
	json.Unmarshal(b, &out) //nolint:errcheck
	return out
}

// diff lists the paths where a and b (decoded JSON) differ.
func diff(path string, a, b any, out []string) []string {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			return append(out, fmt.Sprintf("%s: %v | %v", path, a, b))
		}
		for k := range x {
			out = diff(path+"."+k, x[k], y[k], out)
		}
		return out
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return append(out, fmt.Sprintf("%s: %d items | %v", path, len(x), b))
		}
		for i := range x {
			out = diff(fmt.Sprintf("%s[%d]", path, i), x[i], y[i], out)
		}
		return out
	}
	if fmt.Sprint(a) != fmt.Sprint(b) {
		out = append(out, fmt.Sprintf("%s: %v | %v", path, a, b))
	}
	return out
}

// scopes lists the city, every street and community, and every fifth grid.
func (w *world) scopes(t *testing.T) []warehouse.Scope {
	t.Helper()
	out := []warehouse.Scope{warehouse.City}
	for _, l := range []struct {
		level warehouse.Level
		table string
		every int
	}{{warehouse.LevelStreet, "dim_street", 1}, {warehouse.LevelCommunity, "dim_community", 1}, {warehouse.LevelGrid, "dim_grid", 5}} {
		rows, err := w.single.Query(context.Background(), "SELECT toString(id) FROM "+warehouse.Qualified(w.single.Database, l.table)+" FINAL WHERE is_deleted = 0 ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range rows {
			if i%l.every == 0 {
				id, _ := strconv.ParseInt(r[0], 10, 64)
				out = append(out, warehouse.Scope{Level: l.level, ID: id})
			}
		}
	}
	return out
}

// logPlacement logs how the issues lie over the nodes, and fails when a shard holds none:
// a cluster with every row on one shard would prove nothing.
func (w *world) logPlacement(t *testing.T) {
	t.Helper()
	for _, n := range w.cl.Nodes {
		c := w.countOn(t, n.Addr, "fact_issue")
		t.Logf("fact_issue on %s: %d rows", n.Addr, c)
		if c == 0 {
			t.Errorf("node %s holds no issue", n.Addr)
		}
	}
}

// countOn counts the rows of table's local copy on the node at addr.
func (w *world) countOn(t *testing.T, addr, table string) int64 {
	t.Helper()
	for _, n := range w.cl.Nodes {
		if n.Addr != addr {
			continue
		}
		rows, err := n.Query(context.Background(), "SELECT toString(count()) FROM "+warehouse.Qualified(warehouse.LocalDatabase(w.db), table)+" FINAL WHERE is_deleted = 0")
		if err != nil {
			t.Fatalf("%s: %v", addr, err)
		}
		c, _ := strconv.ParseInt(rows[0][0], 10, 64)
		return c
	}
	t.Fatalf("no node %s", addr)
	return 0
}

// node stops or starts a node of the cluster through the project's script.
func node(t *testing.T, action, name string) {
	t.Helper()
	out, err := exec.Command("bash", "../../scripts/cluster.sh", action, name).CombinedOutput()
	if err != nil {
		t.Fatalf("cluster.sh %s %s: %v\n%s", action, name, err, out)
	}
	t.Logf("cluster.sh %s %s: %s", action, name, out)
}

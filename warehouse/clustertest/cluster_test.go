//go:build cluster

// Package clustertest runs the warehouse on the loopback ClickHouse cluster of
// scripts/cluster.sh (make test-cluster starts it and exports GRIDGOV_CH_CLUSTER_NODES): the
// same seed loaded into one node and into the cluster gives the same indicators, a replica
// stopped changes nothing, and a shard stopped is WAREHOUSE_UNAVAILABLE until it returns.
package clustertest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
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
	began = time.Now()
	w.loadSingle(t)
	t.Logf("loaded the single node in %s", time.Since(began).Round(time.Millisecond))
	began = time.Now()
	w.loadCluster(t, etl.Options{})
	t.Logf("loaded the cluster in %s", time.Since(began).Round(time.Millisecond))
	w.logPlacement(t)

	t.Run("same indicators for every scope", func(t *testing.T) {
		scopes := w.scopes(t)
		for _, p := range []warehouse.Period{warehouse.AllTime, warehouse.Year(2026)} {
			for _, s := range scopes {
				w.same(t, s, p)
			}
		}
		t.Logf("%d scopes × 2 periods identical", len(scopes))
	})

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
	w := &world{pg: dbtest.New(t), single: whtest.New(t), db: "gridgov_cluster_" + suffix()}
	o := whtest.Options(t)
	o.Database = w.db
	cl, err := warehouse.OpenCluster(name, addrs, o)
	if err != nil {
		t.Fatal(err)
	}
	w.cl = cl
	t.Cleanup(func() {
		for _, n := range cl.Nodes {
			for _, db := range []string{w.db, warehouse.LocalDatabase(w.db)} {
				n.Exec(context.Background(), "DROP DATABASE IF EXISTS "+warehouse.Quote(db)) //nolint:errcheck
			}
		}
		cl.Close()
	})
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

// loadSingle loads the single node in full: the ETL's checkpoints (in Postgres) are the
// cluster's, so they are reset first, and the cluster's loads after it reset them again.
func (w *world) loadSingle(t *testing.T) {
	t.Helper()
	w.resetCheckpoints(t)
	if _, err := etl.New(w.pg, w.single, etl.Options{Database: w.single.Database}).RunOnce(context.Background()); err != nil {
		t.Fatalf("etl into the single node: %v", err)
	}
	w.resetCheckpoints(t)
}

func (w *world) loadCluster(t *testing.T, o etl.Options) {
	t.Helper()
	o.Database, o.Cluster = w.db, w.cl
	if _, err := etl.New(w.pg, w.clients, o).RunOnce(context.Background()); err != nil {
		t.Fatalf("etl into the cluster: %v", err)
	}
}

func (w *world) resetCheckpoints(t *testing.T) {
	t.Helper()
	if _, err := w.pg.Exec(context.Background(), "DELETE FROM etl_checkpoints"); err != nil {
		t.Fatal(err)
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
	a, _ := json.Marshal(one)
	b, _ := json.Marshal(many)
	if string(a) != string(b) {
		t.Errorf("%s %+v: the cluster's indicators differ from the single node's\nsingle:  %s\ncluster: %s", s, p, a, b)
	}
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

func suffix() string {
	b := make([]byte, 6)
	rand.Read(b) //nolint:errcheck
	return hex.EncodeToString(b)
}

package warehouse

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// A warehouse on a ClickHouse cluster (GRIDGOV_CH_CLUSTER, with every node's address in
// GRIDGOV_CH_ADDR) keeps each table twice over, by name:
//
//   - in database <db>_local on every node, the table itself. A table whose rows belong to a
//     street (a street_id column) is spread over the shards by street, each shard's rows
//     replicated among its replicas: a street's rows live together, and the versions of one id
//     (whose street never changes) on one shard, where FINAL deduplicates them. A table without
//     one (the city, the streets, units, categories, dates, people) is replicated whole to every
//     node, so each shard reads it locally. A summary is a plain table of each node, built
//     there from the node's own copy of its sources (RefreshClusterSummaries).
//   - in database <db>, a Distributed table of the same name and columns over them: over the
//     shards of the cluster, or over its one-shard twin <cluster>_all for a table every node
//     holds whole. The ETL writes and every reader (indicators, dictionary examples, the
//     statisticians' SQL) reads these, with the SQL of a single node unchanged.
//
// The nodes' profiles (deploy/clickhouse-cluster/users-cluster.xml) make an INSERT return once
// every shard has its rows, fail a read when a shard does not answer instead of leaving its
// streets out, and run a subquery over a Distributed table once, on the node that was asked
// (distributed_product_mode = global), so that a query means what it means on one node.

// LocalDatabase is the database of a cluster node's own tables under the warehouse db.
func LocalDatabase(db string) string { return db + "_local" }

// allCluster names the one-shard cluster of every node beside cluster.
func allCluster(cluster string) string { return cluster + "_all" }

// everyNode lists the tables with a street_id that every node holds whole all the same: a
// person's street of residence changes when they move, and the versions of one person must
// stay together.
var everyNode = map[string]bool{"dim_person": true}

// ShardKey is the expression by which table's rows are spread over the shards, and false for
// a table that every node holds whole.
func ShardKey(table string) (string, bool) {
	if everyNode[table] {
		return "", false
	}
	m, err := Table(table)
	if err != nil {
		return "", false
	}
	for _, c := range m.Columns {
		if c.Name != "street_id" {
			continue
		}
		if _, nullable := Unwrap(c.Type); nullable {
			return "ifNull(street_id, 0)", true // city-wide rows: street 0
		}
		return "street_id", true
	}
	return "", false
}

// Cluster is a warehouse's cluster: its name and a client of each node.
type Cluster struct {
	Name  string
	Nodes []*Client
}

// OpenCluster makes a client of every node of addrs, each its own (Open with one address),
// without waiting for them to answer: a node down is a fault the callers live with.
func OpenCluster(name string, addrs []string, o Options) (*Cluster, error) {
	c := &Cluster{Name: name}
	for _, a := range addrs {
		conn, err := clickhouse.Open(nodeOptions(a, o))
		if err != nil {
			c.Close()
			return nil, fmt.Errorf("cluster node %s: %w", a, err)
		}
		c.Nodes = append(c.Nodes, &Client{Conn: conn, Database: LocalDatabase(o.Database), Addr: a})
	}
	return c, nil
}

// Close closes every node's client.
func (c *Cluster) Close() {
	for _, n := range c.Nodes {
		n.Close()
	}
}

// MigrateCluster applies the DDL to every node's local database (MigrateTo with the cluster's
// topology), one migration on every node before the next: a replica joining a table creates it
// with the columns ZooKeeper holds for it then. It then makes the Distributed tables of db over
// them on every node. Every node must answer.
func MigrateCluster(ctx context.Context, c *Cluster, db string) ([]Migration, error) {
	ms, err := Migrations()
	if err != nil {
		return nil, err
	}
	var applied []Migration
	for _, m := range ms {
		ran := false
		for _, n := range c.Nodes {
			got, err := MigrateTo(ctx, n, LocalDatabase(db), Topology{Cluster: c.Name}, m.Version)
			if err != nil {
				return applied, fmt.Errorf("node %s: %w", n.Addr, err)
			}
			ran = ran || len(got) > 0
		}
		if ran {
			applied = append(applied, m)
		}
	}
	for _, n := range c.Nodes {
		if err := distributedTables(ctx, n, db, c.Name); err != nil {
			return applied, fmt.Errorf("node %s: %w", n.Addr, err)
		}
	}
	return applied, nil
}

// DistributedStatement creates table of db as a Distributed table over the local ones.
func DistributedStatement(db, table, cluster string) string {
	local := LocalDatabase(db)
	engine := "Distributed(" + Quote(allCluster(cluster)) + ", " + Quote(local) + ", " + Quote(table) + ")"
	if key, ok := ShardKey(table); ok {
		engine = "Distributed(" + Quote(cluster) + ", " + Quote(local) + ", " + Quote(table) + ", " + key + ")"
	}
	return "CREATE TABLE " + Qualified(db, table) + " AS " + Qualified(local, table) + " ENGINE = " + engine
}

// distributedTables makes on node n the Distributed table of every warehouse table (and of
// schema_migrations), remade when its columns differ from the local table's (a migration
// changed them).
func distributedTables(ctx context.Context, n *Client, db, cluster string) error {
	if err := CreateDatabase(ctx, n, db); err != nil {
		return err
	}
	tables, err := Tables()
	if err != nil {
		return err
	}
	names := []string{migrationsTable}
	for _, t := range tables {
		names = append(names, t.Table)
	}
	for _, t := range names {
		local, err := n.Query(ctx, "DESCRIBE TABLE "+Qualified(LocalDatabase(db), t))
		if err != nil {
			return err
		}
		dist, err := n.Query(ctx, "DESCRIBE TABLE "+Qualified(db, t))
		if err != nil && !HasCode(err, CodeUnknownTable) {
			return err
		}
		if err == nil && sameColumns(local, dist) {
			continue
		}
		if err := n.Exec(ctx, "DROP TABLE IF EXISTS "+Qualified(db, t)); err != nil {
			return err
		}
		if err := n.Exec(ctx, DistributedStatement(db, t, cluster)); err != nil {
			return fmt.Errorf("distributed table %s: %w", t, err)
		}
	}
	return metricViews(ctx, n, db)
}

// metricViews makes on node n the metric views of db over its Distributed tables, so that a
// view means over the cluster what it means on one node (the local database's copies read one
// shard only).
func metricViews(ctx context.Context, n *Client, db string) error {
	views, err := Views()
	if err != nil {
		return err
	}
	for _, v := range views {
		if err := n.Exec(ctx, v.Statement(db, Topology{})); err != nil {
			return fmt.Errorf("metric view %s: %w", v.Table, err)
		}
	}
	return nil
}

// sameColumns compares two DESCRIBE results by names and types.
func sameColumns(a, b [][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i][0] != b[i][0] || a[i][1] != b[i][1] {
			return false
		}
	}
	return true
}

// syncWait bounds how long a node's summaries wait for its replicas' queues.
const syncWait = 2 * time.Minute

// RefreshClusterSummaries refreshes the summaries of every node that answers (RefreshSummaries
// on its local database), each after the node has fetched what its replicas wrote (SYSTEM
// SYNC REPLICA), so that it summarises what the shard holds. A node that does not answer is
// left (its sum_state does not move, and a later refresh rebuilds it); it fails when no node
// of some shard of the cluster could be refreshed. The result is that of the node that rebuilt
// the most; skipped lists the nodes left.
func RefreshClusterSummaries(ctx context.Context, c *Cluster, db string, sources map[string]SourceCheckpoint) (res RefreshResult, skipped []string, err error) {
	done := map[string]bool{}
	shards := 0
	var lastErr error
	for _, n := range c.Nodes {
		shard, err := n.shard(ctx)
		if err == nil && shards == 0 {
			shards, err = n.shardCount(ctx, c.Name)
		}
		if err == nil {
			err = n.syncReplicas(ctx, LocalDatabase(db))
		}
		var r RefreshResult
		if err == nil {
			r, err = RefreshSummaries(ctx, n, LocalDatabase(db), sources)
		}
		if err != nil {
			if !IsUnavailable(err) {
				return res, skipped, fmt.Errorf("node %s: %w", n.Addr, err)
			}
			skipped, lastErr = append(skipped, n.Addr), err
			continue
		}
		done[shard] = true
		if len(r.Rebuilt) > len(res.Rebuilt) {
			res = r
		}
	}
	if len(done) == 0 || len(done) < shards {
		return res, skipped, Unavailable(fmt.Errorf("no node of a shard could rebuild its summaries: %w", lastErr))
	}
	return res, skipped, nil
}

// shardCount is the number of shards of cluster, as the node's configuration has it.
func (n *Client) shardCount(ctx context.Context, cluster string) (int, error) {
	rows, err := n.Query(ctx, "SELECT toString(uniqExact(shard_num)) FROM system.clusters WHERE cluster = "+QuoteString(cluster))
	if err != nil {
		return 0, err
	}
	var count int
	if len(rows) == 1 {
		fmt.Sscan(rows[0][0], &count) //nolint:errcheck // 0 fails below
	}
	if count == 0 {
		return 0, fmt.Errorf("the node knows no cluster %s", cluster)
	}
	return count, nil
}

// shard is the node's shard (its macro).
func (n *Client) shard(ctx context.Context) (string, error) {
	rows, err := n.Query(ctx, "SELECT substitution FROM system.macros WHERE macro = 'shard'")
	if err != nil {
		return "", err
	}
	if len(rows) != 1 {
		return "", errors.New("the node has no shard macro")
	}
	return rows[0][0], nil
}

// syncReplicas waits until the node's replicated tables of db have fetched what the other
// replicas wrote.
func (n *Client) syncReplicas(ctx context.Context, db string) error {
	rows, err := n.Query(ctx, "SELECT table FROM system.replicas WHERE database = "+QuoteString(db))
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, syncWait)
	defer cancel()
	for _, r := range rows {
		if err := n.Exec(ctx, "SYSTEM SYNC REPLICA "+Qualified(db, r[0])); err != nil {
			return fmt.Errorf("sync replica %s: %w", r[0], err)
		}
	}
	return nil
}

// ClusterAddrs splits a comma-separated list of node addresses.
func ClusterAddrs(addrs string) []string {
	var out []string
	for _, a := range strings.Split(addrs, ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

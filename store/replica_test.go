//go:build cluster

package store

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// The read replica of scripts/cluster.sh (replica up: a primary on 5433 streaming to a replica
// on 5434), run by make test-cluster: where the store's reads go.
func TestReadReplica(t *testing.T) {
	ctx := context.Background()
	primary, replica := pool(t, "GRIDGOV_TEST_PG_PRIMARY_URL"), pool(t, "GRIDGOV_TEST_PG_REPLICA_URL")
	table := fmt.Sprintf("replica_probe_%d", time.Now().UnixNano())
	if _, err := primary.Exec(ctx, "CREATE TABLE "+table+" (id bigint)"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { primary.Exec(context.Background(), "DROP TABLE "+table) }) //nolint:errcheck
	r := &Replica{Pool: replica, MaxLag: 5 * time.Second, Every: time.Nanosecond}
	s := New(primary).WithReplica(r)
	waitReplayed(t, primary, replica)

	t.Run("a request that has not written reads the replica", func(t *testing.T) {
		if !onReplica(t, s, TrackWrites(ctx)) {
			t.Error("read went to the primary with a fresh replica")
		}
		if onReplica(t, s, ctx) {
			t.Error("a context that is not a tracked request read the replica")
		}
	})

	t.Run("a read after the request's write sees it", func(t *testing.T) {
		req := TrackWrites(ctx)
		// The replica is slowed down: without the flag the read would miss the row.
		run(t, replica, "SELECT pg_wal_replay_pause()")
		defer run(t, replica, "SELECT pg_wal_replay_resume()")
		if err := s.Write(req, func(ctx context.Context) error {
			tx, _ := txOf(ctx)
			_, err := tx.Exec(ctx, "INSERT INTO "+table+" VALUES (1)")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := s.querier(req).QueryRow(req, "SELECT count(*) FROM "+table).Scan(&n); err != nil || n != 1 {
			t.Errorf("read after the write: %d rows, %v; want 1", n, err)
		}
		if onReplica(t, s, req) {
			t.Error("a read after the request's write went to the replica")
		}
	})

	t.Run("lag over the bound reads the primary", func(t *testing.T) {
		run(t, replica, "SELECT pg_wal_replay_pause()")
		defer run(t, replica, "SELECT pg_wal_replay_resume()")
		run(t, primary, "INSERT INTO "+table+" VALUES (2)")
		lagged := &Replica{Pool: replica, MaxLag: 50 * time.Millisecond, Every: time.Nanosecond}
		time.Sleep(200 * time.Millisecond)
		if onReplica(t, New(primary).WithReplica(lagged), TrackWrites(ctx)) {
			t.Errorf("read the replica with its replay paused, lag %s over a bound of %s", lagged.Lag(), lagged.MaxLag)
		}
		t.Logf("lag measured with replay paused: %s", lagged.Lag())
	})

	t.Run("a replica stopped reads the primary", func(t *testing.T) {
		script(t, "stop")
		defer script(t, "start")
		req := TrackWrites(ctx)
		var n int
		if err := s.querier(req).QueryRow(req, "SELECT count(*) FROM "+table).Scan(&n); err != nil || n != 2 {
			t.Errorf("read with the replica stopped: %d rows, %v; want 2 from the primary", n, err)
		}
		if r.Fresh(req) {
			t.Error("a stopped replica counts as fresh")
		}
	})
}

func pool(t *testing.T, env string) *pgxpool.Pool {
	t.Helper()
	url := os.Getenv(env)
	if url == "" {
		t.Fatalf("%s is not set: run make test-cluster, or scripts/cluster.sh replica up and eval \"$(scripts/cluster.sh replica env)\"", env)
	}
	p, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

// onReplica says whether a read of ctx through s went to a server in recovery: the replica.
func onReplica(t *testing.T, s *Store, ctx context.Context) bool {
	t.Helper()
	var recovering bool
	if err := s.querier(ctx).QueryRow(ctx, "SELECT pg_is_in_recovery()").Scan(&recovering); err != nil {
		t.Fatal(err)
	}
	return recovering
}

// waitReplayed waits until the replica has replayed what the primary wrote so far.
func waitReplayed(t *testing.T, primary, replica *pgxpool.Pool) {
	t.Helper()
	var lsn string
	if err := primary.QueryRow(context.Background(), "SELECT pg_current_wal_lsn()::text").Scan(&lsn); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		var done bool
		if err := replica.QueryRow(context.Background(), "SELECT pg_last_wal_replay_lsn() >= $1::text::pg_lsn", lsn).Scan(&done); err == nil && done {
			return
		}
	}
	t.Fatal("the replica did not replay the primary's WAL within 30 s")
}

func run(t *testing.T, p *pgxpool.Pool, sql string) {
	t.Helper()
	if _, err := p.Exec(context.Background(), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func script(t *testing.T, action string) {
	t.Helper()
	out, err := exec.Command("bash", "../scripts/cluster.sh", "replica", action).CombinedOutput()
	if err != nil {
		t.Fatalf("cluster.sh replica %s: %v\n%s", action, err, out)
	}
}

package reliability

import (
	"context"
	"math/rand/v2"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"gridgov/etl"
	"gridgov/warehouse/whtest"
)

// TestETLSurvivesSIGKILL kills `gridgov etl run --once` at random points while the
// operational data keeps changing (inserts, updates, soft and hard deletes) — with SIGKILL,
// and every third time with SIGTERM, after which the run must stop within 10 s, abandoning its
// batch without advancing the checkpoint — then lets one run finish: the deduplicated
// warehouse equals Postgres, row for row.
func TestETLSurvivesSIGKILL(t *testing.T) {
	kills := 6
	if full {
		kills = 20
	}
	ctx := context.Background()
	url, pool := seeded(t)
	ch := whtest.New(t)
	env := []string{"GRIDGOV_PG_URL=" + url, "GRIDGOV_CH_DATABASE=" + ch.Database}
	rng := rand.New(rand.NewPCG(1, 2))
	killed := 0
	for i := range kills {
		churn(t, pool, i)
		cmd := gridgov(ctx, env, "etl", "run", "--once")
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-time.After(time.Duration(10+rng.IntN(900)) * time.Millisecond): // a run takes 0.3–3 s here
			sig := syscall.SIGKILL
			if i%3 == 2 {
				sig = syscall.SIGTERM
			}
			cmd.Process.Signal(sig) //nolint:errcheck
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				cmd.Process.Kill() //nolint:errcheck
				t.Errorf("run %d did not stop within 10 s of %v", i, sig)
				<-done
			}
			killed++
		case err := <-done:
			if err != nil {
				t.Fatalf("run %d failed on its own: %v\n%s", i, err, out.String())
			}
		}
	}
	churn(t, pool, kills)
	if out, err := gridgov(ctx, env, "etl", "run", "--once").CombinedOutput(); err != nil {
		t.Fatalf("final run: %v\n%s", err, out)
	}
	ms, err := etl.Reconcile(ctx, pool, ch, ch.Database, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		t.Errorf("after %d SIGKILLs: %v", killed, m)
	}
	if killed == 0 {
		t.Error("no run was killed: the delays are too long for this machine")
	}
	t.Logf("%d of %d runs stopped (SIGKILL, every third SIGTERM); warehouse reconciles with %d mismatches", killed, kills, len(ms))
}

// churn changes the operational data the way a working day does, round by round.
func churn(t *testing.T, pool *pgxpool.Pool, round int) {
	t.Helper()
	for _, q := range []string{
		`UPDATE issues SET title = title || '·' WHERE id % 11 = $1 % 11`,
		`UPDATE volunteers SET deleted_at = now() WHERE id % 997 = $1 % 997 AND deleted_at IS NULL`,
		`DELETE FROM issue_mediators WHERE id IN (SELECT id FROM issue_mediators ORDER BY id LIMIT 2 OFFSET $1)`,
		`INSERT INTO work_logs (street_id, community_id, grid_id, cadre_id, kind, logged_at, content, people_served, hours)
		 SELECT street_id, community_id, grid_id, cadre_id, kind, now(), 'round ' || $1::int, people_served, hours
		 FROM work_logs ORDER BY id LIMIT 25`,
		`UPDATE party_members SET specialty = specialty || '+' WHERE id % 13 = $1 % 13`,
		`UPDATE volunteers SET skills = skills || '.' WHERE id % 10 = $1 % 10`,
	} {
		if _, err := pool.Exec(context.Background(), q, round); err != nil {
			t.Fatalf("churn: %v", err)
		}
	}
}

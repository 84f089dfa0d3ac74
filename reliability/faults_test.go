package reliability

import (
	"context"
	"testing"
	"time"

	"gridgov/gid"
)

// TestPostgresRestartUnderLoad restarts Postgres while clients report issues: during the
// outage the API answers only with the retryable UNAVAILABLE code (in a 200, or a 503 with
// Retry-After when even the token's place cannot be checked; no other 5xx), it recovers by
// itself, and every acknowledged report is in Postgres afterwards.
func TestPostgresRestartUnderLoad(t *testing.T) {
	svc := startPrivate(t)
	migrateAndSeed(t, svc.PGURL)
	a := startServe(t, svc.PGURL, "GRIDGOV_CH_ADDR="+svc.CHAddr)
	a.actAsCadre(t, svc.PGURL)

	ctx, stop := context.WithCancel(context.Background())
	y := newTally()
	wg := reportLoad(ctx, a, 4, y)
	time.Sleep(2 * time.Second)
	outage := 3 * time.Second
	if full {
		outage = 10 * time.Second
	}
	svc.script("down", "postgres")
	time.Sleep(outage)
	svc.script("up")
	restarted := time.Now()
	for time.Since(restarted) < 30*time.Second && !y.ackedSince(restarted) {
		time.Sleep(50 * time.Millisecond)
	}
	recovery := time.Since(restarted)
	time.Sleep(2 * time.Second)
	stop()
	wg.Wait()

	if !y.ackedSince(restarted) {
		t.Fatalf("no report acknowledged within 30 s of the restart; codes %v", y.codes)
	}
	if n := y.fivexx(); n > 0 {
		t.Errorf("%d responses were 5xx", n)
	}
	for code, n := range y.codes {
		if code != "UNAVAILABLE" {
			t.Errorf("%d errors with code %s during the outage, want only UNAVAILABLE", n, code)
		}
	}
	if y.codes["UNAVAILABLE"] == 0 {
		t.Error("no request saw the outage")
	}
	if n := missing(t, svc.PGURL, y.acked); n > 0 {
		t.Errorf("%d of %d acknowledged reports are not in Postgres", n, len(y.acked))
	}
	t.Logf("outage %v: %d reports acknowledged, %d UNAVAILABLE, recovered %v after the restart, none lost",
		outage, len(y.acked), y.codes["UNAVAILABLE"], recovery.Round(time.Millisecond))
}

func (y *tally) ackedSince(t time.Time) bool {
	y.mu.Lock()
	defer y.mu.Unlock()
	return y.lastAck.After(t)
}

func migrateAndSeed(t *testing.T, pgURL string) {
	t.Helper()
	env := []string{"GRIDGOV_PG_URL=" + pgURL}
	for _, args := range [][]string{{"migrate", "up"}, {"seed", "--as-of", "2026-11-27", "--seed", "5"}} {
		if out, err := gridgov(context.Background(), env, args...).CombinedOutput(); err != nil {
			t.Fatalf("gridgov %v: %v\n%s", args, err, out)
		}
	}
}

// TestClickHouseStopStart stops ClickHouse while the API serves and the ETL follows: the
// operational API is unaffected and stays ready, the ETL keeps running and, once ClickHouse is
// back, catches up so that the warehouse reconciles exactly with Postgres.
func TestClickHouseStopStart(t *testing.T) {
	ctx := context.Background()
	svc := startPrivate(t)
	migrateAndSeed(t, svc.PGURL)
	env := []string{"GRIDGOV_PG_URL=" + svc.PGURL, "GRIDGOV_CH_ADDR=" + svc.CHAddr}
	if out, err := gridgov(ctx, env, "warehouse", "migrate").CombinedOutput(); err != nil {
		t.Fatalf("warehouse migrate: %v\n%s", err, out)
	}
	follow := gridgov(ctx, env, "etl", "run", "--follow", "--interval", "500ms")
	if err := follow.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { follow.Process.Kill(); follow.Wait() }) //nolint:errcheck
	a := startServe(t, svc.PGURL, "GRIDGOV_CH_ADDR="+svc.CHAddr)
	a.actAsCadre(t, svc.PGURL)

	svc.script("down", "clickhouse")
	y := newTally()
	loadCtx, stop := context.WithCancel(ctx)
	wg := reportLoad(loadCtx, a, 2, y)
	time.Sleep(3 * time.Second)
	read := a.do(ctx, `{ issues(first: 5) { totalCount } }`, nil)
	down := a.do(ctx, indicatorsQuery, indicatorsVars)
	ready := getJSON(t, "http://"+a.addr+"/readyz")
	svc.script("up")
	time.Sleep(2 * time.Second)
	stop()
	wg.Wait()

	if read.err != nil || len(read.codes) > 0 || read.status != 200 {
		t.Errorf("reading issues with ClickHouse down: status %d codes %v err %v", read.status, read.codes, read.err)
	}
	if ready["ready"] != true {
		t.Errorf("/readyz with ClickHouse down: %v", ready)
	}
	if len(down.codes) != 1 || down.codes[0] != "WAREHOUSE_UNAVAILABLE" || down.status >= 500 {
		t.Errorf("indicators with ClickHouse down: status %d codes %v", down.status, down.codes)
	}
	if len(y.acked) == 0 || y.fivexx() > 0 || len(y.codes) > 0 {
		t.Errorf("writes with ClickHouse down: %d acknowledged, %d 5xx, codes %v", len(y.acked), y.fivexx(), y.codes)
	}
	if follow.ProcessState != nil {
		t.Fatal("the ETL exited while ClickHouse was down")
	}
	waitReconciled(t, svc, 60*time.Second)
	// Indicators recover by themselves: within 20 s of the warehouse reconciling (the ETL's
	// summary refresh may still be swapping tables in when it does).
	var up reply
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(500 * time.Millisecond) {
		if up = a.do(ctx, indicatorsQuery, indicatorsVars); len(up.codes) == 0 && up.data["indicators"] != nil || time.Now().After(deadline) {
			break
		}
	}
	if len(up.codes) > 0 || up.data["indicators"] == nil {
		t.Errorf("indicators 20 s after ClickHouse is back and reconciled: status %d codes %v", up.status, up.codes)
	}
}

const indicatorsQuery = `query($scope: ID!, $period: PeriodInput!) { indicators(scope: $scope, period: $period) { asOf checkins { checkedIn } } }`

var indicatorsVars = map[string]any{"scope": gid.Encode("Community", 1), "period": map[string]any{"kind": "YEAR", "year": 2026}}

package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"syscall"
	"time"
)

// The database's limits for a class: pgbench replaying the statements a build sent for the
// class's sample requests (one transaction = one request, a sample picked at random for
// each), at the same concurrency as the API. Two ways:
//
//   - one by one: pgbench -M simple on the scripts with the values written in: every
//     statement in its own round trip, parsed and planned each time;
//   - as sent: pgbench -M prepared on the scripts with the values as variables: prepared
//     once per connection and bound at each execution, as the server's pgx does, and the
//     statements the server sent in one round trip pipelined in one.

// way is one of the two replays.
type way struct {
	name, mode string
	scripts    func(*classCapture) []weighted
}

var ways = []way{
	{"one by one", "simple", func(c *classCapture) []weighted {
		out := make([]weighted, len(c.OneByOne))
		for i, p := range c.OneByOne {
			out[i] = weighted{Path: p, Weight: 1}
		}
		return out
	}},
	{"as sent", "prepared", func(c *classCapture) []weighted { return c.AsSent }},
}

// limitCell is what one pgbench run measured.
type limitCell struct {
	PerSecond    float64 `json:"per_second"`
	LatencyMs    float64 `json:"latency_ms"`
	Transactions int     `json:"transactions"`
	Failed       int     `json:"failed"`
	PostgresCPU  float64 `json:"postgres_cpu_ms"` // per transaction
	PgbenchCPU   float64 `json:"pgbench_cpu_ms"`  // per transaction
	Note         string  `json:"note,omitempty"`
}

var (
	tpsRE    = regexp.MustCompile(`tps = ([0-9.]+) \(without initial connection time\)`)
	latRE    = regexp.MustCompile(`latency average = ([0-9.]+) ms`)
	doneRE   = regexp.MustCompile(`number of transactions actually processed: ([0-9]+)`)
	failedRE = regexp.MustCompile(`number of failed transactions: ([0-9]+)`)
)

// pgbenchApp names pgbench's connections, so its backends can be told apart (from those of
// another benchmark's too).
var pgbenchApp = fmt.Sprintf("apibench_pgbench_%d", os.Getpid())

// replay runs one way of replaying the build's capture of class c at n clients for d, on
// the build's database: the one its statements were captured on.
func (b *build) replay(ctx context.Context, c *class, w way, n int, d time.Duration) (limitCell, error) {
	return replay(ctx, b.db, b.captures[c.id], w, n, d)
}

// replay runs one way of replaying a capture at n clients for d on db: pgbench, and for a
// claim the orders it claims.
func replay(ctx context.Context, db *database, c *classCapture, w way, n int, d time.Duration) (limitCell, error) {
	vars := map[string]string{}
	var supply claimSupply
	if c.claim != nil {
		var err error
		if supply, err = publishForReplay(ctx, db.pool, c.claim.grid, n, d); err != nil {
			return limitCell{}, err
		}
		vars["apibench_lo"] = strconv.FormatInt(supply.lo, 10)
		vars["apibench_i"] = "0"
		vars["apibench_clients"] = strconv.Itoa(n)
	}
	url, err := withParams(db.url, map[string]string{"application_name": pgbenchApp, "sslmode": "disable"})
	if err != nil {
		return limitCell{}, err
	}
	args := []string{"-n", "-M", w.mode, "-c", strconv.Itoa(n), "-j", "2", "-T", strconv.Itoa(int(d.Seconds()))}
	for _, s := range w.scripts(c) {
		args = append(args, "-f", s.Path+"@"+strconv.Itoa(s.Weight))
	}
	for k, v := range vars {
		args = append(args, "-D", k+"="+v)
	}
	args = append(args, url)
	watch := watchBackends(ctx, db.pool, pgbenchApp, 100*time.Millisecond)
	cmd := exec.CommandContext(ctx, "pgbench", args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	out, runErr := cmd.CombinedOutput()
	pgCPU, _, watchErr := watch.Stop(ctx)
	if runErr != nil {
		return limitCell{}, fmt.Errorf("pgbench -M %s: %w: %.2000s", w.mode, runErr, out)
	}
	if watchErr != nil {
		return limitCell{}, watchErr
	}
	cell, err := parsePgbench(out)
	if err != nil {
		return cell, err
	}
	if cell.Transactions > 0 {
		per := func(t time.Duration) float64 {
			return float64(t) / float64(time.Millisecond) / float64(cell.Transactions)
		}
		cell.PostgresCPU = per(pgCPU)
		cell.PgbenchCPU = per(cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime())
	}
	if c.claim != nil {
		if cell.Note, err = supply.check(ctx, db.pool, cell.Transactions); err != nil {
			return cell, err
		}
	}
	return cell, nil
}

func parsePgbench(out []byte) (limitCell, error) {
	var c limitCell
	m, l, done := tpsRE.FindSubmatch(out), latRE.FindSubmatch(out), doneRE.FindSubmatch(out)
	if m == nil || l == nil || done == nil {
		return c, fmt.Errorf("pgbench output not understood: %.2000s", out)
	}
	c.PerSecond, _ = strconv.ParseFloat(string(m[1]), 64)
	c.LatencyMs, _ = strconv.ParseFloat(string(l[1]), 64)
	c.Transactions, _ = strconv.Atoi(string(done[1]))
	if f := failedRE.FindSubmatch(out); f != nil {
		c.Failed, _ = strconv.Atoi(string(f[1]))
	}
	return c, nil
}

package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Where the CPU of a run goes. The API, the load generator and Postgres share this
// machine's cores, so a request's rate is bounded by the CPU all three spend on it: the
// split says which part to make cheaper. Figures come from /proc (clock ticks of 10 ms:
// Linux's USER_HZ is 100) over the measured window only. Postgres is counted by the
// backends that serve one client, named by the application_name its connections carry, so
// that other databases' work on a shared server is left out (and so is Postgres's own
// background work, the WAL writer's and checkpointer's).

const tick = 10 * time.Millisecond

// procCPU reads a process's user and system time from /proc/pid/stat.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// Fields after the command name (which may hold spaces) in parentheses: state is field 3,
	// utime 14, stime 15.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	f := bytes.Fields(b[i+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	var ticks int64
	for _, s := range f[11:13] {
		n, _ := strconv.ParseInt(string(s), 10, 64)
		ticks += n
	}
	return time.Duration(ticks) * tick, nil
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// backends follows the CPU time of the Postgres backends whose connections carry one
// application_name. It samples them when it starts, every interval, and when it stops: a
// backend seen at the start counts from there, one that appears later from its birth, and
// one that ends counts until its last sample (at most an interval of its CPU is missed).
type backends struct {
	pool  *pgxpool.Pool
	app   string
	mu    sync.Mutex
	first map[int]time.Duration
	last  map[int]time.Duration
	err   error
	stop  chan struct{}
	done  chan struct{}
}

// watchBackends starts following the backends of app.
func watchBackends(ctx context.Context, pool *pgxpool.Pool, app string, every time.Duration) *backends {
	b := &backends{pool: pool, app: app, first: map[int]time.Duration{}, last: map[int]time.Duration{},
		stop: make(chan struct{}), done: make(chan struct{})}
	b.sample(ctx, true)
	go func() {
		defer close(b.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-b.stop:
				return
			case <-t.C:
				b.sample(ctx, false)
			}
		}
	}()
	return b
}

// Stop samples a last time and gives the CPU the backends used since the start, and how
// many there were.
func (b *backends) Stop(ctx context.Context) (time.Duration, int, error) {
	close(b.stop)
	<-b.done
	b.sample(ctx, false)
	b.mu.Lock()
	defer b.mu.Unlock()
	var total time.Duration
	for pid, t := range b.last {
		total += t - b.first[pid]
	}
	return total, len(b.last), b.err
}

func (b *backends) sample(ctx context.Context, start bool) {
	rows, err := b.pool.Query(ctx, `SELECT pid FROM pg_stat_activity WHERE application_name = $1`, b.app)
	var pids []int
	if err == nil {
		pids, err = pgx.CollectRows(rows, pgx.RowTo[int])
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if err != nil {
		if b.err == nil {
			b.err = fmt.Errorf("list the backends of %s: %w", b.app, err)
		}
		return
	}
	for _, pid := range pids {
		t, err := procCPU(pid)
		if err != nil {
			continue // it ended since it was listed
		}
		if start {
			b.first[pid] = t
		}
		b.last[pid] = t
	}
}

var hwmRE = regexp.MustCompile(`VmHWM:\s+(\d+) kB`)

// peakRSS reads a process's peak resident set (VmHWM) in KiB.
func peakRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	m := hwmRE.FindSubmatch(b)
	if m == nil {
		return 0, fmt.Errorf("no VmHWM for pid %d", pid)
	}
	return strconv.ParseInt(string(m[1]), 10, 64)
}

// resetPeakRSS sets a process's peak resident set back to its current one (Linux's
// clear_refs, value 5), so that each run's peak is its own; false where it is refused.
func resetPeakRSS(pid int) bool {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0) == nil
}

// loadavg gives /proc/loadavg: other work on the machine skews every figure.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return string(bytes.TrimSpace(b))
}

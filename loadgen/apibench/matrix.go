package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"gridgov/loadgen"
)

// The run's matrix: for each class and client count, each build's API run followed at once
// by its pgbench replays, so that each share compares runs seconds apart (other work on a
// shared machine moves pgbench's rate by a quarter between runs minutes apart). The builds
// take turns going first from one cell to the next. Builds on the same database that sent
// the same statements for a class share its replays.

type matrix struct {
	o options
	// pool reads pg_stat_activity, which covers every database of the server: any build's
	// pool does.
	pool    *pgxpool.Pool
	builds  []*build
	classes []*class
	levels  []int

	steps, done int
	started     time.Time
}

// row is one build's figures for one class at one client count.
type row struct {
	Class       string  `json:"class"`
	ClassName   string  `json:"class_name"`
	Build       string  `json:"build"`
	Clients     int     `json:"clients"`
	At          string  `json:"at"`
	LoadAvg     string  `json:"loadavg"`
	PerSecond   float64 `json:"requests_per_second"`
	P50Ms       float64 `json:"p50_ms"`
	P99Ms       float64 `json:"p99_ms"`
	MaxMs       float64 `json:"max_ms"`
	Requests    int     `json:"requests"`
	Errors      int     `json:"errors"`
	FirstError  string  `json:"first_error,omitempty"`
	Statements  float64 `json:"statements_per_request"`
	RoundTrips  float64 `json:"round_trips_per_request"`
	ServerCPU   float64 `json:"server_cpu_ms"`   // per request
	PostgresCPU float64 `json:"postgres_cpu_ms"` // per request, the server's backends
	LoadgenCPU  float64 `json:"loadgen_cpu_ms"`  // per request, this process
	Backends    int     `json:"backends"`
	PeakRSSMiB  float64 `json:"peak_rss_mib"`
	RSSScope    string  `json:"peak_rss_scope"` // "run", or "process" where the peak could not be reset

	OneByOne *limitCell `json:"one_by_one,omitempty"`
	AsSent   *limitCell `json:"as_sent,omitempty"`
	// The API's rate as a share of each limit, in per cent.
	ShareOneByOne float64 `json:"share_one_by_one_pct,omitempty"`
	ShareAsSent   float64 `json:"share_as_sent_pct,omitempty"`
	Targets       targets `json:"targets"`
}

func (m *matrix) run(ctx context.Context) ([]row, error) {
	m.started = time.Now()
	m.steps = 0
	for _, c := range m.classes {
		m.steps += len(m.levels) * (len(m.builds) + m.replaysPerCell(c))
	}
	var rows []row
	cell := 0
	for _, c := range m.classes {
		for _, n := range m.levels {
			order := append([]*build(nil), m.builds...)
			if cell%2 == 1 {
				for i, j := 0, len(order)-1; i < j; i, j = i+1, j-1 {
					order[i], order[j] = order[j], order[i]
				}
			}
			cell++
			limits := map[string]*limitCell{} // by script fingerprint and way
			for _, b := range order {
				r, err := m.api(ctx, b, c, n)
				if err != nil {
					return nil, fmt.Errorf("%s, %s, %d clients: %w", b.label, c.name, n, err)
				}
				if m.o.limits {
					if err := m.replays(ctx, b, c, n, &r, limits); err != nil {
						return nil, fmt.Errorf("%s, %s, %d clients: %w", b.label, c.name, n, err)
					}
				}
				r.Targets = judge(r)
				rows = append(rows, r)
			}
		}
	}
	return rows, nil
}

// replaysPerCell counts the pgbench runs of one cell: one per way for each distinct
// database and capture among the builds.
func (m *matrix) replaysPerCell(c *class) int {
	if !m.o.limits {
		return 0
	}
	seen := map[string]bool{}
	for _, b := range m.builds {
		seen[replayKey(b, c)] = true
	}
	return len(seen) * len(ways)
}

// replayKey identifies what a build's replays of a class run: its database, its scripts and
// their values.
func replayKey(b *build, c *class) string {
	return b.db.url + "\x00" + fingerprint(b.captures[c.id])
}

// fingerprint identifies a capture's scripts and values.
func fingerprint(c *classCapture) string {
	h := sha256.New()
	for _, f := range c.OneByOne {
		b, _ := os.ReadFile(f)
		h.Write(b)
		h.Write([]byte{0})
	}
	for _, w := range c.AsSent {
		fmt.Fprintf(h, "%s@%d\x00", w.id, w.Weight)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// api measures one build's API on one class at n clients.
func (m *matrix) api(ctx context.Context, b *build, c *class, n int) (row, error) {
	if c.claims != nil {
		// Enough orders for 1,500 claims a second, fresh for each run.
		if err := c.claims.refill(ctx, b.db.pool, 1+int(1500*(m.o.warm+m.o.dur).Seconds())/200); err != nil {
			return row{}, err
		}
	}
	capt := b.captures[c.id]
	r := row{Class: c.id, ClassName: c.name, Build: b.label, Clients: n, At: time.Now().Format(time.TimeOnly), LoadAvg: loadavg(),
		Statements: capt.Statements, RoundTrips: capt.RoundTrips, RSSScope: "run"}
	pid := b.srv.pid()
	if !resetPeakRSS(pid) {
		r.RSSScope = "process"
	}
	profiled := b.srv.cpuProfile(filepath.Join(m.o.profiles, fmt.Sprintf("%s-%s-c%d.pprof", c.id, slug(b.label), n)), m.o.warm, m.o.dur)
	window := m.window(ctx, pid, b.app, time.Now().Add(m.o.warm))
	scenario := loadgen.Scenario{Name: c.name, Next: func(_, i int) loadgen.Request { return c.request(i) }}
	res := loadgen.Run(ctx, loadgen.NewClient(b.srv.url, n), scenario, n, m.o.warm, m.o.dur)
	w := <-window
	if w.err != nil {
		return r, w.err
	}
	if err := <-profiled; err != nil {
		return r, err
	}
	r.PerSecond, r.Requests, r.Errors, r.FirstError = res.PerSecond, res.Requests, res.Errors, res.FirstError
	r.P50Ms, r.P99Ms, r.MaxMs = ms(res.P50), ms(res.P99), ms(res.Max)
	if served := res.PerSecond * m.o.dur.Seconds(); served > 0 {
		r.ServerCPU, r.PostgresCPU, r.LoadgenCPU = ms(w.server)/served, ms(w.postgres)/served, ms(w.self)/served
	}
	r.Backends = w.backends
	rss, err := peakRSS(pid)
	if err != nil {
		return r, err
	}
	r.PeakRSSMiB = float64(rss) / 1024
	m.progress("%-20s c=%-3d %-12s API %8.1f req/s  p50 %6.2f ms  p99 %6.2f ms  %d errors; CPU per request: server %.2f ms, Postgres %.2f ms (%d backends), load generator %.2f ms; peak RSS %.1f MiB",
		c.name, n, b.label, r.PerSecond, r.P50Ms, r.P99Ms, r.Errors, r.ServerCPU, r.PostgresCPU, r.Backends, r.LoadgenCPU, r.PeakRSSMiB)
	if r.FirstError != "" {
		fmt.Printf("    first error: %s\n", r.FirstError)
	}
	return r, nil
}

// windowCPU is the CPU a measured window cost.
type windowCPU struct {
	server, self, postgres time.Duration
	backends               int
	err                    error
}

// window samples the CPU of the server, this process and the server's backends over the
// window [from, from+d) of a run in progress; the result arrives when the window closes.
func (m *matrix) window(ctx context.Context, pid int, app string, from time.Time) <-chan windowCPU {
	out := make(chan windowCPU, 1)
	go func() {
		time.Sleep(time.Until(from))
		srv0, err := procCPU(pid)
		self0 := selfCPU()
		watch := watchBackends(ctx, m.pool, app, 200*time.Millisecond)
		time.Sleep(time.Until(from.Add(m.o.dur)))
		srv1, err1 := procCPU(pid)
		self1 := selfCPU()
		pg, n, werr := watch.Stop(ctx)
		w := windowCPU{server: srv1 - srv0, self: self1 - self0, postgres: pg, backends: n, err: werr}
		if err != nil || err1 != nil {
			w.err = fmt.Errorf("server CPU: %v %v", err, err1)
		}
		out <- w
	}()
	return out
}

// replays runs (or reuses) the build's two pgbench replays of the class at n clients.
func (m *matrix) replays(ctx context.Context, b *build, c *class, n int, r *row, seen map[string]*limitCell) error {
	rk := replayKey(b, c)
	for i, w := range ways {
		key := rk + w.mode
		cell, ok := seen[key]
		if !ok {
			got, err := b.replay(ctx, c, w, n, m.o.dur)
			if err != nil {
				return err
			}
			cell = &got
			seen[key] = cell
			m.progress("%-20s c=%-3d %-12s pgbench %-10s %8.1f req/s (API %.1f %% of it)  %d failed; CPU per request: Postgres %.2f ms, pgbench %.2f ms%s",
				c.name, n, b.label, w.name, cell.PerSecond, share(r.PerSecond, cell.PerSecond), cell.Failed, cell.PostgresCPU, cell.PgbenchCPU, note(cell.Note))
		} else {
			fmt.Printf("%s%-20s c=%-3d %-12s pgbench %-10s the same statements as measured above: %.1f req/s (API %.1f %% of it)\n",
				"                          ", c.name, n, b.label, w.name, cell.PerSecond, share(r.PerSecond, cell.PerSecond))
		}
		if i == 0 {
			r.OneByOne, r.ShareOneByOne = cell, share(r.PerSecond, cell.PerSecond)
		} else {
			r.AsSent, r.ShareAsSent = cell, share(r.PerSecond, cell.PerSecond)
		}
	}
	return nil
}

func share(api, limit float64) float64 {
	if limit <= 0 {
		return 0
	}
	return 100 * api / limit
}

func note(s string) string {
	if s == "" {
		return ""
	}
	return "; " + s
}

// progress prints a step's line with how far the run is and about how long it has left.
func (m *matrix) progress(format string, args ...any) {
	m.done++
	elapsed := time.Since(m.started)
	left := time.Duration(float64(elapsed) / float64(m.done) * float64(m.steps-m.done)).Round(10 * time.Second)
	fmt.Printf("[%3d/%-3d %6s, ~%s left] %s\n", m.done, m.steps, elapsed.Round(time.Second), left, fmt.Sprintf(format, args...))
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

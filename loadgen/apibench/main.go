// Command apibench is the GraphQL API benchmark of docs/benchmarks.md: requests per second
// and p50/p99 latency of the console page, a member profile with ledger, and the claim
// mutation at 1, 8 and 32 clients, against `gridgov serve` running as its own process (whose
// peak resident memory it reports), with each request's SQL statement count; and, in the
// same run, the database's limit for the console page: pgbench replaying exactly the
// statements the API issued for it, at the same concurrency.
//
//	go run ./loadgen/apibench -bin bin/gridgov -pg postgres://…/gridgov_bench
//
// The database must hold a seeded city (gridgov seed). The claim runs insert published
// orders to claim; run it against a benchmark database, not one you care about.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"gridgov/auth"
	"gridgov/config"
	"gridgov/loadgen"
	"gridgov/observe"
	"gridgov/resolvers"
	"gridgov/server"
	"gridgov/store"
)

const consoleQuery = `query Console($grid: ID!) {
  issues(first: 50, filter: {place: {gridId: $grid}}, orderBy: {field: REPORTED_AT, direction: DESC}) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id title state reportedAt dueAt overdue
      grid { name } reporter { name } handler { name }
      events(last: 3) { action toState at actor { name } } } } } }`

const profileQuery = `query Profile($id: ID!) {
  node(id: $id) { ... on PartyMember { id name profession specialty
    unit { name } community { name } grid { name } checkin { state }
    serviceTotals { records hours }
    ledger(last: 20) { servedOn hours content order { title } }
    ratings { year grade } } } }`

const claimQuery = `mutation Claim($in: OrderActionInput!) {
  claimOrder(input: $in) { id state version claimedAt claimedBy { name } } }`

func main() {
	var (
		pgURL   = flag.String("pg", os.Getenv("GRIDGOV_PG_URL"), "Postgres URL of a seeded benchmark database")
		bin     = flag.String("bin", "bin/gridgov", "the gridgov binary to serve the API")
		dur     = flag.Duration("d", 10*time.Second, "measured time per run")
		warm    = flag.Duration("warm", 2*time.Second, "warm-up per run, not measured")
		clients = flag.String("clients", "1,8,32", "client counts")
		script  = flag.String("script", "console.pgbench.sql", "where to write the captured console-page statements")
		only    = flag.Bool("console-only", false, "run only the console page and its limits (for comparing builds)")
		rounds  = flag.Int("rounds", 1, "times to measure the console page and its limits, back to back, at each client count")
		profile = flag.String("cpuprofile", "", "a directory to write the server's CPU profile of each console-page run into")
	)
	flag.Parse()
	o := options{pgURL: *pgURL, bin: *bin, dur: *dur, warm: *warm, clients: *clients, script: *script, consoleOnly: *only, rounds: *rounds,
		profiles: *profile}
	if err := run(context.Background(), o); err != nil {
		log.Fatal(err)
	}
}

// options are the command's flags.
type options struct {
	pgURL, bin, clients, script string
	profiles                    string // a directory for CPU profiles, or none
	dur, warm                   time.Duration
	consoleOnly                 bool
	rounds                      int
}

func run(ctx context.Context, o options) error {
	if o.pgURL == "" {
		return fmt.Errorf("give -pg or GRIDGOV_PG_URL")
	}
	var levels []int
	for _, s := range strings.Split(o.clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return fmt.Errorf("bad -clients %q", o.clients)
		}
		levels = append(levels, n)
	}
	pool, err := pgxpool.New(ctx, o.pgURL)
	if err != nil {
		return err
	}
	defer pool.Close()

	// The data the requests read: the grid with the most issues, and members with a ledger.
	var grid int64
	if err := pool.QueryRow(ctx, `SELECT grid_id FROM issues WHERE deleted_at IS NULL GROUP BY grid_id ORDER BY count(*) DESC, grid_id LIMIT 1`).Scan(&grid); err != nil {
		return fmt.Errorf("pick grid (is the database seeded?): %w", err)
	}
	var members []int64
	rows, err := pool.Query(ctx, `SELECT member_id FROM service_records GROUP BY member_id ORDER BY count(*) DESC, member_id LIMIT 1000`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		members = append(members, id)
	}
	rows.Close()
	if len(members) == 0 {
		return fmt.Errorf("no service records: is the database seeded?")
	}
	// The benchmark signs its own tokens with the development secret (serve runs in
	// development mode) and lifts the rate limit: it measures the API, not the limiter.
	keys, err := auth.LoadKeys("HS256", config.DevSecret, "", "", "gridgov", "gridgov", 30*time.Second)
	if err != nil {
		return err
	}
	admin, err := keys.Issue("city_admin", auth.ScopeCity, "1", 24*time.Hour, time.Now())
	if err != nil {
		return err
	}
	console := loadgen.Scenario{Name: "console page", Next: func(c, i int) loadgen.Request {
		return loadgen.Request{Query: consoleQuery, Token: admin, Variables: map[string]any{"grid": resolvers.GlobalID("Grid", grid)}}
	}}
	profile := loadgen.Scenario{Name: "member profile", Next: func(c, i int) loadgen.Request {
		return loadgen.Request{Query: profileQuery, Token: admin, Variables: map[string]any{"id": resolvers.GlobalID("PartyMember", members[i%len(members)])}}
	}}

	// Statement counts and the console page's SQL, from the same handler in process.
	rec := &loadgen.Recorder{}
	cfg, err := pgxpool.ParseConfig(o.pgURL)
	if err != nil {
		return err
	}
	cfg.ConnConfig.Tracer = rec
	tpool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer tpool.Close()
	limits := server.DefaultLimits()
	limits.RateLimit = 0
	inproc := server.GraphQL(server.Options{Store: store.New(tpool), Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Metrics: observe.NewGraphQL(prometheus.NewRegistry()), Keys: keys, Limits: limits})
	// count runs s's first request to warm the statement cache, then records its second.
	count := func(s loadgen.Scenario) (int, []loadgen.Statement, error) {
		ts := httptest.NewServer(inproc)
		defer ts.Close()
		c := loadgen.NewClient(ts.URL, 1)
		if _, err := c.Do(ctx, s.Next(0, 0)); err != nil {
			return 0, nil, err
		}
		rec.Start()
		_, err := c.Do(ctx, s.Next(0, 1))
		stmts := rec.Stop()
		return len(stmts), stmts, err
	}
	consoleN, consoleSQL, err := count(console)
	if err != nil {
		return fmt.Errorf("console page: %w", err)
	}
	profileN, _, err := count(profile)
	if err != nil {
		return fmt.Errorf("member profile: %w", err)
	}
	claims, err := newClaims(ctx, pool, 1, keys)
	if err != nil {
		return err
	}
	claimN, _, err := count(claims.Scenario)
	if err != nil {
		return fmt.Errorf("claim: %w", err)
	}
	// Two limits: the page's statements one by one, parsed and planned each time (pgbench's
	// simple protocol), and as the API sends them — prepared once, a prefetch level's
	// statements in one round trip.
	dbLimits := []limit{{"one by one", o.script, "simple"}, {"as the API sends them", pipelinedPath(o.script), "prepared"}}
	for i, l := range dbLimits {
		pgScript, err := loadgen.PgbenchScript(consoleSQL, i == 1)
		if err != nil {
			return err
		}
		if err := os.WriteFile(l.script, []byte(pgScript), 0o644); err != nil {
			return err
		}
	}

	// The API as its own process.
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	srv := exec.Command(o.bin, "serve")
	srv.Env = append(os.Environ(), "GRIDGOV_PG_URL="+o.pgURL, "GRIDGOV_LISTEN="+addr, "GRIDGOV_LOG_LEVEL=warn", "GRIDGOV_METRICS_LISTEN=",
		"GRIDGOV_MODE=development", "GRIDGOV_RATE_LIMIT=0")
	var debugAddr string
	if o.profiles != "" {
		if debugAddr, err = freeAddr(); err != nil {
			return err
		}
		srv.Env = append(srv.Env, "GRIDGOV_DEBUG_LISTEN="+debugAddr)
	}
	srv.Stderr, srv.Stdout = os.Stderr, os.Stderr
	if err := srv.Start(); err != nil {
		return fmt.Errorf("start %s serve: %w", o.bin, err)
	}
	defer func() { srv.Process.Signal(os.Interrupt); srv.Wait() }() //nolint:errcheck
	if err := waitHealthy("http://" + addr + "/healthz"); err != nil {
		return err
	}
	url := "http://" + addr + "/graphql"

	fmt.Printf("gridgov API benchmark: grid %d, %d members, %s per run (+%s warm-up), GOMAXPROCS of this machine: %d CPUs\n\n",
		grid, len(members), o.dur, o.warm, runtime.NumCPU())
	fmt.Printf("load average at start: %s", loadavg())
	fmt.Printf("SQL statements per request: console page %d, member profile %d, claim %d\n\n", consoleN, profileN, claimN)
	// The console page and its limits, back to back at each client count, so that each ratio
	// compares runs minutes apart at most: other work on a shared machine moves both.
	for _, n := range levels {
		var ratios [2][]float64
		for r := 0; r < o.rounds; r++ {
			profiled := cpuProfile(debugAddr, filepath.Join(o.profiles, fmt.Sprintf("console-c%d-r%d.pprof", n, r+1)), o.warm, o.dur)
			api := measured(srv.Process.Pid, o.warm, o.dur, func() loadgen.Result {
				return loadgen.Run(ctx, loadgen.NewClient(url, n), console, n, o.warm, o.dur)
			})
			if err := <-profiled; err != nil {
				return err
			}
			for i, l := range dbLimits {
				tps, err := dbLimit(o.pgURL, l, n, o.dur, api.PerSecond)
				if err != nil {
					return err
				}
				ratios[i] = append(ratios[i], api.PerSecond/tps)
			}
		}
		if o.rounds > 1 {
			fmt.Printf("  c=%-3d median of %d rounds: %.1f%% of the limit one by one, %.1f%% as sent\n", n, o.rounds,
				100*median(ratios[0]), 100*median(ratios[1]))
		}
		fmt.Println()
	}
	if !o.consoleOnly {
		if err := others(ctx, srv.Process.Pid, pool, keys, url, levels, o.warm, o.dur, profile); err != nil {
			return err
		}
	}
	rss, err := peakRSS(srv.Process.Pid)
	if err != nil {
		return err
	}
	fmt.Printf("load average at the end: %s", loadavg())
	fmt.Printf("\nserver peak RSS (VmHWM): %.1f MiB\n", float64(rss)/1024)
	fmt.Printf("database limits: pgbench -n -M simple|prepared -f %s|%s -c N -j 2 -T %d (the %d statements of one console page per transaction)\n",
		dbLimits[0].script, dbLimits[1].script, int(o.dur.Seconds()), consoleN)
	return nil
}

// others measures the member profile and the claim mutation at each client count.
func others(ctx context.Context, pid int, pool *pgxpool.Pool, keys auth.Keys, url string, levels []int, warm, dur time.Duration,
	profile loadgen.Scenario) error {
	for _, n := range levels {
		measured(pid, warm, dur, func() loadgen.Result {
			return loadgen.Run(ctx, loadgen.NewClient(url, n), profile, n, warm, dur)
		})
	}
	for _, n := range levels {
		// Enough orders for any rate this machine reaches, fresh for each level: 40 per grid ran
		// out at 32 clients once the API got faster (the wrapped claims then failed).
		cl, err := newClaims(ctx, pool, 150, keys)
		if err != nil {
			return err
		}
		// Claimed orders pile up across runs as dead rows. Vacuumed and analyzed here, they
		// skew the measured window neither through autovacuum starting in it nor, where
		// autovacuum is off, through dead rows and stale statistics.
		if _, err := pool.Exec(ctx, "VACUUM (ANALYZE) service_orders"); err != nil {
			return fmt.Errorf("vacuum the orders to claim: %w", err)
		}
		measured(pid, warm, dur, func() loadgen.Result {
			return loadgen.Run(ctx, loadgen.NewClient(url, n), cl.Scenario, n, warm, dur)
		})
	}
	return nil
}

// dbLimit runs pgbench on one limit's script at n clients and reports its rate, the API's
// share of it, and the CPU it cost Postgres and pgbench per page.
func dbLimit(pgURL string, l limit, n int, dur time.Duration, api float64) (float64, error) {
	settle()
	before := postgresCPU()
	tps, lat, own, err := pgbench(pgURL, l.script, l.mode, n, dur)
	if err != nil {
		return 0, err
	}
	pages := tps * dur.Seconds()
	settle()
	// A backend that ends between the listing of processes and the reading of the
	// postmaster's totals is missed (seen as 0.00 ms at one client): say so rather than 0.
	pgCPU := "unknown"
	if d := postgresCPU() - before; d > 0 {
		pgCPU = fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)/pages)
	}
	fmt.Printf("  limit %s: pgbench %.1f pages/s (mean %.2f ms), API %.1f%% of it; CPU per page: Postgres %s, pgbench %.2f ms\n",
		l.name, tps, lat, 100*api/tps, pgCPU, float64(own)/float64(time.Millisecond)/pages)
	return tps, nil
}

// median of a non-empty list.
func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// loadavg gives /proc/loadavg: other work on the machine skews every figure.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown\n"
	}
	return string(b)
}

// measured runs one load level, reports it with the CPU its measured window cost per request.
func measured(serverPID int, warm, dur time.Duration, run func() loadgen.Result) loadgen.Result {
	window := measureCPU(serverPID, time.Now().Add(warm), dur)
	r := run()
	report(r)
	if s := <-window; r.PerSecond > 0 {
		fmt.Printf("    %s\n", s[0].per(s[1], r.PerSecond*dur.Seconds()))
	}
	return r
}

func report(r loadgen.Result) {
	fmt.Println(r)
	if r.FirstError != "" {
		fmt.Printf("    first error: %s\n", r.FirstError)
	}
}

// claims is a supply of published orders, each with a checked-in member of its grid.
type claims struct {
	loadgen.Scenario
	orders []int64
	tokens []string
	next   atomic.Int64
}

// newClaims publishes perGrid orders in every grid that has checked-in members.
func newClaims(ctx context.Context, pool *pgxpool.Pool, perGrid int, keys auth.Keys) (*claims, error) {
	rows, err := pool.Query(ctx, claimSQL, perGrid)
	if err != nil {
		return nil, fmt.Errorf("publish orders to claim: %w", err)
	}
	c := &claims{}
	for rows.Next() {
		var o, p, g int64
		if err := rows.Scan(&o, &p, &g); err != nil {
			return nil, err
		}
		tok, err := keys.Issue("party_member", resolvers.GlobalID("Grid", g), strconv.FormatInt(p, 10), 24*time.Hour, time.Now())
		if err != nil {
			return nil, err
		}
		c.orders, c.tokens = append(c.orders, o), append(c.tokens, tok)
	}
	rows.Close()
	if len(c.orders) == 0 {
		return nil, fmt.Errorf("no checked-in members in any grid: is the database seeded?")
	}
	c.Scenario = loadgen.Scenario{Name: "claim", Next: func(_, _ int) loadgen.Request {
		i := int(c.next.Add(1)-1) % len(c.orders) // wraps only if the supply runs out: then claims fail, and are counted
		return loadgen.Request{Query: claimQuery, Token: c.tokens[i],
			Variables: map[string]any{"in": map[string]any{"orderId": resolvers.GlobalID("ServiceOrder", c.orders[i])}}}
	}}
	return c, nil
}

// claimSQL interleaves the grids, so concurrent claims do not queue on one grid's rows.
const claimSQL = `WITH m AS (
		SELECT DISTINCT ON (m.grid_id) m.grid_id, m.street_id, m.community_id, m.person_id FROM party_members m
		WHERE m.grid_id IS NOT NULL AND m.deleted_at IS NULL AND EXISTS (SELECT 1 FROM checkins c
			WHERE c.member_id = m.id AND c.state = 'verified' AND c.deleted_at IS NULL)
		ORDER BY m.grid_id, m.id),
	ins AS (INSERT INTO service_orders (street_id, community_id, grid_id, category_id, resident_id, title, state, published_at)
		SELECT m.street_id, m.community_id, m.grid_id, (SELECT min(id) FROM service_categories),
			(SELECT min(id) FROM people), 'benchmark order ' || g, 'published', now()
		FROM m CROSS JOIN generate_series(1, $1::int) g RETURNING id, grid_id, title)
	SELECT ins.id, m.person_id, ins.grid_id FROM ins JOIN m USING (grid_id) ORDER BY ins.title, ins.grid_id`

// cpuProfile asks the server at debugAddr for a CPU profile of the measured window (after
// warm, for dur) and writes it to path; without debugAddr it does nothing.
func cpuProfile(debugAddr, path string, warm, dur time.Duration) <-chan error {
	done := make(chan error, 1)
	if debugAddr == "" {
		done <- nil
		return done
	}
	go func() {
		time.Sleep(warm)
		resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", debugAddr, int(dur.Seconds())))
		if err != nil {
			done <- fmt.Errorf("cpu profile: %w", err)
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("status %d: %.200s", resp.StatusCode, b)
		}
		if err == nil {
			err = os.WriteFile(path, b, 0o644)
		}
		if err != nil {
			err = fmt.Errorf("cpu profile: %w", err)
		}
		done <- err
	}()
	return done
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func waitHealthy(url string) error {
	for range 100 {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("the server did not become healthy at %s", url)
}

// peakRSS reads a process's peak resident set (VmHWM) in KiB.
func peakRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	m := regexp.MustCompile(`VmHWM:\s+(\d+) kB`).FindSubmatch(b)
	if m == nil {
		return 0, fmt.Errorf("no VmHWM for pid %d", pid)
	}
	return strconv.ParseInt(string(m[1]), 10, 64)
}

var tpsRE = regexp.MustCompile(`tps = ([0-9.]+) \(without initial connection time\)`)
var latRE = regexp.MustCompile(`latency average = ([0-9.]+) ms`)

// limit is one way of replaying the console page's statements with pgbench.
type limit struct{ name, script, mode string }

// pipelinedPath names the pipelined script beside the plain one.
func pipelinedPath(script string) string {
	return strings.TrimSuffix(script, ".sql") + ".pipelined.sql"
}

// pgbench runs the script at n clients in the given query mode and gives its transactions
// per second, mean latency and its own CPU time.
func pgbench(pgURL, script, mode string, n int, d time.Duration) (float64, float64, time.Duration, error) {
	cmd := exec.Command("pgbench", "-n", "-M", mode, "-f", script, "-c", strconv.Itoa(n), "-j", "2", "-T", strconv.Itoa(int(d.Seconds())), pgURL)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return 0, 0, 0, fmt.Errorf("pgbench: %w: %s", err, out)
	}
	m, l := tpsRE.FindSubmatch(out), latRE.FindSubmatch(out)
	if m == nil || l == nil {
		return 0, 0, 0, fmt.Errorf("pgbench output not understood: %s", out)
	}
	tps, _ := strconv.ParseFloat(string(m[1]), 64)
	lat, _ := strconv.ParseFloat(string(l[1]), 64)
	return tps, lat, cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), nil
}

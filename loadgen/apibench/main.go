// Command apibench is the GraphQL API benchmark of docs/benchmarks.md. It measures eight
// request classes (console page, party members page, order feed, member by id, grid roster,
// quarterly ledger, monthly review, claim) at several client counts, for one build of
// `gridgov serve` or for two side by side in one run (a baseline and a candidate), and, for
// each build and class, the database's limit for the same work: pgbench replaying the
// statements that build sent for the class, one by one and as sent.
//
//	go run ./loadgen/apibench -pg postgres://…/gridgov_bench -bin bin/gridgov [-base bin/gridgov-base]
//
// Each build runs as its own process and is talked to over HTTP only. What it sends
// Postgres is seen at the wire: before measuring, a second process of the build serves
// with its database URL pointing at a loadgen.Tap, and each class's sample requests are
// sent one at a time through it. So the benchmark depends on no package of the server, and
// needs nothing of Postgres beyond a connection (no statement log, no extension).
//
// Each build works on a database of its own: the candidate on -pg, the baseline on -base-pg
// (by default the same). When the candidate brings migrations, the baseline's database is a
// copy of the candidate's made before they ran (make bench-api-compare makes it), so that
// each build is measured on its own schema. Everything a build does in Postgres (the
// capture, the measured server, the pgbench replays, the claims' orders) goes to its
// database; the two must hold the same seeded city, which is checked at the start.
//
// The database must hold a seeded city (gridgov seed). The claim runs publish orders to
// claim; run them against a benchmark database, not one you care about.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"gridgov/auth"
	"gridgov/config"
	"gridgov/loadgen"
)

func main() {
	var o options
	flag.StringVar(&o.pgURL, "pg", os.Getenv("GRIDGOV_PG_URL"), "Postgres URL of a seeded benchmark database, the candidate's")
	flag.StringVar(&o.basePG, "base-pg", "", "Postgres URL of the baseline's database, a copy of -pg at the baseline's schema (default: -pg)")
	flag.StringVar(&o.bin, "bin", "bin/gridgov", "the candidate build's gridgov binary")
	flag.StringVar(&o.label, "label", "candidate", "the candidate's name in the tables")
	flag.StringVar(&o.base, "base", "", "the baseline build's gridgov binary (none: the candidate alone)")
	flag.StringVar(&o.baseLabel, "base-label", "base", "the baseline's name in the tables")
	flag.StringVar(&o.builds, "builds", "base,candidate", "which builds to run: base, candidate or both")
	flag.StringVar(&o.classes, "classes", "all", "classes to run: "+strings.Join(classIDs, ",")+", or all")
	flag.StringVar(&o.clients, "clients", "1,8,32", "client counts")
	flag.DurationVar(&o.dur, "d", 10*time.Second, "measured time per run")
	flag.DurationVar(&o.warm, "warm", 2*time.Second, "warm-up per API run, not measured")
	flag.IntVar(&o.samples, "samples", 64, "distinct requests each read class rotates over, all captured and replayed by pgbench")
	flag.BoolVar(&o.limits, "pgbench", true, "measure the database's limits with pgbench")
	flag.StringVar(&o.out, "out", "bin/apibench", "directory for the results (JSON, CSV, Markdown) and the pgbench scripts")
	flag.StringVar(&o.profiles, "cpuprofile", "", "a directory to write the server's CPU profile of each API run into")
	flag.Parse()
	if err := run(context.Background(), o); err != nil {
		log.Fatal(err)
	}
}

// options are the command's flags.
type options struct {
	pgURL, basePG               string
	bin, label, base, baseLabel string
	builds, classes, clients    string
	dur, warm                   time.Duration
	samples                     int
	limits                      bool
	out, profiles               string
}

// build is one server binary under test.
type build struct {
	label, bin string
	app        string    // application_name of its measured server's connections
	db         *database // where everything it does in Postgres goes
	srv        *serveProcess
	captures   map[string]*classCapture // by class id
}

// database is a build's Postgres database and a pool on it; builds given the same URL share
// one.
type database struct {
	url  string
	pool *pgxpool.Pool
}

// name gives the database's name, for messages (the URL may hold a password).
func (d *database) name() string {
	u, err := url.Parse(d.url)
	if err != nil {
		return "?"
	}
	return strings.TrimPrefix(u.Path, "/")
}

// connect opens a pool on each build's database, one per distinct URL, and gives the
// distinct databases in the builds' order.
func connect(ctx context.Context, builds []*build) ([]*database, error) {
	byURL := map[string]*database{}
	var dbs []*database
	for _, b := range builds {
		if db, ok := byURL[b.db.url]; ok {
			b.db = db
			continue
		}
		pool, err := pgxpool.New(ctx, b.db.url)
		if err != nil {
			closeAll(dbs)
			return nil, err
		}
		b.db.pool = pool
		byURL[b.db.url] = b.db
		dbs = append(dbs, b.db)
	}
	return dbs, nil
}

func closeAll(dbs []*database) {
	for _, db := range dbs {
		db.pool.Close()
	}
}

// removeAllClaims removes the orders claim runs published from every database.
func removeAllClaims(ctx context.Context, dbs []*database) error {
	for _, db := range dbs {
		if err := removeClaims(ctx, db.pool); err != nil {
			return fmt.Errorf("%s: %w", db.name(), err)
		}
	}
	return nil
}

func run(ctx context.Context, o options) error {
	if o.pgURL == "" {
		return fmt.Errorf("give -pg or GRIDGOV_PG_URL")
	}
	if o.basePG == "" {
		o.basePG = o.pgURL
	}
	levels, err := parseLevels(o.clients)
	if err != nil {
		return err
	}
	if o.dur < time.Second || o.dur%time.Second != 0 || o.samples < 1 {
		return fmt.Errorf("-d must be whole seconds (pgbench -T), at least 1s, and -samples at least 1")
	}
	builds, err := chooseBuilds(o)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(o.out, "scripts"), 0o755); err != nil {
		return err
	}
	if o.profiles != "" {
		if err := os.MkdirAll(o.profiles, 0o755); err != nil {
			return err
		}
	}
	dbs, err := connect(ctx, builds)
	if err != nil {
		return err
	}
	defer closeAll(dbs)
	// Each run starts and ends on the seeded city: orders an earlier claim run published
	// are removed first, this run's at the end.
	if err := removeAllClaims(ctx, dbs); err != nil {
		return err
	}
	defer func() {
		if err := removeAllClaims(context.Background(), dbs); err != nil {
			log.Print(err)
		}
	}()
	fx, err := loadSameFixtures(ctx, dbs)
	if err != nil {
		return err
	}
	// Tokens are signed with the development secret, which serve uses in development mode.
	keys, err := auth.LoadKeys("HS256", config.DevSecret, "", "", "gridgov", "gridgov", 30*time.Second)
	if err != nil {
		return err
	}
	admin, err := keys.Issue("city_admin", auth.ScopeCity, "1", 24*time.Hour, time.Now())
	if err != nil {
		return err
	}
	classes, err := selectClasses(newClasses(fx, admin, keys, o.samples), o.classes)
	if err != nil {
		return err
	}
	started := time.Now()
	fmt.Printf("gridgov API benchmark, %s: builds %s; classes %s; clients %v; %s measured per run (+%s warm-up); %d CPUs\n",
		started.Format(time.DateTime), buildNames(builds), classNames(classes), levels, o.dur, o.warm, runtime.NumCPU())
	fmt.Printf("load average at start: %s\n\n", loadavg())

	for _, b := range builds {
		if b.captures, err = captureBuild(ctx, b, classes, filepath.Join(o.out, "scripts"), b.serveBinary); err != nil {
			return fmt.Errorf("%s: %w", b.label, err)
		}
	}
	if err := removeAllClaims(ctx, dbs); err != nil { // the captured claims'
		return err
	}
	for _, b := range builds {
		url, err := withParams(b.db.url, map[string]string{"application_name": b.app})
		if err != nil {
			return err
		}
		if b.srv, err = startServer(b.bin, url, o.profiles != ""); err != nil {
			return err
		}
		defer b.srv.stop()
	}
	m := &matrix{o: o, pool: dbs[0].pool, builds: builds, classes: classes, levels: levels}
	rows, err := m.run(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("\nload average at the end: %s; the run took %s\n\n", loadavg(), time.Since(started).Round(time.Second))
	return writeResults(o, started, rows, builds, classes)
}

// serveFunc starts a server of a build on pgURL and gives the URL of its /graphql and a
// function that stops it.
type serveFunc func(pgURL string) (apiURL string, stop func(), err error)

// serveBinary starts the build's binary: the serveFunc of a capture.
func (b *build) serveBinary(pgURL string) (string, func(), error) {
	srv, err := startServer(b.bin, pgURL, false)
	if err != nil {
		return "", nil, err
	}
	return srv.url, srv.stop, nil
}

// captureBuild serves the build with its database's traffic through a tap and captures what
// it sends for each class; the pgbench scripts go to dir.
func captureBuild(ctx context.Context, b *build, classes []*class, dir string, serve serveFunc) (map[string]*classCapture, error) {
	tap, err := loadgen.NewTap(b.db.url)
	if err != nil {
		return nil, err
	}
	defer tap.Close()
	url, err := tap.TapURL(b.db.url, "apibench_capture")
	if err != nil {
		return nil, err
	}
	apiURL, stop, err := serve(url)
	if err != nil {
		return nil, err
	}
	defer stop()
	conn, err := pgx.Connect(ctx, b.db.url)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	cp := capturer{client: loadgen.NewClient(apiURL, 1), tap: tap, conn: conn, pool: b.db.pool, dir: dir}
	out := map[string]*classCapture{}
	for _, c := range classes {
		got, err := cp.capture(ctx, b.label, c)
		if err != nil {
			return nil, err
		}
		out[c.id] = got
		fmt.Printf("%-10s %-20s %5.1f statements, %5.1f round trips over %.1f connections per request (%d samples, %.1f other round trips)\n",
			b.label, c.name, got.Statements, got.RoundTrips, got.Conns, got.Samples, got.OtherTurns)
	}
	fmt.Println()
	return out, nil
}

func parseLevels(s string) ([]int, error) {
	var levels []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("bad -clients %q", s)
		}
		levels = append(levels, n)
	}
	return levels, nil
}

// chooseBuilds gives the builds -builds names among those given: the baseline first.
func chooseBuilds(o options) ([]*build, error) {
	var out []*build
	for _, name := range strings.Split(o.builds, ",") {
		switch strings.TrimSpace(name) {
		case "base":
			if o.base != "" {
				out = append(out, &build{label: o.baseLabel, bin: o.base, app: fmt.Sprintf("apibench_base_%d", os.Getpid()),
					db: &database{url: o.basePG}})
			}
		case "candidate":
			out = append(out, &build{label: o.label, bin: o.bin, app: fmt.Sprintf("apibench_candidate_%d", os.Getpid()),
				db: &database{url: o.pgURL}})
		default:
			return nil, fmt.Errorf("bad -builds %q: base, candidate or both", o.builds)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no build to run: -builds %q, -base %q", o.builds, o.base)
	}
	if len(out) == 2 && out[0].label == out[1].label {
		return nil, fmt.Errorf("the two builds have the same label %q", out[0].label)
	}
	return out, nil
}

func buildNames(bs []*build) string {
	var s []string
	for _, b := range bs {
		s = append(s, fmt.Sprintf("%s (%s on %s)", b.label, b.bin, b.db.name()))
	}
	return strings.Join(s, ", ")
}

func classNames(cs []*class) string {
	var s []string
	for _, c := range cs {
		s = append(s, c.id)
	}
	return strings.Join(s, ",")
}

package etl

// The ETL performance benchmarks, run against a seeded demo city (not the small test
// fixtures): a full load beside the raw COPY | clickhouse-client pipe, and the lag of --follow
// under a steady write load. They skip unless pointed at a seeded database; how they were run
// and what they gave is in docs/benchmarks.md ("ETL").
//
//	GRIDGOV_ETLBENCH_PG_URL=postgres://postgres@127.0.0.1:5432/gridgov_etlbench?sslmode=disable \
//	GRIDGOV_ETLBENCH_CH_DATABASE=gridgov_etlbench \
//	  go test ./etl -run '^$' -bench DemoCityFullLoad -benchtime 1x -timeout 60m
//
//	GRIDGOV_ETLBENCH_PG_URL=postgres://postgres@127.0.0.1:5432/gridgov_etlbench1?sslmode=disable \
//	GRIDGOV_ETLBENCH_CH_DATABASE=gridgov_etlbench1 \
//	  go test ./etl -run '^$' -bench FollowLag -benchtime 1x -timeout 30m

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"gridgov/warehouse"
	"gridgov/warehouse/whtest"
)

// benchEnv is the seeded Postgres database and the warehouse database of a benchmark.
type benchEnv struct {
	pgURL string
	pg    *pgxpool.Pool
	ch    *warehouse.Client
	db    string
	addr  string
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func envInt(b *testing.B, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		b.Fatalf("%s: %v", name, err)
	}
	return n
}

func newBenchEnv(b *testing.B) benchEnv {
	b.Helper()
	url := os.Getenv("GRIDGOV_ETLBENCH_PG_URL")
	if url == "" {
		b.Skip("set GRIDGOV_ETLBENCH_PG_URL to a seeded database (see docs/benchmarks.md, ETL)")
	}
	ctx := context.Background()
	pg, err := pgxpool.New(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pg.Close)
	o := whtest.Options(b)
	o.Database = envOr("GRIDGOV_ETLBENCH_CH_DATABASE", "gridgov_etlbench")
	ch, err := warehouse.Open(ctx, o)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ch.Close() })
	return benchEnv{pgURL: url, pg: pg, ch: ch, db: o.Database, addr: o.Addr}
}

// fresh empties the warehouse database and the checkpoints: the next run is a full load.
func (v benchEnv) fresh(b *testing.B) {
	b.Helper()
	ctx := context.Background()
	if err := v.ch.Exec(ctx, "DROP DATABASE IF EXISTS "+warehouse.Quote(v.db)); err != nil {
		b.Fatal(err)
	}
	if _, err := warehouse.Migrate(ctx, v.ch, v.db, warehouse.Topology{}); err != nil {
		b.Fatal(err)
	}
	if _, err := v.pg.Exec(ctx, "DELETE FROM etl_checkpoints"); err != nil {
		b.Fatal(err)
	}
}

// pipeSQL is what the raw pipe sends for table t: the ETL's own extraction query (same
// expressions, joins and rows, from horizon 0), with each value in the text form
// clickhouse-client parses into the same warehouse column — booleans as 0/1, times as Unix
// seconds. Person keys go as the plain ids: the pipe does not hash them, so it does a little
// less than the ETL.
func (v benchEnv) pipeSQL(b *testing.B, p *plan) string {
	b.Helper()
	rows, err := v.pg.Query(context.Background(), p.extractSQL()+" LIMIT 0", "0")
	if err != nil {
		b.Fatal(err)
	}
	fds := rows.FieldDescriptions()
	rows.Close()
	exprs := make([]string, len(p.exprs))
	for i, e := range p.exprs {
		base, _ := warehouse.Unwrap(p.cols[i].Type)
		switch oid := fds[i].DataTypeOID; {
		case oid == 16: // bool
			exprs[i] = "(" + e + ")::int"
		case (oid == 1184 || oid == 1114) && strings.HasPrefix(base, "DateTime"):
			exprs[i] = "floor(extract(epoch FROM " + e + "))::bigint"
		case oid == 1184 && base == "Date":
			exprs[i] = "(" + e + ")::date"
		default:
			exprs[i] = e
		}
	}
	return "SELECT " + strings.Join(exprs, ", ") + " " + strings.ReplaceAll(p.table.fromWhere(), "$1", "'0'")
}

// samePipeData checks that the pipe's copy of a table holds what the ETL's holds, column by
// column (a hash sum of every value; person keys aside, which the pipe does not hash), then
// drops it.
func (v benchEnv) samePipeData(b *testing.B, p *plan) {
	b.Helper()
	ctx := context.Background()
	var sums []string
	for _, c := range p.cols {
		if !warehouse.IsKey(c.Name) {
			sums = append(sums, "toString(sum(cityHash64(toString("+warehouse.Quote(c.Name)+"))))")
		}
	}
	q := "SELECT " + strings.Join(sums, ", ") + " FROM "
	etlSums, err := v.ch.Query(ctx, q+warehouse.Qualified(v.db, p.table.Name))
	if err != nil {
		b.Fatal(err)
	}
	pipeSums, err := v.ch.Query(ctx, q+warehouse.Qualified(v.db, "pipe__"+p.table.Name))
	if err != nil {
		b.Fatal(err)
	}
	if !slices.Equal(etlSums[0], pipeSums[0]) {
		b.Errorf("%s: the pipe's copy differs from the ETL's: %v vs %v", p.table.Name, pipeSums[0], etlSums[0])
	}
	if err := v.ch.Exec(ctx, "DROP TABLE "+warehouse.Qualified(v.db, "pipe__"+p.table.Name)); err != nil {
		b.Fatal(err)
	}
}

// pipe copies table t with psql and clickhouse-client into an empty copy of the warehouse
// table, and returns the time it took and the rows the copy then holds.
func (v benchEnv) pipe(b *testing.B, p *plan, sql string) (time.Duration, int64) {
	b.Helper()
	ctx := context.Background()
	scratch := "pipe__" + p.table.Name
	for _, q := range warehouse.StagingStatements(v.db, p.table.Name, scratch) {
		if err := v.ch.Exec(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	host, port, _ := strings.Cut(v.addr, ":")
	cmd := exec.Command("bash", "-o", "pipefail", "-c",
		`psql "$PIPE_PG" -Xqc "COPY ($PIPE_SELECT) TO STDOUT" | clickhouse-client --host "$PIPE_HOST" --port "$PIPE_PORT" --query "$PIPE_INSERT FORMAT TSV"`)
	cmd.Env = append(os.Environ(), "PIPE_PG="+v.pgURL, "PIPE_SELECT="+sql, "PIPE_HOST="+host, "PIPE_PORT="+port,
		"PIPE_INSERT="+p.insertSQL(v.db, scratch))
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("pipe %s: %v: %s", p.table.Name, err, out)
	}
	d := time.Since(start)
	n := v.count(b, scratch)
	return d, n
}

func (v benchEnv) count(b *testing.B, table string) int64 {
	b.Helper()
	rows, err := v.ch.Query(context.Background(), "SELECT count() FROM "+warehouse.Qualified(v.db, table))
	if err != nil {
		b.Fatal(err)
	}
	n, _ := strconv.ParseInt(rows[0][0], 10, 64)
	return n
}

// sameServer fails the benchmark when ClickHouse restarted since start (the machine is
// shared; a restart would mean a retried, slower run): the figures would not be comparable.
func (v benchEnv) sameServer(b *testing.B, start time.Time) {
	b.Helper()
	rows, err := v.ch.Query(context.Background(), "SELECT toString(uptime())")
	if err != nil {
		b.Fatal(err)
	}
	up, _ := strconv.Atoi(rows[0][0])
	if since := time.Since(start); time.Duration(up)*time.Second < since {
		b.Fatalf("ClickHouse restarted %d s ago, during the measurement (%v): run again", up, since.Round(time.Second))
	}
}

// BenchmarkDemoCityFullLoad loads every table of a seeded city in full, as `gridgov etl run
// --once` does on empty checkpoints, beside the raw pipe over the same rows. The machine is
// shared, so the two are interleaved table by table (the ETL loads table t alone — a whole
// run: lock, snapshot, load, checkpoint — then the pipe copies t; the order flips every
// round) and a slow spell hits both alike. GRIDGOV_ETLBENCH_ROUNDS rounds (default 2), each
// ending with one whole run over all tables, as the command does it. It prints a per-table
// and total table per round.
func BenchmarkDemoCityFullLoad(b *testing.B) {
	v := newBenchEnv(b)
	ctx := context.Background()
	rounds := envInt(b, "GRIDGOV_ETLBENCH_ROUNDS", 2)
	batch := envInt(b, "GRIDGOV_ETLBENCH_BATCH", 50_000)
	pipes := os.Getenv("GRIDGOV_ETLBENCH_PIPE") != "0"
	names := Tables
	if only := os.Getenv("GRIDGOV_ETLBENCH_TABLES"); only != "" { // comma-separated
		names = nil
		for _, n := range strings.Split(only, ",") {
			t, ok := TableNamed(n)
			if !ok {
				b.Fatalf("no table %s", n)
			}
			names = append(names, t)
		}
	}
	for i := 0; i < b.N; i++ {
		var etlTotal, pipeTotal time.Duration
		for round := 1; round <= rounds; round++ {
			roundStart := time.Now()
			v.fresh(b)
			type result struct {
				rows      int64
				etl, pipe time.Duration
			}
			var res []result
			var sum result
			for _, t := range names {
				e := New(v.pg, v.ch, Options{Database: v.db, BatchSize: batch, Progress: io.Discard, Tables: []string{t.Name}, MaxAttempts: 1})
				var r result
				var pipeRows int64
				runETL := func() {
					start := time.Now()
					s, err := e.RunOnce(ctx)
					r.etl = time.Since(start)
					if err != nil {
						b.Fatal(err)
					}
					r.rows = s.Rows()
				}
				runPipe := func() {
					if !pipes {
						return
					}
					p, err := e.newPlan(ctx, t)
					if err != nil {
						b.Fatal(err)
					}
					r.pipe, pipeRows = v.pipe(b, p, v.pipeSQL(b, p))
				}
				if round%2 == 1 {
					runETL()
					runPipe()
				} else {
					runPipe()
					runETL()
				}
				if pipes {
					if got := v.count(b, t.Name); got != pipeRows {
						b.Fatalf("%s: the warehouse table holds %d rows (the ETL reported %d), the pipe copied %d", t.Name, got, r.rows, pipeRows)
					}
					p, err := e.newPlan(ctx, t)
					if err != nil {
						b.Fatal(err)
					}
					v.samePipeData(b, p)
				}
				res = append(res, r)
				sum.rows += r.rows
				sum.etl += r.etl
				sum.pipe += r.pipe
			}
			etlTotal += sum.etl
			pipeTotal += sum.pipe

			// The whole city in one run, as `gridgov etl run --once` does it.
			v.fresh(b)
			tables := make([]string, len(names))
			for j, t := range names {
				tables[j] = t.Name
			}
			start := time.Now()
			whole, err := New(v.pg, v.ch, Options{Database: v.db, BatchSize: batch, Progress: io.Discard, Tables: tables, MaxAttempts: 1}).RunOnce(ctx)
			wall := time.Since(start)
			if err != nil {
				b.Fatal(err)
			}

			v.sameServer(b, roundStart)
			w := &strings.Builder{}
			fmt.Fprintf(w, "round %d, batch %d, %s first\n", round, batch, map[bool]string{true: "ETL", false: "pipe"}[round%2 == 1])
			tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
			fmt.Fprintln(tw, "table\trows\tetl s\tetl rows/s\tpipe s\tpipe rows/s\tetl % of pipe\t")
			order := make([]int, len(res))
			for j := range order {
				order[j] = j
			}
			slices.SortStableFunc(order, func(a, c int) int { return int(res[c].rows - res[a].rows) })
			line := func(name string, r result) {
				fmt.Fprintf(tw, "%s\t%d\t%.2f\t%.0f\t%.2f\t%.0f\t%.0f%%\t\n", name, r.rows, r.etl.Seconds(),
					rate(r.rows, r.etl), r.pipe.Seconds(), rate(r.rows, r.pipe), 100*r.pipe.Seconds()/r.etl.Seconds())
			}
			for _, j := range order {
				if res[j].rows > 0 {
					line(names[j].Name, res[j])
				}
			}
			line(fmt.Sprintf("total (%d tables)", len(names)), sum)
			fmt.Fprintf(tw, "one run, all tables\t%d\t%.2f\t%.0f\t\t\t\t\n", whole.Rows(), wall.Seconds(), rate(whole.Rows(), wall))
			tw.Flush()
			fmt.Print(w.String()) // b.Log would truncate the table
			b.ReportMetric(rate(sum.rows, sum.etl), "etl-rows/s")
			b.ReportMetric(rate(whole.Rows(), wall), "etl-one-run-rows/s")
			if pipes {
				b.ReportMetric(rate(sum.rows, sum.pipe), "pipe-rows/s")
			}
		}
		if pipes {
			b.ReportMetric(100*pipeTotal.Seconds()/etlTotal.Seconds(), "%-of-pipe")
		}
	}
}

// BenchmarkFollowLag measures how long a committed write takes to become visible in the
// deduplicated warehouse while `Follow` runs: a writer commits GRIDGOV_ETLBENCH_RATE issue
// reports and updates a second (default 50, half each) for GRIDGOV_ETLBENCH_SECONDS (default
// 180), noting each write's commit time; a poller asks ClickHouse every 100 ms which of the
// written ids have reached their version (max(version) per id: what FINAL shows) and notes
// when the answer came back. Follow runs with GRIDGOV_ETLBENCH_INTERVAL (default 500ms).
func BenchmarkFollowLag(b *testing.B) {
	v := newBenchEnv(b)
	ctx := context.Background()
	rateHz := envInt(b, "GRIDGOV_ETLBENCH_RATE", 50)
	seconds := envInt(b, "GRIDGOV_ETLBENCH_SECONDS", 180)
	interval, err := time.ParseDuration(envOr("GRIDGOV_ETLBENCH_INTERVAL", "500ms"))
	if err != nil {
		b.Fatal(err)
	}
	summaryEvery, err := time.ParseDuration(envOr("GRIDGOV_ETLBENCH_SUMMARY_EVERY", "30s"))
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		v.fresh(b)
		// As `gridgov etl run --follow` does by default: summaries rebuilt at most every 30 s.
		e := New(v.pg, v.ch, Options{Database: v.db, SummaryEvery: summaryEvery})
		if _, err := e.RunOnce(ctx); err != nil {
			b.Fatal(err)
		}
		var ids []int64
		rows, err := v.pg.Query(ctx, "SELECT id FROM issues WHERE deleted_at IS NULL")
		if err != nil {
			b.Fatal(err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				b.Fatal(err)
			}
			ids = append(ids, id)
		}
		rows.Close()

		fctx, stop := context.WithCancel(ctx)
		var runs []time.Duration
		var runErrs int
		var mu sync.Mutex
		followDone := make(chan error, 1)
		go func() {
			followDone <- e.Follow(fctx, interval, func(s Summary, err error) {
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					runErrs++
					return
				}
				runs = append(runs, s.Duration)
			})
		}()

		type write struct {
			id, version int64
			committed   time.Time
		}
		var pending []write
		var lags []time.Duration
		var writes, writerErrs int
		writerDone := make(chan struct{})
		go func() { // the writer
			defer close(writerDone)
			tick := time.NewTicker(time.Second / time.Duration(rateHz))
			defer tick.Stop()
			end := time.Now().Add(time.Duration(seconds) * time.Second)
			rnd := rand.New(rand.NewPCG(1, 2))
			for n := 0; time.Now().Before(end); n++ {
				<-tick.C
				src := ids[rnd.IntN(len(ids))]
				var w write
				var err error
				if n%2 == 0 { // a new report, in the place and category of an existing one
					err = v.pg.QueryRow(ctx, `INSERT INTO issues (street_id, community_id, grid_id, building_id,
							category_id, title, reporter_id, reporter_role, reported_at)
						SELECT street_id, community_id, grid_id, building_id, category_id, 'bench report', reporter_id,
							reporter_role, now() FROM issues WHERE id = $1
						RETURNING id, version`, src).Scan(&w.id, &w.version)
				} else { // an update of an existing issue
					err = v.pg.QueryRow(ctx, `UPDATE issues SET description = left(description, 200) || '.'
						WHERE id = $1 RETURNING id, version`, src).Scan(&w.id, &w.version)
				}
				w.committed = time.Now()
				mu.Lock()
				if err != nil {
					writerErrs++
				} else {
					writes++
					pending = append(pending, w)
				}
				mu.Unlock()
			}
		}()

		// The poller, until the writer stopped and every write is visible (or 60 s more).
		q := "SELECT id, max(version) FROM " + warehouse.Qualified(v.db, "fact_issue") + " WHERE id IN (%s) GROUP BY id"
		var deadline time.Time
		for {
			time.Sleep(100 * time.Millisecond)
			select {
			case <-writerDone:
				if deadline.IsZero() {
					deadline = time.Now().Add(60 * time.Second)
				}
			default:
			}
			mu.Lock()
			waiting := slices.Clone(pending)
			mu.Unlock()
			if len(waiting) == 0 {
				if !deadline.IsZero() {
					break
				}
				continue
			}
			if !deadline.IsZero() && time.Now().After(deadline) {
				b.Errorf("%d writes not visible 60 s after the writer stopped", len(waiting))
				break
			}
			var in []string
			for _, w := range waiting {
				in = append(in, strconv.FormatInt(w.id, 10))
			}
			res, err := v.ch.Query(ctx, fmt.Sprintf(q, strings.Join(in, ",")))
			seen := time.Now()
			if err != nil {
				b.Fatal(err)
			}
			top := map[int64]int64{}
			for _, r := range res {
				id, _ := strconv.ParseInt(r[0], 10, 64)
				ver, _ := strconv.ParseInt(r[1], 10, 64)
				top[id] = ver
			}
			mu.Lock()
			pending = slices.DeleteFunc(pending, func(w write) bool {
				if top[w.id] >= w.version {
					lags = append(lags, seen.Sub(w.committed))
					return true
				}
				return false
			})
			mu.Unlock()
		}
		stop()
		if err := <-followDone; err != nil {
			b.Fatal(err)
		}
		slices.Sort(lags)
		pct := func(p float64) time.Duration {
			if len(lags) == 0 {
				return 0
			}
			return lags[min(len(lags)-1, int(p*float64(len(lags))))]
		}
		slices.Sort(runs)
		var mean time.Duration
		for _, r := range runs {
			mean += r
		}
		if len(runs) > 0 {
			mean /= time.Duration(len(runs))
		}
		b.Logf("writes %d in %d s (%.1f/s), writer errors %d; visible %d; commit→visible p50 %v p95 %v p99 %v max %v; "+
			"ETL runs %d (failed %d), run time mean %v p95 %v max %v, interval %v",
			writes, seconds, float64(writes)/float64(seconds), writerErrs, len(lags),
			pct(0.5).Round(time.Millisecond), pct(0.95).Round(time.Millisecond), pct(0.99).Round(time.Millisecond),
			pct(1).Round(time.Millisecond), len(runs), runErrs, mean.Round(time.Millisecond),
			runs[min(len(runs)-1, len(runs)*95/100)].Round(time.Millisecond), runs[len(runs)-1].Round(time.Millisecond), interval)
		b.ReportMetric(pct(0.5).Seconds(), "p50-s")
		b.ReportMetric(pct(0.95).Seconds(), "p95-s")
		b.ReportMetric(pct(1).Seconds(), "max-s")
	}
}

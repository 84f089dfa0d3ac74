package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"gridgov/etl"
	"gridgov/observe"
	"gridgov/store"
	"gridgov/warehouse"
)

const etlUsage = `usage: gridgov etl <command> [flags]
  run --once | --follow [--interval 2s]   copy what changed in Postgres into the warehouse
  resync [--table T]...                   reload tables in full, swapping each in when loaded
  status                                  per table: horizon, last success, rows, lag
  verify                                  compare row counts and column sums with Postgres
flags of run and resync: --wait (queue behind a running ETL), --batch N, --table T (repeatable),
  --metrics-listen ADDR (serve Prometheus metrics while running)
GRIDGOV_PSEUDONYM_KEY keys the pseudonyms of people (default: a development key).`

func cmdETL(ctx context.Context, a *app, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%s", etlUsage)
	}
	fs := flag.NewFlagSet("etl "+args[0], flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	once := fs.Bool("once", false, "run once and exit")
	follow := fs.Bool("follow", false, "run continuously")
	interval := fs.Duration("interval", 2*time.Second, "pause between runs with --follow")
	summaries := fs.Duration("summaries-every", 30*time.Second, "with --follow, rebuild the indicators' summary tables at most this often")
	wait := fs.Bool("wait", false, "wait for a running ETL instead of exiting")
	batch := fs.Int("batch", 50_000, "rows per ClickHouse batch")
	metricsAddr := fs.String("metrics-listen", "", "serve /metrics on this address while running")
	var tables multiFlag
	fs.Var(&tables, "table", "warehouse (or Postgres) table; repeatable; default all")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}

	pg, err := store.Open(ctx, a.cfg.PGURL, 4)
	if err != nil {
		return err
	}
	defer pg.Close()
	if args[0] == "status" {
		return etlStatus(ctx, a, pg)
	}
	pseudo, err := pseudonymizer(a)
	if err != nil {
		return err
	}
	ch, err := openWarehouse(ctx, a)
	if err != nil {
		return err
	}
	defer ch.Close()
	var cluster *warehouse.Cluster
	if a.cfg.CHCluster != "" {
		if cluster, err = warehouse.OpenCluster(a.cfg.CHCluster, warehouse.ClusterAddrs(a.cfg.CHAddr), warehouse.Options{
			Database: a.cfg.CHDatabase, User: a.cfg.CHUser, Password: a.cfg.CHPassword,
		}); err != nil {
			return err
		}
		defer cluster.Close()
	}

	reg := observe.NewRegistry()
	if *metricsAddr != "" {
		srv := &http.Server{Addr: *metricsAddr, Handler: promhttp.HandlerFor(reg, promhttp.HandlerOpts{}), ReadHeaderTimeout: 5 * time.Second}
		go srv.ListenAndServe() //nolint:errcheck // reported by the scrape failing
		defer srv.Close()
	}
	e := etl.New(pg, ch, etl.Options{
		Database:     a.cfg.CHDatabase,
		BatchSize:    *batch,
		Pseudo:       pseudo,
		Metrics:      etl.NewMetrics(reg),
		Log:          a.log,
		Progress:     a.stderr,
		Tables:       tables,
		Wait:         *wait,
		SummaryEvery: summaryEvery(*follow, *summaries),
		Cluster:      cluster,
	})

	switch args[0] {
	case "run":
		if *once == *follow {
			return fmt.Errorf("etl run: give exactly one of --once and --follow")
		}
		if *once {
			s, err := e.RunOnce(ctx)
			s.Write(a.stdout)
			return err
		}
		return e.Follow(ctx, *interval, func(s etl.Summary, err error) {
			if err != nil {
				a.log.Error("etl run failed; the next run resumes from the checkpoints", "err", err)
				return
			}
			level := slog.LevelInfo
			if s.Rows() == 0 {
				level = slog.LevelDebug // an idle follow loop should not flood the log
			}
			a.log.Log(ctx, level, "etl run", "rows", s.Rows(), "seconds", s.Duration.Seconds())
		})
	case "resync":
		s, err := e.Resync(ctx)
		s.Write(a.stdout)
		return err
	case "verify":
		ms, err := etl.Reconcile(ctx, pg, ch, a.cfg.CHDatabase, pseudo, nil)
		if err != nil {
			return err
		}
		for _, m := range ms {
			fmt.Fprintln(a.stdout, m)
		}
		if len(ms) > 0 {
			return errors.New("the warehouse differs from Postgres (it may lag: run `gridgov etl run --once` first)")
		}
		fmt.Fprintln(a.stdout, "the warehouse matches Postgres: row counts and column sums of every table")
		return nil
	}
	return fmt.Errorf("%s", etlUsage)
}

func etlStatus(ctx context.Context, a *app, pg *pgxpool.Pool) error {
	cps, err := etl.Status(ctx, pg)
	if err != nil {
		return err
	}
	now := time.Now()
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "table\thorizon\tlast success\trows last run\trows total\tlag s\tlast error")
	for _, c := range cps {
		if !c.Loaded {
			fmt.Fprintf(tw, "%s\t-\tnever\t0\t0\t-\t%s\n", c.Table, c.LastError)
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t%d\t%.1f\t%s\n", c.Table, c.Horizon,
			c.LastSuccessAt.Local().Format(time.DateTime), c.RowsLastRun, c.RowsTotal, c.Lag(now).Seconds(), c.LastError)
	}
	return tw.Flush()
}

// pseudonymizer keys the warehouse's person keys. Production needs a secret of its own:
// with a known key, anyone could map person ids to keys.
func pseudonymizer(a *app) (*etl.Pseudonymizer, error) {
	key := a.cfg.PseudonymKey
	if key == "" {
		if !a.cfg.Development() {
			return nil, fmt.Errorf("GRIDGOV_PSEUDONYM_KEY: set a secret (production mode has no default)")
		}
		key = etl.DevPseudonymKey
	}
	return etl.NewPseudonymizer(key), nil
}

type multiFlag []string

func (m *multiFlag) String() string { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error {
	*m = append(*m, v)
	return nil
}

// summaryEvery spaces summary rebuilds in follow mode only: a single run leaves the
// summaries as fresh as the data it loaded.
func summaryEvery(follow bool, every time.Duration) time.Duration {
	if follow {
		return every
	}
	return 0
}

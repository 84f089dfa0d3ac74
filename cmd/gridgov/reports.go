package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"gridgov/etl"
	"gridgov/reports"
	"gridgov/store"
	"gridgov/warehouse"
)

const reportsUsage = `usage: gridgov reports run [--month YYYY-MM]
  run   generate the monthly report (月报) of the city, every street and every community for
        the month (default: the previous one), keeping each once; a place whose report is
        kept already is skipped, so a run interrupted resumes when run again`

func cmdReports(ctx context.Context, a *app, args []string) error {
	if len(args) == 0 || args[0] != "run" {
		return fmt.Errorf("%s", reportsUsage)
	}
	fs := flag.NewFlagSet("reports run", flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	month := fs.String("month", "", "the month, YYYY-MM (default: the previous month)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	period := reports.PreviousMonth(time.Now())
	if *month != "" {
		q, err := reports.ParseRequest(string(reports.Monthly), warehouse.ScopeCity, *month)
		if err != nil {
			return fmt.Errorf("--month: want YYYY-MM")
		}
		period = q.Period
	}
	pool, err := store.Open(ctx, a.cfg.PGURL, 4)
	if err != nil {
		return err
	}
	defer pool.Close()
	reader, closeReader, err := indicatorReader(a, pool)
	if err != nil {
		return err
	}
	defer closeReader()
	src := reports.Source{Store: store.New(pool), Warehouse: reader}
	res, err := src.Run(ctx, period, func(done, total int, place string, generated bool, took time.Duration) {
		what := "kept already"
		if generated {
			what = "generated in " + took.Round(time.Millisecond).String()
		}
		fmt.Fprintf(a.stderr, "reports: %d/%d %s %s\n", done, total, place, what)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "monthly reports of %04d-%02d: %d generated, %d kept already\n", period.Year, period.Month, res.Generated, res.Skipped)
	return nil
}

// indicatorReader dials the warehouse as the service account and gives the indicators' reader,
// the time of its data from the ETL's checkpoints in pool, and the function closing it.
func indicatorReader(a *app, pool *pgxpool.Pool) (*warehouse.Reader, func(), error) {
	wh, err := warehouse.Dial(warehouse.Options{Addr: a.cfg.CHAddr, Database: a.cfg.CHDatabase, User: a.cfg.CHUser, Password: a.cfg.CHPassword})
	if err != nil {
		return nil, nil, err
	}
	r := warehouse.NewReader(wh, a.cfg.CHDatabase, warehouse.ReaderOptions{AsOf: etl.CheckpointAsOf(pool, warehouse.IndicatorTables)})
	return r, func() { wh.Close() }, nil
}

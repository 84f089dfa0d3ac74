// Command gridgov is the one binary of gridgov: it migrates and seeds the operational store,
// serves the API, runs the ETL into the warehouse, and mints tokens. Each subcommand lives in
// its own file; main only dispatches.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"syscall"

	"gridgov/config"
)

// app is what every subcommand gets: the configuration, a logger and where to print.
type app struct {
	cfg    config.Config
	log    *slog.Logger
	stdout io.Writer
	stderr io.Writer
}

type command struct {
	summary string
	run     func(ctx context.Context, a *app, args []string) error
}

var commands = map[string]command{
	"migrate": {"apply or list Postgres migrations: migrate up|status", cmdMigrate},
	"seed":    {"generate the demo city: seed --profile chaohu [--seed N] [--scale K]", cmdSeed},
	"serve":   {"serve the API on GRIDGOV_LISTEN", cmdServe},
	"worker":  {"run the issue register's time-driven steps (warnings, escalation) until stopped", cmdWorker},
	"config":  {"print the effective configuration, secrets masked", cmdConfig},
	"token":   {"mint bearer tokens: token issue --role R --scope PLACE | token demo", cmdToken},
	"schema":  {"print the GraphQL SDL: schema print [-o FILE]", cmdSchema},

	"etl":       {"copy Postgres into the warehouse: etl run --once|--follow, resync, status, verify", cmdETL},
	"warehouse": {"the ClickHouse warehouse: warehouse migrate|status|dict", cmdWarehouse},

	"reports": {"generate the monthly reports of every place: reports run [--month YYYY-MM]", cmdReports},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "gridgov: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	cfg, err := config.FromEnv()
	if err != nil {
		fmt.Fprintf(stderr, "gridgov: configuration: %v\n", err)
		return 2
	}
	a := &app{cfg: cfg, log: newLogger(stderr, cfg.LogLevel), stdout: stdout, stderr: stderr}
	if err := cmd.run(ctx, a, args[1:]); err != nil {
		fmt.Fprintf(stderr, "gridgov %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: gridgov <command> [flags]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nconfiguration comes from environment variables; `gridgov config` lists them.")
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	l.UnmarshalText([]byte(level)) //nolint:errcheck // validated by config
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

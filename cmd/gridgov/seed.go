package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"gridgov/seed"
	"gridgov/store"
)

func cmdSeed(ctx context.Context, a *app, args []string) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	profile := fs.String("profile", "chaohu", "demo data set to generate")
	seedN := fs.Uint64("seed", 1, "random seed: the same seed and --as-of give the same data")
	scale := fs.Int("scale", 1, "multiply people and events (1 reproduces the published figures)")
	asOf := fs.String("as-of", "", "the data spans the two years before this date, YYYY-MM-DD (default today)")
	reset := fs.Bool("reset", false, "empty every table first")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var err error
	opts := seed.Options{Profile: *profile, Seed: *seedN, Scale: *scale, Reset: *reset, Progress: a.stderr, AsOf: time.Now().UTC()}
	if *asOf != "" {
		t, err := time.Parse(time.DateOnly, *asOf)
		if err != nil {
			return fmt.Errorf("--as-of: want YYYY-MM-DD, got %q", *asOf)
		}
		opts.AsOf = t
	}
	// The photos of the demo's evidence go where the API serves evidence from.
	if opts.Evidence, err = openEvidence(ctx, a.cfg); err != nil {
		return err
	}
	pool, err := store.Open(ctx, a.cfg.PGURL, 2)
	if err != nil {
		return err
	}
	defer pool.Close()
	s, err := seed.Run(ctx, pool, opts)
	if s.Skipped {
		fmt.Fprintln(a.stdout, "the database already holds this seed; nothing to do (use --reset to make it again)")
	}
	return err
}

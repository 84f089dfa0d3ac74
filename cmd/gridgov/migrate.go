package main

import (
	"context"
	"fmt"

	"gridgov/store"
)

func cmdMigrate(ctx context.Context, a *app, args []string) error {
	if len(args) != 1 || (args[0] != "up" && args[0] != "status") {
		return fmt.Errorf("usage: gridgov migrate up|status")
	}
	pool, err := store.Open(ctx, a.cfg.PGURL, 2)
	if err != nil {
		return err
	}
	defer pool.Close()
	if args[0] == "up" {
		applied, err := store.MigrateUp(ctx, pool)
		for _, m := range applied {
			fmt.Fprintf(a.stdout, "applied %05d_%s\n", m.Version, m.Name)
		}
		if err != nil {
			return err
		}
		if len(applied) == 0 {
			fmt.Fprintln(a.stdout, "schema is up to date")
		}
		return nil
	}
	all, err := store.MigrationStatus(ctx, pool)
	if err != nil {
		return err
	}
	for _, m := range all {
		state := "pending"
		if m.AppliedAt != nil {
			state = "applied " + m.AppliedAt.UTC().Format("2006-01-02 15:04:05Z")
		}
		fmt.Fprintf(a.stdout, "%05d_%-20s %s  %s\n", m.Version, m.Name, m.Checksum, state)
	}
	return nil
}

func cmdConfig(_ context.Context, a *app, _ []string) error {
	for _, kv := range a.cfg.Masked() {
		fmt.Fprintf(a.stdout, "%s=%s\n", kv[0], kv[1])
	}
	return nil
}

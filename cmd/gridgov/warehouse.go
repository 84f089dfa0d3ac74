package main

import (
	"context"
	"fmt"

	"gridgov/warehouse"
)

const warehouseUsage = `usage: gridgov warehouse migrate|status|dict
  migrate  create the warehouse database and apply the DDL not yet applied
  status   list the DDL files and whether each is applied
  dict     print the data dictionary (docs/warehouse.md) generated from the DDL's comments`

func cmdWarehouse(ctx context.Context, a *app, args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("%s", warehouseUsage)
	}
	if args[0] == "dict" {
		doc, err := warehouse.Dictionary()
		if err != nil {
			return err
		}
		_, err = a.stdout.Write(doc)
		return err
	}
	if a.cfg.CHCluster != "" && args[0] == "migrate" {
		return migrateCluster(ctx, a)
	}
	ch, err := openWarehouse(ctx, a)
	if err != nil {
		return err
	}
	defer ch.Close()
	topo := warehouse.Topology{}
	switch args[0] {
	case "migrate":
		applied, err := warehouse.Migrate(ctx, ch, a.cfg.CHDatabase, topo)
		for _, m := range applied {
			fmt.Fprintf(a.stdout, "applied %05d_%s\n", m.Version, m.Name)
		}
		if err == nil && len(applied) == 0 {
			fmt.Fprintln(a.stdout, "warehouse schema is up to date")
		}
		return err
	case "status":
		db := a.cfg.CHDatabase
		if a.cfg.CHCluster != "" {
			db = warehouse.LocalDatabase(db) // of the first node that answers
		}
		states, err := warehouse.Status(ctx, ch, db, topo)
		if err != nil {
			return err
		}
		for _, s := range states {
			state := "pending"
			if s.Applied {
				state = "applied"
			}
			fmt.Fprintf(a.stdout, "%05d_%-28s %s\n", s.Version, s.Name, state)
		}
		return nil
	}
	return fmt.Errorf("%s", warehouseUsage)
}

func openWarehouse(ctx context.Context, a *app) (*warehouse.Client, error) {
	return warehouse.Open(ctx, warehouse.Options{
		Addr: a.cfg.CHAddr, Database: a.cfg.CHDatabase, User: a.cfg.CHUser, Password: a.cfg.CHPassword,
	})
}

// migrateCluster applies the DDL to every node of the cluster (GRIDGOV_CH_ADDR lists them)
// and makes the Distributed tables over them.
func migrateCluster(ctx context.Context, a *app) error {
	c, err := warehouse.OpenCluster(a.cfg.CHCluster, warehouse.ClusterAddrs(a.cfg.CHAddr), warehouse.Options{
		Database: a.cfg.CHDatabase, User: a.cfg.CHUser, Password: a.cfg.CHPassword,
	})
	if err != nil {
		return err
	}
	defer c.Close()
	applied, err := warehouse.MigrateCluster(ctx, c, a.cfg.CHDatabase)
	for _, m := range applied {
		fmt.Fprintf(a.stdout, "applied %05d_%s on every node\n", m.Version, m.Name)
	}
	if err == nil && len(applied) == 0 {
		fmt.Fprintln(a.stdout, "warehouse schema is up to date on every node")
	}
	return err
}

package reliability

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"gridgov/config"
	"gridgov/etl"
	"gridgov/store"
	"gridgov/warehouse"
)

// waitReconciled waits until the private warehouse equals Postgres, row for row.
func waitReconciled(t *testing.T, svc *private, within time.Duration) {
	t.Helper()
	ctx := context.Background()
	pool, err := store.Open(ctx, svc.PGURL, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	cfg, _ := config.From(func(string) string { return "" })
	ch, err := warehouse.Open(ctx, warehouse.Options{Addr: svc.CHAddr, Database: cfg.CHDatabase, User: cfg.CHUser})
	if err != nil {
		t.Fatal(err)
	}
	defer ch.Close()
	deadline := time.Now().Add(within)
	for {
		ms, err := etl.Reconcile(ctx, pool, ch, cfg.CHDatabase, nil, nil)
		if err == nil && len(ms) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("warehouse does not reconcile after %v: err %v, %d mismatches, e.g. %v", within, err, len(ms), first(ms))
		}
		time.Sleep(time.Second)
	}
}

func first(ms []etl.Mismatch) any {
	if len(ms) == 0 {
		return nil
	}
	return ms[0]
}

func getJSON(t *testing.T, url string) map[string]any {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v map[string]any
	json.NewDecoder(resp.Body).Decode(&v) //nolint:errcheck
	return v
}

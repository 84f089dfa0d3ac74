package etl

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"gridgov/warehouse"
)

// refreshSummaries brings the warehouse's summary tables (warehouse.Summaries, which the
// indicators read) up to the checkpoints a successful run has just stored: a summary whose
// source tables changed is rebuilt from them (FINAL, is_deleted = 0) and swapped in, and every
// summary then records the oldest snapshot of its sources as the one it reflects. A failure
// fails the run, which is retried like any other; the loaded rows stay checkpointed, and the
// next refresh rebuilds what this one did not.
func (e *ETL) refreshSummaries(ctx context.Context) error {
	if e.opt.SummaryEvery > 0 && time.Since(e.lastSummary) < e.opt.SummaryEvery {
		return nil
	}
	cps, err := readCheckpoints(ctx, e.pg)
	if err != nil {
		return err
	}
	sources := make(map[string]warehouse.SourceCheckpoint, len(cps))
	for name, cp := range cps {
		sources[name] = warehouse.SourceCheckpoint{SnapshotAt: cp.SnapshotAt, RowsTotal: cp.RowsTotal}
	}
	var res warehouse.RefreshResult
	if e.opt.Cluster != nil {
		var skipped []string
		res, skipped, err = warehouse.RefreshClusterSummaries(ctx, e.opt.Cluster, e.opt.Database, sources)
		if len(skipped) > 0 {
			e.opt.Log.Warn("summaries not refreshed on nodes that do not answer; a later run rebuilds them", "nodes", skipped)
		}
	} else {
		res, err = warehouse.RefreshSummaries(ctx, e.ch, e.opt.Database, sources)
	}
	if err != nil {
		return fmt.Errorf("refresh summaries: %w", err)
	}
	level := slog.LevelInfo
	if len(res.Rebuilt) == 0 {
		level = slog.LevelDebug // only moved their snapshots on: not worth a line every 30 s
	}
	e.opt.Log.Log(ctx, level, "summaries refreshed", "rebuilt", res.Rebuilt, "advanced", res.Advanced, "skipped", res.Skipped)
	e.lastSummary = time.Now()
	return nil
}

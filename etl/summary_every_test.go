package etl_test

import (
	"context"
	"testing"
	"time"

	"gridgov/etl"
)

// TestSummaryEverySpacesRebuilds: within SummaryEvery of the last rebuild a run loads the data
// but leaves the summaries (and the snapshot they claim) as they were; a run without the
// setting brings them up to date.
func TestSummaryEverySpacesRebuilds(t *testing.T) {
	v := newEnv(t)
	w := newWorld(t, v.pg, 11)
	w.addCommunity(v.pg)
	spaced := v.etl(etl.Options{SummaryEvery: time.Hour})
	if _, err := spaced.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	first := v.summarySnapshot(t)
	w.mutate(40)
	time.Sleep(10 * time.Millisecond)
	if _, err := spaced.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	v.reconciled(t, "second, spaced run")
	if got := v.summarySnapshot(t); got != first {
		t.Errorf("a run within SummaryEvery moved the summaries from %s to %s", first, got)
	}
	v.runOnce(t, etl.Options{})
	if got := v.summarySnapshot(t); got <= first {
		t.Errorf("a run without SummaryEvery left the summaries at %s (was %s)", got, first)
	}
}

// summarySnapshot gives the snapshot the issue summary claims to reflect.
func (v env) summarySnapshot(t *testing.T) string {
	t.Helper()
	rows, err := v.ch.Query(context.Background(), `SELECT toString(max(snapshot_us)) FROM `+v.ch.Database+`.sum_state FINAL WHERE summary = 'sum_issue_day'`)
	if err != nil || len(rows) != 1 {
		t.Fatalf("sum_state: %v %v", rows, err)
	}
	return rows[0][0]
}

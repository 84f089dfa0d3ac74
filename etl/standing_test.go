package etl_test

import (
	"context"
	"strings"
	"testing"

	"gridgov/etl"
)

// TestEndedAppointmentsLeaveTheStanding: a red steward and a governance instructor whose
// service ends in Postgres stop counting in the warehouse's standing with the next run.
func TestEndedAppointmentsLeaveTheStanding(t *testing.T) {
	v := newEnv(t)
	newWorld(t, v.pg, 11).addCommunity(v.pg)
	v.runOnce(t, etl.Options{})
	count := func() string {
		t.Helper()
		return v.text(t, strings.ReplaceAll("SELECT countIf(measure = 'red_stewards'), countIf(measure = 'governance_instructors') "+
			"FROM {db}.sum_standing", "{db}", v.ch.Database))
	}
	if got := count(); got != "1 1" {
		t.Fatalf("before: red stewards, governance instructors = %s, want 1 1", got)
	}
	for _, table := range []string{"red_stewards", "governance_instructors"} {
		if _, err := v.pg.Exec(context.Background(), "UPDATE "+table+" SET ended_on = current_date"); err != nil {
			t.Fatal(err)
		}
	}
	v.runOnce(t, etl.Options{})
	if got := count(); got != "0 0" {
		t.Errorf("after their service ended: red stewards, governance instructors = %s, want 0 0", got)
	}
}

package etl_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"gridgov/auth"
	"gridgov/etl"
	"gridgov/store"
	"gridgov/warehouse"
)

// TestLaterVerdictsReachTheWarehouse: the resident's verdict (满意度回访) comes days after an
// issue's resolution and changes the issue, which the warehouse already holds; each verdict,
// given through the store as the API gives it, reaches the issue's row, the history and the
// summaries with the next incremental run: an unsatisfied one by the resident (the issue is
// reopened), after the rework a satisfied one recorded by phone, and the scheduler's no response
// on another issue.
func TestLaterVerdictsReachTheWarehouse(t *testing.T) {
	v := newEnv(t)
	ctx := context.Background()
	w := newWorld(t, v.pg, 5)
	w.addCommunity(v.pg)
	w.addCommunity(v.pg)
	var first, other, reporter int64
	if err := v.pg.QueryRow(ctx, `SELECT min(id), max(id), min(reporter_id) FILTER (WHERE id = (SELECT min(id) FROM issues)) FROM issues`).
		Scan(&first, &other, &reporter); err != nil {
		t.Fatal(err)
	}
	var cadre int64
	if err := v.pg.QueryRow(ctx, `SELECT c.person_id FROM cadres c JOIN issues i ON i.community_id = c.community_id WHERE i.id = $1`, first).Scan(&cadre); err != nil {
		t.Fatal(err)
	}
	v.runOnce(t, etl.Options{})
	v.expect(t, "resolved, no verdict yet", first, `\N \N \N 0`, "", "0 0 0 0 0 0 0", "2 0 0")

	st := store.New(v.pg)
	resident := auth.Actor{PersonID: reporter, Role: "resident"}
	if _, err := st.ConfirmIssue(ctx, auth.Scope{Self: reporter}, resident, first, store.Verdict{Score: 2, Comment: "还在漏水"}); err != nil {
		t.Fatal(err)
	}
	v.runOnce(t, etl.Options{})
	v.expect(t, "unsatisfied", first, "unsatisfied 2 resident 1", "unsatisfied 2 resident", "0 1 0 1 0 1 2", "1 0 0")
	v.reconciled(t, "after the unsatisfied verdict")

	// The rework resolves it again; a cadre records the resident's satisfied verdict by phone.
	if _, err := v.pg.Exec(ctx, `UPDATE issues SET state = 'resolved', resolved_at = now(), verdict = NULL, verdict_score = NULL,
		verdict_comment = NULL, verdict_channel = NULL, verdict_by = NULL, verdict_at = NULL WHERE id = $1`, first); err != nil {
		t.Fatal(err)
	}
	phone := auth.Actor{PersonID: cadre, Role: "community_cadre"}
	if _, err := st.ConfirmIssue(ctx, auth.Scope{}, phone, first, store.Verdict{Satisfied: true, Score: 5}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CloseUnanswered(ctx, time.Now().AddDate(0, 0, 30)); err != nil {
		t.Fatal(err)
	}
	v.runOnce(t, etl.Options{})
	v.expect(t, "satisfied by phone", first, "satisfied 5 phone 1", "unsatisfied 2 resident,satisfied 5 phone", "1 1 1 1 1 2 7", "2 1 1")
	v.expect(t, "no response", other, `no_response \N timeout 0`, `no_response \N timeout`, "1 1 1 1 1 2 7", "2 1 1")
	v.reconciled(t, "after the satisfied verdict and the no response")
}

// expect checks what the warehouse holds of issue id's verdicts: its row (verdict, score,
// channel, reopen count), its verdict events in order, the verdict summary's totals (satisfied,
// unsatisfied, no response, by resident, by phone, scored, score sum) and the rework summary's
// (resolved, reopened, reopens).
func (v env) expect(t *testing.T, when string, id int64, row, events, verdicts, rework string) {
	t.Helper()
	q := func(sql string) string { t.Helper(); return v.text(t, sql) }
	tbl := func(name string) string { return warehouse.Qualified(v.ch.Database, name) }
	got := map[string]string{
		"row": q("SELECT verdict, verdict_score, verdict_channel, reopen_count FROM " + tbl("fact_issue") + " FINAL WHERE is_deleted = 0 AND id = " + strconv.FormatInt(id, 10)),
		"events": q("SELECT verdict, verdict_score, verdict_channel FROM " + tbl("fact_issue_event") + " FINAL WHERE is_deleted = 0 AND action = 'verdict' AND issue_id = " +
			strconv.FormatInt(id, 10) + " ORDER BY id"),
		"verdicts": q("SELECT sum(satisfied), sum(unsatisfied), sum(no_response), sum(by_resident), sum(by_phone), sum(scored), sum(score_sum) FROM " +
			tbl("sum_issue_verdict_day")),
		"rework": q("SELECT sum(resolved), sum(reopened), sum(reopens) FROM " + tbl("sum_issue_rework_day")),
	}
	for k, want := range map[string]string{"row": row, "events": events, "verdicts": verdicts, "rework": rework} {
		if got[k] != want {
			t.Errorf("%s: %s is %q, want %q", when, k, got[k], want)
		}
	}
}

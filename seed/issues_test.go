package seed_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"gridgov/workflow"
)

// TestIssueRegister seeds the demo city once and reads its issue register as a city's would
// read: as many issues reported month after month up to --as-of, resolutions following the
// reports by days, and every issue's history one the register could have written.
func TestIssueRegister(t *testing.T) {
	pool := seeded(t, 1)
	t.Run("months", func(t *testing.T) { checkIssueMonths(t, pool) })
	t.Run("histories", func(t *testing.T) { checkIssueHistories(t, pool) })
}

// issueMonth counts one calendar month (UTC) of the register.
type issueMonth struct {
	reported int // issues reported in the month
	handled  int // of those, resolved or closed by --as-of
	resolved int // issues resolved in the month, whenever reported
}

// checkIssueMonths: each of the last six full months before --as-of, and the last 30 days,
// reports within ±35% of the mean of the twelve months before them, and resolves within ±35%
// of theirs; of the issues reported 30 to 60 days before --as-of at least 60% are resolved
// or closed, while some of the last fortnight's are still open.
func checkIssueMonths(t *testing.T, pool *pgxpool.Pool) {
	ctx := context.Background()
	months := map[string]*issueMonth{}
	at := func(key string) *issueMonth {
		if months[key] == nil {
			months[key] = &issueMonth{}
		}
		return months[key]
	}
	rows, err := pool.Query(ctx, `SELECT to_char(reported_at AT TIME ZONE 'UTC', 'YYYY-MM'), count(*),
		count(*) FILTER (WHERE state IN ('resolved', 'closed')) FROM issues WHERE deleted_at IS NULL GROUP BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var key string
		var n, handled int
		if err := rows.Scan(&key, &n, &handled); err != nil {
			t.Fatal(err)
		}
		at(key).reported, at(key).handled = n, handled
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	rows, err = pool.Query(ctx, `SELECT to_char(resolved_at AT TIME ZONE 'UTC', 'YYYY-MM'), count(*)
		FROM issues WHERE deleted_at IS NULL AND resolved_at IS NOT NULL GROUP BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var key string
		var n int
		if err := rows.Scan(&key, &n); err != nil {
			t.Fatal(err)
		}
		at(key).resolved = n
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}

	// Months -18 … -7 before as-of's month are the baseline, -6 … -1 the last full months.
	first := time.Date(asOf.Year(), asOf.Month(), 1, 0, 0, 0, 0, time.UTC)
	month := func(k int) (string, time.Time) {
		m := first.AddDate(0, -k, 0)
		return m.Format("2006-01"), m
	}
	var reported, resolved, days float64
	for k := 18; k >= 7; k-- {
		key, m := month(k)
		reported += float64(at(key).reported)
		resolved += float64(at(key).resolved)
		days += m.AddDate(0, 1, 0).Sub(m).Hours() / 24
	}
	meanReported, meanResolved := reported/12, resolved/12
	var table strings.Builder
	fmt.Fprintf(&table, "%-8s %9s %9s %9s   (baseline: %.1f reported, %.1f resolved a month)\n",
		"month", "reported", "handled", "resolved", meanReported, meanResolved)
	for k := 8; k >= 0; k-- {
		key, _ := month(k)
		m := at(key)
		fmt.Fprintf(&table, "%-8s %9d %9d %9d\n", key, m.reported, m.handled, m.resolved)
	}
	t.Logf("issues by month (UTC), as of %s:\n%s", asOf.Format(time.DateOnly), table.String())
	if meanReported < 50 || meanResolved < 50 {
		t.Fatalf("baseline of %.1f reports and %.1f resolutions a month: want the demo city's register", meanReported, meanResolved)
	}
	near := func(v, mean float64) bool { return v >= 0.65*mean && v <= 1.35*mean }
	for k := 6; k >= 1; k-- {
		key, _ := month(k)
		m := at(key)
		if !near(float64(m.reported), meanReported) {
			t.Errorf("%s: %d issues reported, want within ±35%% of the %.1f a month before", key, m.reported, meanReported)
		}
		if !near(float64(m.resolved), meanResolved) {
			t.Errorf("%s: %d issues resolved, want within ±35%% of the %.1f a month before", key, m.resolved, meanResolved)
		}
	}

	var last30, older, olderHandled, fortnight, fortnightOpen int
	if err := pool.QueryRow(ctx, `SELECT
		count(*) FILTER (WHERE reported_at >= $1::timestamptz - interval '30 days'),
		count(*) FILTER (WHERE reported_at >= $1::timestamptz - interval '60 days' AND reported_at < $1::timestamptz - interval '30 days'),
		count(*) FILTER (WHERE reported_at >= $1::timestamptz - interval '60 days' AND reported_at < $1::timestamptz - interval '30 days'
			AND state IN ('resolved', 'closed')),
		count(*) FILTER (WHERE reported_at >= $1::timestamptz - interval '14 days'),
		count(*) FILTER (WHERE reported_at >= $1::timestamptz - interval '14 days' AND state NOT IN ('resolved', 'closed'))
		FROM issues WHERE deleted_at IS NULL`, asOf).Scan(&last30, &older, &olderHandled, &fortnight, &fortnightOpen); err != nil {
		t.Fatal(err)
	}
	t.Logf("last 30 days: %d reported; 30-60 days before: %d reported, %d resolved or closed; last 14 days: %d reported, %d open",
		last30, older, olderHandled, fortnight, fortnightOpen)
	if want := 30 * reported / days; !near(float64(last30), want) {
		t.Errorf("%d issues reported in the last 30 days, want within ±35%% of %.1f", last30, want)
	}
	if older == 0 || float64(olderHandled) < 0.6*float64(older) {
		t.Errorf("of %d issues reported 30 to 60 days before as-of %d are resolved or closed, want at least 60%%", older, olderHandled)
	}
	if fortnight == 0 || fortnightOpen == 0 {
		t.Errorf("of %d issues reported in the last 14 days %d are open, want some", fortnight, fortnightOpen)
	}
}

// issueStep is one row of a seeded issue's history, with what the issue row says.
type issueStep struct {
	issue, reporter                 int64
	state                           string
	dispute                         bool
	outcome                         *string
	deadline                        int
	due, reported, resolved, closed *time.Time
	handlerKind                     *string
	actor                           int64
	action, to                      string
	from                            *string
	at                              time.Time
}

// checkIssueHistories: every issue's history starts with its report, by its reporter, at its
// reported_at; every later step is a move of the issue machine from the state before it, later
// than it and before --as-of; the last step's state is the issue's. resolved_at and closed_at
// are those of the last resolve and close (while resolved or closed), due_at is the first
// dispatch plus the category's deadline, so reported ≤ dispatched ≤ resolved ≤ closed ≤ as-of.
func checkIssueHistories(t *testing.T, pool *pgxpool.Pool) {
	rows, err := pool.Query(context.Background(), `SELECT i.id, i.reporter_id, i.state, i.is_dispute, i.dispute_outcome,
		c.deadline_days, i.due_at, i.reported_at, i.resolved_at, i.closed_at, i.handler_kind,
		e.actor_id, e.action, e.to_state, e.from_state, e.at
		FROM issues i JOIN issue_categories c ON c.id = i.category_id LEFT JOIN issue_events e ON e.issue_id = i.id
		WHERE i.deleted_at IS NULL ORDER BY i.id, e.at, e.id`)
	if err != nil {
		t.Fatal(err)
	}
	var steps []issueStep
	for rows.Next() {
		var s issueStep
		var actor *int64
		var action, to *string
		var at *time.Time
		if err := rows.Scan(&s.issue, &s.reporter, &s.state, &s.dispute, &s.outcome, &s.deadline, &s.due, &s.reported,
			&s.resolved, &s.closed, &s.handlerKind, &actor, &action, &to, &s.from, &at); err != nil {
			t.Fatal(err)
		}
		if action == nil {
			t.Fatalf("issue %d has no history", s.issue)
		}
		s.actor, s.action, s.to, s.at = *actor, *action, *to, *at
		steps = append(steps, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	issues, late, open := 0, 0, map[string]int{}
	for i := 0; i < len(steps); {
		j := i + 1
		for j < len(steps) && steps[j].issue == steps[i].issue {
			j++
		}
		if checkIssueHistory(t, steps[i:j]) {
			late++
		}
		if st := steps[i].state; workflow.IssueState(st).Open() {
			open[st]++
		}
		issues++
		i = j
	}
	t.Logf("%d issues, %d resolved after their due time; open at as-of by state: %v", issues, late, open)
	if issues < 3000 || late == 0 {
		t.Fatalf("%d issues, %d resolved late: want the demo city's register, some resolved late", issues, late)
	}
}

// checkIssueHistory checks the history of one issue, its steps in time order, and tells
// whether the issue was resolved after its due time.
func checkIssueHistory(t *testing.T, steps []issueStep) bool {
	t.Helper()
	is := steps[0]
	if is.action != "report" || is.from != nil || is.to != "reported" || !is.at.Equal(*is.reported) || is.actor != is.reporter {
		t.Fatalf("issue %d starts with %s %v -> %s at %v by %d, want its report at %v by %d",
			is.issue, is.action, is.from, is.to, is.at, is.actor, *is.reported, is.reporter)
	}
	snap := workflow.IssueSnapshot{State: workflow.IssueReported, IsDispute: is.dispute}
	var dispatched, resolved, closed *time.Time
	for k, s := range steps {
		if !s.at.Before(asOf) {
			t.Fatalf("issue %d step %d (%s) at %v, not before as-of %v", s.issue, k, s.action, s.at, asOf)
		}
		if k == 0 {
			continue
		}
		prev := steps[k-1]
		step := workflow.IssueStep{Action: workflow.IssueAction(s.action), EscalateTo: workflow.EscalateStreet, Result: "done", Note: "why"}
		if is.dispute {
			step.DisputeOutcome = "mediated"
		}
		to, err := workflow.NextIssue(snap, step)
		if err != nil || s.from == nil || *s.from != prev.to || string(to) != s.to || !s.at.After(prev.at) {
			t.Fatalf("issue %d step %d: %s %v -> %s at %v after %s at %v (%v)", s.issue, k, s.action, s.from, s.to, s.at, prev.to, prev.at, err)
		}
		snap.State = to
		at := s.at
		switch s.action {
		case "dispatch":
			if dispatched == nil {
				dispatched = &at
			}
		case "resolve":
			resolved, closed = &at, nil
		case "close":
			closed = &at
		case "reopen":
			resolved, closed = nil, nil
		}
	}
	if last := steps[len(steps)-1]; last.to != is.state {
		t.Fatalf("issue %d: history ends at %s, the issue is %s", is.issue, last.to, is.state)
	}
	same := func(a, b *time.Time) bool { return (a == nil) == (b == nil) && (a == nil || a.Equal(*b)) }
	if !workflow.IssueState(is.state).Open() && !same(is.resolved, resolved) || workflow.IssueState(is.state).Open() && is.resolved != nil {
		t.Fatalf("issue %d (%s): resolved_at %v, its history resolves it at %v", is.issue, is.state, is.resolved, resolved)
	}
	if is.state == "closed" && !same(is.closed, closed) || is.state != "closed" && is.closed != nil {
		t.Fatalf("issue %d (%s): closed_at %v, its history closes it at %v", is.issue, is.state, is.closed, closed)
	}
	var due *time.Time
	if dispatched != nil {
		d := dispatched.AddDate(0, 0, is.deadline)
		due = &d
	}
	if !same(is.due, due) || (is.handlerKind != nil) != (dispatched != nil) {
		t.Fatalf("issue %d: due_at %v, handler %v; first dispatched at %v with a deadline of %d days", is.issue, is.due, is.handlerKind, dispatched, is.deadline)
	}
	handled := is.state == "resolved" || is.state == "closed"
	if is.dispute && handled != (is.outcome != nil) {
		t.Fatalf("issue %d: a %s dispute with outcome %v", is.issue, is.state, is.outcome)
	}
	return handled && is.due != nil && is.resolved.After(*is.due)
}

package seed_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"gridgov/auth"
	"gridgov/workflow"
)

// TestIssueRegister seeds the demo city once and reads its issue register as a city's would
// read: as many issues reported month after month up to --as-of, resolutions following the
// reports by days, every issue's history one the register could have written, and evidence
// attached as it could have been, its bytes in the store.
func TestIssueRegister(t *testing.T) {
	pool, files := seededWithFiles(t, 1)
	t.Run("months", func(t *testing.T) { checkIssueMonths(t, pool) })
	t.Run("histories", func(t *testing.T) { checkIssueHistories(t, pool) })
	t.Run("evidence", func(t *testing.T) { checkEvidence(t, pool) })
	t.Run("evidence files", func(t *testing.T) { checkEvidenceFiles(t, pool, files) })
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

// issueRow is what a seeded issue's row says, with its category's deadline rules.
type issueRow struct {
	id, reporter                    int64
	reporterRole, state             string
	dispute                         bool
	outcome                         *string
	deadline, verdictDays           int
	warnShare                       float64
	firstDue                        *time.Time // gridgov_due_at of its first dispatch
	calendarDue                     *time.Time // the first dispatch plus its deadline in calendar days
	due, reported, resolved, closed *time.Time
	handlerKind                     *string
	urges, extensions, reopens      int
	lastUrged, warned               *time.Time
	supervisor                      *int64
	supervised, supervisionDue      *time.Time
	supervisionNote                 *string
	supervisorOfStreet              bool
	verdict, verdictComment         *string
	verdictChannel                  *string
	verdictScore                    *int
	verdictBy                       *int64
	verdictAt                       *time.Time
}

// issueStep is one row of a seeded issue's history.
type issueStep struct {
	actor            *int64
	role, action, to string
	from             *string
	note             string
	at               time.Time
}

// issueExtension is one row of issue_extensions.
type issueExtension struct {
	requestedBy             int64
	level, state, note      string
	dueBefore, dueRequested time.Time
	requestedAt             time.Time
	decidedBy               *int64
	decidedAt               *time.Time
}

// issueKinds counts what the register's histories hold, by kind.
type issueKinds map[string]int

// checkIssueHistories: every issue's history starts with its report, by its reporter, at its
// reported_at; every later step is a move of the issue machine from the state before it, later
// than it and before --as-of, or a deadline event that keeps the state of an open issue; the
// last step's state is the issue's, and the row says what its history did (see
// checkIssueHistory). Every kind of deadline event occurs.
func checkIssueHistories(t *testing.T, pool *pgxpool.Pool) {
	ctx := context.Background()
	var calendarDays int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM work_calendar WHERE deleted_at IS NULL`).Scan(&calendarDays); err != nil {
		t.Fatal(err)
	}
	exts := map[int64][]issueExtension{}
	rows, err := pool.Query(ctx, `SELECT issue_id, requested_by, requester_level, state, decision_note, due_before, due_requested,
		requested_at, decided_by, decided_at FROM issue_extensions WHERE deleted_at IS NULL ORDER BY issue_id, requested_at, id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var x issueExtension
		if err := rows.Scan(&id, &x.requestedBy, &x.level, &x.state, &x.note, &x.dueBefore, &x.dueRequested, &x.requestedAt,
			&x.decidedBy, &x.decidedAt); err != nil {
			rows.Close()
			t.Fatal(err)
		}
		exts[id] = append(exts[id], x)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows, err = pool.Query(ctx, `WITH first AS MATERIALIZED (
			-- (gridgov_due_at(NULL, …) never returns for working days: only dispatched issues have one)
			SELECT i.id, CASE WHEN f.at IS NOT NULL THEN gridgov_due_at(f.at, c.deadline_days, c.deadline_working_days) END AS due,
				f.at + make_interval(days => c.deadline_days) AS calendar_due,
				EXISTS (SELECT 1 FROM cadres s WHERE s.person_id = i.supervisor_id AND s.kind = 'street_cadre' AND s.street_id = i.street_id) AS of_street
			FROM issues i JOIN issue_categories c ON c.id = i.category_id
			LEFT JOIN (SELECT issue_id, min(at) AS at FROM issue_events WHERE action = 'dispatch' GROUP BY issue_id) f ON f.issue_id = i.id
		)
		SELECT i.id, i.reporter_id, i.reporter_role, i.state, i.is_dispute, i.dispute_outcome,
		c.deadline_days, c.verdict_days, c.warn_at_share::float8, f.due, f.calendar_due,
		i.due_at, i.reported_at, i.resolved_at, i.closed_at, i.handler_kind,
		i.urge_count, i.extension_count, i.reopen_count, i.last_urged_at, i.warned_at,
		i.supervisor_id, i.supervised_at, i.supervision_due_at, i.supervision_note, f.of_street,
		i.verdict, i.verdict_comment, i.verdict_channel, i.verdict_score, i.verdict_by, i.verdict_at,
		e.actor_id, e.actor_role, e.action, e.to_state, e.from_state, e.note, e.at
		FROM issues i JOIN issue_categories c ON c.id = i.category_id JOIN first f ON f.id = i.id
		LEFT JOIN issue_events e ON e.issue_id = i.id
		WHERE i.deleted_at IS NULL ORDER BY i.id, e.at, e.id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	kinds := issueKinds{}
	issues, late, open := 0, 0, map[string]int{}
	var is issueRow
	var steps []issueStep
	flush := func() {
		if len(steps) == 0 {
			return
		}
		if checkIssueHistory(t, is, steps, exts[is.id], kinds) {
			late++
		}
		if workflow.IssueState(is.state).Open() {
			open[is.state]++
		}
		issues++
		steps = steps[:0]
	}
	for rows.Next() {
		var r issueRow
		var s issueStep
		var action, to, role, note *string
		var at *time.Time
		if err := rows.Scan(&r.id, &r.reporter, &r.reporterRole, &r.state, &r.dispute, &r.outcome, &r.deadline, &r.verdictDays,
			&r.warnShare, &r.firstDue, &r.calendarDue, &r.due, &r.reported, &r.resolved, &r.closed, &r.handlerKind,
			&r.urges, &r.extensions, &r.reopens, &r.lastUrged, &r.warned, &r.supervisor, &r.supervised, &r.supervisionDue,
			&r.supervisionNote, &r.supervisorOfStreet, &r.verdict, &r.verdictComment, &r.verdictChannel, &r.verdictScore,
			&r.verdictBy, &r.verdictAt, &s.actor, &role, &action, &to, &s.from, &note, &at); err != nil {
			t.Fatal(err)
		}
		if action == nil {
			t.Fatalf("issue %d has no history", r.id)
		}
		if r.id != is.id {
			flush()
			is = r
		}
		s.role, s.action, s.to, s.note, s.at = *role, *action, *to, *note, *at
		steps = append(steps, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	flush()
	kinds["work_calendar days"] = calendarDays
	logCounts(t, pool, "deadline events by action and role", `SELECT action, actor_role, count(*) FROM issue_events
		WHERE action IN ('warn', 'urge', 'supervise', 'request_extension', 'approve_extension', 'reject_extension', 'verdict', 'escalate')
		GROUP BY 1, 2 ORDER BY 1, 2`)
	logCounts(t, pool, "issues by reporter, state and verdict", `SELECT reporter_role = 'resident', state, coalesce(verdict, '-'),
		coalesce(verdict_channel, '-'), count(*) FROM issues GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`)
	logCounts(t, pool, "issue rows", `SELECT 'warned', count(*)::text FROM issues WHERE warned_at IS NOT NULL
		UNION ALL SELECT 'urged (urges)', count(*) || ' (' || sum(urge_count) || ')' FROM issues WHERE urge_count > 0
		UNION ALL SELECT 'supervised', count(*)::text FROM issues WHERE supervisor_id IS NOT NULL
		UNION ALL SELECT 'extended (approvals)', count(*) || ' (' || sum(extension_count) || ')' FROM issues WHERE extension_count > 0
		UNION ALL SELECT 'reopened by a verdict', count(*)::text FROM issues WHERE reopen_count > 0
		UNION ALL SELECT 'extensions ' || requester_level || ' ' || state, count(*)::text FROM issue_extensions GROUP BY requester_level, state
		UNION ALL SELECT 'due on working days', count(*)::text FROM issues i JOIN issue_categories c ON c.id = i.category_id
			WHERE c.deadline_working_days AND i.due_at IS NOT NULL
		UNION ALL SELECT 'work_calendar ' || CASE WHEN workday THEN 'working days' ELSE 'holidays' END, count(*)::text FROM work_calendar GROUP BY workday`)
	t.Logf("%d issues, %d resolved after their due time; open at as-of by state: %v", issues, late, open)
	t.Logf("deadline events and their kinds: %v", map[string]int(kinds))
	if issues < 3000 || late == 0 {
		t.Fatalf("%d issues, %d resolved late: want the demo city's register, some resolved late", issues, late)
	}
	for _, k := range []string{"warn", "urge", "supervise", "request_extension", "approve_extension", "reject_extension",
		"verdict satisfied resident", "verdict satisfied phone", "verdict no_response timeout", "verdict unsatisfied resident",
		"due on working days", "work_calendar days", "attach_evidence report photo: 现场照片", "attach_evidence resolve photo: 整改后照片"} {
		if kinds[k] == 0 {
			t.Errorf("no %s in the register", k)
		}
	}
}

// deadlineActions keep an issue's state; all but the warning are taken by someone.
var deadlineActions = map[string][]string{
	"warn":              {"system"},
	"urge":              {"community_cadre", "street_cadre"},
	"supervise":         {"street_cadre"},
	"request_extension": {"grid_worker", "community_cadre"},
	"approve_extension": {"community_cadre", "street_cadre"},
	"reject_extension":  {"community_cadre", "street_cadre"},
}

// levelOf is the level of a role asking for or deciding an extension.
var levelOf = map[string]string{"grid_worker": "grid", "community_cadre": "community", "street_cadre": "street"}

// checkIssueHistory checks the history of one issue, its steps in time order, against its
// row and extensions, counts its kinds of events and tells whether it was resolved after its
// due time. The row says what its history did: due_at is gridgov_due_at of the first dispatch,
// moved by each approved extension to what it asked for; warned_at is the time of the last
// warning, unless an approval cleared it after, and every warning came while the issue was open
// at or after its warning time (warn_at_share of the deadline before the due time then), once
// per due time, and an issue open past its warning time at --as-of is warned; urge_count and
// last_urged_at count and time the urges; the supervision columns are those of its one
// supervision, by a street cadre of its street; extension_count counts approvals, and each
// extension row is its request and decision (a level above the asker, by another person); the
// verdict columns are those of the last verdict (unless a resolution since cleared it), given
// on a resolved issue a resident reported within verdict_days by the resident or a cadre, or
// by the scheduler after exactly verdict_days; reopen_count counts the unsatisfied ones. A
// resident's issue is closed only by a satisfied or no-response verdict, and is not left
// resolved past its verdict days.
func checkIssueHistory(t *testing.T, is issueRow, steps []issueStep, exts []issueExtension, kinds issueKinds) bool {
	t.Helper()
	first := steps[0]
	if first.action != "report" || first.from != nil || first.to != "reported" || !first.at.Equal(*is.reported) ||
		first.actor == nil || *first.actor != is.reporter {
		t.Fatalf("issue %d starts with %s %v -> %s at %v by %v, want its report at %v by %d",
			is.id, first.action, first.from, first.to, first.at, first.actor, *is.reported, is.reporter)
	}
	resident := is.reporterRole == "resident"
	warnBefore := (time.Duration(float64(is.deadline)*(1-is.warnShare)*24*float64(time.Hour)) + time.Second/2).Round(time.Second)
	snap := workflow.IssueSnapshot{State: workflow.IssueReported, IsDispute: is.dispute}
	var dispatched, resolved, closed, due, warned, lastUrged *time.Time
	var verdict *issueStep
	urges, approvals, reopens, requests := 0, 0, 0, 0
	pending, supervised := false, false
	var prevState time.Time
	fail := func(k int, s issueStep, format string, args ...any) {
		t.Helper()
		t.Fatalf("issue %d step %d (%s %s -> %s by %d as %s at %v): %s", is.id, k, s.action, deref(s.from), s.to, deref(s.actor), s.role, s.at,
			fmt.Sprintf(format, args...))
	}
	for k, s := range steps {
		if !s.at.Before(asOf) {
			fail(k, s, "not before as-of %v", asOf)
		}
		if k == 0 {
			prevState = s.at
			continue
		}
		if s.at.Before(steps[k-1].at) {
			fail(k, s, "before the step before it, at %v", steps[k-1].at)
		}
		at := s.at
		if s.action == "attach_evidence" {
			if !attachFits(is, snap.State, s) {
				fail(k, s, "a photo attached to an issue %s", snap.State)
			}
			kinds[s.action+" "+s.note]++
			continue
		}
		if roles, ok := deadlineActions[s.action]; ok {
			kinds[s.action]++
			if s.from == nil || *s.from != string(snap.State) || s.to != string(snap.State) || !snap.State.Open() || due == nil {
				fail(k, s, "a deadline event on an issue %s (due %v)", snap.State, due)
			}
			if !slices.Contains(roles, s.role) || (s.role == "system") != (s.actor == nil) {
				fail(k, s, "taken by a %s", s.role)
			}
			switch s.action {
			case "warn":
				if warned != nil || s.at.Before(due.Add(-warnBefore)) {
					fail(k, s, "warned before %v, its warning time for the due time %v, or again (%v)", due.Add(-warnBefore), due, warned)
				}
				warned = &at
			case "urge":
				urges, lastUrged = urges+1, &at
			case "supervise":
				if supervised || is.supervisor == nil || *is.supervisor != *s.actor || !is.supervised.Equal(s.at) || *is.supervisionNote != s.note ||
					!is.supervisionDue.After(s.at) || !is.supervisorOfStreet {
					fail(k, s, "the row says supervised by %v at %v until %v (%v), a street cadre of its street %v",
						is.supervisor, is.supervised, is.supervisionDue, is.supervisionNote, is.supervisorOfStreet)
				}
				supervised = true
			case "request_extension":
				if pending || requests >= len(exts) {
					fail(k, s, "asked while another is pending (%v), or no extension row (%d of %d)", pending, requests, len(exts))
				}
				x := exts[requests]
				if x.requestedBy != *s.actor || x.level != levelOf[s.role] || !x.requestedAt.Equal(s.at) || !x.dueBefore.Equal(*due) ||
					!x.dueRequested.After(x.dueBefore) {
					fail(k, s, "the extension row: asked by %d at %s level at %v, due %v -> %v; the issue was due %v",
						x.requestedBy, x.level, x.requestedAt, x.dueBefore, x.dueRequested, *due)
				}
				pending = true
				requests++
			case "approve_extension", "reject_extension":
				x := exts[requests-1]
				state := map[string]string{"approve_extension": "approved", "reject_extension": "rejected"}[s.action]
				if !pending || x.state != state || x.decidedBy == nil || *x.decidedBy != *s.actor || *x.decidedBy == x.requestedBy ||
					!x.decidedAt.Equal(s.at) || x.note != s.note || !auth.LevelAbove(levelOf[s.role], x.level) {
					fail(k, s, "the extension row: %s by %v at %v (%q), asked at %s level by %d", x.state, x.decidedBy, x.decidedAt,
						x.note, x.level, x.requestedBy)
				}
				pending = false
				if state == "approved" {
					d := x.dueRequested
					due, warned = &d, nil
					approvals++
				}
			}
			continue
		}
		if s.from == nil || *s.from != string(snap.State) || !s.at.After(prevState) {
			fail(k, s, "after the state %s at %v", snap.State, prevState)
		}
		prevState = s.at
		if s.action == "verdict" {
			v := "satisfied"
			switch {
			case s.to == "reopened":
				v = "unsatisfied"
			case s.role == "system":
				v = "no_response"
			}
			channel := map[string]string{"resident": "resident", "community_cadre": "phone", "system": "timeout"}[s.role]
			kinds["verdict "+v+" "+channel]++
			since := s.at.Sub(*resolved)
			days := time.Duration(is.verdictDays) * 24 * time.Hour
			ok := snap.State == workflow.IssueResolved && resident && channel != "" &&
				(s.role == "system") == (s.actor == nil) && (s.role != "resident" || *s.actor == is.reporter) &&
				(v == "no_response") == (since == days) && since <= days && (s.to == "closed") != (v == "unsatisfied")
			if !ok {
				fail(k, s, "a %s verdict by %s %v after the resolution at %v (reporter %d, a %s)", v, channel, since, *resolved,
					is.reporter, is.reporterRole)
			}
			vs := s
			verdict = &vs
			snap.State = workflow.IssueState(s.to)
			if v == "unsatisfied" {
				reopens++
				resolved, closed = nil, nil
			} else {
				closed = &at
			}
			continue
		}
		step := workflow.IssueStep{Action: workflow.IssueAction(s.action), EscalateTo: workflow.EscalateStreet, Result: "done", Note: "why"}
		if is.dispute {
			step.DisputeOutcome = "mediated"
		}
		to, err := workflow.NextIssue(snap, step)
		if err != nil || string(to) != s.to {
			fail(k, s, "the issue machine says %s (%v)", to, err)
		}
		if s.action == "close" && resident {
			fail(k, s, "closed without a verdict, though a resident reported it")
		}
		snap.State = to
		switch s.action {
		case "dispatch":
			if dispatched == nil {
				dispatched = &at
				due = is.firstDue
				if !is.firstDue.Equal(*is.calendarDue) {
					kinds["due on working days"]++
				}
			}
		case "resolve":
			resolved, closed, verdict = &at, nil, nil
		case "close":
			closed = &at
		case "reopen":
			resolved, closed = nil, nil
		}
	}
	last := steps[len(steps)-1]
	if string(snap.State) != is.state {
		t.Fatalf("issue %d: history ends at %s, the issue is %s", is.id, snap.State, is.state)
	}
	same := func(a, b *time.Time) bool { return (a == nil) == (b == nil) && (a == nil || a.Equal(*b)) }
	if !workflow.IssueState(is.state).Open() && !same(is.resolved, resolved) || workflow.IssueState(is.state).Open() && is.resolved != nil {
		t.Fatalf("issue %d (%s): resolved_at %v, its history resolves it at %v", is.id, is.state, is.resolved, resolved)
	}
	if is.state == "closed" && !same(is.closed, closed) || is.state != "closed" && is.closed != nil {
		t.Fatalf("issue %d (%s): closed_at %v, its history closes it at %v", is.id, is.state, is.closed, closed)
	}
	if !same(is.due, due) || (is.handlerKind != nil) != (dispatched != nil) {
		t.Fatalf("issue %d: due_at %v, handler %v; first dispatched at %v (due %v), then %d extensions approved",
			is.id, is.due, is.handlerKind, dispatched, is.firstDue, approvals)
	}
	if !same(is.warned, warned) {
		t.Fatalf("issue %d: warned_at %v, its history warns it at %v", is.id, is.warned, warned)
	}
	if warned == nil && due != nil && snap.State.Open() && !asOf.Before(due.Add(-warnBefore)) && asOf.Sub(last.at) > 5*time.Minute {
		t.Fatalf("issue %d: open (%s) at as-of past its warning time %v, never warned", is.id, snap.State, due.Add(-warnBefore))
	}
	if is.urges != urges || !same(is.lastUrged, lastUrged) {
		t.Fatalf("issue %d: urge_count %d, last_urged_at %v; its history urges %d times, last at %v", is.id, is.urges, is.lastUrged, urges, lastUrged)
	}
	if (is.supervisor != nil || is.supervised != nil || is.supervisionDue != nil || is.supervisionNote != nil) != supervised {
		t.Fatalf("issue %d: supervised by %v at %v until %v; supervised in its history: %v", is.id, is.supervisor, is.supervised,
			is.supervisionDue, supervised)
	}
	if is.extensions != approvals || requests != len(exts) || pending != (len(exts) > 0 && exts[len(exts)-1].state == "pending") {
		t.Fatalf("issue %d: extension_count %d, %d extension rows; its history approves %d of %d requests, pending %v",
			is.id, is.extensions, len(exts), approvals, requests, pending)
	}
	if is.reopens != reopens {
		t.Fatalf("issue %d: reopen_count %d; its history has %d unsatisfied verdicts", is.id, is.reopens, reopens)
	}
	if verdict == nil {
		if is.verdict != nil || is.verdictAt != nil || is.verdictChannel != nil || is.verdictBy != nil || is.verdictScore != nil {
			t.Fatalf("issue %d: verdict %v by %v at %v, none standing in its history", is.id, is.verdict, is.verdictBy, is.verdictAt)
		}
	} else {
		v, ch := deref(is.verdict), deref(is.verdictChannel)
		want := map[string]string{"resident": "resident", "community_cadre": "phone", "system": "timeout"}[verdict.role]
		scored := is.verdictScore != nil && *is.verdictScore >= 1 && *is.verdictScore <= 5
		note := ""
		switch v {
		case "satisfied":
			note = fmt.Sprintf("满意 %d分", deref(is.verdictScore))
		case "unsatisfied":
			note = fmt.Sprintf("不满意 %d分", deref(is.verdictScore))
		}
		if c := deref(is.verdictComment); c != "" {
			note += ": " + c
		}
		ok := ch == want && same(is.verdictAt, &verdict.at) && (is.verdictBy == nil) == (verdict.actor == nil) &&
			(is.verdictBy == nil || *is.verdictBy == *verdict.actor) && (v == "no_response") == (ch == "timeout") &&
			(v == "unsatisfied") == (verdict.to == "reopened") && (v == "no_response") != scored && (v == "no_response" || verdict.note == note)
		if !ok {
			t.Fatalf("issue %d: verdict %s %v (%v) by %s %v at %v; its history's last: %q by %s %v at %v",
				is.id, v, is.verdictScore, is.verdictComment, ch, is.verdictBy, is.verdictAt, verdict.note, verdict.role, verdict.actor, verdict.at)
		}
	}
	if resident && is.state == "closed" && (is.verdict == nil || *is.verdict == "unsatisfied") {
		t.Fatalf("issue %d: a resident's issue closed with verdict %v", is.id, is.verdict)
	}
	if resident && is.state == "resolved" && !asOf.Before(is.resolved.AddDate(0, 0, is.verdictDays)) {
		t.Fatalf("issue %d: a resident's issue resolved at %v still awaits a verdict at as-of", is.id, *is.resolved)
	}
	handled := is.state == "resolved" || is.state == "closed"
	if is.dispute && handled != (is.outcome != nil) {
		t.Fatalf("issue %d: a %s dispute with outcome %v", is.id, is.state, is.outcome)
	}
	return handled && is.due != nil && is.resolved.After(*is.due)
}

// attachFits tells whether a photo attached to an issue in the state st fits it as the API
// would have let it: a report photo by the reporter while the issue is open, a photo of the
// result by a community cadre from acceptance until closing; the state stays.
func attachFits(is issueRow, st workflow.IssueState, s issueStep) bool {
	if s.from == nil || *s.from != string(st) || s.to != string(st) || s.actor == nil {
		return false
	}
	switch s.note {
	case "report photo: 现场照片":
		return st.Open() && *s.actor == is.reporter && s.role == is.reporterRole
	case "resolve photo: 整改后照片":
		return st != workflow.IssueReported && st != workflow.IssueClosed && s.role == "community_cadre"
	}
	return false
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// logCounts logs the rows of a counting query, one a line.
func logCounts(t *testing.T, pool *pgxpool.Pool, what, sql string) {
	t.Helper()
	rows, err := pool.Query(context.Background(), sql)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range vals {
			if k > 0 {
				b.WriteString(" | ")
			}
			fmt.Fprint(&b, v)
		}
		b.WriteString("\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s:\n%s", what, b.String())
}

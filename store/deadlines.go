package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"gridgov/apperr"
	"gridgov/auth"
	"gridgov/workflow"
)

// Deadlines that hold (时限): an issue's due time is set at its first dispatch, from its
// category's deadline in calendar or working days (gridgov_due_at counts working days on the
// working calendar); dispatching again keeps it, and only an extension (延期) approved by a
// level above the asker's moves it. Urging (催办) and supervision (督办) are recorded on the
// issue and in its history, in the transaction of the change.

// dueOnDispatch is the due_at an issue gets when dispatched: the one it has, else its
// category's deadline counted from now.
const dueOnDispatch = `coalesce(due_at, (SELECT gridgov_due_at(now(), c.deadline_days, c.deadline_working_days)
	FROM issue_categories c WHERE c.id = category_id))`

// IssueExtension is a request for more time on an issue, and its decision.
type IssueExtension struct {
	ID             int64
	IssueID        int64
	StreetID       int64
	CommunityID    int64
	GridID         int64
	RequestedBy    int64
	RequesterLevel string
	Reason         string
	DueBefore      time.Time
	DueRequested   time.Time
	State          string
	RequestedAt    time.Time
	DecidedBy      *int64
	DecidedAt      *time.Time
	DecisionNote   string
	Version        int64
}

var extensionColumns = cols(func(o *IssueExtension) []column {
	return []column{
		col("id", &o.ID), col("issue_id", &o.IssueID), col("street_id", &o.StreetID), col("community_id", &o.CommunityID),
		col("grid_id", &o.GridID), col("requested_by", &o.RequestedBy), col("requester_level", &o.RequesterLevel),
		col("reason", &o.Reason), col("due_before", &o.DueBefore), col("due_requested", &o.DueRequested),
		label("state", &o.State), col("requested_at", &o.RequestedAt), col("decided_by", &o.DecidedBy),
		col("decided_at", &o.DecidedAt), col("decision_note", &o.DecisionNote), col("version", &o.Version),
	}
})

var extensionSQL = `SELECT ` + extensionColumns.list("") + ` FROM issue_extensions`

func scanExtension(r pgx.Row) (*IssueExtension, error) { return extensionColumns.scan(r) }

// IssueExtensionsByID loads extensions by id, within scope.
var IssueExtensionsByID = rowsByID("load issue extensions", extensionSQL, "issue_extensions", scanExtension,
	func(v *IssueExtension) int64 { return v.ID })

// IssueExtensions reads the extensions of each issue, oldest first.
var IssueExtensions = children("load issue extensions", extensionSQL, "issue_extensions", "issue_id", "id", scanExtension,
	func(v *IssueExtension) int64 { return v.IssueID })

// Supervision is an issue's supervision (督办).
type Supervision struct {
	SupervisorID int64
	Since        time.Time
	DueAt        time.Time
	Note         string
	IssueOpen    bool
}

// Supervision gives the issue's supervision, or nil when it is not supervised.
func (i *Issue) Supervision() *Supervision {
	if i.SupervisorID == nil || i.SupervisedAt == nil || i.SupervisionDueAt == nil {
		return nil
	}
	return &Supervision{SupervisorID: *i.SupervisorID, Since: *i.SupervisedAt, DueAt: *i.SupervisionDueAt,
		Note: deref(i.SupervisionNote), IssueOpen: workflow.IssueState(i.State).Open()}
}

// PastDue reports whether the issue is open past the supervision's deadline at now.
func (s *Supervision) PastDue(now time.Time) bool { return s.IssueOpen && s.DueAt.Before(now) }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// required trims a text input and refuses it empty.
func required(field, value, why string) (string, error) {
	v := strings.TrimSpace(value)
	if v == "" {
		return "", apperr.Invalid(field, "%s", why)
	}
	return v, nil
}

// openIssueForUpdate reads an issue in scope, locked for the change, and refuses one that is
// no longer open: what is done to an open issue only (urging, supervising, extending).
func openIssueForUpdate(ctx context.Context, tx pgx.Tx, sc auth.Scope, id int64, doing string) (*Issue, error) {
	cur, err := issueForUpdate(ctx, tx, sc, id)
	if err != nil {
		return nil, err
	}
	if !workflow.IssueState(cur.State).Open() {
		return nil, apperr.New(apperr.InvalidTransition, "cannot %s an issue that is %s", doing, cur.State)
	}
	return cur, nil
}

// issueForUpdate reads a live issue in scope, locked for the change (else NOT_FOUND).
func issueForUpdate(ctx context.Context, tx pgx.Tx, sc auth.Scope, id int64) (*Issue, error) {
	q := &query{}
	q.where("id = ?", id)
	q.where("deleted_at IS NULL")
	q.scoped(sc, colsFor("issues", ""))
	cur, err := scanIssue(tx.QueryRow(ctx, issueSQL+q.sql()+" FOR UPDATE", q.args...))
	if isNoRows(err) {
		return nil, notFound("issue")
	}
	return cur, err
}

// RequestExtension asks for the issue's due time to move to due, for reason. The asker's
// level (their scope's) is kept: a level above it decides.
func (s *Store) RequestExtension(ctx context.Context, sc auth.Scope, actor auth.Actor, issueID int64, due time.Time,
	reason string) (*IssueExtension, error) {
	reason, err := required("reason", reason, "say why more time is needed")
	if err != nil {
		return nil, err
	}
	if sc.City() {
		return nil, apperr.New(apperr.Forbidden, "no level lies above the city to decide an extension: change the due time by supervision")
	}
	var out *IssueExtension
	err = s.inTx(ctx, "request extension", func(tx pgx.Tx) error {
		cur, err := openIssueForUpdate(ctx, tx, sc, issueID, "extend")
		if err != nil {
			return err
		}
		if cur.DueAt == nil {
			return apperr.New(apperr.InvalidTransition, "the issue has no due time to extend: it is set when the issue is dispatched")
		}
		if !due.After(*cur.DueAt) {
			return apperr.Invalid("dueAt", "ask for a due time later than the current one, %s", cur.DueAt.Format(time.RFC3339))
		}
		var pending bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM issue_extensions WHERE issue_id = $1 AND state = 'pending'
			AND deleted_at IS NULL)`, cur.ID).Scan(&pending); err != nil {
			return err
		}
		if pending {
			return apperr.New(apperr.InvalidTransition, "an extension of this issue is pending already: wait for its decision")
		}
		out, err = scanExtension(tx.QueryRow(ctx, `INSERT INTO issue_extensions (issue_id, street_id, community_id, grid_id,
			requested_by, requester_level, reason, due_before, due_requested) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			RETURNING `+extensionColumns.list(""), cur.ID, cur.StreetID, cur.CommunityID, cur.GridID, actor.PersonID,
			sc.LevelName(), reason, *cur.DueAt, due))
		if err != nil {
			return err
		}
		return appendIssueEvent(ctx, tx, cur, actor, "request_extension", cur.State, cur.State, reason)
	})
	return out, err
}

// DecideExtension approves or rejects a pending extension. The decider's level (their
// scope's) must lie above the asker's; an approval moves the issue's due time.
func (s *Store) DecideExtension(ctx context.Context, sc auth.Scope, actor auth.Actor, id int64, approve bool, note string,
	expectedVersion *int64) (*IssueExtension, error) {
	note = strings.TrimSpace(note)
	if !approve && note == "" {
		return nil, apperr.Invalid("note", "say why the extension is rejected")
	}
	var out *IssueExtension
	err := s.inTx(ctx, "decide extension", func(tx pgx.Tx) error {
		cur, err := current(ctx, tx, extensionSQL, id, sc, colsFor("issue_extensions", ""), scanExtension,
			func(v *IssueExtension) int64 { return v.Version }, expectedVersion, "extension")
		if err != nil {
			return err
		}
		if cur.State != "pending" {
			return apperr.New(apperr.InvalidTransition, "the extension was %s already", cur.State)
		}
		if cur.RequestedBy == actor.PersonID {
			return apperr.New(apperr.ConflictOfInterest, "no one decides their own extension")
		}
		if !auth.LevelAbove(sc.LevelName(), cur.RequesterLevel) {
			return apperr.New(apperr.Forbidden, "an extension asked for at %s level is decided by a level above it", cur.RequesterLevel)
		}
		// An issue resolved meanwhile can still have its extension rejected, not approved.
		issue, err := openIssueForUpdate(ctx, tx, sc, cur.IssueID, "extend")
		if err != nil && (approve || apperr.CodeOf(err) != apperr.InvalidTransition) {
			return err
		}
		state, action := "rejected", "reject_extension"
		if approve {
			state, action = "approved", "approve_extension"
		}
		out, err = scanExtension(tx.QueryRow(ctx, `UPDATE issue_extensions SET state = $1, decided_by = $2, decided_at = now(),
			decision_note = $3, version = version + 1, updated_at = now() WHERE id = $4 AND version = $5
			RETURNING `+extensionColumns.list(""), state, actor.PersonID, note, cur.ID, cur.Version))
		if isNoRows(err) {
			return errConflict("extension")
		}
		if err != nil {
			return err
		}
		if issue == nil { // rejecting the extension of an issue resolved meanwhile
			return nil
		}
		if approve {
			if _, err := tx.Exec(ctx, `UPDATE issues SET due_at = $1, warned_at = NULL, extension_count = extension_count + 1
				WHERE id = $2`, cur.DueRequested, issue.ID); err != nil {
				return err
			}
		}
		return appendIssueEvent(ctx, tx, issue, actor, action, issue.State, issue.State, note)
	})
	return out, err
}

// UrgeIssue urges (催办) an open issue with a note.
func (s *Store) UrgeIssue(ctx context.Context, sc auth.Scope, actor auth.Actor, id int64, note string) (*Issue, error) {
	note, err := required("note", note, "say what is urged")
	if err != nil {
		return nil, err
	}
	var out *Issue
	err = s.inTx(ctx, "urge issue", func(tx pgx.Tx) error {
		cur, err := openIssueForUpdate(ctx, tx, sc, id, "urge")
		if err != nil {
			return err
		}
		if out, err = scanIssue(tx.QueryRow(ctx, `UPDATE issues SET urge_count = urge_count + 1, last_urged_at = now()
			WHERE id = $1 RETURNING `+issueColumns.list(""), cur.ID)); err != nil {
			return err
		}
		return appendIssueEvent(ctx, tx, out, actor, "urge", cur.State, out.State, note)
	})
	return out, err
}

// SuperviseIssue puts an open issue under the acting person's supervision (督办), to be
// resolved by due.
func (s *Store) SuperviseIssue(ctx context.Context, sc auth.Scope, actor auth.Actor, id int64, due time.Time, note string) (*Issue, error) {
	note, err := required("note", note, "say what the supervision asks for")
	if err != nil {
		return nil, err
	}
	if !due.After(time.Now()) {
		return nil, apperr.Invalid("dueAt", "a supervision's deadline lies in the future")
	}
	var out *Issue
	err = s.inTx(ctx, "supervise issue", func(tx pgx.Tx) error {
		cur, err := openIssueForUpdate(ctx, tx, sc, id, "supervise")
		if err != nil {
			return err
		}
		if cur.SupervisedAt != nil {
			return apperr.New(apperr.InvalidTransition, "the issue is supervised already, since %s", cur.SupervisedAt.Format(time.RFC3339))
		}
		if out, err = scanIssue(tx.QueryRow(ctx, `UPDATE issues SET supervisor_id = $1, supervised_at = now(),
			supervision_due_at = $2, supervision_note = $3 WHERE id = $4 RETURNING `+issueColumns.list(""),
			actor.PersonID, due, note, cur.ID)); err != nil {
			return err
		}
		return appendIssueEvent(ctx, tx, out, actor, "supervise", cur.State, out.State, note)
	})
	return out, err
}

// WorkCalendarDay is an entry of the working calendar.
type WorkCalendarDay struct {
	Day     time.Time
	Workday bool
	Note    string
}

const workdayColumns = `day, workday, note`

func scanWorkday(r pgx.Row) (*WorkCalendarDay, error) {
	var d WorkCalendarDay
	return &d, r.Scan(&d.Day, &d.Workday, &d.Note)
}

// SetWorkday records whether day is a working day, and what it is.
func (s *Store) SetWorkday(ctx context.Context, day time.Time, workday bool, note string) (*WorkCalendarDay, error) {
	note, err := required("note", note, "say what the day is, e.g. 国庆节")
	if err != nil {
		return nil, err
	}
	var out *WorkCalendarDay
	err = s.inTx(ctx, "set workday", func(tx pgx.Tx) error {
		out, err = scanWorkday(tx.QueryRow(ctx, `INSERT INTO work_calendar (day, workday, note) VALUES ($1, $2, $3)
			ON CONFLICT (day) DO UPDATE SET workday = EXCLUDED.workday, note = EXCLUDED.note, deleted_at = NULL,
			version = work_calendar.version + 1, updated_at = now() RETURNING `+workdayColumns, day, workday, note))
		return err
	})
	return out, err
}

// WorkCalendar lists the calendar's entries from one day to another, inclusive.
func (s *Store) WorkCalendar(ctx context.Context, from, to time.Time) ([]*WorkCalendarDay, error) {
	if to.Before(from) || to.Sub(from) > 366*24*time.Hour {
		return nil, apperr.Invalid("to", "give a range of at most 366 days, to not before from")
	}
	rows, err := s.pool.Query(ctx, `SELECT `+workdayColumns+` FROM work_calendar WHERE day BETWEEN $1 AND $2
		AND deleted_at IS NULL ORDER BY day`, from, to)
	if err != nil {
		return nil, MapError("work calendar", err)
	}
	out, err := collect(rows, scanWorkday)
	return out, MapError("work calendar", err)
}

// The time-driven steps of the register, which the scheduler runs at a time it gives (its
// clock, so that tests can move it). Each is one statement that selects the issues due for
// the step, locks them (skipping any another process holds), changes them only if they are
// still due and writes the history entry: run twice, or by two processes at once, a step
// happens once per issue. Entries have no actor and the role "system".

// warnSQL warns (预警) every open issue past its category's share of the time allowed.
const warnSQL = `WITH due AS (
	SELECT i.id FROM issues i JOIN issue_categories c ON c.id = i.category_id
	WHERE i.deleted_at IS NULL AND i.` + openIssue + ` AND i.due_at IS NOT NULL AND i.warned_at IS NULL
		AND $1 >= i.due_at - (1 - c.warn_at_share) * make_interval(days => c.deadline_days)
	ORDER BY i.id LIMIT $2 FOR UPDATE OF i SKIP LOCKED
), warned AS (
	UPDATE issues i SET warned_at = $1 FROM due WHERE i.id = due.id AND i.warned_at IS NULL
	RETURNING i.id, i.street_id, i.community_id, i.grid_id, i.state, i.due_at
)
INSERT INTO issue_events (issue_id, street_id, community_id, grid_id, actor_role, action, from_state, to_state, note, at)
SELECT id, street_id, community_id, grid_id, 'system', 'warn', state, state,
	'预警: due ' || to_char(due_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI'), $1 FROM warned`

// escalateSQL escalates one level every open issue overdue by its category's hours: to the
// community once past due by escalate_after_hours, to the street once past due by twice as
// many. Only states the transition table lets escalate are touched.
const escalateSQL = `WITH due AS (
	SELECT i.id, CASE WHEN i.escalation_level IS NULL THEN 'community' ELSE 'street' END AS level,
		i.escalation_level AS was, i.state AS was_state FROM issues i JOIN issue_categories c ON c.id = i.category_id
	WHERE i.deleted_at IS NULL AND i.state IN ('accepted', 'dispatched', 'in_progress', 'escalated')
		AND i.due_at IS NOT NULL AND c.escalate_after_hours IS NOT NULL AND i.escalation_level IS DISTINCT FROM 'street'
		AND $1 >= i.due_at + make_interval(hours => c.escalate_after_hours * CASE WHEN i.escalation_level IS NULL THEN 1 ELSE 2 END)
	ORDER BY i.id LIMIT $2 FOR UPDATE OF i SKIP LOCKED
), moved AS (
	UPDATE issues i SET escalation_level = due.level, state = 'escalated' FROM due
	WHERE i.id = due.id AND i.escalation_level IS NOT DISTINCT FROM due.was AND i.state = due.was_state
	RETURNING i.id, i.street_id, i.community_id, i.grid_id, due.level, due.was_state
)
INSERT INTO issue_events (issue_id, street_id, community_id, grid_id, actor_role, action, from_state, to_state, note, at)
SELECT id, street_id, community_id, grid_id, 'system', 'escalate', was_state, 'escalated', '超期自动上报: ' || level, $1 FROM moved`

// stepBatch bounds the issues one statement of a step changes; a step repeats until one
// changes fewer.
const stepBatch = 500

// WarnIssues runs the early warning at now; it gives how many issues were warned.
func (s *Store) WarnIssues(ctx context.Context, now time.Time) (int, error) {
	return s.step(ctx, "warn issues", warnSQL, now)
}

// EscalateOverdue runs the automatic escalation at now; it gives how many issues moved.
func (s *Store) EscalateOverdue(ctx context.Context, now time.Time) (int, error) {
	return s.step(ctx, "escalate overdue issues", escalateSQL, now)
}

// step runs a step's statement in batches until none is left at now.
func (s *Store) step(ctx context.Context, op, sql string, now time.Time) (int, error) {
	total := 0
	for {
		tag, err := s.pool.Exec(ctx, sql, now, stepBatch)
		if err != nil {
			return total, MapError(op, err)
		}
		total += int(tag.RowsAffected())
		if tag.RowsAffected() < stepBatch {
			return total, nil
		}
	}
}

// The resident's verdict (满意度回访). An issue a resident reported is closed out only after
// their verdict on its resolution: satisfied closes it; unsatisfied reopens it, or, once it
// was reopened its category's max_reopens times, escalates it to the street; with no verdict
// within the category's verdict_days, the scheduler closes it as "no response". A cadre may
// record the verdict the resident gave on the phone. Each resolution asks anew.

// verdictCleared is what a resolution sets: the verdict it asks for is pending.
const verdictCleared = `verdict = NULL, verdict_score = NULL, verdict_comment = NULL, verdict_channel = NULL,
	verdict_by = NULL, verdict_at = NULL`

// awaitsVerdict refuses to close out a resident's issue before their verdict.
func awaitsVerdict(i *Issue) error {
	if i.ReporterRole == "resident" && i.VerdictKind == nil {
		return apperr.New(apperr.InvalidTransition,
			"the issue waits for the verdict of the resident who reported it (confirmIssue), or for the days they are given")
	}
	return nil
}

// IssueVerdict is the verdict given on an issue's latest resolution.
type IssueVerdict struct {
	Verdict      string
	Score        *int
	Comment      *string
	Channel      string
	RecordedByID *int64
	At           time.Time
}

// Verdict gives the verdict on the issue's latest resolution, or nil while it is pending.
func (i *Issue) Verdict() *IssueVerdict {
	if i.VerdictKind == nil || i.VerdictChannel == nil || i.VerdictAt == nil {
		return nil
	}
	return &IssueVerdict{Verdict: *i.VerdictKind, Score: i.VerdictScore, Comment: i.VerdictComment, Channel: *i.VerdictChannel,
		RecordedByID: i.VerdictBy, At: *i.VerdictAt}
}

// Verdict is a resident's verdict on a resolution.
type Verdict struct {
	Satisfied bool
	Score     int
	Comment   string
}

// verdictRecorders are the roles that may record a verdict the resident gave by phone.
var verdictRecorders = []string{"city_admin", "street_cadre", "community_cadre"}

// ConfirmIssue records the verdict on a resolved issue: the reporter's own, or, recorded by a
// cadre, the one the reporter gave by phone.
func (s *Store) ConfirmIssue(ctx context.Context, sc auth.Scope, actor auth.Actor, id int64, v Verdict) (*Issue, error) {
	if v.Score < 1 || v.Score > 5 {
		return nil, apperr.Invalid("score", "a score is 1 to 5")
	}
	var out *Issue
	err := s.inTx(ctx, "confirm issue", func(tx pgx.Tx) error {
		cur, cat, err := resolvedIssueForUpdate(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		channel := "resident"
		if cur.ReporterID != actor.PersonID {
			if !slices.Contains(verdictRecorders, actor.Role) {
				return apperr.New(apperr.Forbidden, "only the resident who reported the issue gives its verdict, or a cadre records it")
			}
			channel = "phone"
		}
		verdict, to, level, note := "satisfied", "closed", cur.EscalationLevel, fmt.Sprintf("满意 %d分", v.Score)
		if !v.Satisfied {
			verdict, to, note = "unsatisfied", "reopened", fmt.Sprintf("不满意 %d分", v.Score)
			if cur.ReopenCount >= cat.MaxReopens {
				street := "street"
				to, level, note = "escalated", &street, note+"; reopened "+strconv.Itoa(cur.ReopenCount)+" times: to the street"
			}
		}
		if c := strings.TrimSpace(v.Comment); c != "" {
			note += ": " + c
		}
		out, err = scanIssue(tx.QueryRow(ctx, `UPDATE issues SET verdict = $1, verdict_score = $2, verdict_comment = $3,
			verdict_channel = $4, verdict_by = $5, verdict_at = now(), state = $6, escalation_level = $7,
			closed_at = CASE WHEN $6 = 'closed' THEN now() END,
			reopen_count = reopen_count + CASE WHEN $6 = 'closed' THEN 0 ELSE 1 END,
			resolved_at = CASE WHEN $6 = 'closed' THEN resolved_at END,
			resolution = CASE WHEN $6 = 'closed' THEN resolution END,
			resolved_quantity = CASE WHEN $6 = 'closed' THEN resolved_quantity END,
			dispute_outcome = CASE WHEN $6 = 'closed' THEN dispute_outcome END
			WHERE id = $8 RETURNING `+issueColumns.list(""),
			verdict, v.Score, strings.TrimSpace(v.Comment), channel, actor.PersonID, to, level, cur.ID))
		if err != nil {
			return err
		}
		return appendIssueEvent(ctx, tx, out, actor, "verdict", cur.State, out.State, note)
	})
	return out, err
}

// resolvedIssueForUpdate reads a resolved issue a resident reported, in scope, locked, with
// its category.
func resolvedIssueForUpdate(ctx context.Context, tx pgx.Tx, sc auth.Scope, id int64) (*Issue, *IssueCategory, error) {
	cur, err := issueForUpdate(ctx, tx, sc, id)
	if err != nil {
		return nil, nil, err
	}
	if cur.State != "resolved" {
		return nil, nil, apperr.New(apperr.InvalidTransition, "only a resolved issue gets a verdict; this one is %s", cur.State)
	}
	if cur.ReporterRole != "resident" {
		return nil, nil, apperr.New(apperr.InvalidTransition, "a verdict is asked of the resident who reported an issue; a %s reported this one", cur.ReporterRole)
	}
	cat, err := scanIssueCategory(tx.QueryRow(ctx, issueCategorySQL+" WHERE id = $1", cur.CategoryID))
	return cur, cat, err
}

// closeUnansweredSQL closes, as "no response", every resolved issue of a resident whose
// verdict did not come within its category's verdict_days.
const closeUnansweredSQL = `WITH due AS (
	SELECT i.id FROM issues i JOIN issue_categories c ON c.id = i.category_id
	WHERE i.deleted_at IS NULL AND i.state = 'resolved' AND i.reporter_role = 'resident' AND i.verdict IS NULL
		AND $1 >= i.resolved_at + make_interval(days => c.verdict_days)
	ORDER BY i.id LIMIT $2 FOR UPDATE OF i SKIP LOCKED
), closed AS (
	UPDATE issues i SET verdict = 'no_response', verdict_channel = 'timeout', verdict_at = $1, state = 'closed',
		closed_at = greatest($1, i.resolved_at) FROM due
	WHERE i.id = due.id AND i.state = 'resolved' AND i.verdict IS NULL
	RETURNING i.id, i.street_id, i.community_id, i.grid_id
)
INSERT INTO issue_events (issue_id, street_id, community_id, grid_id, actor_role, action, from_state, to_state, note, at)
SELECT id, street_id, community_id, grid_id, 'system', 'verdict', 'resolved', 'closed', '回访无应答: closed as no response', $1 FROM closed`

// CloseUnanswered closes at now the resolved issues whose verdict did not come in time; it
// gives how many.
func (s *Store) CloseUnanswered(ctx context.Context, now time.Time) (int, error) {
	return s.step(ctx, "close unanswered issues", closeUnansweredSQL, now)
}

// resolvePhotoAttached refuses to resolve an issue whose category requires a photo of the
// result while none is attached to it at the resolve stage.
func resolvePhotoAttached(ctx context.Context, tx pgx.Tx, i *Issue) error {
	var missing bool
	err := tx.QueryRow(ctx, `SELECT c.requires_resolve_photo AND NOT EXISTS (SELECT 1 FROM evidence e
		WHERE e.issue_id = $1 AND e.stage = 'resolve' AND e.media_type LIKE 'image/%' AND e.deleted_at IS NULL)
		FROM issue_categories c WHERE c.id = $2`, i.ID, i.CategoryID).Scan(&missing)
	if err != nil {
		return err
	}
	if missing {
		return apperr.New(apperr.InvalidTransition,
			"the issue's category requires a photo of the result: attach one at the resolve stage (attachEvidence) first")
	}
	return nil
}

// IssueCategoryRules are the rules of an issue category that a city admin keeps.
type IssueCategoryRules struct {
	DeadlineDays         int
	WorkingDays          bool
	WarnAtShare          float64
	EscalateAfterHours   *int // nil: never
	VerdictDays          int
	MaxReopens           int
	RequiresResolvePhoto bool
}

// check refuses rules out of their ranges, naming the input field.
func (r IssueCategoryRules) check() error {
	switch {
	case r.DeadlineDays < 1 || r.DeadlineDays > 365:
		return apperr.Invalid("deadlineDays", "give 1 to 365 days")
	case !(r.WarnAtShare > 0 && r.WarnAtShare < 1):
		return apperr.Invalid("warnAtShare", "give a share above 0 and below 1, e.g. 0.8")
	case r.EscalateAfterHours != nil && (*r.EscalateAfterHours < 1 || *r.EscalateAfterHours > 8760):
		return apperr.Invalid("escalateAfterHours", "give 1 to 8760 hours, or null for never")
	case r.VerdictDays < 1 || r.VerdictDays > 90:
		return apperr.Invalid("verdictDays", "give 1 to 90 days")
	case r.MaxReopens < 0 || r.MaxReopens > 10:
		return apperr.Invalid("maxReopens", "give 0 to 10 times")
	}
	return nil
}

// ConfigureIssueCategory sets every rule of a category. Issues dispatched already keep their
// due time; the other rules apply to them from now on.
func (s *Store) ConfigureIssueCategory(ctx context.Context, id int64, r IssueCategoryRules) (*IssueCategory, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	var out *IssueCategory
	err := s.inTx(ctx, "configure issue category", func(tx pgx.Tx) error {
		var err error
		out, err = scanIssueCategory(tx.QueryRow(ctx, `UPDATE issue_categories SET deadline_days = $2,
			deadline_working_days = $3, warn_at_share = $4, escalate_after_hours = $5, verdict_days = $6,
			max_reopens = $7, requires_resolve_photo = $8
			WHERE id = $1 AND deleted_at IS NULL RETURNING `+issueCategoryColumns.list(""),
			id, r.DeadlineDays, r.WorkingDays, r.WarnAtShare, r.EscalateAfterHours, r.VerdictDays, r.MaxReopens,
			r.RequiresResolvePhoto))
		if isNoRows(err) {
			return notFound("issue category")
		}
		return err
	})
	return out, err
}

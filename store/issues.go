package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"gridgov/apperr"
	"gridgov/auth"
	"gridgov/geo"
	"gridgov/workflow"
)

// IssueCategory is a kind of issue with its handling deadline.
type IssueCategory struct {
	ID                 int64
	Code               string
	Name               string
	NameZh             string
	Group              string
	DeadlineDays       int
	WorkingDays        bool
	WarnAtShare        float64
	EscalateAfterHours *int
	VerdictDays        int
	MaxReopens         int
	QuantityUnit       *string
	// RequiresResolvePhoto: an issue is resolved only once a photo is attached at resolve.
	RequiresResolvePhoto bool
}

// Issue is one entry of the issue register (反映问题和意见建议交办登记表).
type Issue struct {
	ID               int64
	StreetID         int64
	CommunityID      int64
	GridID           int64
	BuildingID       *int64
	CategoryID       int64
	Title            string
	Description      string
	ReporterID       int64
	ReporterRole     string
	State            string
	HandlerKind      *string
	HandlerPersonID  *int64
	HandlerUnitID    *int64
	EscalationLevel  *string
	DueAt            *time.Time
	ReportedAt       time.Time
	ResolvedAt       *time.Time
	ClosedAt         *time.Time
	Resolution       *string
	ResolvedQuantity *float64
	IsDispute        bool
	DisputeOutcome   *string
	UrgeCount        int
	LastUrgedAt      *time.Time
	WarnedAt         *time.Time
	SupervisorID     *int64
	SupervisedAt     *time.Time
	SupervisionDueAt *time.Time
	SupervisionNote  *string
	VerdictKind      *string
	VerdictScore     *int
	VerdictComment   *string
	VerdictChannel   *string
	VerdictBy        *int64
	VerdictAt        *time.Time
	ReopenCount      int
	MatterID         *int64 // the joint-meeting matter raised as this issue
	Version          int64
	UpdatedAt        time.Time
}

// Overdue reports whether the issue is open past its due date at now.
func (i *Issue) Overdue(now time.Time) bool {
	return workflow.IssueState(i.State).Open() && i.DueAt != nil && i.DueAt.Before(now)
}

// IssueEvent is one entry of an issue's immutable history.
type IssueEvent struct {
	ID        int64
	IssueID   int64
	ActorID   *int64
	ActorRole string
	Action    string
	FromState *string
	ToState   string
	Note      string
	At        time.Time
}

// IssueMediator is a person mediating a dispute (矛盾纠纷调解).
type IssueMediator struct {
	ID       int64
	IssueID  int64
	PersonID int64
	Role     string
}

var (
	issueSQL         = `SELECT ` + issueColumns.list("") + ` FROM issues`
	issueCategorySQL = `SELECT ` + issueCategoryColumns.list("") + ` FROM issue_categories`
)

var issueColumns = cols(func(o *Issue) []column {
	return []column{
		col("id", &o.ID), col("street_id", &o.StreetID), col("community_id", &o.CommunityID), col("grid_id", &o.GridID),
		col("building_id", &o.BuildingID), col("category_id", &o.CategoryID), col("title", &o.Title),
		col("description", &o.Description), col("reporter_id", &o.ReporterID), label("reporter_role", &o.ReporterRole),
		label("state", &o.State), label("handler_kind", &o.HandlerKind), col("handler_person_id", &o.HandlerPersonID),
		col("handler_unit_id", &o.HandlerUnitID), label("escalation_level", &o.EscalationLevel), col("due_at", &o.DueAt),
		col("reported_at", &o.ReportedAt), col("resolved_at", &o.ResolvedAt), col("closed_at", &o.ClosedAt),
		col("resolution", &o.Resolution), col("resolved_quantity::float8", &o.ResolvedQuantity),
		col("is_dispute", &o.IsDispute), label("dispute_outcome", &o.DisputeOutcome), col("urge_count", &o.UrgeCount),
		col("last_urged_at", &o.LastUrgedAt), col("warned_at", &o.WarnedAt), col("supervisor_id", &o.SupervisorID), col("supervised_at", &o.SupervisedAt),
		col("supervision_due_at", &o.SupervisionDueAt), col("supervision_note", &o.SupervisionNote),
		label("verdict", &o.VerdictKind), col("verdict_score::int", &o.VerdictScore), col("verdict_comment", &o.VerdictComment),
		label("verdict_channel", &o.VerdictChannel), col("verdict_by", &o.VerdictBy), col("verdict_at", &o.VerdictAt),
		col("reopen_count", &o.ReopenCount), col("matter_id", &o.MatterID), col("version", &o.Version),
		col("updated_at", &o.UpdatedAt),
	}
})

func scanIssue(r pgx.Row) (*Issue, error) { return issueColumns.scan(r) }

var issueCategoryColumns = cols(func(o *IssueCategory) []column {
	return []column{
		col("id", &o.ID), col("code", &o.Code), col("name", &o.Name), col("name_zh", &o.NameZh),
		label("category_group", &o.Group), col("deadline_days", &o.DeadlineDays),
		col("deadline_working_days", &o.WorkingDays), col("warn_at_share::float8", &o.WarnAtShare),
		col("escalate_after_hours", &o.EscalateAfterHours), col("verdict_days", &o.VerdictDays), col("max_reopens", &o.MaxReopens),
		col("quantity_unit", &o.QuantityUnit), col("requires_resolve_photo", &o.RequiresResolvePhoto),
	}
})

func scanIssueCategory(r pgx.Row) (*IssueCategory, error) { return issueCategoryColumns.scan(r) }

// issueEventColumns are an issue's history entries: the columns every history shares, with its
// owner's.
var issueEventColumns = cols(func(o *IssueEvent) []column {
	return historyColumns("issue_id", &o.IssueID, &o.ID, &o.ActorID, &o.ActorRole, &o.Action, &o.FromState, &o.ToState, &o.Note, &o.At)
})

// historyColumns are the columns of a history (issue, order, matter events), with the owner's
// column fk.
func historyColumns(fk string, owner, id *int64, actor **int64, actorRole, action *string, from **string, to, note *string,
	at *time.Time) []column {
	return []column{col("id", id), col(fk, owner), col("actor_id", actor), label("actor_role", actorRole), label("action", action),
		label("from_state", from), label("to_state", to), col("note", note), col("at", at)}
}

// IssueFilter narrows the issue register. All set fields combine with AND in one query.
type IssueFilter struct {
	Place          PlaceFilter
	BuildingID     *int64
	States         []string
	CategoryIDs    []int64
	ReportedFrom   *time.Time // inclusive
	ReportedBefore *time.Time // exclusive
	DueBefore      *time.Time // exclusive
	Search         string     // in title and description
	Overdue        *bool
	Open           *bool
	IsDispute      *bool
	Supervised     *bool
	Urged          *bool
	ReporterID     *int64
	HandlerID      *int64
}

// IssueOrder is the sort of an issue list.
type IssueOrder struct {
	Key  string // REPORTED_AT, DUE_AT, UPDATED_AT
	Desc bool
}

var issueKeys = map[string]sortKey{
	"REPORTED_AT": {name: "REPORTED_AT", expr: "reported_at", kind: keyTime},
	"DUE_AT":      {name: "DUE_AT", expr: "coalesce(due_at, 'infinity')", kind: keyTime},
	"UPDATED_AT":  {name: "UPDATED_AT", expr: "updated_at", kind: keyTime},
}

const openIssue = "state NOT IN ('resolved', 'closed')"

func issueQuery(sc auth.Scope, f IssueFilter) *query {
	q := &query{}
	q.where("deleted_at IS NULL")
	q.scoped(sc, colsFor("issues", ""))
	f.Place.apply(q, placeCols)
	f.Place.Area.apply(q, "location")
	if f.BuildingID != nil {
		q.where("building_id = ?", *f.BuildingID)
	}
	if len(f.States) > 0 {
		q.where("state = ANY(?)", f.States)
	}
	if len(f.CategoryIDs) > 0 {
		q.where("category_id = ANY(?)", f.CategoryIDs)
	}
	q.span("reported_at", f.ReportedFrom, f.ReportedBefore)
	if f.DueBefore != nil {
		q.where("due_at < ?", *f.DueBefore)
	}
	q.gramSearch(f.Search)
	if f.Overdue != nil {
		if *f.Overdue {
			q.where(openIssue + " AND due_at < now()")
		} else {
			q.where("NOT (" + openIssue + " AND coalesce(due_at, 'infinity') < now())")
		}
	}
	if f.Open != nil {
		if *f.Open {
			q.where(openIssue)
		} else {
			q.where("NOT " + openIssue)
		}
	}
	if f.IsDispute != nil {
		q.where("is_dispute = ?", *f.IsDispute)
	}
	if f.Supervised != nil {
		q.where("(supervisor_id IS NOT NULL) = ?", *f.Supervised)
	}
	if f.Urged != nil {
		q.where("(urge_count > 0) = ?", *f.Urged)
	}
	if f.ReporterID != nil {
		q.where("reporter_id = ?", *f.ReporterID)
	}
	if f.HandlerID != nil {
		q.where("handler_person_id = ?", *f.HandlerID)
	}
	return q
}

// Issues lists issues, newest first unless o says otherwise.
func (s *Store) Issues(ctx context.Context, sc auth.Scope, f IssueFilter, o IssueOrder, p Page) (Conn[*Issue], error) {
	q := issueQuery(sc, f)
	key, ok := issueKeys[o.Key]
	if !ok {
		key = issueKeys["REPORTED_AT"]
	}
	return listPage(ctx, s, "list issues", "issues", issueSQL, q, key, o.Desc, p, scanIssue, func(i *Issue) (any, int64) {
		switch key.name {
		case "DUE_AT":
			if i.DueAt == nil {
				return "infinity", i.ID
			}
			return *i.DueAt, i.ID
		case "UPDATED_AT":
			return i.UpdatedAt, i.ID
		}
		return i.ReportedAt, i.ID
	})
}

// IssuesByID loads issues by id, within scope.
var IssuesByID = rowsByID("load issues", issueSQL, "issues", scanIssue, func(v *Issue) int64 { return v.ID })

// IssueCategoriesByID loads issue categories by id.
var IssueCategoriesByID = rowsByID("load issue categories", issueCategorySQL, "issue_categories", scanIssueCategory, func(v *IssueCategory) int64 { return v.ID })

// IssueCategories lists every issue category by code; the list is short and fixed.
func (s *Store) IssueCategories(ctx context.Context) ([]*IssueCategory, error) {
	return referenceList(ctx, s, "list issue categories", issueCategorySQL, scanIssueCategory)
}

// referenceList lists every live row of a small reference table (categories) by code.
func referenceList[T any](ctx context.Context, s *Store, op, selectSQL string, scan func(pgx.Row) (*T, error)) ([]*T, error) {
	rows, err := s.querier(ctx).Query(ctx, selectSQL+` WHERE deleted_at IS NULL ORDER BY code`)
	if err != nil {
		return nil, MapError(op, err)
	}
	out, err := collect(rows, scan)
	return out, MapError(op, err)
}

// EventsKey asks for the last N events of one issue or order.
type EventsKey struct {
	ID   int64
	Last int
}

// IssueEvents reads, for each key, the last N events of an issue, oldest first: one
// statement per distinct N.
var IssueEvents = lastEvents("load issue events", "issue_events", "issue_id", issueEventColumns, func(e *IssueEvent) int64 { return e.IssueID })

// lastEvents is a source of the last N entries of histories kept in table, by owner (fk).
func lastEvents[T any](op, table, fk string, cs *columns[T], owner func(*T) int64) *Source[EventsKey, []*T] {
	return lastEventsWhere(op, table, fk, "", "", cs, owner)
}

// lastEventsWhere is lastEvents of the rows of table whose column is value (none when column
// is ""): one register's entries of a history shared by several.
func lastEventsWhere[T any](op, table, fk, column, value string, cs *columns[T], owner func(*T) int64) *Source[EventsKey, []*T] {
	return &Source[EventsKey, []*T]{name: op, reads: func(sc auth.Scope, keys []EventsKey, put func(EventsKey, []*T)) []Read {
		lasts, groups := byShape(keys, func(k EventsKey) int { return k.Last })
		reads := make([]Read, 0, len(lasts))
		for _, n := range lasts {
			ids := idsOf(groups[n], func(k EventsKey) int64 { return k.ID })
			q := &query{}
			idsArg := q.arg(ids)
			q.where("e." + fk + " = k.id")
			if column != "" {
				q.where("e."+column+" = ?", value)
			}
			q.where("e.deleted_at IS NULL")
			q.scoped(sc, colsFor(table, "e."))
			// Oldest first within each history: the newest N, read backwards.
			sql := `SELECT ev.* FROM unnest(` + idsArg + `::bigint[]) AS k(id) CROSS JOIN LATERAL (SELECT * FROM (SELECT ` +
				cs.list("e.") + ` FROM ` + table + ` e` + q.sql() + ` ORDER BY e.at DESC, e.id DESC LIMIT ` +
				q.arg(n) + `) last ORDER BY at, id) ev`
			reads = append(reads, grouped(op, sql, q.args, cs.scan, groups[n], func(e *T) EventsKey { return EventsKey{owner(e), n} }, put))
		}
		return reads
	}}
}

// IssueMediators reads the mediators of each issue.
var IssueMediators = children("load mediators", `SELECT id, issue_id, person_id, role FROM issue_mediators`, "issue_mediators",
	"issue_id", "id", func(r pgx.Row) (*IssueMediator, error) {
		var m IssueMediator
		return &m, r.Scan(&m.ID, &m.IssueID, &m.PersonID, &m.Role)
	}, func(m *IssueMediator) int64 { return m.IssueID })

// NewIssue is what a report carries.
type NewIssue struct {
	CategoryID   int64
	GridID       int64
	BuildingID   *int64
	Title        string
	Description  string
	ReporterRole string
	IsDispute    bool
	Location     *geo.Point // WGS-84; without GridID, it decides the grid
	matterID     *int64     // the meeting matter the issue is raised from (RaiseMatterIssue)
}

// gridPlace reads a grid's street and community within scope, for rows that copy them.
func gridPlace(ctx context.Context, q querier, sc auth.Scope, gridID int64) (street, community int64, err error) {
	qq := &query{}
	qq.where("id = ?", gridID)
	qq.where("deleted_at IS NULL")
	qq.scoped(sc, gridCols)
	err = q.QueryRow(ctx, "SELECT street_id, community_id FROM grids"+qq.sql(), qq.args...).Scan(&street, &community)
	if isNoRows(err) {
		return 0, 0, apperr.Invalid("gridId", "no such grid")
	}
	return street, community, err
}

// issuePlace is where a new issue is: its grid (given, or the one covering its location),
// the grid's street and community, and its location as PostGIS takes it (nil for none).
func issuePlace(ctx context.Context, tx pgx.Tx, sc auth.Scope, in NewIssue) (grid, street, community int64, location []byte, err error) {
	if in.Location == nil {
		if in.GridID == 0 {
			return 0, 0, 0, nil, apperr.Invalid("gridId", "an issue needs a grid or a location")
		}
		street, community, err = gridPlace(ctx, tx, sc, in.GridID)
		return in.GridID, street, community, nil, err
	}
	grid, street, community, err = locate(ctx, tx, sc, *in.Location, in.GridID)
	return grid, street, community, in.Location.EWKB(), err
}

// ReportIssue registers a new issue in state reported and writes its first event.
func (s *Store) ReportIssue(ctx context.Context, sc auth.Scope, actor auth.Actor, in NewIssue) (*Issue, error) {
	if in.Title == "" {
		return nil, apperr.Invalid("title", "an issue needs a title")
	}
	var out *Issue
	err := s.inTx(ctx, "report issue", func(tx pgx.Tx) error {
		var err error
		out, err = insertIssue(ctx, tx, sc, actor, in)
		return err
	})
	return out, err
}

// insertIssue writes a new issue in the grid of in (within the caller's scope) and starts its
// history with the report, in tx.
func insertIssue(ctx context.Context, tx pgx.Tx, sc auth.Scope, actor auth.Actor, in NewIssue) (*Issue, error) {
	grid, street, community, location, err := issuePlace(ctx, tx, sc, in)
	if err != nil {
		return nil, err
	}
	out, err := scanIssue(tx.QueryRow(ctx, `INSERT INTO issues (street_id, community_id, grid_id, building_id,
		category_id, title, description, reporter_id, reporter_role, is_dispute, matter_id, location)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, ST_GeomFromEWKB($12::bytea)) RETURNING `+issueColumns.list(""),
		street, community, grid, in.BuildingID, in.CategoryID, in.Title, in.Description, actor.PersonID,
		in.ReporterRole, in.IsDispute, in.matterID, location))
	if err != nil {
		return nil, err
	}
	return out, appendIssueEvent(ctx, tx, out, actor, string(workflow.IssueReport), "", out.State, "")
}

// historyEvent is one row of a workflow's append-only history: who moved the record from
// one state to another, when (now), with a note.
type historyEvent struct {
	table, parentColumn               string // issue_events/issue_id, order_events/order_id
	parentID, street, community, grid int64
	action, from, to, note            string
}

// appendEvent writes e in the transaction that made the change, so history and state never
// disagree.
func appendEvent(ctx context.Context, tx pgx.Tx, actor auth.Actor, e historyEvent) error {
	_, err := tx.Exec(ctx, `INSERT INTO `+e.table+` (`+e.parentColumn+`, street_id, community_id, grid_id, actor_id,
		actor_role, action, from_state, to_state, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		e.parentID, e.street, e.community, e.grid, actor.PersonID, actor.Role, e.action, nullIfEmpty(e.from), e.to, e.note)
	return err
}

func appendIssueEvent(ctx context.Context, tx pgx.Tx, i *Issue, actor auth.Actor, action, from, to, note string) error {
	return appendEvent(ctx, tx, actor, historyEvent{"issue_events", "issue_id", i.ID, i.StreetID, i.CommunityID, i.GridID,
		action, from, to, note})
}

// IssueChange is one transition request with its arguments.
type IssueChange struct {
	Step            workflow.IssueStep
	ExpectedVersion *int64
	// dispatch
	HandlerKind     string
	HandlerPersonID *int64
	HandlerUnitID   *int64
	// resolve
	ResolvedQuantity *float64
}

// handlerTables says where a handler of each kind must be registered.
var handlerTables = map[string]string{
	"cadre":        "cadres",
	"party_member": "party_members",
	"partner":      "partners",
}

// ChangeIssue applies one transition: it checks the state machine, updates the issue only if
// nobody changed it since it was read, and appends the event, all in one transaction.
func (s *Store) ChangeIssue(ctx context.Context, sc auth.Scope, actor auth.Actor, id int64, ch IssueChange) (*Issue, error) {
	var out *Issue
	err := s.inTx(ctx, "change issue", func(tx pgx.Tx) error {
		q := &query{}
		q.where("id = ?", id)
		q.where("deleted_at IS NULL")
		q.scoped(sc, colsFor("issues", ""))
		cur, err := scanIssue(tx.QueryRow(ctx, issueSQL+q.sql(), q.args...))
		if isNoRows(err) {
			return notFound("issue")
		}
		if err != nil {
			return err
		}
		if ch.ExpectedVersion != nil && *ch.ExpectedVersion != cur.Version {
			return errConflict("issue")
		}
		snap := workflow.IssueSnapshot{State: workflow.IssueState(cur.State), IsDispute: cur.IsDispute}
		if cur.EscalationLevel != nil {
			snap.Escalation = workflow.EscalationLevel(*cur.EscalationLevel)
		}
		to, err := workflow.NextIssue(snap, ch.Step)
		if err != nil {
			return err
		}
		u := &query{}
		set := "state = " + u.arg(string(to))
		switch ch.Step.Action {
		case workflow.IssueDispatch:
			if err := checkHandler(ctx, tx, sc, ch); err != nil {
				return err
			}
			set += ", handler_kind = " + u.arg(ch.HandlerKind) + ", handler_person_id = " + u.arg(ch.HandlerPersonID) +
				", handler_unit_id = " + u.arg(ch.HandlerUnitID) +
				", due_at = " + dueOnDispatch
		case workflow.IssueEscalate:
			set += ", escalation_level = " + u.arg(string(ch.Step.EscalateTo))
		case workflow.IssueResolve:
			var outcome any
			if ch.Step.DisputeOutcome != "" {
				outcome = ch.Step.DisputeOutcome
			}
			if err := resolvePhotoAttached(ctx, tx, cur); err != nil {
				return err
			}
			set += ", resolved_at = now(), resolution = " + u.arg(ch.Step.Result) + ", resolved_quantity = " +
				u.arg(ch.ResolvedQuantity) + ", dispute_outcome = " + u.arg(outcome) + ", " + verdictCleared
		case workflow.IssueClose:
			if err := awaitsVerdict(cur); err != nil {
				return err
			}
			set += ", closed_at = now()"
		case workflow.IssueReopen:
			set += ", resolved_at = NULL, closed_at = NULL, resolution = NULL, resolved_quantity = NULL, dispute_outcome = NULL"
		}
		sql := "UPDATE issues SET " + set + " WHERE id = " + u.arg(cur.ID) + " AND version = " + u.arg(cur.Version) +
			" RETURNING " + issueColumns.list("")
		out, err = scanIssue(tx.QueryRow(ctx, sql, u.args...))
		if isNoRows(err) {
			return errConflict("issue")
		}
		if err != nil {
			return err
		}
		return appendIssueEvent(ctx, tx, out, actor, string(ch.Step.Action), cur.State, out.State, ch.Step.Note)
	})
	return out, err
}

// checkHandler makes sure a dispatch names a handler of the right kind: a unit, or a person
// registered in that capacity within the caller's scope.
func checkHandler(ctx context.Context, tx pgx.Tx, sc auth.Scope, ch IssueChange) error {
	switch ch.HandlerKind {
	case "unit":
		if ch.HandlerUnitID == nil || ch.HandlerPersonID != nil {
			return apperr.Invalid("handlerUnitId", "a unit handler is given by handlerUnitId alone")
		}
		var ok bool
		err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM units WHERE id = $1 AND deleted_at IS NULL)`, *ch.HandlerUnitID).Scan(&ok)
		if err == nil && !ok {
			return apperr.Invalid("handlerUnitId", "no such unit")
		}
		return err
	case "cadre", "party_member", "partner":
		if ch.HandlerPersonID == nil || ch.HandlerUnitID != nil {
			return apperr.Invalid("handlerPersonId", "a %s handler is given by handlerPersonId alone", ch.HandlerKind)
		}
		return registeredAs(ctx, tx, sc, "handlerPersonId", ch.HandlerKind, *ch.HandlerPersonID)
	}
	return apperr.Invalid("handlerKind", "a handler is a cadre, unit, party_member or partner")
}

// registeredAs makes sure person is registered as a kind (cadre, party_member, partner) within
// the caller's scope: BAD_USER_INPUT on field otherwise.
func registeredAs(ctx context.Context, tx pgx.Tx, sc auth.Scope, field, kind string, person int64) error {
	table := handlerTables[kind] // from a fixed map, never from input
	q := &query{}
	q.where("person_id = ?", person)
	q.where("deleted_at IS NULL")
	q.scoped(sc, colsFor(table, ""))
	var ok bool
	err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+table+q.sql()+`)`, q.args...).Scan(&ok)
	if err == nil && !ok {
		return apperr.Invalid(field, "that person is not registered as a %s here", kind)
	}
	return err
}

// AddMediator adds a mediator to an open dispute.
func (s *Store) AddMediator(ctx context.Context, sc auth.Scope, issueID, personID int64, role string) (*Issue, error) {
	var out *Issue
	err := s.inTx(ctx, "add mediator", func(tx pgx.Tx) error {
		q := &query{}
		q.where("id = ?", issueID)
		q.where("deleted_at IS NULL")
		q.scoped(sc, colsFor("issues", ""))
		var err error
		out, err = scanIssue(tx.QueryRow(ctx, issueSQL+q.sql(), q.args...))
		if isNoRows(err) {
			return notFound("issue")
		}
		if err != nil {
			return err
		}
		if !out.IsDispute {
			return apperr.Invalid("issueId", "only a dispute has mediators")
		}
		if !workflow.IssueState(out.State).Open() {
			return apperr.New(apperr.InvalidTransition, "cannot add a mediator to a dispute that is %s", out.State)
		}
		if personID == out.ReporterID {
			return apperr.New(apperr.ConflictOfInterest, "no one mediates a dispute they reported")
		}
		_, err = tx.Exec(ctx, `INSERT INTO issue_mediators (issue_id, street_id, community_id, grid_id, person_id, role)
			VALUES ($1, $2, $3, $4, $5, $6)`, out.ID, out.StreetID, out.CommunityID, out.GridID, personID, role)
		return err
	})
	return out, err
}

// MonthlyReview is a community's issue figures for one month (按月梳理).
type MonthlyReview struct {
	CommunityID   int64
	Month         string // YYYY-MM
	From, To      time.Time
	ReportedCount int
	ResolvedCount int
	ClosedCount   int
	OpenCount     int // reported before the month ended and still open
	OverdueCount  int // of those, past their due date
}

// MonthlyReview counts a community's issues for the month [from, to).
func (s *Store) MonthlyReview(ctx context.Context, sc auth.Scope, communityID int64, from, to time.Time) (*MonthlyReview, error) {
	q := &query{}
	q.where("deleted_at IS NULL")
	q.where("community_id = ?", communityID)
	q.scoped(sc, colsFor("issues", ""))
	f, t := q.arg(from), q.arg(to)
	c := &MonthlyReview{CommunityID: communityID, Month: from.Format("2006-01"), From: from, To: to}
	err := s.pool.QueryRow(ctx, `SELECT
		count(*) FILTER (WHERE reported_at >= `+f+` AND reported_at < `+t+`),
		count(*) FILTER (WHERE resolved_at >= `+f+` AND resolved_at < `+t+`),
		count(*) FILTER (WHERE closed_at >= `+f+` AND closed_at < `+t+`),
		count(*) FILTER (WHERE reported_at < `+t+` AND `+openIssue+`),
		count(*) FILTER (WHERE reported_at < `+t+` AND `+openIssue+` AND due_at < now())
		FROM issues`+q.sql(), q.args...).Scan(&c.ReportedCount, &c.ResolvedCount, &c.ClosedCount, &c.OpenCount, &c.OverdueCount)
	if err != nil {
		return nil, MapError("monthly review", err)
	}
	return c, nil
}

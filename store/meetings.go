package store

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"gridgov/apperr"
	"gridgov/auth"
	"gridgov/workflow"
)

// Joint meetings as the report runs them (schema/postgres/00022_meeting_schedule.sql):
// scheduled with a time, place, agenda and named attendees, rescheduled or cancelled, held
// when the minutes are recorded; every step is checked by workflow.NextMeeting and written
// with a row of the meeting's history (meeting_events) in the same transaction.

// Agenda gives the meeting's agenda items, in order.
func (m *JointMeeting) Agenda() []string {
	var items []string
	if err := json.Unmarshal([]byte(m.AgendaJSON), &items); err != nil || items == nil {
		return []string{}
	}
	return items
}

// MeetingAttendee is a person named to attend a scheduled meeting, in a capacity, and whether
// they attended (nil until the minutes are recorded).
type MeetingAttendee struct {
	ID          int64
	MeetingID   int64
	StreetID    int64
	CommunityID int64
	PersonID    int64
	Role        string
	UnitID      *int64
	Attendance  *string // "yes", "no", nil before the minutes
	Version     int64
}

// Attended says whether the attendee attended; nil before the minutes are recorded.
func (a *MeetingAttendee) Attended() *bool {
	if a.Attendance == nil {
		return nil
	}
	yes := *a.Attendance == "yes"
	return &yes
}

var attendeeColumns = cols(func(o *MeetingAttendee) []column {
	return []column{
		col("id", &o.ID), col("meeting_id", &o.MeetingID), col("street_id", &o.StreetID), col("community_id", &o.CommunityID),
		col("person_id", &o.PersonID), label("role", &o.Role), col("unit_id", &o.UnitID),
		label("CASE WHEN attended THEN 'yes' WHEN NOT attended THEN 'no' END", &o.Attendance), col("version", &o.Version),
	}
})

var attendeeSQL = `SELECT ` + attendeeColumns.list("") + ` FROM meeting_attendees`

func scanAttendee(r pgx.Row) (*MeetingAttendee, error) { return attendeeColumns.scan(r) }

// AttendeesOf reads each meeting's named attendees, in the order they were named.
var AttendeesOf = children("load meeting attendees", attendeeSQL, "meeting_attendees", "meeting_id", "id", scanAttendee,
	func(v *MeetingAttendee) int64 { return v.MeetingID })

// MeetingEvent is one entry of a joint meeting's immutable history (meeting_events).
type MeetingEvent struct {
	ID        int64
	MeetingID int64
	ActorID   *int64
	ActorRole string
	Action    string
	FromState *string
	ToState   string
	Note      string
	At        time.Time
}

var meetingEventColumns = cols(func(o *MeetingEvent) []column {
	return historyColumns("meeting_id", &o.MeetingID, &o.ID, &o.ActorID, &o.ActorRole, &o.Action, &o.FromState, &o.ToState, &o.Note, &o.At)
})

// MeetingEvents reads, for each key, the last N entries of a meeting's history, oldest first.
var MeetingEvents = lastEvents("load meeting events", "meeting_events", "meeting_id", meetingEventColumns, func(e *MeetingEvent) int64 { return e.MeetingID })

// communityEvent is one row of a community-level history (meeting_events, matter_events).
type communityEvent struct {
	table, parentColumn         string
	parentID, street, community int64
	action, from, to, note      string
}

// appendCommunityEvent writes e in the transaction that made the change; from is "" for the
// first entry.
func appendCommunityEvent(ctx context.Context, tx pgx.Tx, actor auth.Actor, e communityEvent) error {
	_, err := tx.Exec(ctx, `INSERT INTO `+e.table+` (`+e.parentColumn+`, street_id, community_id, actor_id, actor_role, action,
		from_state, to_state, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		e.parentID, e.street, e.community, actor.PersonID, actor.Role, e.action, nullIfEmpty(e.from), e.to, e.note)
	return err
}

func appendMeetingEvent(ctx context.Context, tx pgx.Tx, actor auth.Actor, m *JointMeeting, action workflow.MeetingAction, from, note string) error {
	return appendCommunityEvent(ctx, tx, actor, communityEvent{"meeting_events", "meeting_id", m.ID, m.StreetID, m.CommunityID,
		string(action), from, m.State, note})
}

// NewAttendee is a person named to attend a meeting, in a capacity: cadre, partner,
// party_member, or unit_representative of UnitID.
type NewAttendee struct {
	PersonID int64
	Role     string
	UnitID   *int64
}

// NewSchedule is a joint meeting scheduled ahead.
type NewSchedule struct {
	CommunityID int64
	At          time.Time
	Place       string
	Title       string
	Agenda      []string
	Attendees   []NewAttendee
}

// cleanAgenda trims the agenda items and refuses an empty one.
func cleanAgenda(items []string) ([]string, error) {
	out := make([]string, 0, len(items))
	for _, it := range items {
		if it = strings.TrimSpace(it); it == "" {
			return nil, apperr.Invalid("agenda", "an agenda item needs a text")
		}
		out = append(out, it)
	}
	return out, nil
}

// ScheduleMeeting schedules a community's joint meeting with its agenda and named attendees,
// each checked within the caller's scope in the capacity named.
func (s *Store) ScheduleMeeting(ctx context.Context, sc auth.Scope, actor auth.Actor, in NewSchedule) (*JointMeeting, error) {
	in.Title, in.Place = strings.TrimSpace(in.Title), strings.TrimSpace(in.Place)
	agenda, err := cleanAgenda(in.Agenda)
	switch {
	case err != nil:
		return nil, err
	case in.Title == "":
		return nil, apperr.Invalid("title", "a meeting needs a title")
	case !in.At.After(time.Now()):
		return nil, apperr.Invalid("scheduledAt", "a meeting is scheduled ahead")
	}
	var out *JointMeeting
	err = s.inTx(ctx, "schedule joint meeting", func(tx pgx.Tx) error {
		street, err := communityStreet(ctx, tx, sc, in.CommunityID)
		if err != nil {
			return err
		}
		state, err := workflow.NextMeeting("", workflow.MeetingSchedule)
		if err != nil {
			return err
		}
		out, err = scanMeeting(tx.QueryRow(ctx, `INSERT INTO joint_meetings (street_id, community_id, held_on, title, state,
			scheduled_at, place, agenda) VALUES ($1, $2, ($3::timestamptz AT TIME ZONE 'Asia/Shanghai')::date, $4, $5, $3, $6, $7)
			RETURNING `+meetingCols, street, in.CommunityID, in.At, in.Title, string(state), in.Place, agenda))
		if err != nil {
			return err
		}
		if err := addAttendees(ctx, tx, sc, out, in.Attendees); err != nil {
			return err
		}
		return appendMeetingEvent(ctx, tx, actor, out, workflow.MeetingSchedule, "", "")
	})
	return out, err
}

// communityStreet reads a community's street within scope; an absent community, or one out of
// scope, is BAD_USER_INPUT on communityId.
func communityStreet(ctx context.Context, tx pgx.Tx, sc auth.Scope, community int64) (int64, error) {
	q := &query{}
	q.where("id = ?", community)
	q.where("deleted_at IS NULL")
	q.scoped(sc, communityCols)
	var street int64
	err := tx.QueryRow(ctx, `SELECT street_id FROM communities`+q.sql(), q.args...).Scan(&street)
	if isNoRows(err) {
		return 0, apperr.Invalid("communityId", "no such community")
	}
	return street, err
}

// addAttendees names the attendees of meeting: each once, registered in the capacity named
// within the caller's scope (a unit representative names a unit).
func addAttendees(ctx context.Context, tx pgx.Tx, sc auth.Scope, m *JointMeeting, as []NewAttendee) error {
	seen := map[int64]bool{}
	for _, a := range as {
		if seen[a.PersonID] {
			return apperr.Invalid("attendees", "a person is named to attend once")
		}
		seen[a.PersonID] = true
		if err := checkAttendee(ctx, tx, sc, a); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO meeting_attendees (meeting_id, street_id, community_id, person_id, role, unit_id)
			VALUES ($1, $2, $3, $4, $5, $6)`, m.ID, m.StreetID, m.CommunityID, a.PersonID, a.Role, a.UnitID); err != nil {
			return err
		}
	}
	return nil
}

func checkAttendee(ctx context.Context, tx pgx.Tx, sc auth.Scope, a NewAttendee) error {
	if a.Role == "unit_representative" {
		if a.UnitID == nil {
			return apperr.Invalid("attendees", "a unit representative names the unit")
		}
		return nil // the unit is resolved with the input's references
	}
	if a.UnitID != nil {
		return apperr.Invalid("attendees", "only a unit representative names a unit")
	}
	if _, ok := handlerTables[a.Role]; !ok {
		return apperr.Invalid("attendees", "unknown attendee role %q", a.Role)
	}
	return registeredAs(ctx, tx, sc, "attendees", a.Role, a.PersonID)
}

// meetingStep reads the meeting within scope at the version the client saw, checks action
// against the machine, runs set (an UPDATE … WHERE id = $1 AND version = $2 RETURNING the
// meeting's columns, with args from $3), and writes the history row. A stale version is
// CONFLICT, a step the state refuses INVALID_TRANSITION naming the state.
func meetingStep(ctx context.Context, tx pgx.Tx, sc auth.Scope, actor auth.Actor, id int64, expectedVersion *int64,
	action workflow.MeetingAction, note, set string, args ...any) (*JointMeeting, error) {
	cur, err := current(ctx, tx, meetingSQL, id, sc, communityPlaceCols, scanMeeting,
		func(v *JointMeeting) int64 { return v.Version }, expectedVersion, "joint meeting")
	if err != nil {
		return nil, err
	}
	to, err := workflow.NextMeeting(workflow.MeetingState(cur.State), action)
	if err != nil {
		return nil, err
	}
	out, err := scanMeeting(tx.QueryRow(ctx, `UPDATE joint_meetings SET state = $3, `+set+` WHERE id = $1 AND version = $2
		RETURNING `+meetingCols, append([]any{cur.ID, cur.Version, string(to)}, args...)...))
	if isNoRows(err) {
		return nil, errConflict("joint meeting")
	}
	if err != nil {
		return nil, err
	}
	if action == workflow.MeetingRecordMatter {
		return out, nil // the matter's own history records it
	}
	return out, appendMeetingEvent(ctx, tx, actor, out, action, cur.State, note)
}

// RescheduleMeeting moves a scheduled meeting to another time, and place when given.
func (s *Store) RescheduleMeeting(ctx context.Context, sc auth.Scope, actor auth.Actor, id int64, expectedVersion *int64,
	at time.Time, place *string, note string) (*JointMeeting, error) {
	if !at.After(time.Now()) {
		return nil, apperr.Invalid("scheduledAt", "a meeting is scheduled ahead")
	}
	var out *JointMeeting
	err := s.inTx(ctx, "reschedule joint meeting", func(tx pgx.Tx) error {
		var err error
		out, err = meetingStep(ctx, tx, sc, actor, id, expectedVersion, workflow.MeetingReschedule, strings.TrimSpace(note),
			`scheduled_at = $4, held_on = ($4::timestamptz AT TIME ZONE 'Asia/Shanghai')::date, place = coalesce($5, place)`, at, trimmed(place))
		return err
	})
	return out, err
}

func trimmed(s *string) *string {
	if s == nil {
		return nil
	}
	t := strings.TrimSpace(*s)
	return &t
}

// CancelMeeting calls off a scheduled meeting, with a reason.
func (s *Store) CancelMeeting(ctx context.Context, sc auth.Scope, actor auth.Actor, id int64, expectedVersion *int64, reason string) (*JointMeeting, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, apperr.Invalid("reason", "a cancellation gives a reason")
	}
	var out *JointMeeting
	err := s.inTx(ctx, "cancel joint meeting", func(tx pgx.Tx) error {
		var err error
		out, err = meetingStep(ctx, tx, sc, actor, id, expectedVersion, workflow.MeetingCancel, reason, `cancel_reason = $4`, reason)
		return err
	})
	return out, err
}

// Minutes are what a scheduled meeting's minutes record: the text, the day held (the day
// scheduled for when nil), which named attendees attended, the number of attendees in all
// (those who attended when nil), and the matters handled.
type Minutes struct {
	Text      string
	HeldOn    *time.Time
	Attended  []int64
	Attendees *int
	Matters   []NewMatter
}

// RecordMinutes records the minutes of a scheduled meeting: it is held.
func (s *Store) RecordMinutes(ctx context.Context, sc auth.Scope, actor auth.Actor, id int64, expectedVersion *int64, in Minutes) (*JointMeeting, error) {
	in.Text = strings.TrimSpace(in.Text)
	switch {
	case in.Text == "":
		return nil, apperr.Invalid("minutes", "minutes need a text")
	case in.HeldOn != nil && in.HeldOn.After(today()):
		return nil, apperr.Invalid("heldOn", "a meeting is recorded once it was held")
	case in.Attendees != nil && *in.Attendees < len(in.Attended):
		return nil, apperr.Invalid("attendees", "the attendees include those named who attended")
	}
	for _, m := range in.Matters {
		if err := checkMatter(m); err != nil {
			return nil, err
		}
	}
	total := len(in.Attended)
	if in.Attendees != nil {
		total = *in.Attendees
	}
	var out *JointMeeting
	err := s.inTx(ctx, "record meeting minutes", func(tx pgx.Tx) error {
		var err error
		out, err = meetingStep(ctx, tx, sc, actor, id, expectedVersion, workflow.MeetingRecordMinutes, "",
			`minutes = $4, held_on = coalesce($5, held_on), attendees = $6`, in.Text, in.HeldOn, total)
		if err != nil {
			return err
		}
		if out.HeldOn.After(today()) {
			return apperr.Invalid("heldOn", "a meeting is recorded once it was held")
		}
		if err := markAttendance(ctx, tx, out.ID, in.Attended); err != nil {
			return err
		}
		for _, m := range in.Matters {
			if err := insertMatter(ctx, tx, actor, out, m); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// markAttendance records who of a meeting's named attendees attended; a person not named is
// BAD_USER_INPUT.
func markAttendance(ctx context.Context, tx pgx.Tx, meeting int64, attended []int64) error {
	var unnamed int
	err := tx.QueryRow(ctx, `SELECT count(*) FROM unnest($2::bigint[]) AS p(id) WHERE NOT EXISTS
		(SELECT 1 FROM meeting_attendees a WHERE a.meeting_id = $1 AND a.person_id = p.id AND a.deleted_at IS NULL)`,
		meeting, attended).Scan(&unnamed)
	if err != nil {
		return err
	}
	if unnamed > 0 {
		return apperr.Invalid("attended", "who attended is among the attendees named")
	}
	_, err = tx.Exec(ctx, `UPDATE meeting_attendees SET attended = (person_id = ANY($2)) WHERE meeting_id = $1 AND deleted_at IS NULL`,
		meeting, attended)
	return err
}

// RaiseMatterIssue turns a matter that needs action into an issue of the register (问题交办),
// reported by actor in a grid of the matter's community, in one transaction: the issue names
// the matter, the matter its issue, and the matter's history records it. A matter is raised
// once; a mediated dispute needs no issue.
func (s *Store) RaiseMatterIssue(ctx context.Context, sc auth.Scope, actor auth.Actor, matterID int64, expectedVersion *int64, in NewIssue) (*MeetingMatter, error) {
	var out *MeetingMatter
	err := s.inTx(ctx, "raise matter issue", func(tx pgx.Tx) error {
		cur, err := current(ctx, tx, matterSQL, matterID, sc, communityPlaceCols, scanMatter,
			func(v *MeetingMatter) int64 { return v.Version }, expectedVersion, "meeting matter")
		if err != nil {
			return err
		}
		if err := workflow.RaiseIssue(workflow.MatterOutcome(cur.Outcome), cur.IssueID != nil); err != nil {
			return err
		}
		if in.Title = strings.TrimSpace(in.Title); in.Title == "" {
			in.Title = cur.Title
		}
		in.matterID = &cur.ID
		issue, err := insertIssue(ctx, tx, sc, actor, in)
		if err != nil {
			return err
		}
		if issue.CommunityID != cur.CommunityID {
			return apperr.Invalid("gridId", "the grid is not in the meeting's community")
		}
		out, err = scanMatter(tx.QueryRow(ctx, `UPDATE meeting_matters SET issue_id = $3 WHERE id = $1 AND version = $2
			RETURNING `+matterCols, cur.ID, cur.Version, issue.ID))
		if isNoRows(err) {
			return errConflict("meeting matter")
		}
		if err != nil {
			return err
		}
		return appendMatterEvent(ctx, tx, actor, out, MatterRaiseIssue, cur.Outcome, "issue "+strconv.FormatInt(issue.ID, 10))
	})
	return out, err
}

// CommunityCompliance is one community's joint meetings held in a quarter: compliant when it
// met at least once (每季度至少召开一次).
type CommunityCompliance struct {
	CommunityID  int64
	MeetingsHeld int
	Compliant    bool
}

// MeetingCompliance is the quarterly compliance of the communities of a scope.
type MeetingCompliance struct {
	Year, Quarter        int
	Communities          int
	CompliantCommunities int
	Share                *float64 // nil when no community is listed
	Entries              []*CommunityCompliance
}

// QuarterOf gives the first day of a quarter (1 to 4) of year and the first day after it.
func QuarterOf(year, quarter int) (from, to time.Time, err error) {
	if quarter < 1 || quarter > 4 {
		return from, to, apperr.Invalid("quarter", "a quarter is 1 to 4")
	}
	if year < 2000 || year > 2100 {
		return from, to, apperr.Invalid("year", "a year between 2000 and 2100")
	}
	from = time.Date(year, time.Month(3*quarter-2), 1, 0, 0, 0, 0, time.UTC)
	return from, from.AddDate(0, 3, 0), nil
}

// MeetingCompliance lists the live communities in scope (and in the place filter), each
// with the joint meetings it held in the quarter, by community id, and their share that met.
func (s *Store) MeetingCompliance(ctx context.Context, sc auth.Scope, year, quarter int, f PlaceFilter) (*MeetingCompliance, error) {
	from, to, err := QuarterOf(year, quarter)
	if err != nil {
		return nil, err
	}
	q := &query{}
	fromArg, toArg := q.arg(from), q.arg(to)
	q.where("c.deleted_at IS NULL")
	c := colsFor("communities", "c.")
	q.scoped(sc, c)
	f.apply(q, c)
	rows, err := s.pool.Query(ctx, `SELECT c.id, count(jm.id)::int FROM communities c LEFT JOIN joint_meetings jm ON jm.community_id = c.id
		AND jm.state = 'held' AND jm.deleted_at IS NULL AND jm.held_on >= `+fromArg+`::date AND jm.held_on < `+toArg+`::date`+q.sql()+
		` GROUP BY c.id ORDER BY c.id`, q.args...)
	if err != nil {
		return nil, MapError("meeting compliance", err)
	}
	entries, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*CommunityCompliance, error) {
		var c CommunityCompliance
		err := r.Scan(&c.CommunityID, &c.MeetingsHeld)
		c.Compliant = c.MeetingsHeld > 0
		return &c, err
	})
	if err != nil {
		return nil, MapError("meeting compliance", err)
	}
	out := &MeetingCompliance{Year: year, Quarter: quarter, Communities: len(entries), Entries: entries}
	for _, e := range entries {
		if e.Compliant {
			out.CompliantCommunities++
		}
	}
	if out.Communities > 0 {
		share := float64(out.CompliantCommunities) / float64(out.Communities)
		out.Share = &share
	}
	return out, nil
}

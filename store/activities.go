package store

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"gridgov/apperr"
	"gridgov/auth"
	"gridgov/workflow"
)

// Activity is a themed party day (主题党日), legal publicity, micro-classroom, intersection
// duty, volunteer service or similar, with its participants and the people it served.
type Activity struct {
	ID                   int64
	Kind                 string
	Title                string
	StreetID             int64
	CommunityID          *int64
	GridID               *int64
	IntersectionID       *int64
	OrganiserUnitID      *int64
	TeamID               *int64
	SocialOrganisationID *int64
	VentureProjectID     *int64
	StartsAt             time.Time
	EndsAt               time.Time
	PeopleServed         int
	Version              int64
}

// ActivityParticipant is one person's part in an activity: role and hours.
type ActivityParticipant struct {
	ID         int64
	ActivityID int64
	PersonID   int64
	Role       string
	Hours      float64
	Version    int64
}

// JointMeeting is a quarterly co-building joint meeting (党建联席会) of a community: scheduled,
// held or cancelled (workflow.MeetingState). HeldOn is the day held, or the day scheduled for
// while scheduled and once cancelled.
type JointMeeting struct {
	ID           int64
	StreetID     int64
	CommunityID  int64
	HeldOn       time.Time
	Title        string
	Attendees    int
	State        string
	ScheduledAt  *time.Time
	Place        string
	AgendaJSON   string // the agenda items, a JSON array (Agenda decodes it)
	Minutes      string
	CancelReason *string
	Version      int64
}

// MeetingMatter is a matter a joint meeting discussed, decided or mediated.
type MeetingMatter struct {
	ID          int64
	MeetingID   int64
	StreetID    int64
	CommunityID int64
	Kind        string
	Title       string
	Outcome     string
	IssueID     *int64 // the issue it was raised as (RaiseMatterIssue)
	Version     int64
}

var (
	activityCols    = activityColumns.list("")
	participantCols = participantColumns.list("")
	meetingCols     = meetingColumns.list("")
	matterCols      = matterColumns.list("")
	activitySQL     = `SELECT ` + activityCols + ` FROM activities`
	participantSQL  = `SELECT ` + participantCols + ` FROM activity_participants`
	meetingSQL      = `SELECT ` + meetingCols + ` FROM joint_meetings`
	matterSQL       = `SELECT ` + matterCols + ` FROM meeting_matters`
)

var activityColumns = cols(func(o *Activity) []column {
	return []column{
		col("id", &o.ID), label("kind", &o.Kind), col("title", &o.Title), col("street_id", &o.StreetID),
		col("community_id", &o.CommunityID), col("grid_id", &o.GridID), col("intersection_id", &o.IntersectionID),
		col("organiser_unit_id", &o.OrganiserUnitID), col("team_id", &o.TeamID),
		col("social_organisation_id", &o.SocialOrganisationID), col("venture_project_id", &o.VentureProjectID),
		col("starts_at", &o.StartsAt), col("ends_at", &o.EndsAt), col("people_served", &o.PeopleServed),
		col("version", &o.Version),
	}
})

func scanActivity(r pgx.Row) (*Activity, error) { return activityColumns.scan(r) }

var participantColumns = cols(func(o *ActivityParticipant) []column {
	return []column{
		col("id", &o.ID), col("activity_id", &o.ActivityID), col("person_id", &o.PersonID), label("role", &o.Role),
		col("hours::float8", &o.Hours), col("version", &o.Version),
	}
})

func scanParticipant(r pgx.Row) (*ActivityParticipant, error) { return participantColumns.scan(r) }

var meetingColumns = cols(func(o *JointMeeting) []column {
	return []column{
		col("id", &o.ID), col("street_id", &o.StreetID), col("community_id", &o.CommunityID), col("held_on", &o.HeldOn),
		col("title", &o.Title), col("attendees", &o.Attendees), label("state", &o.State), col("scheduled_at", &o.ScheduledAt),
		col("place", &o.Place), col("array_to_json(agenda)::text", &o.AgendaJSON), col("minutes", &o.Minutes), col("cancel_reason", &o.CancelReason),
		col("version", &o.Version),
	}
})

func scanMeeting(r pgx.Row) (*JointMeeting, error) { return meetingColumns.scan(r) }

var matterColumns = cols(func(o *MeetingMatter) []column {
	return []column{
		col("id", &o.ID), col("meeting_id", &o.MeetingID), col("street_id", &o.StreetID), col("community_id", &o.CommunityID),
		label("kind", &o.Kind), col("title", &o.Title), label("outcome", &o.Outcome), col("issue_id", &o.IssueID), col("version", &o.Version),
	}
})

func scanMatter(r pgx.Row) (*MeetingMatter, error) { return matterColumns.scan(r) }

// ActivitiesByID loads activities by id, within scope.
var ActivitiesByID = rowsByID("load activities", activitySQL, "activities", scanActivity, func(v *Activity) int64 { return v.ID })

// ParticipantsByID loads activity participants by id, within scope.
var ParticipantsByID = rowsByID("load participants", participantSQL, "activity_participants", scanParticipant, func(v *ActivityParticipant) int64 { return v.ID })

// ParticipantsOf reads each activity's participants, in the order they were recorded.
var ParticipantsOf = children("load participants", participantSQL, "activity_participants", "activity_id", "id", scanParticipant,
	func(v *ActivityParticipant) int64 { return v.ActivityID })

// MeetingsByID loads joint meetings by id, within scope.
var MeetingsByID = rowsByID("load joint meetings", meetingSQL, "joint_meetings", scanMeeting, func(v *JointMeeting) int64 { return v.ID })

// MattersByID loads meeting matters by id, within scope.
var MattersByID = rowsByID("load meeting matters", matterSQL, "meeting_matters", scanMatter, func(v *MeetingMatter) int64 { return v.ID })

// MattersOf reads each meeting's matters, in the order they were recorded.
var MattersOf = children("load meeting matters", matterSQL, "meeting_matters", "meeting_id", "id", scanMatter,
	func(v *MeetingMatter) int64 { return v.MeetingID })

// ActivityFilter narrows the list of activities.
type ActivityFilter struct {
	Place                PlaceFilter
	Kinds                []string
	StartsFrom, StartsTo *time.Time
	TeamID               *int64
	OrganiserUnitID      *int64
	SocialOrganisationID *int64
	VentureProjectID     *int64
	Search               string
}

// Activities lists activities by start, newest first by default.
func (s *Store) Activities(ctx context.Context, sc auth.Scope, f ActivityFilter, desc bool, p Page) (Conn[*Activity], error) {
	q := &query{}
	q.where("deleted_at IS NULL")
	q.scoped(sc, placeCols)
	f.Place.apply(q, placeCols)
	if len(f.Kinds) > 0 {
		q.where("kind = ANY(?)", f.Kinds)
	}
	q.span("starts_at", f.StartsFrom, f.StartsTo)
	for _, c := range []struct {
		col string
		v   *int64
	}{{"team_id", f.TeamID}, {"organiser_unit_id", f.OrganiserUnitID},
		{"social_organisation_id", f.SocialOrganisationID}, {"venture_project_id", f.VentureProjectID}} {
		if c.v != nil {
			q.where(c.col+" = ?", *c.v)
		}
	}
	q.textSearch(f.Search, "title")
	return listPage(ctx, s, "list activities", "activities", activitySQL, q, sortKey{name: "STARTS_AT", expr: "starts_at", kind: keyTime}, desc, p,
		scanActivity, func(v *Activity) (any, int64) { return v.StartsAt, v.ID })
}

// MeetingFilter narrows the list of joint meetings.
type MeetingFilter struct {
	Place            PlaceFilter
	HeldFrom, HeldTo *time.Time
	States           []string
	Search           string
}

// Meetings lists joint meetings, newest first.
func (s *Store) Meetings(ctx context.Context, sc auth.Scope, f MeetingFilter, p Page) (Conn[*JointMeeting], error) {
	q := &query{}
	q.where("deleted_at IS NULL")
	q.scoped(sc, communityPlaceCols)
	f.Place.apply(q, communityPlaceCols)
	q.span("held_on", f.HeldFrom, f.HeldTo)
	if len(f.States) > 0 {
		q.where("state = ANY(?)", f.States)
	}
	q.textSearch(f.Search, "title")
	return listPage(ctx, s, "list joint meetings", "joint_meetings", meetingSQL, q, sortKey{name: "HELD_ON", expr: "held_on", kind: keyDate}, true, p,
		scanMeeting, func(v *JointMeeting) (any, int64) { return v.HeldOn.Format(time.DateOnly), v.ID })
}

// NewParticipant is one person taking part in an activity.
type NewParticipant struct {
	PersonID int64
	Role     string
	Hours    float64
}

// NewActivity is an activity as recorded after it took place.
type NewActivity struct {
	Kind                 string
	Title                string
	StreetID             *int64
	CommunityID          *int64
	GridID               *int64
	IntersectionID       *int64
	OrganiserUnitID      *int64
	TeamID               *int64
	SocialOrganisationID *int64
	VentureProjectID     *int64
	StartsAt, EndsAt     time.Time
	PeopleServed         int
	Participants         []NewParticipant
}

// roleTables says where a participant of each role must be registered; residents and red
// stewards are checked by their own tables, anyone else known may take part as a resident.
var roleTables = map[string]string{
	"party_member": "party_members",
	"volunteer":    "volunteers",
	"cadre":        "cadres",
	"red_steward":  "red_stewards",
}

// RecordActivity records an activity with its participants. The place is the grid, or the
// community, or the street (the finest given; they must agree). A party member's hours go to
// their service ledger (服务台账), dated the activity's first day.
func (s *Store) RecordActivity(ctx context.Context, sc auth.Scope, in NewActivity) (*Activity, error) {
	in.Title = strings.TrimSpace(in.Title)
	switch {
	case in.Title == "":
		return nil, apperr.Invalid("title", "an activity needs a title")
	case in.EndsAt.Before(in.StartsAt):
		return nil, apperr.Invalid("endsAt", "an activity ends after it starts")
	case in.PeopleServed < 0:
		return nil, apperr.Invalid("peopleServed", "people served cannot be negative")
	case in.StreetID == nil && in.CommunityID == nil && in.GridID == nil:
		return nil, apperr.Invalid("communityId", "an activity takes place in a street, community or grid")
	}
	var out *Activity
	err := s.inTx(ctx, "record activity", func(tx pgx.Tx) error {
		street, community, grid, err := activityPlace(ctx, tx, sc, in)
		if err != nil {
			return err
		}
		out, err = scanActivity(tx.QueryRow(ctx, `INSERT INTO activities (kind, title, street_id, community_id, grid_id,
			intersection_id, organiser_unit_id, team_id, social_organisation_id, venture_project_id, starts_at, ends_at, people_served)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING `+activityCols,
			in.Kind, in.Title, street, community, grid, in.IntersectionID, in.OrganiserUnitID, in.TeamID, in.SocialOrganisationID,
			in.VentureProjectID, in.StartsAt, in.EndsAt, in.PeopleServed))
		if err != nil {
			return err
		}
		return addParticipants(ctx, tx, out, in.Participants)
	})
	return out, err
}

// activityPlace resolves and checks the place of a new activity within scope.
func activityPlace(ctx context.Context, tx pgx.Tx, sc auth.Scope, in NewActivity) (street int64, community, grid *int64, err error) {
	switch {
	case in.GridID != nil:
		st, co, err := gridPlace(ctx, tx, sc, *in.GridID)
		if err != nil {
			return 0, nil, nil, err
		}
		if in.CommunityID != nil && *in.CommunityID != co || in.StreetID != nil && *in.StreetID != st {
			return 0, nil, nil, apperr.Invalid("gridId", "the grid is not in that community or street")
		}
		return st, &co, in.GridID, nil
	case in.CommunityID != nil:
		street, err := communityStreet(ctx, tx, sc, *in.CommunityID)
		if err == nil && in.StreetID != nil && *in.StreetID != street {
			return 0, nil, nil, apperr.Invalid("communityId", "the community is not in that street")
		}
		return street, in.CommunityID, nil, err
	}
	if sc.CommunityID != 0 || sc.GridID != 0 {
		return 0, nil, nil, apperr.New(apperr.Forbidden, "a street-wide activity is recorded by the street")
	}
	q := &query{}
	q.where("id = ?", *in.StreetID)
	q.where("deleted_at IS NULL")
	q.scoped(sc, streetCols)
	var ok bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM streets`+q.sql()+`)`, q.args...).Scan(&ok); err != nil {
		return 0, nil, nil, err
	}
	if !ok {
		return 0, nil, nil, apperr.Invalid("streetId", "no such street")
	}
	return *in.StreetID, nil, nil, nil
}

// addParticipants checks and inserts participants of activity a, and writes party members'
// hours to the service ledger.
func addParticipants(ctx context.Context, tx pgx.Tx, a *Activity, ps []NewParticipant) error {
	dur := a.EndsAt.Sub(a.StartsAt).Hours()
	seen := map[int64]bool{}
	for _, p := range ps {
		switch {
		case seen[p.PersonID]:
			return apperr.Invalid("participants", "a person takes part in an activity once")
		case p.Hours < 0 || p.Hours > 24:
			return apperr.Invalid("participants", "hours must be between 0 and 24")
		case p.Hours > dur+1e-9:
			return apperr.Invalid("participants", "a participant's hours cannot exceed the activity's length (%.2f h)", dur)
		}
		seen[p.PersonID] = true
		if p.Role != "resident" {
			table, ok := roleTables[p.Role]
			if !ok {
				return apperr.Invalid("participants", "unknown participant role %q", p.Role)
			}
			var ok2 bool
			// The table name comes from a fixed map, never from input.
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+table+` WHERE person_id = $1 AND deleted_at IS NULL)`,
				p.PersonID).Scan(&ok2); err != nil {
				return err
			}
			if !ok2 {
				return apperr.Invalid("participants", "person %d is not registered as a %s", p.PersonID, strings.ReplaceAll(p.Role, "_", " "))
			}
		} else {
			var ok2 bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM people WHERE id = $1 AND deleted_at IS NULL)`, p.PersonID).Scan(&ok2); err != nil {
				return err
			}
			if !ok2 {
				return apperr.Invalid("participants", "no such person")
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO activity_participants (activity_id, street_id, community_id, grid_id, person_id, role, hours)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, a.ID, a.StreetID, a.CommunityID, a.GridID, p.PersonID, p.Role, p.Hours); err != nil {
			return err
		}
		if p.Role == "party_member" && p.Hours > 0 {
			if _, err := tx.Exec(ctx, `INSERT INTO service_records (member_id, street_id, community_id, grid_id, served_on, hours, content)
				SELECT m.id, m.street_id, m.community_id, m.grid_id, $2::timestamptz::date, $3, $4
				FROM party_members m WHERE m.person_id = $1 AND m.deleted_at IS NULL`,
				p.PersonID, a.StartsAt, p.Hours, a.Title); err != nil {
				return err
			}
		}
	}
	return nil
}

// AddParticipants adds participants to an activity, if nobody changed it since the client
// read expectedVersion (the activity's version moves with its participants).
func (s *Store) AddParticipants(ctx context.Context, sc auth.Scope, activityID int64, expectedVersion *int64, ps []NewParticipant) (*Activity, error) {
	if len(ps) == 0 {
		return nil, apperr.Invalid("participants", "name at least one participant")
	}
	var out *Activity
	err := s.inTx(ctx, "add participants", func(tx pgx.Tx) error {
		cur, err := current(ctx, tx, activitySQL, activityID, sc, placeCols, scanActivity,
			func(v *Activity) int64 { return v.Version }, expectedVersion, "activity")
		if err != nil {
			return err
		}
		out, err = scanActivity(tx.QueryRow(ctx, `UPDATE activities SET people_served = people_served WHERE id = $1 AND version = $2
			RETURNING `+activityCols, cur.ID, cur.Version))
		if isNoRows(err) {
			return errConflict("activity")
		}
		if err != nil {
			return err
		}
		return addParticipants(ctx, tx, out, ps)
	})
	return out, err
}

// NewMatter is a matter recorded at a joint meeting.
type NewMatter struct {
	Kind    string
	Title   string
	Outcome string
}

// NewMeeting is a joint meeting as held.
type NewMeeting struct {
	CommunityID int64
	HeldOn      time.Time
	Title       string
	Attendees   int
	Matters     []NewMatter
}

func checkMatter(m NewMatter) error {
	if strings.TrimSpace(m.Title) == "" {
		return apperr.Invalid("title", "a matter needs a title")
	}
	return workflow.FirstOutcome(workflow.MatterKind(m.Kind), workflow.MatterOutcome(m.Outcome))
}

// HoldMeeting records a community's joint meeting (党建联席会) with the matters it handled;
// each matter's history starts with its recording by actor.
func (s *Store) HoldMeeting(ctx context.Context, sc auth.Scope, actor auth.Actor, in NewMeeting) (*JointMeeting, error) {
	in.Title = strings.TrimSpace(in.Title)
	switch {
	case in.Title == "":
		return nil, apperr.Invalid("title", "a meeting needs a title")
	case in.Attendees < 0:
		return nil, apperr.Invalid("attendees", "attendees cannot be negative")
	case in.HeldOn.After(today()):
		return nil, apperr.Invalid("heldOn", "a meeting is recorded once it was held")
	}
	for _, m := range in.Matters {
		if err := checkMatter(m); err != nil {
			return nil, err
		}
	}
	var out *JointMeeting
	err := s.inTx(ctx, "hold joint meeting", func(tx pgx.Tx) error {
		street, err := communityStreet(ctx, tx, sc, in.CommunityID)
		if err != nil {
			return err
		}
		state, err := workflow.NextMeeting("", workflow.MeetingHold)
		if err != nil {
			return err
		}
		out, err = scanMeeting(tx.QueryRow(ctx, `INSERT INTO joint_meetings (street_id, community_id, held_on, title, attendees, state)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING `+meetingCols, street, in.CommunityID, in.HeldOn, in.Title, in.Attendees, string(state)))
		if err != nil {
			return err
		}
		for _, m := range in.Matters {
			if err := insertMatter(ctx, tx, actor, out, m); err != nil {
				return err
			}
		}
		return appendMeetingEvent(ctx, tx, actor, out, workflow.MeetingHold, "", "")
	})
	return out, err
}

// insertMatter adds a matter to meeting and starts its history with the recording.
func insertMatter(ctx context.Context, tx pgx.Tx, actor auth.Actor, meeting *JointMeeting, m NewMatter) error {
	row, err := scanMatter(tx.QueryRow(ctx, `INSERT INTO meeting_matters (meeting_id, street_id, community_id, kind, title, outcome)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING `+matterCols,
		meeting.ID, meeting.StreetID, meeting.CommunityID, m.Kind, strings.TrimSpace(m.Title), m.Outcome))
	if err != nil {
		return err
	}
	return appendMatterEvent(ctx, tx, actor, row, MatterRecord, "", "")
}

// RecordMatter adds a matter to a held meeting, if nobody changed the meeting since the client
// read expectedVersion.
func (s *Store) RecordMatter(ctx context.Context, sc auth.Scope, actor auth.Actor, meetingID int64, expectedVersion *int64, m NewMatter) (*JointMeeting, error) {
	if err := checkMatter(m); err != nil {
		return nil, err
	}
	var out *JointMeeting
	err := s.inTx(ctx, "record meeting matter", func(tx pgx.Tx) error {
		var err error
		out, err = meetingStep(ctx, tx, sc, actor, meetingID, expectedVersion, workflow.MeetingRecordMatter, "", "attendees = attendees")
		if err != nil {
			return err
		}
		return insertMatter(ctx, tx, actor, out, m)
	})
	return out, err
}

// SetMatterOutcome moves a matter to a new outcome (a discussed matter decided at a later
// meeting, an unresolved dispute mediated), as the outcome machine allows, and appends the
// change (actor, from, to, note) to the matter's history in the same transaction: a refused
// or conflicting change writes neither.
func (s *Store) SetMatterOutcome(ctx context.Context, sc auth.Scope, actor auth.Actor, matterID int64, outcome, note string, expectedVersion *int64) (*MeetingMatter, error) {
	var out *MeetingMatter
	err := s.inTx(ctx, "set matter outcome", func(tx pgx.Tx) error {
		cur, err := current(ctx, tx, matterSQL, matterID, sc, communityPlaceCols, scanMatter,
			func(v *MeetingMatter) int64 { return v.Version }, expectedVersion, "meeting matter")
		if err != nil {
			return err
		}
		if err := workflow.NextOutcome(workflow.MatterKind(cur.Kind), workflow.MatterOutcome(cur.Outcome), workflow.MatterOutcome(outcome)); err != nil {
			return err
		}
		out, err = scanMatter(tx.QueryRow(ctx, `UPDATE meeting_matters SET outcome = $1 WHERE id = $2 AND version = $3 RETURNING `+matterCols,
			outcome, cur.ID, cur.Version))
		if isNoRows(err) {
			return errConflict("meeting matter")
		}
		if err != nil {
			return err
		}
		return appendMatterEvent(ctx, tx, actor, out, MatterSetOutcome, cur.Outcome, note)
	})
	return out, err
}

package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"gridgov/apperr"
	"gridgov/auth"
	"gridgov/workflow"
)

// YearRating is a community's year-end rating of a member (年终考核), on its way from draft
// through approval to the member's unit (workflow.RatingState).
type YearRating struct {
	ID             int64
	MemberID       int64
	StreetID       int64
	CommunityID    int64
	Year           int
	Grade          string
	RatedBy        *int64
	RatedAt        time.Time
	Comment        string
	State          string
	RaterLevel     string
	SubmittedAt    *time.Time
	SubmittedBy    *int64
	ApprovedAt     *time.Time
	ApprovedBy     *int64
	NotifiedAt     *time.Time
	AcknowledgedAt *time.Time
	AcknowledgedBy *int64
	Version        int64
	// Appeal is the member's appeal, nil unless they appealed.
	Appeal    *RatingAppeal
	appealRow RatingAppeal
}

// RatingAppeal is a member's appeal of their rating and its decision.
type RatingAppeal struct {
	Reason      *string
	AppealedAt  *time.Time
	Decision    *string // upheld, revised; nil while pending
	DecidedAt   *time.Time
	DecidedBy   *int64
	Note        *string
	GradeBefore *string // the grade a revision replaced
}

// RatingEvent is one entry of a rating's immutable history.
type RatingEvent struct {
	ID          int64
	RatingID    int64
	ActorID     *int64
	ActorRole   string
	Action      string
	FromState   *string
	ToState     string
	GradeBefore *string
	GradeAfter  string
	Note        string
	At          time.Time
}

var (
	ratingCols = ratingColumns.list("")
	ratingSQL  = `SELECT ` + ratingCols + ` FROM year_ratings`
)

var ratingColumns = cols(func(o *YearRating) []column {
	a := &o.appealRow
	return []column{
		col("id", &o.ID), col("member_id", &o.MemberID), col("street_id", &o.StreetID), col("community_id", &o.CommunityID),
		col("year", &o.Year), label("grade", &o.Grade), col("rated_by", &o.RatedBy), col("rated_at", &o.RatedAt),
		col("comment", &o.Comment), label("state", &o.State), label("rater_level", &o.RaterLevel),
		col("submitted_at", &o.SubmittedAt), col("submitted_by", &o.SubmittedBy), col("approved_at", &o.ApprovedAt),
		col("approved_by", &o.ApprovedBy), col("notified_at", &o.NotifiedAt), col("acknowledged_at", &o.AcknowledgedAt),
		col("acknowledged_by", &o.AcknowledgedBy), col("appeal_reason", &a.Reason), col("appealed_at", &a.AppealedAt),
		col("appeal_decision", &a.Decision), col("appeal_decided_at", &a.DecidedAt), col("appeal_decided_by", &a.DecidedBy),
		col("appeal_note", &a.Note), col("grade_before_appeal", &a.GradeBefore), col("version", &o.Version),
	}
})

func scanRating(r pgx.Row) (*YearRating, error) {
	o, err := ratingColumns.scan(r)
	if err == nil && o.appealRow.AppealedAt != nil {
		o.Appeal = &o.appealRow
	}
	return o, err
}

var ratingEventColumns = cols(func(o *RatingEvent) []column {
	return append(historyColumns("rating_id", &o.RatingID, &o.ID, &o.ActorID, &o.ActorRole, &o.Action, &o.FromState, &o.ToState,
		&o.Note, &o.At), label("grade_before", &o.GradeBefore), label("grade_after", &o.GradeAfter))
})

// RatingsOf reads each member's ratings, newest year first.
var RatingsOf = children("load ratings", ratingSQL, "year_ratings", "member_id", "year DESC",
	scanRating, func(r *YearRating) int64 { return r.MemberID })

// RatingsByID loads ratings by id, within scope.
var RatingsByID = rowsByID("load ratings", ratingSQL, "year_ratings", scanRating, func(v *YearRating) int64 { return v.ID })

// RatingEvents reads, for each key, the last N events of a rating, oldest first.
var RatingEvents = lastEvents("load rating events", "rating_events", "rating_id", ratingEventColumns,
	func(e *RatingEvent) int64 { return e.RatingID })

// RateMember drafts the community's year-end rating of a checked-in member; a member is
// rated once per year. The rater's level is kept: approval and appeals are decided above it.
func (s *Store) RateMember(ctx context.Context, sc auth.Scope, actor auth.Actor, memberID int64, year int, grade, comment string) (*YearRating, error) {
	var out *YearRating
	err := s.inTx(ctx, "rate member", func(tx pgx.Tx) error {
		cadreID, err := actingCadre(ctx, tx, actor, "rate a member")
		if err != nil {
			return err
		}
		street, community, err := ratedMember(ctx, tx, sc, memberID)
		if err != nil {
			return err
		}
		if err := notOwn(ctx, tx, actor, memberID, "rates themselves"); err != nil {
			return err
		}
		out, err = scanRating(tx.QueryRow(ctx, `INSERT INTO year_ratings (member_id, street_id, community_id, year, grade,
			rated_by, comment, state, rater_level) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING `+ratingCols,
			memberID, street, community, year, grade, cadreID, comment, string(workflow.RatingDraft), sc.LevelName()))
		if err != nil {
			return err
		}
		return appendRatingEvent(ctx, tx, actor, out, string(workflow.RatingRate), "", "", comment)
	})
	return out, err
}

// ratedMember gives the place of a checked-in member in scope: only they are rated.
func ratedMember(ctx context.Context, tx pgx.Tx, sc auth.Scope, memberID int64) (street, community int64, err error) {
	q := &query{}
	q.where("m.id = ?", memberID)
	q.where("m.deleted_at IS NULL")
	q.scoped(sc, colsFor("party_members", "m."))
	var checkedIn bool
	err = tx.QueryRow(ctx, `SELECT m.street_id, m.community_id, EXISTS (SELECT 1 FROM checkins c WHERE c.member_id = m.id
		AND c.state = 'verified' AND c.deleted_at IS NULL) FROM party_members m`+q.sql(), q.args...).Scan(&street, &community, &checkedIn)
	if isNoRows(err) {
		return 0, 0, apperr.Invalid("memberId", "no such party member")
	}
	if err == nil && !checkedIn {
		err = apperr.Invalid("memberId", "only a checked-in member is rated")
	}
	return street, community, err
}

// appendRatingEvent writes one step of r's history: r is the rating after the step, from
// and gradeBefore what it was before ("" for the draft's creation).
func appendRatingEvent(ctx context.Context, tx pgx.Tx, actor auth.Actor, r *YearRating, action, from, gradeBefore, note string) error {
	_, err := tx.Exec(ctx, `INSERT INTO rating_events (rating_id, street_id, community_id, actor_id, actor_role, action,
		from_state, to_state, grade_before, grade_after, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		r.ID, r.StreetID, r.CommunityID, actor.PersonID, actor.Role, action, nullIfEmpty(from), r.State, nullIfEmpty(gradeBefore),
		r.Grade, note)
	return err
}

// RatingChange is one transition request on a rating.
type RatingChange struct {
	Step            workflow.RatingStep
	ExpectedVersion *int64
	Comment         *string // update
	Note            string  // recorded in the history; an appeal decision's note
}

// ChangeRating applies one step of the rating cycle in one transaction: the rating read in
// scope, its version checked, the state machine, who may take the step, a version-checked
// update, the history row, and the unit's notice when the unit is told or acknowledges.
func (s *Store) ChangeRating(ctx context.Context, sc auth.Scope, actor auth.Actor, id int64, ch RatingChange) (*YearRating, error) {
	var out *YearRating
	err := s.inTx(ctx, "change rating", func(tx pgx.Tx) error {
		cur, err := current(ctx, tx, ratingSQL, id, sc, colsFor("year_ratings", ""), scanRating,
			func(v *YearRating) int64 { return v.Version }, ch.ExpectedVersion, "year-end rating")
		if err != nil {
			return err
		}
		to, err := workflow.NextRating(workflow.RatingSnapshot{State: workflow.RatingState(cur.State), Grade: cur.Grade,
			Appealed: cur.Appeal != nil}, ch.Step)
		if err != nil {
			return err
		}
		if err := mayTakeRatingStep(ctx, tx, sc, actor, cur, ch.Step.Action); err != nil {
			return err
		}
		u := &query{}
		set := "state = " + u.arg(string(to)) + ratingStepSet(u, actor, cur, ch)
		out, err = scanRating(tx.QueryRow(ctx, "UPDATE year_ratings SET "+set+" WHERE id = "+u.arg(cur.ID)+" AND version = "+
			u.arg(cur.Version)+" RETURNING "+ratingCols, u.args...))
		if isNoRows(err) {
			return errConflict("year-end rating")
		}
		if err != nil {
			return err
		}
		note := ch.Note
		if ch.Step.Action == workflow.RatingAppeal {
			note = ch.Step.Reason
		}
		if err := appendRatingEvent(ctx, tx, actor, out, string(ch.Step.Action), cur.State, cur.Grade, note); err != nil {
			return err
		}
		return tellUnit(ctx, tx, actor, out, ch.Step.Action)
	})
	return out, err
}

// mayTakeRatingStep says whether actor may take action on r. Nobody rates, approves or
// decides an appeal about themselves; approval and appeal decisions come from a level above
// the rater's; the unit admin of the member's unit acknowledges; only the member appeals.
func mayTakeRatingStep(ctx context.Context, tx pgx.Tx, sc auth.Scope, actor auth.Actor, r *YearRating, a workflow.RatingAction) error {
	switch a {
	case workflow.RatingUpdate, workflow.RatingSubmit:
		return notOwn(ctx, tx, actor, r.MemberID, "rates themselves")
	case workflow.RatingApprove, workflow.RatingUphold, workflow.RatingRevise:
		if err := notOwn(ctx, tx, actor, r.MemberID, "approves or decides an appeal of their own rating"); err != nil {
			return err
		}
		return aboveRater(sc, r)
	case workflow.RatingAcknowledge:
		if sc.UnitID == 0 {
			return apperr.New(apperr.Forbidden, "only the admin of the member's unit acknowledges a rating")
		}
	case workflow.RatingAppeal:
		person, err := memberPerson(ctx, tx, r.MemberID)
		if err != nil {
			return err
		}
		if person != actor.PersonID {
			return apperr.New(apperr.Forbidden, "only the member rated appeals a rating")
		}
	}
	return nil
}

// aboveRater refuses a decider whose level does not lie above the rater's. A rating made at
// the city level has no level above it: another city admin decides.
func aboveRater(sc auth.Scope, r *YearRating) error {
	if auth.LevelAbove(sc.LevelName(), r.RaterLevel) || (sc.City() && r.RaterLevel == sc.LevelName()) {
		return nil
	}
	return apperr.New(apperr.Forbidden, "a rating made at %s level is approved and its appeal decided a level above it", r.RaterLevel)
}

// ratingStepSet gives the assignments, after the state's, that action makes.
func ratingStepSet(u *query, actor auth.Actor, r *YearRating, ch RatingChange) string {
	who := func() string { return u.arg(actor.PersonID) }
	switch ch.Step.Action {
	case workflow.RatingUpdate:
		set := ""
		if ch.Step.Grade != "" {
			set += ", grade = " + u.arg(ch.Step.Grade)
		}
		if ch.Comment != nil {
			set += ", comment = " + u.arg(*ch.Comment)
		}
		return set
	case workflow.RatingSubmit:
		return ", submitted_at = now(), submitted_by = " + who()
	case workflow.RatingApprove:
		return ", approved_at = now(), approved_by = " + who()
	case workflow.RatingNotify:
		return ", notified_at = now()"
	case workflow.RatingAcknowledge:
		return ", acknowledged_at = now(), acknowledged_by = " + who()
	case workflow.RatingAppeal:
		return ", appealed_at = now(), appeal_reason = " + u.arg(strings.TrimSpace(ch.Step.Reason))
	case workflow.RatingUphold:
		return ", appeal_decision = 'upheld', appeal_decided_at = now(), notified_at = now(), appeal_decided_by = " + who() +
			", appeal_note = " + u.arg(ch.Note)
	case workflow.RatingRevise:
		return ", appeal_decision = 'revised', appeal_decided_at = now(), appeal_decided_by = " + who() + ", appeal_note = " +
			u.arg(ch.Note) + ", grade_before_appeal = grade, grade = " + u.arg(ch.Step.Grade) + ", approved_at = now(), approved_by = " + who()
	}
	return ""
}

// tellUnit writes the unit's notice when a rating reaches it (notify, and uphold, which
// notifies the unit of the decision) and marks it read when the unit acknowledges.
func tellUnit(ctx context.Context, tx pgx.Tx, actor auth.Actor, r *YearRating, a workflow.RatingAction) error {
	switch a {
	case workflow.RatingNotify, workflow.RatingUphold:
		text := ratingNoticeText(r, a == workflow.RatingUphold)
		return notifyUnit(ctx, tx, UnitNotice{Kind: NoticeRating, MemberID: r.MemberID, SubjectID: r.ID, Text: text})
	case workflow.RatingAcknowledge:
		return acknowledgeNotices(ctx, tx, actor, NoticeRating, r.ID)
	}
	return nil
}

var gradeNames = map[string]string{"good": "好", "fair": "较好", "average": "一般", "poor": "差"}

func ratingNoticeText(r *YearRating, upheld bool) string {
	text := fmt.Sprintf("%d年度在职党员年终考核结果: %s", r.Year, gradeNames[r.Grade])
	if upheld {
		text += " (申诉已复核, 维持原评定)"
	}
	return text
}

package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"gridgov/apperr"
	"gridgov/auth"
	"gridgov/workflow"
)

// CheckinEvent is one entry of a check-in's immutable history (checkin_events).
type CheckinEvent struct {
	ID        int64
	CheckinID int64
	ActorID   *int64
	ActorRole string
	Action    string
	FromState *string
	ToState   string
	Note      string
	At        time.Time
}

var checkinEventColumns = cols(func(o *CheckinEvent) []column {
	return historyColumns("checkin_id", &o.CheckinID, &o.ID, &o.ActorID, &o.ActorRole, &o.Action, &o.FromState, &o.ToState, &o.Note, &o.At)
})

// CheckinEvents reads, for each key, the last N entries of a check-in's history, oldest first.
var CheckinEvents = lastEvents("load check-in events", "checkin_events", "checkin_id", checkinEventColumns,
	func(e *CheckinEvent) int64 { return e.CheckinID })

// CheckinMembers and CheckinCommunities read the member and the community a check-in names,
// whatever the caller's scope: the check-in in scope names them. A transfer (转接) moves the
// member's record to the target community, while the check-in left behind stays in the
// history of the old one, and a member reads their check-in at a community outside their
// token's place.
var (
	CheckinMembers     = unscoped(MembersByID)
	CheckinCommunities = unscoped(CommunitiesByID)
)

// appendCheckinEvent writes one history entry for c, now in its new state, in the transaction
// that changed it. from is "" for a check-in's first entry.
func appendCheckinEvent(ctx context.Context, tx pgx.Tx, actor auth.Actor, c *Checkin, action workflow.CheckinAction, from, note string) error {
	_, err := tx.Exec(ctx, `INSERT INTO checkin_events (checkin_id, member_id, street_id, community_id, actor_id, actor_role,
		action, from_state, to_state, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		c.ID, c.MemberID, c.StreetID, c.CommunityID, actor.PersonID, actor.Role, string(action), nullIfEmpty(from), c.State, note)
	return err
}

// currentCheckin reads a check-in in scope for a change, checking the version the client saw.
func currentCheckin(ctx context.Context, tx pgx.Tx, sc auth.Scope, id int64, expectedVersion *int64) (*Checkin, error) {
	return current(ctx, tx, `SELECT `+checkinCols+` FROM checkins`, id, sc, colsFor("checkins", ""), scanCheckin,
		func(v *Checkin) int64 { return v.Version }, expectedVersion, "check-in")
}

// cadreOnCheckin reads a check-in for a cadre's decision on it: the acting cadre (FORBIDDEN
// for anyone else), the check-in in scope at the version the client saw, and never the
// cadre's own (CONFLICT_OF_INTEREST).
func cadreOnCheckin(ctx context.Context, tx pgx.Tx, sc auth.Scope, actor auth.Actor, id int64, expectedVersion *int64,
	what, own string) (int64, *Checkin, error) {
	cadreID, err := actingCadre(ctx, tx, actor, what)
	if err != nil {
		return 0, nil, err
	}
	cur, err := currentCheckin(ctx, tx, sc, id, expectedVersion)
	if err != nil {
		return 0, nil, err
	}
	return cadreID, cur, notOwn(ctx, tx, actor, cur.MemberID, own)
}

// updateCheckin runs a version-checked UPDATE of cur with set (arguments from $3 on) and
// writes the history entry of the move.
func updateCheckin(ctx context.Context, tx pgx.Tx, actor auth.Actor, cur *Checkin, action workflow.CheckinAction, note,
	set string, args ...any) (*Checkin, error) {
	out, err := scanCheckin(tx.QueryRow(ctx, `UPDATE checkins SET `+set+` WHERE id = $1 AND version = $2 RETURNING `+checkinCols,
		append([]any{cur.ID, cur.Version}, args...)...))
	if isNoRows(err) {
		return nil, errConflict("check-in")
	}
	if err != nil {
		return nil, err
	}
	if err := appendCheckinEvent(ctx, tx, actor, out, action, cur.State, note); err != nil {
		return nil, err
	}
	return out, notifyCheckinUnit(ctx, tx, out, action, note)
}

// checkinNotices says, for each decision on a check-in the member's employer unit is told of
// (通报), how the notice reads.
var checkinNotices = map[workflow.CheckinAction]string{
	workflow.CheckinVerify:   "到社区报到已核实",
	workflow.CheckinReject:   "到社区报到未通过核实",
	workflow.CheckinWithdraw: "已退出社区报到",
	workflow.CheckinTransfer: "报到关系已转接至其他社区",
	workflow.CheckinReverify: "年度报到复核已通过",
}

// notifyCheckinUnit writes the unit's notice of a decision on check-in c, in its transaction.
func notifyCheckinUnit(ctx context.Context, tx pgx.Tx, c *Checkin, action workflow.CheckinAction, note string) error {
	text, told := checkinNotices[action]
	if !told {
		return nil
	}
	if note != "" {
		text += ": " + note
	}
	return notifyUnit(ctx, tx, UnitNotice{Kind: NoticeCheckin, MemberID: c.MemberID, SubjectID: c.ID, Text: text})
}

// WithdrawCheckin withdraws a pending or verified check-in with a reason: the member's own
// (a party member's scope holds only theirs) or one a cadre reaches. The member leaves the
// grid's roster and demand list with it.
func (s *Store) WithdrawCheckin(ctx context.Context, sc auth.Scope, actor auth.Actor, id int64, reason string,
	expectedVersion *int64) (*Checkin, error) {
	var out *Checkin
	err := s.inTx(ctx, "withdraw check-in", func(tx pgx.Tx) error {
		cur, err := currentCheckin(ctx, tx, sc, id, expectedVersion)
		if err != nil {
			return err
		}
		to, err := workflow.NextCheckin(workflow.CheckinState(cur.State), workflow.CheckinWithdraw, reason, cur.GridID != nil)
		if err != nil {
			return err
		}
		out, err = updateCheckin(ctx, tx, actor, cur, workflow.CheckinWithdraw, reason,
			`state = $3, ended_at = now(), ended_by = $4, end_reason = $5`, string(to), actor.PersonID, reason)
		return err
	})
	return out, err
}

// TransferCheckin moves a member's pending or verified check-in to another community (转接)
// when they move there: the check-in ends as transferred, a new pending one at the target
// community names it, and the member's record of residence moves to that community with
// building and grid unknown until its cadre verifies the new check-in (verifyCheckin with a
// grid). The target community is named from the city-wide directory of communities; the
// check-in must be in the caller's scope.
func (s *Store) TransferCheckin(ctx context.Context, sc auth.Scope, actor auth.Actor, id, communityID int64, note string,
	expectedVersion *int64) (*Checkin, error) {
	var out *Checkin
	err := s.inTx(ctx, "transfer check-in", func(tx pgx.Tx) error {
		cur, err := currentCheckin(ctx, tx, sc, id, expectedVersion)
		if err != nil {
			return err
		}
		to, err := workflow.NextCheckin(workflow.CheckinState(cur.State), workflow.CheckinTransfer, note, cur.GridID != nil)
		if err != nil {
			return err
		}
		if communityID == cur.CommunityID {
			return apperr.Invalid("communityId", "the check-in is at this community already")
		}
		var street int64
		if err := tx.QueryRow(ctx, `SELECT street_id FROM communities WHERE id = $1 AND deleted_at IS NULL`, communityID).
			Scan(&street); err != nil {
			return err
		}
		// The old check-in names the new one (checked at commit) and so leaves the member's
		// one live check-in to it.
		var newID int64
		if err := tx.QueryRow(ctx, `SELECT nextval(pg_get_serial_sequence('checkins', 'id'))`).Scan(&newID); err != nil {
			return err
		}
		out, err = updateCheckin(ctx, tx, actor, cur, workflow.CheckinTransfer, note,
			`state = $3, ended_at = now(), ended_by = $4, end_reason = $5, transferred_to = $6`,
			string(to), actor.PersonID, nullIfEmpty(note), newID)
		if err != nil {
			return err
		}
		moved, err := scanCheckin(tx.QueryRow(ctx, `INSERT INTO checkins (id, member_id, street_id, community_id, letter_no,
			transferred_from) VALUES ($1, $2, $3, $4, $5, $6) RETURNING `+checkinCols,
			newID, cur.MemberID, street, communityID, cur.LetterNo, cur.ID))
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE party_members SET street_id = $2, community_id = $3, grid_id = NULL,
			building_id = NULL WHERE id = $1`, cur.MemberID, street, communityID); err != nil {
			return err
		}
		return appendCheckinEvent(ctx, tx, actor, moved, workflow.CheckinTransferIn, "", note)
	})
	return out, err
}

// ReverifyCheckin records the yearly re-verification of a verified check-in by a cadre of
// its community for the year now falls in; a check-in verified (or re-verified) for that
// year already is refused, naming the year.
func (s *Store) ReverifyCheckin(ctx context.Context, sc auth.Scope, actor auth.Actor, id int64, now time.Time,
	expectedVersion *int64) (*Checkin, error) {
	var out *Checkin
	err := s.inTx(ctx, "re-verify check-in", func(tx pgx.Tx) error {
		cadreID, cur, err := cadreOnCheckin(ctx, tx, sc, actor, id, expectedVersion, "re-verify a check-in", "re-verifies their own check-in")
		if err != nil {
			return err
		}
		if _, err := workflow.NextCheckin(workflow.CheckinState(cur.State), workflow.CheckinReverify, "", true); err != nil {
			return err
		}
		year := workflow.CheckinYear(now)
		if !workflow.ReverificationDue(workflow.CheckinState(cur.State), cur.DecidedAt, cur.ReverifiedYear, year) {
			return apperr.New(apperr.InvalidTransition, "the check-in is verified for %d already", year)
		}
		out, err = updateCheckin(ctx, tx, actor, cur, workflow.CheckinReverify, "",
			`reverified_year = $3, reverified_at = $4, reverified_by = $5`, year, now, cadreID)
		return err
	})
	return out, err
}

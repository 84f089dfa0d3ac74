package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"gridgov/auth"
)

// MatterEvent is one entry of a joint-meeting matter's immutable history (matter_events,
// schema/postgres/00013_matter_events.sql): who recorded the matter or moved its outcome,
// when, from which outcome to which, with a note. A matter's "state" is its outcome, so the
// columns keep the from_state/to_state names of the other histories.
type MatterEvent struct {
	ID        int64
	MatterID  int64
	ActorID   *int64
	ActorRole string
	Action    string
	FromState *string
	ToState   string
	Note      string
	At        time.Time
}

// Actions of a matter's history.
const (
	MatterRecord     = "record"      // recorded at a meeting with its first outcome
	MatterSetOutcome = "set_outcome" // moved to a new outcome (setMatterOutcome)
	MatterRaiseIssue = "raise_issue" // raised as an issue of the register (raiseMatterIssue)
)

var matterEventColumns = cols(func(o *MatterEvent) []column {
	return historyColumns("matter_id", &o.MatterID, &o.ID, &o.ActorID, &o.ActorRole, &o.Action, &o.FromState, &o.ToState, &o.Note, &o.At)
})

// MatterEvents reads, for each key, the last N entries of a matter's history, oldest first
// (newest last): one statement per distinct N.
var MatterEvents = lastEvents("load matter events", "matter_events", "matter_id", matterEventColumns, func(e *MatterEvent) int64 { return e.MatterID })

// appendMatterEvent writes one history row for m in the transaction that changed it, so the
// history and the outcome never disagree: a change that fails writes neither. from is ""
// for the matter's first outcome.
func appendMatterEvent(ctx context.Context, tx pgx.Tx, actor auth.Actor, m *MeetingMatter, action, from, note string) error {
	return appendCommunityEvent(ctx, tx, actor, communityEvent{"matter_events", "matter_id", m.ID, m.StreetID, m.CommunityID,
		action, from, m.Outcome, note})
}

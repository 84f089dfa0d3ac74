package workflow

import (
	"strings"

	"gridgov/apperr"
)

// RatingState is where a year-end rating (年终考核) stands.
type RatingState string

// The states of a year-end rating, as stored in year_ratings.state.
const (
	RatingDraft        RatingState = "draft"        // the community is writing it
	RatingSubmitted    RatingState = "submitted"    // waiting for approval a level above the rater
	RatingApproved     RatingState = "approved"     // approved, not yet sent to the unit
	RatingNotified     RatingState = "notified"     // 通报单位: the member's employer unit is told
	RatingAcknowledged RatingState = "acknowledged" // the unit's admin acknowledged it
	RatingAppealed     RatingState = "appealed"     // the member appealed; a level above the rater decides
)

// RatingAction is something done to a rating; rating_events.action records it. Rate creates
// the draft and is not a transition.
type RatingAction string

// The actions of the rating cycle.
const (
	RatingRate        RatingAction = "rate"
	RatingUpdate      RatingAction = "update"
	RatingSubmit      RatingAction = "submit"
	RatingApprove     RatingAction = "approve"
	RatingNotify      RatingAction = "notify"
	RatingAcknowledge RatingAction = "acknowledge"
	RatingAppeal      RatingAction = "appeal"
	RatingUphold      RatingAction = "uphold" // the appeal fails: the rating stands, notified again
	RatingRevise      RatingAction = "revise" // the appeal succeeds: a new grade, approved again
)

var ratingMoves = map[RatingState]map[RatingAction]RatingState{
	RatingDraft:        {RatingUpdate: RatingDraft, RatingSubmit: RatingSubmitted},
	RatingSubmitted:    {RatingApprove: RatingApproved},
	RatingApproved:     {RatingNotify: RatingNotified},
	RatingNotified:     {RatingAcknowledge: RatingAcknowledged, RatingAppeal: RatingAppealed},
	RatingAcknowledged: {RatingAppeal: RatingAppealed},
	RatingAppealed:     {RatingUphold: RatingNotified, RatingRevise: RatingApproved},
}

// RatingStates lists the states in the order of the cycle.
var RatingStates = []RatingState{RatingDraft, RatingSubmitted, RatingApproved, RatingNotified, RatingAcknowledged, RatingAppealed}

// RatingSnapshot is what the machine needs to know of a rating.
type RatingSnapshot struct {
	State    RatingState
	Grade    string
	Appealed bool // appealed once already: a rating is appealed at most once
}

// RatingStep is one requested change with what some actions need.
type RatingStep struct {
	Action RatingAction
	Grade  string // update (optional), revise (required, a different grade)
	Reason string // appeal
}

// Valid reports whether s is a known state.
func (s RatingState) Valid() bool { _, ok := ratingMoves[s]; return ok }

// ValidGrade reports whether g is a stored grade.
func ValidGrade(g string) bool {
	switch g {
	case "good", "fair", "average", "poor":
		return true
	}
	return false
}

// NextRating gives the state a rating moves to under step, or an INVALID_TRANSITION error
// naming its current state, or BAD_USER_INPUT when the step lacks what it needs.
func NextRating(cur RatingSnapshot, step RatingStep) (RatingState, error) {
	to, ok := ratingMoves[cur.State][step.Action]
	if !ok {
		return "", refuse("a year-end rating", string(step.Action), string(cur.State))
	}
	switch step.Action {
	case RatingUpdate:
		if step.Grade != "" && !ValidGrade(step.Grade) {
			return "", apperr.Invalid("grade", "a year-end rating must be good, fair, average or poor")
		}
	case RatingAppeal:
		if cur.Appealed {
			return "", apperr.New(apperr.InvalidTransition, "cannot appeal a year-end rating that was appealed already")
		}
		if strings.TrimSpace(step.Reason) == "" {
			return "", apperr.Invalid("reason", "say why the rating is appealed")
		}
	case RatingRevise:
		if !ValidGrade(step.Grade) {
			return "", apperr.Invalid("grade", "a revised rating needs its new grade")
		}
		if step.Grade == cur.Grade {
			return "", apperr.Invalid("grade", "a revision changes the grade: to keep %s, uphold the rating", cur.Grade)
		}
	}
	return to, nil
}

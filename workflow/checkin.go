package workflow

import (
	"time"

	"gridgov/apperr"
)

// CheckinState is where a member's check-in (报到) stands.
type CheckinState string

// The states of a check-in, as stored in checkins.state.
const (
	CheckinPending  CheckinState = "pending"
	CheckinVerified CheckinState = "verified"
	CheckinRejected CheckinState = "rejected"
	// CheckinWithdrawn ends a check-in the member (or a cadre) withdrew, with a reason.
	CheckinWithdrawn CheckinState = "withdrawn"
	// CheckinTransferred ends a check-in moved (转接) to another community; the new pending
	// check-in there names it.
	CheckinTransferred CheckinState = "transferred"
)

// CheckinAction is something done to a check-in; checkin_events.action records it.
type CheckinAction string

// The actions on a check-in. Register and TransferIn create one and are not transitions.
const (
	CheckinRegister   CheckinAction = "register"
	CheckinVerify     CheckinAction = "verify"
	CheckinReject     CheckinAction = "reject"
	CheckinWithdraw   CheckinAction = "withdraw"
	CheckinTransfer   CheckinAction = "transfer"    // 转接, on the check-in left behind
	CheckinTransferIn CheckinAction = "transfer_in" // the new check-in at the target community
	CheckinReverify   CheckinAction = "reverify"    // the yearly re-verification
)

// checkinMoves is the check-in machine: a pending check-in is decided (verified or rejected);
// a pending or verified one is withdrawn or transferred (转接) to another community; a
// verified one is re-verified every year and stays verified. Rejected, withdrawn and
// transferred are final: a member checks in anew.
var checkinMoves = map[CheckinState]map[CheckinAction]CheckinState{
	CheckinPending: {CheckinVerify: CheckinVerified, CheckinReject: CheckinRejected,
		CheckinWithdraw: CheckinWithdrawn, CheckinTransfer: CheckinTransferred},
	CheckinVerified: {CheckinWithdraw: CheckinWithdrawn, CheckinTransfer: CheckinTransferred,
		CheckinReverify: CheckinVerified},
	CheckinRejected:    {},
	CheckinWithdrawn:   {},
	CheckinTransferred: {},
}

// NextCheckin gives the state a check-in moves to under a, or INVALID_TRANSITION naming its
// current state; a rejection and a withdrawal need a reason, a verification a grid.
func NextCheckin(cur CheckinState, a CheckinAction, reason string, hasGrid bool) (CheckinState, error) {
	to, ok := checkinMoves[cur][a]
	if !ok {
		return "", refuse("a check-in", string(a), string(cur))
	}
	switch a {
	case CheckinVerify:
		if !hasGrid {
			return "", apperr.Invalid("gridId", "a verified member is assigned to a grid")
		}
	case CheckinReject:
		if reason == "" {
			return "", apperr.Invalid("reason", "a rejected check-in needs a reason")
		}
	case CheckinWithdraw:
		if reason == "" {
			return "", apperr.Invalid("reason", "a withdrawn check-in needs a reason")
		}
	}
	return to, nil
}

// shanghai is Asia/Shanghai (UTC+8, no daylight saving): the zone a year of re-verification
// is counted in.
var shanghai = time.FixedZone("Asia/Shanghai", 8*60*60)

// CheckinYear is the calendar year (Asia/Shanghai) t falls in.
func CheckinYear(t time.Time) int { return t.In(shanghai).Year() }

// ReverificationDue says whether a check-in is due for its yearly re-verification in year:
// a verified one whose verification (or latest re-verification) was for an earlier year.
func ReverificationDue(state CheckinState, decidedAt *time.Time, reverifiedYear *int, year int) bool {
	if state != CheckinVerified || decidedAt == nil {
		return false
	}
	last := CheckinYear(*decidedAt)
	if reverifiedYear != nil && *reverifiedYear > last {
		last = *reverifiedYear
	}
	return last < year
}

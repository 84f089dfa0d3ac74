package workflow

import "gridgov/apperr"

// CheckinState is where a member's check-in (报到) stands.
type CheckinState string

// The states of a check-in, as stored in checkins.state.
const (
	CheckinPending  CheckinState = "pending"
	CheckinVerified CheckinState = "verified"
	CheckinRejected CheckinState = "rejected"
)

// CheckinAction is a community's decision on a check-in.
type CheckinAction string

// The decisions on a check-in.
const (
	CheckinVerify CheckinAction = "verify"
	CheckinReject CheckinAction = "reject"
)

// NextCheckin gives the state a check-in moves to: only a pending one can be decided; a
// rejection needs a reason, a verification a grid.
func NextCheckin(cur CheckinState, a CheckinAction, reason string, hasGrid bool) (CheckinState, error) {
	if cur != CheckinPending {
		return "", refuse("a check-in", string(a), string(cur))
	}
	switch a {
	case CheckinVerify:
		if !hasGrid {
			return "", apperr.Invalid("gridId", "a verified member is assigned to a grid")
		}
		return CheckinVerified, nil
	case CheckinReject:
		if reason == "" {
			return "", apperr.Invalid("reason", "a rejected check-in needs a reason")
		}
		return CheckinRejected, nil
	}
	return "", apperr.Invalid("action", "unknown check-in decision %q", a)
}

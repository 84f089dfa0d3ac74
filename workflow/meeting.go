package workflow

import "gridgov/apperr"

// MatterKind is what a joint meeting (党建联席会) handled: major matters discussed and decided
// (大事共议、要事共决), practical and urgent matters, and disputes jointly mediated (民事共调).
type MatterKind string

// The kinds of meeting matter, as stored in meeting_matters.kind.
const (
	MatterMajor     MatterKind = "major_matter"
	MatterPractical MatterKind = "practical_matter"
	MatterUrgent    MatterKind = "urgent_matter"
	MatterDispute   MatterKind = "dispute"
)

// MatterOutcome is where a matter stands after a meeting.
type MatterOutcome string

// The outcomes of a matter, as stored in meeting_matters.outcome.
const (
	OutcomeDiscussed  MatterOutcome = "discussed"
	OutcomeDecided    MatterOutcome = "decided"
	OutcomeMediated   MatterOutcome = "mediated"
	OutcomeUnresolved MatterOutcome = "unresolved"
)

// matterMoves is the outcome machine of a meeting matter. A matter is discussed and later
// decided, or left unresolved and taken up again; a dispute is mediated or left unresolved.
// Decided and mediated are final: a new decision is a new matter.
var matterMoves = map[MatterOutcome][]MatterOutcome{
	OutcomeDiscussed:  {OutcomeDecided, OutcomeUnresolved},
	OutcomeUnresolved: {OutcomeDiscussed, OutcomeDecided, OutcomeMediated},
	OutcomeDecided:    nil,
	OutcomeMediated:   nil,
}

// allowedOutcome says which outcomes a kind of matter can have: only disputes are mediated,
// and a dispute is mediated or not, never decided.
func allowedOutcome(k MatterKind, o MatterOutcome) bool {
	switch k {
	case MatterMajor, MatterPractical, MatterUrgent:
		return o == OutcomeDiscussed || o == OutcomeDecided || o == OutcomeUnresolved
	case MatterDispute:
		return o == OutcomeMediated || o == OutcomeUnresolved
	}
	return false
}

// FirstOutcome checks the outcome a new matter is recorded with.
func FirstOutcome(k MatterKind, o MatterOutcome) error {
	switch k {
	case MatterMajor, MatterPractical, MatterUrgent, MatterDispute:
	default:
		return apperr.Invalid("kind", "unknown kind of matter %q", k)
	}
	if !allowedOutcome(k, o) {
		return apperr.Invalid("outcome", "a %s cannot be %s", k, o)
	}
	return nil
}

// NextOutcome checks a change of a matter's outcome: an INVALID_TRANSITION error names the
// current outcome when the machine does not allow the move, BAD_USER_INPUT when the kind of
// matter cannot have the outcome at all.
func NextOutcome(k MatterKind, cur, to MatterOutcome) error {
	if !allowedOutcome(k, to) {
		return apperr.Invalid("outcome", "a %s cannot be %s", k, to)
	}
	for _, o := range matterMoves[cur] {
		if o == to {
			return nil
		}
	}
	return refuse("a meeting matter", "set "+string(to)+" on", string(cur))
}

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

// MeetingState is where a joint meeting stands.
type MeetingState string

// The states of a joint meeting, as stored in joint_meetings.state.
const (
	MeetingScheduled MeetingState = "scheduled"
	MeetingHeld      MeetingState = "held"
	MeetingCancelled MeetingState = "cancelled"
)

// MeetingAction is a step of a joint meeting, as stored in meeting_events.action.
type MeetingAction string

// The steps of a joint meeting.
const (
	MeetingSchedule      MeetingAction = "schedule"       // scheduled ahead with time, place, agenda, attendees
	MeetingHold          MeetingAction = "hold"           // recorded after the fact, held from the start
	MeetingReschedule    MeetingAction = "reschedule"     // moved to another time or place
	MeetingCancel        MeetingAction = "cancel"         // called off, with a reason
	MeetingRecordMinutes MeetingAction = "record_minutes" // minutes and attendance recorded: held
	MeetingRecordMatter  MeetingAction = "record_matter"  // a matter added to a held meeting
)

// meetingMoves is the machine of a joint meeting: the state each action leaves a meeting in,
// by the state it starts from ("" for a new meeting). Held and cancelled are final, except
// that a held meeting takes further matters.
var meetingMoves = map[MeetingState]map[MeetingAction]MeetingState{
	"":               {MeetingSchedule: MeetingScheduled, MeetingHold: MeetingHeld},
	MeetingScheduled: {MeetingReschedule: MeetingScheduled, MeetingCancel: MeetingCancelled, MeetingRecordMinutes: MeetingHeld},
	MeetingHeld:      {MeetingRecordMatter: MeetingHeld},
	MeetingCancelled: {},
}

// NextMeeting gives the state action leaves a meeting in that is cur; INVALID_TRANSITION
// naming cur when the machine does not allow it.
func NextMeeting(cur MeetingState, action MeetingAction) (MeetingState, error) {
	if to, ok := meetingMoves[cur][action]; ok {
		return to, nil
	}
	return "", refuse("a joint meeting", meetingVerbs[action], string(cur))
}

// meetingVerbs phrase the actions in a refusal: "cannot cancel a joint meeting that is held".
var meetingVerbs = map[MeetingAction]string{
	MeetingSchedule: "schedule", MeetingHold: "hold", MeetingReschedule: "reschedule", MeetingCancel: "cancel",
	MeetingRecordMinutes: "record the minutes of", MeetingRecordMatter: "record a matter at",
}

// MatterRaised is the state a refusal names for a matter raised as an issue already.
const MatterRaised = "raised as an issue"

// RaiseIssue checks that a matter may be raised as an issue of the register (问题交办): a
// matter still to act on, or decided and to carry out, once only. A mediated dispute needs no
// action; INVALID_TRANSITION names the outcome, or that it was raised already.
func RaiseIssue(o MatterOutcome, raised bool) error {
	switch {
	case raised:
		return refuse("a meeting matter", "raise an issue from", MatterRaised)
	case o == OutcomeMediated:
		return refuse("a meeting matter", "raise an issue from", string(o))
	}
	return nil
}

package workflow

import (
	"gridgov/apperr"
)

// IssueState is where an issue stands in the register.
type IssueState string

// The states of an issue, as stored in issues.state.
const (
	IssueReported   IssueState = "reported"
	IssueAccepted   IssueState = "accepted"
	IssueDispatched IssueState = "dispatched"
	IssueInProgress IssueState = "in_progress"
	IssueEscalated  IssueState = "escalated"
	IssueReturned   IssueState = "returned"
	IssueResolved   IssueState = "resolved"
	IssueClosed     IssueState = "closed"
	IssueReopened   IssueState = "reopened"
)

// IssueAction is something done to an issue; it is what issue_events.action records.
type IssueAction string

// The actions of the issue register. Report creates an issue and is not a transition.
const (
	IssueReport   IssueAction = "report"
	IssueAccept   IssueAction = "accept"
	IssueDispatch IssueAction = "dispatch" // 交办
	IssueStart    IssueAction = "start"
	IssueEscalate IssueAction = "escalate" // 上报
	IssueReturn   IssueAction = "return"   // 退回
	IssueResolve  IssueAction = "resolve"
	IssueClose    IssueAction = "close" // 销号
	IssueReopen   IssueAction = "reopen"
)

// issueMoves is the issue register's transition table: from a state, which actions lead where.
// Read it against the register form: an issue is accepted, dispatched (交办) to a handler,
// worked on, possibly escalated (上报) or returned (退回), resolved, then verified and closed
// out (销号) by the community, or reopened when the verification fails.
var issueMoves = map[IssueState]map[IssueAction]IssueState{
	IssueReported: {
		IssueAccept: IssueAccepted,
		IssueReturn: IssueReturned,
	},
	IssueAccepted: {
		IssueDispatch: IssueDispatched,
		IssueEscalate: IssueEscalated,
		IssueResolve:  IssueResolved, // handled on the spot
		IssueReturn:   IssueReturned,
	},
	IssueDispatched: {
		IssueDispatch: IssueDispatched, // dispatched again to another handler
		IssueStart:    IssueInProgress,
		IssueEscalate: IssueEscalated,
		IssueReturn:   IssueReturned,
	},
	IssueInProgress: {
		IssueResolve:  IssueResolved,
		IssueEscalate: IssueEscalated,
		IssueReturn:   IssueReturned,
	},
	IssueEscalated: {
		IssueDispatch: IssueDispatched, // the higher level dispatches it
		IssueEscalate: IssueEscalated,  // community → street
		IssueResolve:  IssueResolved,
		IssueReturn:   IssueReturned,
	},
	IssueReturned: {
		IssueAccept:   IssueAccepted,
		IssueDispatch: IssueDispatched,
	},
	IssueResolved: {
		IssueClose:  IssueClosed,
		IssueReopen: IssueReopened,
	},
	IssueClosed: {
		IssueReopen: IssueReopened,
	},
	IssueReopened: {
		IssueAccept:   IssueAccepted,
		IssueDispatch: IssueDispatched,
	},
}

// EscalationLevel is how far up an issue has been escalated (上报).
type EscalationLevel string

// Escalation levels, lowest first.
const (
	EscalateNone      EscalationLevel = ""
	EscalateCommunity EscalationLevel = "community"
	EscalateStreet    EscalationLevel = "street"
)

func (l EscalationLevel) rank() int {
	switch l {
	case EscalateCommunity:
		return 1
	case EscalateStreet:
		return 2
	}
	return 0
}

// IssueSnapshot is what the issue machine needs to know about an issue.
type IssueSnapshot struct {
	State      IssueState
	Escalation EscalationLevel
	IsDispute  bool
}

// IssueStep is one requested change with the arguments some actions need.
type IssueStep struct {
	Action         IssueAction
	EscalateTo     EscalationLevel // escalate
	Result         string          // resolve
	DisputeOutcome string          // resolve, for disputes
	Note           string          // return needs one
}

// Open reports whether an issue in state s still needs work.
func (s IssueState) Open() bool { return s != IssueResolved && s != IssueClosed }

// Valid reports whether s is a known state.
func (s IssueState) Valid() bool { _, ok := issueMoves[s]; return ok }

// NextIssue gives the state an issue moves to under step, or an INVALID_TRANSITION error
// naming its current state, or a BAD_USER_INPUT error when the step lacks what it needs.
func NextIssue(cur IssueSnapshot, step IssueStep) (IssueState, error) {
	to, ok := issueMoves[cur.State][step.Action]
	if !ok {
		return "", refuse("an issue", string(step.Action), string(cur.State))
	}
	switch step.Action {
	case IssueEscalate:
		if step.EscalateTo.rank() == 0 {
			return "", apperr.Invalid("level", "escalate to community or street")
		}
		if step.EscalateTo.rank() <= cur.Escalation.rank() {
			return "", apperr.New(apperr.InvalidTransition,
				"cannot escalate to %s an issue that is %s at %s level", step.EscalateTo, cur.State, cur.Escalation)
		}
	case IssueResolve:
		if step.Result == "" {
			return "", apperr.Invalid("result", "a resolved issue needs a result")
		}
		if cur.IsDispute && step.DisputeOutcome == "" {
			return "", apperr.Invalid("disputeOutcome", "a resolved dispute needs an outcome")
		}
		if !cur.IsDispute && step.DisputeOutcome != "" {
			return "", apperr.Invalid("disputeOutcome", "only a dispute has an outcome")
		}
	case IssueReturn:
		if step.Note == "" {
			return "", apperr.Invalid("note", "say why the issue is returned")
		}
	}
	return to, nil
}

// IssueActions lists the actions allowed from state s, for clients that grey out buttons.
func IssueActions(s IssueState) []IssueAction {
	var out []IssueAction
	for _, a := range []IssueAction{IssueAccept, IssueDispatch, IssueStart, IssueEscalate, IssueReturn,
		IssueResolve, IssueClose, IssueReopen} {
		if _, ok := issueMoves[s][a]; ok {
			out = append(out, a)
		}
	}
	return out
}

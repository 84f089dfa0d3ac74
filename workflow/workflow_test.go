package workflow

import (
	"strings"
	"testing"

	"gridgov/apperr"
)

func TestIssueMachine(t *testing.T) {
	cases := []struct {
		from IssueState
		step IssueStep
		to   IssueState
		code apperr.Code
	}{
		{IssueReported, IssueStep{Action: IssueAccept}, IssueAccepted, ""},
		{IssueReported, IssueStep{Action: IssueClose}, "", apperr.InvalidTransition},
		{IssueAccepted, IssueStep{Action: IssueDispatch}, IssueDispatched, ""},
		{IssueDispatched, IssueStep{Action: IssueReturn}, "", apperr.BadUserInput},
		{IssueDispatched, IssueStep{Action: IssueReturn, Note: "wrong grid"}, IssueReturned, ""},
		{IssueInProgress, IssueStep{Action: IssueResolve}, "", apperr.BadUserInput},
		{IssueInProgress, IssueStep{Action: IssueResolve, Result: "fixed"}, IssueResolved, ""},
		{IssueResolved, IssueStep{Action: IssueClose}, IssueClosed, ""},
		{IssueClosed, IssueStep{Action: IssueReopen}, IssueReopened, ""},
		{IssueClosed, IssueStep{Action: IssueDispatch}, "", apperr.InvalidTransition},
	}
	for _, c := range cases {
		to, err := NextIssue(IssueSnapshot{State: c.from}, c.step)
		if to != c.to || apperrCode(err) != c.code {
			t.Errorf("%s --%s--> got %q %v, want %q %s", c.from, c.step.Action, to, err, c.to, c.code)
		}
	}
	if _, err := NextIssue(IssueSnapshot{State: IssueEscalated, Escalation: EscalateStreet},
		IssueStep{Action: IssueEscalate, EscalateTo: EscalateCommunity}); apperrCode(err) != apperr.InvalidTransition {
		t.Errorf("escalating down: %v", err)
	}
}

func apperrCode(err error) apperr.Code {
	if err == nil {
		return ""
	}
	return apperr.CodeOf(err)
}

// FuzzIssueMachine: any state and action either moves to a known state or fails with an
// application error; nothing panics, and closed issues only reopen.
func FuzzIssueMachine(f *testing.F) {
	f.Add("reported", "accept", "", "")
	f.Add("closed", "reopen", "", "")
	f.Fuzz(func(t *testing.T, state, action, level, result string) {
		to, err := NextIssue(IssueSnapshot{State: IssueState(state)}, IssueStep{Action: IssueAction(action),
			EscalateTo: EscalationLevel(level), Result: result, Note: result})
		if err != nil {
			if apperr.CodeOf(err) == apperr.Internal {
				t.Fatalf("non-application error %v", err)
			}
			return
		}
		if !to.Valid() {
			t.Fatalf("moved to unknown state %q", to)
		}
		if state == string(IssueClosed) && to != IssueReopened {
			t.Fatalf("closed issue moved to %s", to)
		}
	})
}

func TestOrderAndCheckinMachines(t *testing.T) {
	if _, err := NextOrder(OrderPublished, OrderStep{Action: OrderComplete, Hours: 1, Content: "x"}); apperrCode(err) != apperr.InvalidTransition {
		t.Errorf("complete unclaimed: %v", err)
	}
	if to, err := NextOrder(OrderClaimed, OrderStep{Action: OrderComplete, Hours: 1, Content: "x"}); to != OrderCompleted || err != nil {
		t.Errorf("complete: %v %v", to, err)
	}
	if _, err := NextCheckin(CheckinVerified, CheckinReject, "x", false); apperrCode(err) != apperr.InvalidTransition {
		t.Errorf("reject verified: %v", err)
	}
	if _, err := NextCheckin(CheckinPending, CheckinVerify, "", false); apperrCode(err) != apperr.BadUserInput {
		t.Errorf("verify without grid: %v", err)
	}
}

func TestRegisterRefusesEndedRows(t *testing.T) {
	if to, err := NextRegister("red steward", RegisterCurrent, RegisterEnd); err != nil || to != RegisterEnded {
		t.Fatalf("ending a current row: %v %v", to, err)
	}
	for _, a := range []RegisterAction{RegisterUpdate, RegisterEnd, RegisterCreate} {
		_, err := NextRegister("red steward", RegisterEnded, a)
		if apperr.CodeOf(err) != apperr.InvalidTransition || !strings.Contains(err.Error(), "ended") {
			t.Fatalf("%s of an ended row: %v", a, err)
		}
	}
	var day *int
	if StateOf(day) != RegisterCurrent {
		t.Fatal("no end day is current")
	}
}

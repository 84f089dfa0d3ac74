package workflow

import (
	"strings"
	"testing"

	"gridgov/apperr"
)

func TestCheckinMachine(t *testing.T) {
	cases := []struct {
		from   CheckinState
		action CheckinAction
		reason string
		to     CheckinState
		code   apperr.Code
	}{
		{CheckinPending, CheckinWithdraw, "moved away", CheckinWithdrawn, ""},
		{CheckinVerified, CheckinWithdraw, "moved away", CheckinWithdrawn, ""},
		{CheckinVerified, CheckinWithdraw, "", "", apperr.BadUserInput},
		{CheckinRejected, CheckinWithdraw, "x", "", apperr.InvalidTransition},
		{CheckinPending, CheckinTransfer, "", CheckinTransferred, ""},
		{CheckinVerified, CheckinTransfer, "", CheckinTransferred, ""},
		{CheckinTransferred, CheckinTransfer, "", "", apperr.InvalidTransition},
		{CheckinWithdrawn, CheckinTransfer, "", "", apperr.InvalidTransition},
		{CheckinVerified, CheckinReverify, "", CheckinVerified, ""},
		{CheckinPending, CheckinReverify, "", "", apperr.InvalidTransition},
		{CheckinWithdrawn, CheckinVerify, "", "", apperr.InvalidTransition},
		{CheckinPending, CheckinRegister, "", "", apperr.InvalidTransition},
	}
	for _, c := range cases {
		to, err := NextCheckin(c.from, c.action, c.reason, true)
		if to != c.to || apperrCode(err) != c.code {
			t.Errorf("%s --%s--> got %q %v, want %q %s", c.from, c.action, to, err, c.to, c.code)
		}
		if c.code == apperr.InvalidTransition && !strings.Contains(err.Error(), string(c.from)) {
			t.Errorf("%s --%s--> the refusal does not name the state: %v", c.from, c.action, err)
		}
	}
}

func TestOrderMovesAfterPosting(t *testing.T) {
	cases := []struct {
		from OrderState
		step OrderStep
		to   OrderState
		code apperr.Code
	}{
		{OrderPosted, OrderStep{Action: OrderDecline, Reason: "not a service we give"}, OrderDeclined, ""},
		{OrderPosted, OrderStep{Action: OrderDecline}, "", apperr.BadUserInput},
		{OrderPublished, OrderStep{Action: OrderDecline, Reason: "x"}, "", apperr.InvalidTransition},
		{OrderDeclined, OrderStep{Action: OrderPublish}, "", apperr.InvalidTransition},
		{OrderClaimed, OrderStep{Action: OrderRelease}, OrderPublished, ""},
		{OrderPublished, OrderStep{Action: OrderRelease}, "", apperr.InvalidTransition},
		{OrderPublished, OrderStep{Action: OrderReassign}, OrderClaimed, ""},
		{OrderClaimed, OrderStep{Action: OrderReassign}, OrderClaimed, ""},
		{OrderPosted, OrderStep{Action: OrderReassign}, "", apperr.InvalidTransition},
		{OrderCompleted, OrderStep{Action: OrderReassign}, "", apperr.InvalidTransition},
		{OrderClaimed, OrderStep{Action: OrderFlag}, "", apperr.InvalidTransition},
	}
	for _, c := range cases {
		to, err := NextOrder(c.from, c.step)
		if to != c.to || apperrCode(err) != c.code {
			t.Errorf("%s --%s--> got %q %v, want %q %s", c.from, c.step.Action, to, err, c.to, c.code)
		}
		if c.code == apperr.InvalidTransition && !strings.Contains(err.Error(), string(c.from)) {
			t.Errorf("%s --%s--> the refusal does not name the state: %v", c.from, c.step.Action, err)
		}
	}
}

package workflow

import (
	"strings"
	"testing"

	"gridgov/apperr"
)

func TestMatterOutcomes(t *testing.T) {
	cases := []struct {
		kind     MatterKind
		from, to MatterOutcome
		code     apperr.Code // "" when allowed
	}{
		{MatterMajor, OutcomeDiscussed, OutcomeDecided, ""},
		{MatterMajor, OutcomeDiscussed, OutcomeUnresolved, ""},
		{MatterMajor, OutcomeUnresolved, OutcomeDecided, ""},
		{MatterMajor, OutcomeDecided, OutcomeDiscussed, apperr.InvalidTransition},
		{MatterMajor, OutcomeDiscussed, OutcomeMediated, apperr.BadUserInput},
		{MatterDispute, OutcomeUnresolved, OutcomeMediated, ""},
		{MatterDispute, OutcomeMediated, OutcomeUnresolved, apperr.InvalidTransition},
		{MatterDispute, OutcomeUnresolved, OutcomeDecided, apperr.BadUserInput},
	}
	for _, c := range cases {
		err := NextOutcome(c.kind, c.from, c.to)
		if got := codeOf(err); got != c.code {
			t.Errorf("%s %s→%s: want %q, got %v", c.kind, c.from, c.to, c.code, err)
		}
	}
	if err := FirstOutcome(MatterDispute, OutcomeDecided); apperr.CodeOf(err) != apperr.BadUserInput {
		t.Errorf("a dispute is not decided: %v", err)
	}
	if err := FirstOutcome("party", OutcomeDecided); apperr.CodeOf(err) != apperr.BadUserInput {
		t.Errorf("unknown kind: %v", err)
	}
	if err := FirstOutcome(MatterUrgent, OutcomeDecided); err != nil {
		t.Errorf("urgent matter decided: %v", err)
	}
}

func codeOf(err error) apperr.Code {
	if err == nil {
		return ""
	}
	return apperr.CodeOf(err)
}

func TestMeetingMachine(t *testing.T) {
	cases := []struct {
		from   MeetingState
		action MeetingAction
		to     MeetingState // "" when refused
	}{
		{"", MeetingSchedule, MeetingScheduled},
		{"", MeetingHold, MeetingHeld},
		{"", MeetingRecordMinutes, ""},
		{MeetingScheduled, MeetingReschedule, MeetingScheduled},
		{MeetingScheduled, MeetingCancel, MeetingCancelled},
		{MeetingScheduled, MeetingRecordMinutes, MeetingHeld},
		{MeetingScheduled, MeetingRecordMatter, ""},
		{MeetingHeld, MeetingRecordMatter, MeetingHeld},
		{MeetingHeld, MeetingCancel, ""},
		{MeetingHeld, MeetingReschedule, ""},
		{MeetingHeld, MeetingRecordMinutes, ""},
		{MeetingCancelled, MeetingRecordMinutes, ""},
		{MeetingCancelled, MeetingReschedule, ""},
		{MeetingCancelled, MeetingRecordMatter, ""},
	}
	for _, c := range cases {
		got, err := NextMeeting(c.from, c.action)
		if got != c.to {
			t.Errorf("%q %s: want %q, got %q (%v)", c.from, c.action, c.to, got, err)
		}
		if c.to == "" && (codeOf(err) != apperr.InvalidTransition || !strings.Contains(err.Error(), "that is "+string(c.from))) {
			t.Errorf("%q %s: want INVALID_TRANSITION naming the state, got %v", c.from, c.action, err)
		}
	}
	if err := RaiseIssue(OutcomeDecided, false); err != nil {
		t.Errorf("a decided matter is raised: %v", err)
	}
	if err := RaiseIssue(OutcomeMediated, false); codeOf(err) != apperr.InvalidTransition || !strings.Contains(err.Error(), "mediated") {
		t.Errorf("a mediated dispute needs no issue: %v", err)
	}
	if err := RaiseIssue(OutcomeDiscussed, true); codeOf(err) != apperr.InvalidTransition || !strings.Contains(err.Error(), MatterRaised) {
		t.Errorf("a matter is raised once: %v", err)
	}
}

package workflow

import (
	"strings"
	"testing"

	"gridgov/apperr"
)

func TestRatingMachine(t *testing.T) {
	cases := []struct {
		from RatingSnapshot
		step RatingStep
		to   RatingState
		code apperr.Code
	}{
		{RatingSnapshot{State: RatingDraft}, RatingStep{Action: RatingUpdate, Grade: "fair"}, RatingDraft, ""},
		{RatingSnapshot{State: RatingDraft}, RatingStep{Action: RatingUpdate, Grade: "best"}, "", apperr.BadUserInput},
		{RatingSnapshot{State: RatingDraft}, RatingStep{Action: RatingSubmit}, RatingSubmitted, ""},
		{RatingSnapshot{State: RatingDraft}, RatingStep{Action: RatingApprove}, "", apperr.InvalidTransition},
		{RatingSnapshot{State: RatingSubmitted}, RatingStep{Action: RatingUpdate}, "", apperr.InvalidTransition},
		{RatingSnapshot{State: RatingSubmitted}, RatingStep{Action: RatingApprove}, RatingApproved, ""},
		{RatingSnapshot{State: RatingApproved}, RatingStep{Action: RatingAcknowledge}, "", apperr.InvalidTransition},
		{RatingSnapshot{State: RatingApproved}, RatingStep{Action: RatingNotify}, RatingNotified, ""},
		{RatingSnapshot{State: RatingApproved}, RatingStep{Action: RatingAppeal, Reason: "x"}, "", apperr.InvalidTransition},
		{RatingSnapshot{State: RatingNotified}, RatingStep{Action: RatingAcknowledge}, RatingAcknowledged, ""},
		{RatingSnapshot{State: RatingNotified}, RatingStep{Action: RatingAppeal}, "", apperr.BadUserInput},
		{RatingSnapshot{State: RatingNotified}, RatingStep{Action: RatingAppeal, Reason: "不公"}, RatingAppealed, ""},
		{RatingSnapshot{State: RatingAcknowledged}, RatingStep{Action: RatingAppeal, Reason: "不公"}, RatingAppealed, ""},
		{RatingSnapshot{State: RatingAcknowledged, Appealed: true}, RatingStep{Action: RatingAppeal, Reason: "again"}, "", apperr.InvalidTransition},
		{RatingSnapshot{State: RatingAcknowledged}, RatingStep{Action: RatingSubmit}, "", apperr.InvalidTransition},
		{RatingSnapshot{State: RatingAppealed, Grade: "poor"}, RatingStep{Action: RatingUphold}, RatingNotified, ""},
		{RatingSnapshot{State: RatingAppealed, Grade: "poor"}, RatingStep{Action: RatingRevise, Grade: "fair"}, RatingApproved, ""},
		{RatingSnapshot{State: RatingAppealed, Grade: "poor"}, RatingStep{Action: RatingRevise, Grade: "poor"}, "", apperr.BadUserInput},
		{RatingSnapshot{State: RatingAppealed, Grade: "poor"}, RatingStep{Action: RatingRevise}, "", apperr.BadUserInput},
		{RatingSnapshot{State: RatingAppealed}, RatingStep{Action: RatingAcknowledge}, "", apperr.InvalidTransition},
	}
	for _, c := range cases {
		to, err := NextRating(c.from, c.step)
		if to != c.to || apperrCode(err) != c.code {
			t.Errorf("%s --%s--> got %q %v, want %q %s", c.from.State, c.step.Action, to, err, c.to, c.code)
		}
	}
	_, err := NextRating(RatingSnapshot{State: RatingSubmitted}, RatingStep{Action: RatingNotify})
	if err == nil || !strings.Contains(err.Error(), "submitted") {
		t.Errorf("a refusal names the current state: %v", err)
	}
}

// FuzzRatingMachine: any state and action either moves to a known state or fails with an
// application error; only an appeal decision leaves appealed, and only a member's appeal
// enters it.
func FuzzRatingMachine(f *testing.F) {
	f.Add("notified", "appeal", "good", "reason", false)
	f.Add("appealed", "revise", "fair", "", true)
	f.Fuzz(func(t *testing.T, state, action, grade, reason string, appealed bool) {
		from := RatingSnapshot{State: RatingState(state), Grade: "good", Appealed: appealed}
		to, err := NextRating(from, RatingStep{Action: RatingAction(action), Grade: grade, Reason: reason})
		if err != nil {
			if apperr.CodeOf(err) == apperr.Internal {
				t.Fatalf("non-application error %v", err)
			}
			return
		}
		if !to.Valid() {
			t.Fatalf("moved to unknown state %q", to)
		}
		if (from.State == RatingAppealed) != (action == string(RatingUphold) || action == string(RatingRevise)) {
			t.Fatalf("%s --%s--> %s", state, action, to)
		}
		if (to == RatingAppealed) != (action == string(RatingAppeal)) {
			t.Fatalf("%s --%s--> %s", state, action, to)
		}
	})
}

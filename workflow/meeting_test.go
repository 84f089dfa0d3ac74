package workflow

import (
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

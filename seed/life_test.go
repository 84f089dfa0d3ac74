package seed

import (
	"testing"
	"time"
)

// TestLifeBound checks that no drawn issue life stays open past lifeBound: issueStory draws
// the report times of open issues within that bound of --as-of, which is right only if every
// issue reported earlier is done by then. Nor has a life more steps than lifeSteps, whether
// a resident reported the issue or not.
func TestLifeBound(t *testing.T) {
	r := newRowRand(1)
	var steps []lifeStep
	for ci, c := range issueCategories {
		r.at("life-bound", ci)
		bound := lifeBound(c)
		var longest time.Duration
		for k := 0; k < 50_000; k++ {
			steps = life(r, c, k%2 == 0, steps)
			if len(steps) > lifeSteps {
				t.Fatalf("%s: a life of %d steps, more than the %d allowed", c.code, len(steps), lifeSteps)
			}
			if last := steps[len(steps)-1]; openState(last.to) {
				t.Fatalf("%s: a life ends %s", c.code, last.to)
			}
			for j := 1; j < len(steps); j++ {
				if openState(steps[j-1].to) {
					longest = max(longest, steps[j].at)
				}
			}
		}
		if longest >= bound {
			t.Errorf("%s: a life is open until %v after its report, past the bound %v", c.code, longest, bound)
		}
	}
}

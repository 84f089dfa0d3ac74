package resolvers_test

import (
	"encoding/json"
	"strings"
	"testing"

	"gridgov/evidence/evidencetest"
)

const configureCategory = `mutation($in: ConfigureIssueCategoryInput!) { configureIssueCategory(input: $in) {
	id deadlineDays workingDays warnAtShare escalateAfterHours verdictDays maxReopens requiresResolvePhoto } }`

// categoryRules is a whole set of rules for the world's category, photo required.
func categoryRules(w world) map[string]any {
	return map[string]any{"categoryId": gid("IssueCategory", w.issueCat), "deadlineDays": 5, "workingDays": true,
		"warnAtShare": 0.75, "escalateAfterHours": 48, "verdictDays": 3, "maxReopens": 1, "requiresResolvePhoto": true}
}

// TestCategoryRules: a city admin sets every rule of a category; anyone else, or a rule out of
// its range, is refused with nothing written.
func TestCategoryRules(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	city := e.token("city_admin", "city", e.person("市管理员", w))
	street := e.token("street_cadre", gid("Street", w.street), e.person("街道干部", w))
	rules := categoryRules(w)
	before := e.must(city, `query { issueCategories { id deadlineDays requiresResolvePhoto } }`, nil)
	e.refuses(street, "FORBIDDEN", configureCategory, map[string]any{"in": rules})
	for field, bad := range map[string]any{"deadlineDays": 0, "warnAtShare": 1.0, "escalateAfterHours": 0, "verdictDays": 91, "maxReopens": -1} {
		in := categoryRules(w)
		in[field] = bad
		r := e.refuses(city, "BAD_USER_INPUT", configureCategory, map[string]any{"in": in})
		if r.Errors[0].Extensions["field"] != field {
			t.Errorf("%s = %v: error names %v", field, bad, r.Errors[0].Extensions["field"])
		}
	}
	if after := e.must(city, `query { issueCategories { id deadlineDays requiresResolvePhoto } }`, nil); !equalJSON(before, after) {
		t.Fatalf("refused rules changed the categories: %v → %v", before, after)
	}
	got := dig(e.must(city, configureCategory, map[string]any{"in": rules}), "configureIssueCategory").(map[string]any)
	for k, v := range rules {
		if k != "categoryId" && !equalJSON(got[k], v) {
			t.Errorf("%s: set %v, read %v", k, v, got[k])
		}
	}
	rules["escalateAfterHours"] = nil
	got = dig(e.must(city, configureCategory, map[string]any{"in": rules}), "configureIssueCategory").(map[string]any)
	if got["escalateAfterHours"] != nil {
		t.Errorf("escalateAfterHours null (never) read back as %v", got["escalateAfterHours"])
	}
}

// TestResolvePhotoRequired: an issue of a category that requires a photo of the result is not
// resolved until a photo is attached at the resolve stage; a photo at report or a PDF does not
// count.
func TestResolvePhotoRequired(t *testing.T) {
	e := newEvidenceEnv(t, nil)
	d := newDeadlineWorld(e.env)
	e.must(d.city, configureCategory, map[string]any{"in": categoryRules(d.w)})
	e.must(d.community, `mutation($id: ID!) { startIssue(input: {issueId: $id}) { id } }`, map[string]any{"id": d.issue})
	resolve := `mutation($id: ID!) { resolveIssue(input: {issueId: $id, result: "已修复"}) { id state } }`
	in := func(stage string) map[string]any {
		return map[string]any{"in": map[string]any{"issueId": d.issue, "stage": stage, "file": nil, "caption": ""}}
	}
	e.attach(d.community, in("REPORT"), photoFile(evidencetest.JPEG(64, 48, 1)))
	e.attach(d.community, in("RESOLVE"), map[string]file{"variables.in.file": {"report.pdf", "application/pdf", evidencetest.PDF()}})
	r := e.refuses(d.community, "INVALID_TRANSITION", resolve, map[string]any{"id": d.issue})
	if !strings.Contains(r.Errors[0].Message, "photo") {
		t.Fatalf("refused without saying a photo is missing: %s", r.Errors[0].Message)
	}
	e.attach(d.community, in("RESOLVE"), photoFile(evidencetest.JPEG(64, 48, 1)))
	if got := e.must(d.community, resolve, map[string]any{"id": d.issue}); dig(got, "resolveIssue", "state") != "RESOLVED" {
		t.Fatalf("with a photo of the result: %v", got)
	}
}

// equalJSON reports whether a and b are written as the same JSON.
func equalJSON(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}

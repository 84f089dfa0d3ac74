package dashboard_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"gridgov/browsertest"
	"gridgov/gid"
)

// TestPageRendersWithStubGraphQL is a PAGE-RENDERING test: the page runs in real headless
// Chromium, but /graphql is a stub answering canned indicators, so that figures the demo city
// does not have (a street with no verdict, rates to format) are shown. It checks that the page signs in with a token from sessionStorage, shows the
// figures it receives, drills down from the city to a street, logs no console error and
// throws no exception, on a projector-sized and a phone-sized screen; screenshots are saved
// in the test's artifact directory (go test -artifacts). TestDashboardEndToEnd does the same against
// the real /graphql and the demo city.
func TestPageRendersWithStubGraphQL(t *testing.T) {
	bin := browsertest.Chromium(t)
	mux := http.NewServeMux()
	h := mount()
	mux.Handle("/dashboard", h)
	mux.Handle("/dashboard/", h)
	var mu sync.Mutex
	var asked []string
	mux.HandleFunc("POST /graphql", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Query     string
			Variables struct {
				Scope  string
				Period map[string]any
			}
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
			http.Error(w, "bad request", 400)
			return
		}
		if strings.HasPrefix(req.Query, "query Dashboard") { // not the map's (map.js)
			mu.Lock()
			asked = append(asked, req.Variables.Scope)
			mu.Unlock()
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{"indicators": stubIndicators(req.Variables.Scope)}}) //nolint:errcheck
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	for _, screen := range []struct {
		name          string
		width, height int
		mobile        bool
	}{{"projector", 1600, 900, false}, {"phone", 390, 844, true}} {
		t.Run(screen.name, func(t *testing.T) {
			b := browsertest.Launch(t, bin)
			b.Call(t, "Emulation.setDeviceMetricsOverride", map[string]any{"width": screen.width, "height": screen.height,
				"deviceScaleFactor": 1, "mobile": screen.mobile})
			b.Call(t, "Page.navigate", map[string]any{"url": srv.URL + "/dashboard"})
			b.WaitFor(t, `document.getElementById('signin') && !document.getElementById('signin').hidden`)
			// A leader's token for the city: the page reads only its scope claim.
			token := "x." + base64.RawURLEncoding.EncodeToString([]byte(`{"role":"leader","scope":"city","sub":"7"}`)) + ".y"
			b.Eval(t, fmt.Sprintf(`sessionStorage.setItem('gridgov.token', %q); location.reload(); true`, token))
			b.WaitFor(t, `document.getElementById('title').textContent === 'Chaohu City'`)
			kpis := b.EvalString(t, `document.getElementById('kpis').innerText`)
			for _, want := range []string{"94.0%", "2,901", "120,500", "3,210", "按期办结 2,450 · 逾期办结 350"} {
				if !strings.Contains(kpis, want) {
					t.Errorf("city figures lack %q:\n%s", want, kpis)
				}
			}
			// The register's deadlines, each in its own KPI under its Chinese label.
			values := kpiValues(t, b)
			for label, want := range map[string]string{"onTimeRate": "87.5%", "overdue": "12", "dueSoon": "47",
				"urged": "133", "supervised": "21", "extended": "64", "autoEscalated": "9"} {
				if got, ok := values[label]; !ok || got != want {
					t.Errorf("KPI %s shows %q, want %q (KPIs %v)", label, got, want, values)
				}
			}
			// The residents' verdicts (满意度回访) and the reopenings (重办).
			for label, want := range map[string]string{"satisfactionRate": "92.3%", "verdicts": "1,032",
				"verdictScore": "4.56", "reopenRate": "3.0%"} {
				if got, ok := values[label]; !ok || got != want {
					t.Errorf("KPI %s shows %q, want %q (KPIs %v)", label, got, want, values)
				}
			}
			for _, want := range []string{"本人评价 778 · 电话回访 254 · 回访无应答 133", "重办 90 / 已解决 3,000 · 重办次数 97"} {
				if !strings.Contains(kpis, want) {
					t.Errorf("city figures lack %q:\n%s", want, kpis)
				}
			}
			row := b.EvalString(t, `document.querySelector('#breakdown tbody tr').innerText`)
			for what, want := range map[string]string{"on-time rate": "80.0%", "satisfaction rate": "90.0%", "reopen rate": "2.5%"} {
				if !strings.Contains(row, want) {
					t.Errorf("the first place's row lacks its %s %s: %q", what, want, row)
				}
			}
			if n := b.EvalString(t, `String(document.querySelectorAll('#breakdown tbody tr').length)`); n != "2" {
				t.Errorf("%s places in the breakdown table, want 2", n)
			}
			if n := b.EvalString(t, `String(document.querySelectorAll('canvas').length)`); n == "0" {
				t.Error("no chart drawn")
			}
			b.Screenshot(t, screen.name+"-city.png")

			b.Eval(t, `document.querySelector('#breakdown tbody tr').click(); true`)
			b.WaitFor(t, `document.getElementById('title').textContent === 'East Street'`)
			kpis = b.EvalString(t, `document.getElementById('kpis').innerText`)
			if !strings.Contains(kpis, "96.0%") || strings.Contains(kpis, "2,901") {
				t.Errorf("drill-down did not change the figures:\n%s", kpis)
			}
			// The street resolved nothing with a due time: no on-time rate.
			// Nor heard a verdict: no satisfaction rate, no score.
			if values := kpiValues(t, b); values["onTimeRate"] != "—" || values["dueSoon"] != "3" ||
				values["satisfactionRate"] != "—" || values["verdictScore"] != "—" || values["reopenRate"] != "2.5%" {
				t.Errorf("street KPIs %v, want on-time rate —, 3 due soon, satisfaction rate —, score — and reopen rate 2.5%%", values)
			}
			if crumbs := b.EvalString(t, `document.getElementById('crumbs').innerText`); !strings.Contains(crumbs, "Chaohu City") || !strings.Contains(crumbs, "East Street") {
				t.Errorf("breadcrumbs %q", crumbs)
			}
			b.Screenshot(t, screen.name+"-street.png")
			b.NoConsoleErrors(t)
			b.OnlyFrom(t, srv.URL)
		})
	}
	mu.Lock()
	defer mu.Unlock()
	// Two documents a view: the city's, then the street's.
	if len(asked) < 8 || asked[0] != "city" || asked[1] != "city" || asked[2] != gid.Encode("Street", 1) || asked[3] != gid.Encode("Street", 1) {
		t.Errorf("scopes asked: %v", asked)
	}
}

// kpiValues reads the KPIs the page shows: the value of each, by its key (data-kpi).
func kpiValues(t *testing.T, b *browsertest.Browser) map[string]string {
	t.Helper()
	raw := b.EvalString(t, `JSON.stringify(Object.fromEntries([...document.querySelectorAll('#kpis .kpi')].map(
		(k) => [k.dataset.kpi, k.querySelector('.value').textContent])))`)
	var out map[string]string
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		t.Fatalf("KPIs %q: %v", raw, err)
	}
	return out
}

func stubIndicators(scope string) map[string]any {
	street := scope != "city"
	name, level, rate, checked, expected := "Chaohu City", "CITY", 0.94, 2901, 3086
	volunteers, issues := 120500, 3210
	children := []map[string]any{
		{"scope": map[string]any{"id": gid.Encode("Street", 1), "name": "East Street", "level": "STREET"},
			"checkins": map[string]any{"checkedIn": 1500, "rate": 0.96}, "issues": map[string]any{"reported": 1700, "resolved": 1600,
				"resolvedOnTime": 1200, "resolvedLate": 300, "overdue": 7, "verdictsSatisfied": 450, "verdictsUnsatisfied": 50,
				"resolvedInPeriod": 1600, "reopened": 40}},
		{"scope": map[string]any{"id": gid.Encode("Street", 2), "name": "West Street", "level": "STREET"},
			"checkins": map[string]any{"checkedIn": 1401, "rate": 0.92}, "issues": map[string]any{"reported": 1510, "resolved": 1400,
				"resolvedOnTime": 1250, "resolvedLate": 50, "overdue": 5, "verdictsSatisfied": 503, "verdictsUnsatisfied": 29,
				"resolvedInPeriod": 1400, "reopened": 50}},
	}
	if street {
		name, level, rate, checked, expected, volunteers, issues = "East Street", "STREET", 0.96, 1500, 1563, 61000, 1700
		children = []map[string]any{
			{"scope": map[string]any{"id": gid.Encode("Community", 11), "name": "Lake Community", "level": "COMMUNITY"},
				"checkins": map[string]any{"checkedIn": 800, "rate": 0.97}, "issues": map[string]any{"reported": 900, "resolved": 850,
					"resolvedOnTime": 0, "resolvedLate": 0, "overdue": 0, "verdictsSatisfied": 0, "verdictsUnsatisfied": 0,
					"resolvedInPeriod": 850, "reopened": 20}},
		}
	}
	var onTimeRate any = 0.875
	onTime, late, dueSoon := 2450, 350, 47
	var satisfaction, score any = 0.9234, 4.5612
	satisfied, unsatisfied, byResident, byPhone, noResponse := 953, 79, 778, 254, 133
	resolvedInPeriod, reopened, reopens, reopenRate := 3000, 90, 97, 0.03
	if street {
		onTimeRate, onTime, late, dueSoon = nil, 0, 0, 3
		satisfaction, score, satisfied, unsatisfied, byResident, byPhone, noResponse = nil, nil, 0, 0, 0, 0, 0
		resolvedInPeriod, reopened, reopens, reopenRate = 1600, 40, 41, 0.025
	}
	var trend []map[string]any
	for m := 1; m <= 12; m++ {
		trend = append(trend, map[string]any{"month": fmt.Sprintf("2026-%02d", m), "issuesReported": 200 + m, "issuesResolved": 180 + m,
			"issuesResolvedOnTime": 150 + m, "issuesResolvedLate": 20 + m, "verdictsSatisfied": 80 + m, "verdictsUnsatisfied": 6 + m%3,
			"issuesReopened": 7 + m%2, "ordersCompleted": 30 + m, "patrols": 10 + m, "policeDutyHours": 4.5})
	}
	out := map[string]any{
		"asOf":   "2026-11-27T03:00:00Z",
		"period": map[string]any{"from": "2026-01-01", "to": "2026-12-31"},
		"scope":  map[string]any{"id": scope, "name": name, "level": level},
		"checkins": map[string]any{"expected": expected, "checkedIn": checked, "rate": rate, "withdrawn": 3, "transferred": 2, "reverificationDue": 40,
			"byUnit": []map[string]any{{"unit": map[string]any{"id": gid.Encode("Unit", 1), "name": "市税务局"}, "expected": 80, "checkedIn": 76, "rate": 0.95}}},
		"volunteers": map[string]any{"registered": volunteers, "police": 11000, "teamCount": 320, "teams": []map[string]any{
			{"teamType": "municipal_agency", "teams": 92, "volunteers": 40000}, {"teamType": "social_organisation", "teams": 15, "volunteers": 5000},
			{"teamType": "town_street", "teams": 213, "volunteers": 75500}, {"teamType": "none", "teams": 0, "volunteers": 1200}}},
		"issues": map[string]any{"reported": issues, "resolved": 3050, "closed": 2900, "resolutionRate": 0.95, "medianHoursToClose": 30.5,
			"p90HoursToClose": 120.25, "overdue": 12, "disputesMediated": 210, "dueSoon": dueSoon, "resolvedOnTime": onTime, "resolvedLate": late,
			"onTimeRate": onTimeRate, "urged": 133, "supervised": 21, "extended": 64, "autoEscalated": 9,
			"verdictsSatisfied": satisfied, "verdictsUnsatisfied": unsatisfied, "verdictsNoResponse": noResponse, "verdictsByResident": byResident,
			"verdictsByPhone": byPhone, "satisfactionRate": satisfaction, "averageVerdictScore": score, "resolvedInPeriod": resolvedInPeriod,
			"reopened": reopened, "reopens": reopens, "reopenRate": reopenRate,
			"disputes": 230, "disputesMediatedByCadres": 120,
			"byCategory": []map[string]any{{"category": "greening", "name": "Greening", "nameZh": "绿化", "reported": 400, "resolved": 390},
				{"category": "street_lamp", "name": "Street lamps", "nameZh": "路灯", "reported": 300, "resolved": 280}},
			"byGroup": []map[string]any{{"group": "environment", "reported": 400, "resolved": 390}, {"group": "infrastructure", "reported": 300, "resolved": 280}}},
		"orders": map[string]any{"posted": 420, "claimed": 400, "completed": 385, "medianHoursToClaim": 2.5, "averageRating": 4.6,
			"rated": 300, "declined": 4, "released": 9, "late": 12},
		"coverage": map[string]any{"grids": 300, "gridsWithCadre": 290, "gridsWithInstructor": 37, "gridsWithLeader": 300, "gridWorkerPosts": 420,
			"buildings": 4281, "buildingsWithLeader": 767},
		"activities": []map[string]any{{"kind": "themed_party_day", "events": 122, "personTimes": 5000, "peopleServed": 0},
			{"kind": "legal_publicity", "events": 112, "personTimes": 800, "peopleServed": 12000}},
		"unassigned": map[string]any{"checkins": map[string]any{"expected": 0, "checkedIn": 0}, "issues": map[string]any{"reported": 0, "resolved": 0,
			"overdue": 0, "resolvedOnTime": 0, "resolvedLate": 0, "verdictsSatisfied": 0, "verdictsUnsatisfied": 0, "resolvedInPeriod": 0, "reopened": 0}},
		"breakdown": children,
		"trend":     trend,
	}
	for k, v := range stubGroups() {
		if m, ok := out[k].(map[string]any); ok {
			maps.Copy(m, v.(map[string]any))
		} else {
			out[k] = v
		}
	}
	return out
}

// stubGroups are the groups the page's second document asks for, with the same values
// everywhere.
func stubGroups() map[string]any {
	ratings := map[string]any{"good": 500, "fair": 120, "average": 30, "poor": 2}
	return map[string]any{
		"workLogs": []map[string]any{{"kind": "resident_visit", "entries": 900, "peopleServed": 2000, "hours": 450.5}},
		"jointMeetings": map[string]any{"meetings": 40, "matters": 120, "mattersDiscussed": 60, "disputesJointlyMediated": 8,
			"quarters": []map[string]any{{"quarter": "2026-Q1", "communities": 12, "communitiesMet": 11, "share": 0.9167}}},
		"organisation": map[string]any{"communities": 12, "communitiesWithPartyOrg": 12, "gridInstructors": 30, "liaisonCadres": 90,
			"residentRecords": 40000, "buildingLeaders": 767, "ownerRepresentatives": 300, "marketManagedCompounds": 40, "justiceMediators": 25,
			"redStewards": 500, "governanceInstructors": 20, "partners": []map[string]any{{"kind": "community_police", "partners": 12}},
			"pairedCivilisedUnits": 30, "socialOrgPartyOrgs": 15, "ventureProjects": 6, "serviceCategories": 13},
		"patrols":      map[string]any{"patrols": 800, "findings": 120, "findingsRaised": 90},
		"policeDuties": map[string]any{"duties": 60, "participations": 400, "hours": 1200.5, "byKind": []map[string]any{{"kind": "police_patrol", "duties": 60, "participations": 400, "hours": 1200.5}}},
		"orders": map[string]any{"serviceHours": []map[string]any{{"year": 2026, "quarter": 1, "records": 300, "hours": 900.5}},
			"ratings": ratings, "ratingsByUnit": []map[string]any{{"unit": map[string]any{"id": "", "name": ""}, "ratings": ratings}},
			"ratingStages": map[string]any{"draft": 1, "submitted": 2, "approved": 3, "notified": 4, "acknowledged": 5, "appealed": 0}},
	}
}

package dashboard_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"gridgov/auth"
	"gridgov/browsertest"
	"gridgov/warehouse"
)

// TestDashboardEndToEnd serves the real API over the demo city, loaded into a warehouse by the
// ETL, and opens /dashboard in headless Chromium with a leader's token: the page shows the
// published figures computed by the warehouse, every indicator group in its panel, in Chinese
// and in English, reachable by keyboard, printed on A4; drilling down to a street changes the
// figures and the export asks for the street's report; no console error is logged.
// Screenshots and the printed PDF go to the test's artifact directory.
func TestDashboardEndToEnd(t *testing.T) {
	bin := browsertest.Chromium(t)
	ctx := context.Background()
	d := serveDemoCity(t)
	srv, keys, reader := d.srv, d.keys, d.reader
	token, err := keys.Issue("leader", auth.ScopeCity, "1", time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}

	b := browsertest.Launch(t, bin)
	b.Call(t, "Emulation.setDeviceMetricsOverride", map[string]any{"width": 1600, "height": 900, "deviceScaleFactor": 1, "mobile": false})
	b.Call(t, "Emulation.setFocusEmulationEnabled", map[string]any{"enabled": true})
	b.Call(t, "Page.navigate", map[string]any{"url": srv.URL + "/dashboard"})
	b.WaitFor(t, `document.getElementById('signin') && !document.getElementById('signin').hidden`)
	b.Eval(t, fmt.Sprintf(`sessionStorage.setItem('gridgov.token', %q); location.reload(); true`, token))
	b.WaitFor(t, `document.getElementById('kpis') && document.getElementById('kpis').innerText.includes('2,901')`)
	city := b.EvalString(t, `document.getElementById('kpis').innerText`)
	for _, want := range []string{"2,901", "94"} { // members checked in; the check-in rate
		if !strings.Contains(city, want) {
			t.Errorf("city figures lack %s:\n%s", want, city)
		}
	}
	// The register's on-time rate and overdue issues, as the warehouse computes them for the
	// page's period (this year).
	ind, err := reader.Indicators(ctx, warehouse.City, warehouse.Year(time.Now().Year()))
	if err != nil {
		t.Fatal(err)
	}
	rate := "—"
	if r := ind.Issues.OnTimeRate; r != nil {
		rate = fmt.Sprintf("%.1f%%", 100**r)
	}
	values := kpiValues(t, b)
	if got := values["onTimeRate"]; got != rate || ind.Issues.OnTimeRate == nil {
		t.Errorf("on-time rate (按期办结率) shows %q, the warehouse says %s", got, rate)
	}
	if got, want := values["overdue"], grouped(ind.Issues.Overdue); got != want {
		t.Errorf("overdue shows %q, the warehouse says %s", got, want)
	}
	// The residents' satisfaction (满意率) and the reopen rate (重办率), as the warehouse computes them.
	for label, r := range map[string]*float64{"satisfactionRate": ind.Issues.SatisfactionRate, "reopenRate": ind.Issues.ReopenRate} {
		if r == nil {
			t.Errorf("%s: the warehouse has none for this year", label)
		} else if got, want := values[label], fmt.Sprintf("%.1f%%", 100**r); got != want {
			t.Errorf("%s shows %q, the warehouse says %s", label, got, want)
		}
	}
	if got, want := values["verdicts"], grouped(ind.Issues.VerdictsSatisfied+ind.Issues.VerdictsUnsatisfied); got != want {
		t.Errorf("verdicts show %q, the warehouse says %s", got, want)
	}
	b.Screenshot(t, "e2e-city.png")
	t.Run("panels", func(t *testing.T) { checkPanels(t, b, ind) })
	t.Run("language", func(t *testing.T) { checkLanguage(t, b) })
	t.Run("keyboard", func(t *testing.T) { checkKeyboard(t, b) })
	t.Run("print", func(t *testing.T) { checkPrint(t, b) })
	b.Eval(t, `document.querySelector('#breakdown tbody tr').click(); true`)
	b.WaitFor(t, `!document.getElementById('kpis').innerText.includes('2,901')`)
	if crumbs := b.EvalString(t, `document.getElementById('crumbs').innerText`); !strings.Contains(crumbs, "街道") {
		t.Errorf("after drilling down, breadcrumbs %q name no street", crumbs)
	}
	b.Screenshot(t, "e2e-street.png")
	t.Run("export", func(t *testing.T) { checkExport(t, b, token) })
	b.NoConsoleErrors(t)
	b.OnlyFrom(t, srv.URL)
}

// grouped writes n as the page does (zh-CN): thousands separated by commas.
func grouped(n int64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

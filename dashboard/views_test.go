package dashboard_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gridgov/browsertest"
	"gridgov/warehouse"
)

// The checks of TestDashboardEndToEnd on the page it has open at the city's indicators.

// checkPanels: every indicator group of the SDL has its panel on the page, drawn or filled,
// with the warehouse's values where the test reads them.
func checkPanels(t *testing.T, b *browsertest.Browser, ind *warehouse.Indicators) {
	for _, g := range indicatorGroups(indicatorsSchema(t)) {
		// A chart panel has its canvas, a figures panel its values, the places table its rows.
		filled := b.EvalString(t, fmt.Sprintf(`(() => { const p = document.querySelector('[data-group=%q]');
			if (!p || !p.getClientRects().length) return 'missing';
			if (p.querySelector('.chart') && !p.querySelector('.chart canvas')) return 'no chart drawn';
			return p.querySelector('canvas, dd, td') ? 'ok' : 'empty'; })()`, g))
		if filled != "ok" {
			t.Errorf("panel %s: %s", g, filled)
		}
	}
	// The quarterly compliance of joint meetings, a quarter a bar, and the meetings held.
	var quarters []string
	for _, q := range ind.JointMeetings.Quarters {
		quarters = append(quarters, q.Quarter)
	}
	if got := chartStrings(t, b, "chart-meetings", `o.xAxis[0].data`); len(quarters) == 0 || !slices.Equal(got, quarters) {
		t.Errorf("joint-meeting quarters charted %v, the warehouse has %v", got, quarters)
	}
	if got, want := figure(t, b, "fig-meetings", "召开次数"), grouped(ind.JointMeetings.Meetings); got != want {
		t.Errorf("joint meetings held shows %q, the warehouse says %s", got, want)
	}
	// Check-in by unit, the largest units by name.
	var units []string
	for _, u := range ind.Checkins.ByUnit[:min(12, len(ind.Checkins.ByUnit))] {
		units = append(units, u.Unit.Name)
	}
	if got := chartStrings(t, b, "chart-units", `o.yAxis[0].data`); len(units) == 0 || !slices.Equal(got, units) {
		t.Errorf("units charted %v, the warehouse has %v", got, units)
	}
	// The team types, the volunteers in no team named as such.
	var none bool
	for _, tt := range ind.Volunteers.Teams {
		none = none || tt.TeamType == "none"
	}
	names := strings.Join(chartStrings(t, b, "chart-teams", `o.series[0].data.map((d) => d.name)`), "|")
	if !none || !strings.Contains(names, "未入队（不在任何志愿服务队）") || !strings.Contains(names, "市直机关") {
		t.Errorf("team types charted as %q (volunteers in no team in the warehouse: %v)", names, none)
	}
}

// chartStrings evaluates expr on the option of the chart in element id (as o).
func chartStrings(t *testing.T, b *browsertest.Browser, id, expr string) []string {
	t.Helper()
	var out []string
	raw := b.Eval(t, fmt.Sprintf(`(() => { const o = echarts.getInstanceByDom(document.getElementById(%q)).getOption(); return (%s).map(String); })()`, id, expr))
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s: %s: %v", id, raw, err)
	}
	return out
}

// figure reads the value under label in the figures list id.
func figure(t *testing.T, b *browsertest.Browser, id, label string) string {
	t.Helper()
	return b.EvalString(t, fmt.Sprintf(`(() => { const dt = [...document.querySelectorAll('#%s dt')].find((d) => d.textContent === %q);
		return dt ? dt.nextElementSibling.textContent : 'absent'; })()`, id, label))
}

// labelsOf gathers every label the page shows as language: its rendered text but for the
// names of places and units (data, marked .name, and the chart axes of places and months), its
// ARIA labels, and its charts' series names, axis names and category labels.
const labelsOf = `(() => {
	const out = [document.title];
	const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
	for (let n = walk.nextNode(); n; n = walk.nextNode()) {
		const el = n.parentElement;
		if (!el.closest('.name, script, option') && el.getClientRects().length) out.push(n.textContent);
	}
	for (const el of document.querySelectorAll('[aria-label]')) out.push(el.getAttribute('aria-label'));
	for (const el of document.querySelectorAll('option')) out.push(el.textContent);
	for (const el of document.querySelectorAll('.chart')) {
		const o = echarts.getInstanceByDom(el).getOption();
		for (const s of o.series) {
			out.push(s.name || '');
			if (s.type === 'pie') out.push(...s.data.map((d) => d.name));
		}
		for (const a of [...(o.xAxis || []), ...(o.yAxis || [])]) {
			out.push(a.name || '');
			if (a.type === 'category' && a.id === 'labels') out.push(...a.data.map(String));
		}
	}
	return out.filter((s) => /\p{L}/u.test(s));
})()`

var han = regexp.MustCompile(`\p{Han}`)

// checkLanguage: the labels are Chinese; the toggle switches every one of them to English,
// the choice outlives a reload, and switching back brings the Chinese back.
func checkLanguage(t *testing.T, b *browsertest.Browser) {
	labels := func() []string {
		var out []string
		if err := json.Unmarshal(b.Eval(t, labelsOf), &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	chinese := func(want bool) {
		t.Helper()
		n := 0
		for _, l := range labels() {
			// The toggle names the other language in that language; file formats are names.
			if slices.Contains([]string{"English", "Show labels in English", "中文", "用中文显示标签", "XLSX", "CSV"}, strings.TrimSpace(l)) {
				continue
			}
			if has := han.MatchString(l); has != want && n < 10 {
				n++
				t.Errorf("label %.120q: Chinese %v, want %v", l, has, want)
			}
		}
	}
	// Chart labels: in Chinese, every category of the categories chart is a nameZh.
	if cats := chartStrings(t, b, "chart-categories", `o.yAxis[0].data`); len(cats) == 0 || !han.MatchString(strings.Join(cats, "")) {
		t.Errorf("issue categories charted as %v", cats)
	}
	chinese(true)
	b.Eval(t, `document.getElementById('lang').click(); true`)
	b.WaitFor(t, `document.documentElement.lang === 'en'`)
	chinese(false)
	if lang := b.EvalString(t, `localStorage.getItem('gridgov.lang')`); lang != "en" {
		t.Errorf("language remembered as %q", lang)
	}
	b.Screenshot(t, "e2e-city-en.png")
	b.Eval(t, `window.beforeReload = true; location.reload(); true`)
	b.WaitFor(t, `!window.beforeReload && document.documentElement.lang === 'en' && document.getElementById('kpis').innerText.includes('2,901') && document.querySelector('#chart-units canvas')`)
	chinese(false)
	b.Eval(t, `document.getElementById('lang').click(); true`)
	b.WaitFor(t, `document.documentElement.lang === 'zh-CN'`)
	chinese(true)
}

// focusable are the controls the page shows that take the keyboard's focus.
const focusable = `[...document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]')]
	.filter((e) => e.tabIndex >= 0 && !e.disabled && e.getClientRects().length > 0)`

// checkKeyboard: Tab reaches every control the page shows; each shows a focus ring and has
// an accessible name as Chromium computes it for assistive technology.
func checkKeyboard(t *testing.T, b *browsertest.Browser) {
	var want []string
	json.Unmarshal(b.Eval(t, focusable+`.map((e, i) => (e.dataset.kb = i, String(i)))`), &want) //nolint:errcheck
	if len(want) < 15 {
		t.Fatalf("only %d controls on the page", len(want))
	}
	b.Eval(t, `document.activeElement.blur(); true`)
	reached := map[string]browsertest.AXNode{}
	for range len(want) + 5 {
		b.Press(t, "Tab", false)
		kb := b.EvalString(t, `document.activeElement.dataset.kb || document.activeElement.tagName`)
		if _, ok := reached[kb]; ok {
			break // round the page
		}
		if kb == "BODY" {
			continue // past the last control: the focus leaves the page before it comes round
		}
		reached[kb] = b.Accessible(t, `document.activeElement`)
		if ring := b.EvalString(t, `getComputedStyle(document.activeElement).outlineStyle`); ring == "none" {
			t.Errorf("%s shows no focus ring", kb)
		}
	}
	for _, kb := range want {
		n, ok := reached[kb]
		what := b.EvalString(t, fmt.Sprintf(`document.querySelector('[data-kb="%s"]').outerHTML.slice(0, 120)`, kb))
		if !ok {
			t.Errorf("Tab never reaches %s", what)
		} else if strings.TrimSpace(n.Name) == "" {
			t.Errorf("%s (role %s) has no accessible name", what, n.Role)
		}
	}
	// A place's name in the table drills down by keyboard: Enter on its button.
	b.Eval(t, `document.querySelector('#breakdown tbody button').focus(); true`)
	first := b.EvalString(t, `document.querySelector('#breakdown tbody button').textContent`)
	b.Press(t, "Enter", false)
	b.WaitFor(t, fmt.Sprintf(`document.getElementById('title').textContent === %q`, first))
	b.Eval(t, `document.querySelector('#crumbs button').click(); true`)
	b.WaitFor(t, `document.getElementById('kpis').innerText.includes('2,901') && document.querySelectorAll('#breakdown tbody tr').length > 1`)
}

// checkPrint: printed (Chromium's print to PDF, the page's @page rule), the dashboard is A4
// pages, a sane number of them, with the controls hidden and the charts resized to the page.
func checkPrint(t *testing.T, b *browsertest.Browser) {
	// The print style on a window as wide as A4 within its margins: 186 mm, 703 CSS px.
	b.Call(t, "Emulation.setDeviceMetricsOverride", map[string]any{"width": 703, "height": 1000, "deviceScaleFactor": 1, "mobile": false})
	defer b.Call(t, "Emulation.setDeviceMetricsOverride", map[string]any{"width": 1600, "height": 900, "deviceScaleFactor": 1, "mobile": false})
	b.Call(t, "Emulation.setEmulatedMedia", map[string]any{"media": "print"})
	if w, _ := strconv.Atoi(b.EvalString(t, `String(document.documentElement.scrollWidth)`)); w > 703 || w < 600 {
		t.Errorf("the printed page is %d px wide, want it within the 703 px of A4 within its margins", w)
	}
	var hidden []string
	json.Unmarshal(b.Eval(t, `['period', 'export', 'export-kind', 'lang', 'print', 'signout'].filter((id) => document.getElementById(id).getClientRects().length)`), &hidden) //nolint:errcheck
	if len(hidden) > 0 {
		t.Errorf("controls printed: %v", hidden)
	}
	var widths []float64
	json.Unmarshal(b.Eval(t, `[...document.querySelectorAll('.chart canvas')].map((c) => c.getBoundingClientRect().width)`), &widths) //nolint:errcheck
	if len(widths) < 10 {
		t.Errorf("%d charts in print", len(widths))
	}
	for _, w := range widths {
		if w > 703 || w < 200 {
			t.Errorf("a chart %.0f px wide in print, want within the 703 px of the page", w)
		}
	}
	b.Screenshot(t, "print-media.png")
	pdf := b.PrintPDF(t)
	b.Call(t, "Emulation.setEmulatedMedia", map[string]any{"media": ""})
	if err := os.WriteFile(filepath.Join(t.ArtifactDir(), "dashboard.pdf"), pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	pages := pdfPages(t, pdf)
	if len(pages) < 2 || len(pages) > 12 {
		t.Errorf("%d pages printed, want 2 to 12", len(pages))
	}
	for i, p := range pages {
		if p[0] < 594 || p[0] > 597 || p[1] < 841 || p[1] > 843 {
			t.Errorf("page %d is %.1f × %.1f pt, want A4 (595 × 842)", i+1, p[0], p[1])
		}
	}
	t.Logf("%d pages, %d bytes", len(pages), len(pdf))
}

// pdfPages reads the size (width, height in points) of each page of a PDF as Chromium
// writes it: a /MediaBox in each /Type /Page dictionary, counted by the page tree's /Count.
func pdfPages(t *testing.T, pdf []byte) [][2]float64 {
	t.Helper()
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", pdf[:min(16, len(pdf))])
	}
	box := regexp.MustCompile(`/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]`)
	var pages [][2]float64
	for _, dict := range regexp.MustCompile(`(?s)/Type\s*/Page\b.*?endobj`).FindAll(pdf, -1) {
		m := box.FindSubmatch(dict)
		if m == nil {
			t.Fatalf("a page without a MediaBox: %.200s", dict)
		}
		f := func(i int) float64 { v, _ := strconv.ParseFloat(string(m[i]), 64); return v }
		pages = append(pages, [2]float64{f(3) - f(1), f(4) - f(2)})
	}
	count := regexp.MustCompile(`/Type\s*/Pages\b[^>]*?/Count\s+(\d+)|/Count\s+(\d+)[^>]*?/Type\s*/Pages\b`).FindSubmatch(pdf)
	if count == nil || (string(count[1]) != strconv.Itoa(len(pages)) && string(count[2]) != strconv.Itoa(len(pages))) {
		t.Errorf("page tree %q, %d page dictionaries", count, len(pages))
	}
	return pages
}

// checkExport: the export button asks /reports/export for the view shown (its scope and
// period) with the token, and saves the answer under the name the server gives. The request
// is held in the browser and answered by the test, as the report service would.
func checkExport(t *testing.T, b *browsertest.Browser, token string) {
	dir := t.TempDir()
	b.DownloadTo(t, dir)
	held := b.Intercept(t, "*/reports/export*")
	defer b.Call(t, "Fetch.disable", nil)
	street := b.EvalString(t, `state.view.scope`)
	// The quarterly service ledger is a grid's: not offered for a street.
	if b.EvalString(t, `String(document.querySelector('#export-kind option[value=ledger]').disabled)`) != "true" {
		t.Error("the ledger export is offered for a street")
	}
	// The street's third quarter, as CSV.
	b.Eval(t, `document.getElementById('kind').value = 'QUARTER'; document.getElementById('quarter').value = '3';
		document.getElementById('export-format').value = 'csv'; document.getElementById('period').requestSubmit(); true`)
	b.WaitFor(t, `state.view.period.kind === 'QUARTER'`)
	b.Eval(t, `document.getElementById('export').click(); true`)
	p := browsertest.NextPaused(t, held)
	u, err := url.Parse(p.Request.URL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	year := strconv.Itoa(time.Now().Year())
	if u.Path != "/reports/export" || p.Request.Method != "GET" || q.Get("kind") != "monthly" || q.Get("scope") != street ||
		q.Get("period") != year+"-Q3" || q.Get("format") != "csv" || len(q) != 4 {
		t.Errorf("export asked %s %s, want GET /reports/export?kind=monthly&scope=%s&period=%s-Q3&format=csv", p.Request.Method, p.Request.URL, street, year)
	}
	if got := p.Request.Headers["Authorization"]; got != "Bearer "+token {
		t.Errorf("export sent Authorization %.20q…, want the token", got)
	}
	body := []byte("指标,值\n报到率,0.95\n")
	b.Fulfill(t, p, 200, map[string]string{"Content-Type": "text/csv; charset=utf-8",
		"Content-Disposition": `attachment; filename*=UTF-8''` + url.PathEscape("月报-"+year+"-Q3.csv")}, body)
	waitFile(t, filepath.Join(dir, "月报-"+year+"-Q3.csv"), body)
	// A month, as XLSX; a range of days has no report and asks nothing.
	b.Eval(t, `document.getElementById('kind').value = 'MONTH'; document.getElementById('month').value = '11';
		document.getElementById('export-format').value = 'xlsx'; document.getElementById('period').requestSubmit(); true`)
	b.WaitFor(t, `state.view.period.kind === 'MONTH'`)
	b.Eval(t, `document.getElementById('export').click(); true`)
	p = browsertest.NextPaused(t, held)
	if q := mustQuery(t, p.Request.URL); q.Get("period") != year+"-11" || q.Get("format") != "xlsx" || q.Get("scope") != street {
		t.Errorf("export asked %s, want the street's month %s-11 as xlsx", p.Request.URL, year)
	}
	// Without a file name from the server, the page makes one of the request.
	b.Fulfill(t, p, 200, map[string]string{"Content-Type": "application/octet-stream"}, []byte("PK"))
	waitFile(t, filepath.Join(dir, "gridgov-monthly-"+year+"-11.xlsx"), []byte("PK"))
	b.Eval(t, `document.getElementById('kind').value = 'RANGE'; document.getElementById('period').requestSubmit(); true`)
	b.WaitFor(t, `state.view.period.kind === 'RANGE'`)
	b.Eval(t, `document.getElementById('export').click(); true`)
	b.WaitFor(t, `document.getElementById('error').textContent.includes('日期范围')`)
	select {
	case raw := <-held:
		t.Errorf("a range of days asked for an export: %s", raw)
	case <-time.After(300 * time.Millisecond):
	}
}

// waitFile waits for the browser to have saved want as path.
func waitFile(t *testing.T, path string, want []byte) {
	t.Helper()
	for i := 0; ; i++ {
		got, err := os.ReadFile(path)
		if err == nil && bytes.Equal(got, want) {
			return
		}
		if i == 100 {
			entries, _ := os.ReadDir(filepath.Dir(path))
			t.Errorf("the export was not saved as %s: %v (%v, %q)", path, entries, err, got)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func mustQuery(t *testing.T, raw string) url.Values {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

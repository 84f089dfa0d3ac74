package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// targets are the verdicts on one row: PASS, FAIL, or empty where a target does not apply.
type targets struct {
	CPU      string `json:"server_cpu_at_most_postgres_cpu"`
	OneByOne string `json:"at_least_70pct_of_one_by_one"`
	AsSent   string `json:"at_least_50pct_of_as_sent"`
	P99      string `json:"p99_under_100ms_at_32_clients"`
	RSS      string `json:"peak_rss_under_200mib"`
}

func verdict(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}

// judge gives a row's verdicts: the server spends no more CPU per request than the Postgres
// CPU it causes; the API reaches 70 % of the one-by-one limit and 50 % of the as-sent one;
// p99 under 100 ms at 32 clients; peak RSS under 200 MiB.
func judge(r row) targets {
	t := targets{CPU: verdict(r.ServerCPU <= r.PostgresCPU), RSS: verdict(r.PeakRSSMiB < 200)}
	if r.OneByOne != nil {
		t.OneByOne = verdict(r.ShareOneByOne >= 70)
	}
	if r.AsSent != nil {
		t.AsSent = verdict(r.ShareAsSent >= 50)
	}
	if r.Clients == 32 {
		t.P99 = verdict(r.P99Ms < 100)
	}
	return t
}

// results is the JSON file: how the run was made, what each build sent, and every row.
type results struct {
	Started string          `json:"started"`
	Command []string        `json:"command"`
	Warm    string          `json:"warm_up"`
	Dur     string          `json:"measured"`
	Builds  []buildCaptures `json:"builds"`
	Rows    []row           `json:"rows"`
}

type buildCaptures struct {
	Label    string                   `json:"label"`
	Bin      string                   `json:"bin"`
	Database string                   `json:"database"`
	Captures map[string]*classCapture `json:"captures"`
}

// writeResults writes the JSON, CSV and Markdown files and prints the Markdown tables.
func writeResults(o options, started time.Time, rows []row, builds []*build, classes []*class) error {
	stamp := started.Format("20060102-150405")
	base := filepath.Join(o.out, "apibench-"+stamp)
	res := results{Started: started.Format(time.RFC3339), Command: os.Args, Warm: o.warm.String(), Dur: o.dur.String(), Rows: rows}
	for _, b := range builds {
		res.Builds = append(res.Builds, buildCaptures{Label: b.label, Bin: b.bin, Database: b.db.name(), Captures: b.captures})
	}
	js, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(base+".json", js, 0o644); err != nil {
		return err
	}
	if err := writeCSV(base+".csv", rows); err != nil {
		return err
	}
	md := markdown(rows, builds, classes)
	if err := os.WriteFile(base+".md", []byte(md), 0o644); err != nil {
		return err
	}
	fmt.Print(md)
	fmt.Printf("\nresults: %s.json, %s.csv, %s.md; pgbench scripts in %s\n", base, base, base, filepath.Join(o.out, "scripts"))
	return nil
}

var tableHeader = []string{"build", "clients", "req/s", "p50 ms", "p99 ms", "errors", "statements", "round trips",
	"server CPU ms", "Postgres CPU ms", "peak RSS MiB", "one by one req/s", "API %", "as sent req/s", "API %",
	"server ≤ Postgres CPU", "≥ 70 % one by one", "≥ 50 % as sent", "p99 < 100 ms at 32", "RSS < 200 MiB"}

// markdown gives a table per class, rows build × clients; CPU figures are per request.
func markdown(rows []row, builds []*build, classes []*class) string {
	var b strings.Builder
	for _, c := range classes {
		fmt.Fprintf(&b, "\n### %s\n\n", c.name)
		b.WriteString("| " + strings.Join(tableHeader, " | ") + " |\n")
		b.WriteString("|" + strings.Repeat("---|", len(tableHeader)) + "\n")
		for _, bd := range builds {
			for _, r := range rows {
				if r.Class != c.id || r.Build != bd.label {
					continue
				}
				b.WriteString("| " + strings.Join(tableCells(r), " | ") + " |\n")
			}
		}
	}
	return b.String()
}

func tableCells(r row) []string {
	f1 := func(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) }
	f2 := func(x float64) string { return strconv.FormatFloat(x, 'f', 2, 64) }
	limit := func(l *limitCell, pct float64) (string, string) {
		if l == nil {
			return "–", "–"
		}
		return f1(l.PerSecond), f1(pct)
	}
	dash := func(s string) string {
		if s == "" {
			return "–"
		}
		return s
	}
	one, onePct := limit(r.OneByOne, r.ShareOneByOne)
	sent, sentPct := limit(r.AsSent, r.ShareAsSent)
	rss := f1(r.PeakRSSMiB)
	if r.RSSScope != "run" {
		rss += " (process)"
	}
	return []string{r.Build, strconv.Itoa(r.Clients), f1(r.PerSecond), f2(r.P50Ms), f2(r.P99Ms), strconv.Itoa(r.Errors),
		f1(r.Statements), f1(r.RoundTrips), f2(r.ServerCPU), f2(r.PostgresCPU), rss, one, onePct, sent, sentPct,
		r.Targets.CPU, dash(r.Targets.OneByOne), dash(r.Targets.AsSent), dash(r.Targets.P99), r.Targets.RSS}
}

var csvHeader = []string{"class", "build", "clients", "at", "loadavg", "requests_per_second", "p50_ms", "p99_ms", "max_ms",
	"requests", "errors", "statements_per_request", "round_trips_per_request", "server_cpu_ms", "postgres_cpu_ms",
	"loadgen_cpu_ms", "backends", "peak_rss_mib", "peak_rss_scope",
	"one_by_one_per_second", "one_by_one_latency_ms", "one_by_one_failed", "one_by_one_postgres_cpu_ms", "one_by_one_pgbench_cpu_ms", "share_one_by_one_pct",
	"as_sent_per_second", "as_sent_latency_ms", "as_sent_failed", "as_sent_postgres_cpu_ms", "as_sent_pgbench_cpu_ms", "share_as_sent_pct",
	"target_cpu", "target_one_by_one", "target_as_sent", "target_p99", "target_rss", "first_error"}

func writeCSV(path string, rows []row) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w := csv.NewWriter(f)
	if err := w.Write(csvHeader); err != nil {
		return err
	}
	g := func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
	limit := func(l *limitCell) []string {
		if l == nil {
			return []string{"", "", "", "", ""}
		}
		return []string{g(l.PerSecond), g(l.LatencyMs), strconv.Itoa(l.Failed), g(l.PostgresCPU), g(l.PgbenchCPU)}
	}
	for _, r := range rows {
		rec := []string{r.Class, r.Build, strconv.Itoa(r.Clients), r.At, r.LoadAvg, g(r.PerSecond), g(r.P50Ms), g(r.P99Ms), g(r.MaxMs),
			strconv.Itoa(r.Requests), strconv.Itoa(r.Errors), g(r.Statements), g(r.RoundTrips), g(r.ServerCPU), g(r.PostgresCPU),
			g(r.LoadgenCPU), strconv.Itoa(r.Backends), g(r.PeakRSSMiB), r.RSSScope}
		rec = append(rec, limit(r.OneByOne)...)
		rec = append(rec, g(r.ShareOneByOne))
		rec = append(rec, limit(r.AsSent)...)
		rec = append(rec, g(r.ShareAsSent), r.Targets.CPU, r.Targets.OneByOne, r.Targets.AsSent, r.Targets.P99, r.Targets.RSS, r.FirstError)
		if err := w.Write(rec); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}

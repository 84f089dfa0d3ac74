package reliability

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"gridgov/etl"
	"gridgov/gid"
	"gridgov/loadgen"
	"gridgov/warehouse"
	"gridgov/warehouse/whtest"
)

// mixed is the stage of a fixed-rate run: the seeded city, its warehouse, a server on
// loopback and the workload.
type mixed struct {
	url    string
	pool   *pgxpool.Pool
	ch     *warehouse.Client
	env    []string
	api    *api
	client *loadgen.Client
	w      *workload
}

// startMixed seeds a city, loads its warehouse (`gridgov warehouse migrate`, `etl run
// --once`), starts `gridgov serve` on it and prepares a workload for rate × d requests.
func startMixed(t *testing.T, rate float64, d time.Duration) *mixed {
	t.Helper()
	m := &mixed{ch: whtest.Empty(t)}
	began := time.Now()
	m.url, m.pool = seeded(t)
	seededIn := time.Since(began)
	m.env = []string{"GRIDGOV_PG_URL=" + m.url, "GRIDGOV_CH_DATABASE=" + m.ch.Database}
	m.gridgov(t, "warehouse", "migrate")
	m.gridgov(t, "etl", "run", "--once")
	t.Logf("seeded in %v, warehouse loaded in %v", seededIn.Round(time.Millisecond), (time.Since(began) - seededIn).Round(time.Millisecond))
	m.w = newWorkload(t, m.pool, int(rate*d.Seconds()*claimsPerSlot)+10)
	m.api = startServe(t, m.url, "GRIDGOV_CH_DATABASE="+m.ch.Database)
	m.client = loadgen.NewClient("http://"+m.api.addr+"/graphql", 256)
	m.w.prefill(t, m.client, 20)
	return m
}

func (m *mixed) gridgov(t *testing.T, args ...string) {
	t.Helper()
	if out, err := gridgov(context.Background(), m.env, args...).CombinedOutput(); err != nil {
		t.Fatalf("gridgov %v: %v\n%s", args, err, out)
	}
}

// TestMixedLoadFixedRate sends the mixed workload (console pages, member profiles, reports,
// issue transitions, contended claims, indicators) at a fixed rate to `gridgov serve`: no 5xx,
// no error but a lost claim's CONFLICT or NOT_FOUND, one winner of every contended order, and
// every acknowledged write in Postgres and, after one more ETL run, in the warehouse. It
// reports latency per kind (from each request's scheduled time) and the server's memory.
func TestMixedLoadFixedRate(t *testing.T) {
	rate, d, every := 30.0, 20*time.Second, 2*time.Second
	if full {
		rate, d, every = 60, 2*time.Minute, 10*time.Second
	}
	m := startMixed(t, rate, d)
	m.run(t, rate, d, every)
	m.checkWrites(t)
}

// TestSoak runs the mixed workload for GRIDGOV_SOAK (10m under GRIDGOV_RELIABILITY=full),
// sampling the server's memory every 10 s: after the first minute, the median heap in use
// and resident set of the last third of the run are within a tolerance of the first third's,
// and so is the goroutine count.
func TestSoak(t *testing.T) {
	d := soakDuration(t)
	rate := 40.0
	m := startMixed(t, rate, d)
	checkFlat(t, m.run(t, rate, d, 10*time.Second), time.Minute)
	m.checkWrites(t)
}

// run sends the workload at rate slots per second for d, sampling the server's memory every
// so often; it reports what it measured, checks the answers and gives the memory series.
func (m *mixed) run(t *testing.T, rate float64, d, every time.Duration) []memSample {
	t.Helper()
	mem := sampleMemory(m.api, every)
	res := loadgen.RunPaced(context.Background(), m.client, m.w.kinds(), rate, d)
	series := mem.stop(t)
	m.report(t, res)
	logSeries(t, series)
	m.checkAnswers(t, res)
	return series
}

func soakDuration(t *testing.T) time.Duration {
	s := os.Getenv("GRIDGOV_SOAK")
	if s == "" && !full {
		t.Skip("the soak runs with GRIDGOV_RELIABILITY=full (10 minutes) or GRIDGOV_SOAK=<duration>")
	}
	if s == "" {
		return 10 * time.Minute
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 3*time.Minute {
		t.Fatalf("GRIDGOV_SOAK=%q: want a duration of at least 3m", s)
	}
	return d
}

// checkFlat compares the last third of the samples after warm with the first third.
func checkFlat(t *testing.T, series []memSample, warm time.Duration) {
	t.Helper()
	i := slices.IndexFunc(series, func(s memSample) bool { return s.at >= warm })
	if i < 0 || len(series)-i < 9 {
		t.Fatalf("%d samples after the warm-up: too few to judge growth", len(series)-max(i, 0))
	}
	after := series[i:]
	first, last := after[:len(after)/3], after[len(after)-len(after)/3:]
	for _, c := range []struct {
		name       string
		field      func(memSample) float64
		ratio, add float64
	}{
		{"heap in use (MiB)", func(s memSample) float64 { return s.heap }, 1.25, 4},
		{"VmRSS (MiB)", func(s memSample) float64 { return s.rss }, 1.15, 8},
		{"goroutines", func(s memSample) float64 { return s.gr }, 1.25, 10},
	} {
		a, b := median(first, c.field), median(last, c.field)
		t.Logf("%s: median %.1f in the first third, %.1f in the last (allowed %.1f)", c.name, a, b, a*c.ratio+c.add)
		if b > a*c.ratio+c.add {
			t.Errorf("%s grows: median %.1f in the first third, %.1f in the last", c.name, a, b)
		}
	}
}

// report logs what the run measured.
func (m *mixed) report(t *testing.T, res loadgen.PacedResult) {
	t.Helper()
	w := m.w
	lines := []string{fmt.Sprintf("asked %.0f slots/s (%.1f req/s with the rival claims); sent %d requests in %v: achieved %.1f req/s; generator lag at most %v",
		res.Rate, res.Rate*(1+claimsPerSlot/2), res.Sent, res.Elapsed.Round(time.Millisecond), res.Achieved, res.MaxLag.Round(time.Microsecond))}
	for _, l := range res.Latencies {
		lines = append(lines, l.String()+fmt.Sprintf("  (%d skipped)", l.Skipped))
	}
	lines = append(lines, fmt.Sprintf("acknowledged: %v; claims lost to their rival: %v; 5xx %d; transport errors %d; unexpected %v",
		w.acked, w.lostBy, w.fivexx, w.transport, w.unexpected))
	t.Logf("fixed-rate mixed load:\n  %s", strings.Join(lines, "\n  "))
}

// checkAnswers: no 5xx, no unexpected error, exactly one winner of every contended order,
// nothing skipped, and the generator on its schedule.
func (m *mixed) checkAnswers(t *testing.T, res loadgen.PacedResult) {
	t.Helper()
	w := m.w
	if w.fivexx > 0 || len(w.unexpected) > 0 {
		t.Errorf("%d 5xx, unexpected %v; first: %s", w.fivexx, w.unexpected, w.firstUnexpected)
	}
	for order, n := range w.attempts {
		if _, won := w.orders[order]; !won || w.lost[order] != n-1 {
			t.Errorf("order %d: %d claims, won %v, %d lost; want exactly one winner", order, n, won, w.lost[order])
		}
	}
	if w.doubleWins > 0 || w.lostBy["CONFLICT"] == 0 {
		t.Errorf("claims: %d orders won twice, %d lost with CONFLICT; want none and some", w.doubleWins, w.lostBy["CONFLICT"])
	}
	for _, l := range res.Latencies {
		if l.Skipped > 0 {
			t.Errorf("%s: %d slots skipped (nothing to send)", l.Kind, l.Skipped)
		}
	}
	if res.MaxLag > 2*time.Second {
		t.Errorf("the generator fell %v behind its schedule: the machine is too busy for the figures to mean anything", res.MaxLag)
	}
}

// checkWrites: every acknowledged write is in Postgres with the version its answer gave,
// every issue agrees with its history, and after one more ETL run the warehouse reconciles
// with Postgres and holds every acknowledged write too.
func (m *mixed) checkWrites(t *testing.T) {
	t.Helper()
	issues, orders := m.w.expected()
	idList := func(want map[string]string) string { return strings.Join(slices.Sorted(maps.Keys(want)), ",") }
	compare(t, "Postgres issues", issues, m.pgLabels(t, `SELECT id::text, upper(state) || ' v' || version FROM issues WHERE id = ANY($1::bigint[])`, issues))
	compare(t, "Postgres orders", orders, m.pgLabels(t, `SELECT id::text, upper(state) || ' v' || version || ' by ' || claimed_by
		FROM service_orders WHERE id = ANY($1::bigint[])`, orders))
	checkHistories(t, m.url, "mixed-"+m.w.run)
	m.gridgov(t, "etl", "run", "--once")
	ms, err := etl.Reconcile(context.Background(), m.pool, m.ch, m.ch.Database, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range ms {
		t.Errorf("warehouse after the load: %v", x)
	}
	db := warehouse.Quote(m.ch.Database)
	compare(t, "warehouse issues", issues, m.chLabels(t, `SELECT toString(id), concat(upper(state), ' v', toString(version))
		FROM `+db+`.fact_issue FINAL WHERE is_deleted = 0 AND id IN (`+idList(issues)+`)`))
	compare(t, "warehouse orders", orders, m.chLabels(t, `SELECT toString(id), concat(upper(state), ' v', toString(version), ' by ',
		toString(assumeNotNull(claimed_by))) FROM `+db+`.fact_service_order FINAL WHERE is_deleted = 0 AND id IN (`+idList(orders)+`)`))
	t.Logf("%d issues and %d claimed orders acknowledged: all in Postgres and, after one ETL run, in the warehouse (%d mismatches)",
		len(issues), len(orders), len(ms))
}

// expected labels every acknowledged issue and claimed order by id: "STATE vN [by MEMBER]".
func (w *workload) expected() (issues, orders map[string]string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	issues, orders = map[string]string{}, map[string]string{}
	for id, v := range w.issues {
		issues[strconv.FormatInt(id, 10)] = fmt.Sprintf("%s v%d", v.State, v.Version)
	}
	for id, v := range w.orders {
		member := int64(0)
		if v.ClaimedBy != nil {
			_, member, _ = gid.Decode(v.ClaimedBy.ID)
		}
		orders[strconv.FormatInt(id, 10)] = fmt.Sprintf("%s v%d by %d", v.State, v.Version, member)
	}
	return issues, orders
}

// pgLabels runs sql, giving (id, label) rows, over the ids of want in Postgres.
func (m *mixed) pgLabels(t *testing.T, sql string, want map[string]string) map[string]string {
	t.Helper()
	var idv []int64
	for k := range want {
		id, _ := strconv.ParseInt(k, 10, 64)
		idv = append(idv, id)
	}
	rows, _ := m.pool.Query(context.Background(), sql, idv)
	pairs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) ([]string, error) {
		p := make([]string, 2)
		return p, row.Scan(&p[0], &p[1])
	})
	return labelsOf(t, pairs, err)
}

// chLabels runs sql, giving (id, label) rows, in the warehouse.
func (m *mixed) chLabels(t *testing.T, sql string) map[string]string {
	t.Helper()
	rows, err := m.ch.Query(context.Background(), sql)
	return labelsOf(t, rows, err)
}

// labelsOf maps (id, label) rows by id.
func labelsOf(t *testing.T, rows [][]string, err error) map[string]string {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range rows {
		got[r[0]] = r[1]
	}
	return got
}

// compare reports acknowledged writes missing from, or different in, a store.
func compare(t *testing.T, where string, want, got map[string]string) {
	t.Helper()
	bad := 0
	for id, label := range want {
		if got[id] != label {
			if bad < 5 {
				t.Errorf("%s: id %s is %q, acknowledged as %q", where, id, got[id], label)
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d of %d acknowledged writes missing or different", where, bad, len(want))
	}
}

package warehouse_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"gridgov/apperr"
	"gridgov/auth"
	"gridgov/dbtest"
	"gridgov/etl"
	"gridgov/seed"
	"gridgov/store"
	"gridgov/warehouse"
	"gridgov/warehouse/whtest"
)

// seedAsOf is the demo city's as-of date in these tests: the report's date.
var seedAsOf = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)

// demo is the demo city at scale 1 in Postgres, copied into a warehouse by one ETL run.
type demo struct {
	pg   *pgxpool.Pool
	ch   *warehouse.Client
	r    *warehouse.Reader
	m    *warehouse.Metrics
	asOf time.Time
}

func newDemo(t *testing.T) demo {
	t.Helper()
	ctx := context.Background()
	d := demo{pg: dbtest.New(t), ch: whtest.New(t)}
	began := time.Now()
	if _, err := seed.Run(ctx, d.pg, seed.Options{Profile: "chaohu", Seed: 1, Scale: 1, AsOf: seedAsOf}); err != nil {
		t.Fatalf("seed: %v", err)
	}
	seeded := time.Since(began)
	deadlineActivity(t, d.pg)
	checkinOrderMoves(t, d.pg)
	if _, err := etl.New(d.pg, d.ch, etl.Options{Database: d.ch.Database}).RunOnce(ctx); err != nil {
		t.Fatalf("etl: %v", err)
	}
	t.Logf("seeded in %s, loaded the warehouse in %s", seeded.Round(time.Millisecond), (time.Since(began) - seeded).Round(time.Millisecond))
	d.m = warehouse.NewMetrics(prometheus.NewRegistry())
	d.r = warehouse.NewReader(d.ch, d.ch.Database, warehouse.ReaderOptions{Metrics: d.m, AsOf: etl.CheckpointAsOf(d.pg, warehouse.IndicatorTables)})
	var err error
	if d.asOf, err = etl.CheckpointAsOf(d.pg, warehouse.IndicatorTables)(ctx); err != nil {
		t.Fatal(err)
	}
	return d
}

// deadlineActivity gives the demo city's register the deadline steps (时限) the seed does not
// write: approved extensions (延期) of a sample of issues, open ones to two days from now; the
// scheduler's warnings (预警) and automatic escalations (超期自动上报) run now, by the store's
// own statements, with half the time allowed as the warning share and a day overdue as the
// escalation time of every other category; urging (催办) and supervision (督办) of two more
// samples, open or resolved since.
func deadlineActivity(t *testing.T, pg *pgxpool.Pool) {
	t.Helper()
	ctx := context.Background()
	exec := func(sql string) {
		t.Helper()
		if _, err := pg.Exec(ctx, sql); err != nil {
			t.Fatalf("%v\n%s", err, sql)
		}
	}
	exec(`UPDATE issue_categories SET warn_at_share = 0.5, escalate_after_hours = CASE WHEN id % 2 = 0 THEN 24 END`)
	exec(`UPDATE issues SET extension_count = 1 + id % 2, warned_at = NULL, due_at = CASE WHEN state IN ('resolved', 'closed') THEN due_at + interval '3 days'
		ELSE greatest(due_at, now()) + interval '2 days' END WHERE due_at IS NOT NULL AND id % 11 = 0`)
	st := store.New(pg)
	now := time.Now()
	warned, err := st.WarnIssues(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	escalated, err := st.EscalateOverdue(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	exec(`UPDATE issues SET urge_count = 1 + id % 3, last_urged_at = reported_at + interval '1 day' WHERE due_at IS NOT NULL AND id % 5 = 0`)
	exec(`UPDATE issues SET supervisor_id = (SELECT person_id FROM cadres WHERE kind = 'street_cadre' ORDER BY id LIMIT 1),
		supervised_at = reported_at + interval '2 days', supervision_due_at = reported_at + interval '9 days', supervision_note = '督办'
		WHERE due_at IS NOT NULL AND id % 7 = 0`)
	t.Logf("deadlines: %d issues warned, %d escalations", warned, escalated)
}

// checkinOrderMoves gives the demo city the moves of check-ins and orders the seed does not
// write, by the store's own code: pending check-ins withdrawn, and transferred (转接) to another
// community; posted orders declined; published orders given a claim due time an hour after
// publishing and flagged by the scheduler's statement. None changes a published figure.
func checkinOrderMoves(t *testing.T, pg *pgxpool.Pool) {
	t.Helper()
	ctx := context.Background()
	st := store.New(pg)
	var admin auth.Actor
	if err := pg.QueryRow(ctx, `SELECT person_id FROM cadres ORDER BY id LIMIT 1`).Scan(&admin.PersonID); err != nil {
		t.Fatal(err)
	}
	admin.Role = "city_admin"
	rows, err := pg.Query(ctx, `SELECT c.id, (SELECT min(o.id) FROM communities o WHERE o.id <> c.community_id AND o.deleted_at IS NULL)
		FROM checkins c WHERE c.state = 'pending' AND c.deleted_at IS NULL ORDER BY c.id LIMIT 12`)
	if err != nil {
		t.Fatal(err)
	}
	moves, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (m [2]int64, err error) { return m, r.Scan(&m[0], &m[1]) })
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range moves {
		if i%2 == 0 {
			_, err = st.WithdrawCheckin(ctx, auth.Scope{}, admin, m[0], "工作调动", nil)
		} else {
			_, err = st.TransferCheckin(ctx, auth.Scope{}, admin, m[0], m[1], "搬家", nil)
		}
		if err != nil {
			t.Fatalf("check-in %d: %v", m[0], err)
		}
	}
	for _, sql := range []string{
		`UPDATE service_orders SET state = 'declined', decline_reason = '不属于服务清单' WHERE state = 'posted' AND id % 4 = 0`,
		`UPDATE service_orders SET claim_due_at = published_at + interval '1 hour' WHERE state = 'published' AND id % 2 = 0`,
	} {
		if _, err := pg.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	flagged, err := st.FlagUnclaimedOrders(ctx, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("moves: %d check-ins withdrawn or transferred, %d orders flagged late", len(moves), flagged)
}

func (d demo) indicators(t *testing.T, s warehouse.Scope, p warehouse.Period) *warehouse.Indicators {
	t.Helper()
	ind, err := d.r.Indicators(context.Background(), s, p)
	if err != nil {
		t.Fatalf("indicators %s %+v: %v", s, p, err)
	}
	return ind
}

// One demo city serves every check: seeding and loading it is the slow part.
func TestIndicatorsDemoCity(t *testing.T) {
	d := newDemo(t)
	ctx := context.Background()

	city := d.indicators(t, warehouse.City, warehouse.AllTime)
	if !city.AsOf.Equal(d.asOf) || city.AsOf.IsZero() {
		t.Errorf("asOf = %s, want the ETL snapshot %s", city.AsOf, d.asOf)
	}
	if city.Scope.ID != "city" || city.Scope.Name == "" || len(city.Breakdown) == 0 {
		t.Fatalf("city scope %+v with %d streets", city.Scope, len(city.Breakdown))
	}

	// The register's deadline figures are checked against Postgres below: none may be zero in the
	// demo city, or the comparison would prove nothing.
	for k, v := range map[string]int64{"resolvedOnTime": city.Issues.ResolvedOnTime, "resolvedLate": city.Issues.ResolvedLate,
		"dueSoon": city.Issues.DueSoon, "overdue": city.Issues.Overdue, "urged": city.Issues.Urged, "supervised": city.Issues.Supervised,
		"extended": city.Issues.Extended, "autoEscalated": city.Issues.AutoEscalated,
		"with a verdict satisfied": city.Issues.VerdictsSatisfied, "with a verdict unsatisfied": city.Issues.VerdictsUnsatisfied,
		"with no response": city.Issues.VerdictsNoResponse, "with a verdict by the resident": city.Issues.VerdictsByResident,
		"with a verdict by phone": city.Issues.VerdictsByPhone, "reopened": city.Issues.Reopened} {
		if v == 0 {
			t.Errorf("the demo city has no issues %s", k)
		}
	}
	if city.Patrols.Findings == 0 {
		t.Error("the demo city has no patrol findings: comparing them with Postgres would prove nothing")
	}
	t.Logf("city, all time: %d resolved on time, %d late (rate %v), %d due soon, %d overdue, %d urged, %d supervised, %d extended, %d escalated automatically",
		city.Issues.ResolvedOnTime, city.Issues.ResolvedLate, deref(city.Issues.OnTimeRate), city.Issues.DueSoon, city.Issues.Overdue,
		city.Issues.Urged, city.Issues.Supervised, city.Issues.Extended, city.Issues.AutoEscalated)
	ci := city.Issues
	t.Logf("city, all time: verdicts %d satisfied, %d unsatisfied, %d no response; %d by the resident, %d by phone; satisfaction rate %v, average score %v; "+
		"%d resolved, %d of them reopened (rate %v), %d reopenings", ci.VerdictsSatisfied, ci.VerdictsUnsatisfied, ci.VerdictsNoResponse, ci.VerdictsByResident,
		ci.VerdictsByPhone, deref(ci.SatisfactionRate), deref(ci.AverageVerdictScore), ci.ResolvedInPeriod, ci.Reopened, deref(ci.ReopenRate), ci.Reopens)

	t.Run("every published figure", func(t *testing.T) {
		sources := map[string]warehouse.FigureSource{}
		for _, s := range warehouse.FigureSources {
			sources[s.Key] = s
		}
		if len(sources) != len(seed.Figures) {
			t.Errorf("%d figure sources for %d figures", len(sources), len(seed.Figures))
		}
		cache := map[warehouse.Period]*warehouse.Indicators{}
		for _, fig := range seed.Figures {
			src, ok := sources[fig.Key]
			if !ok {
				t.Errorf("figure %s has no indicator (warehouse.FigureSources)", fig.Key)
				continue
			}
			p := src.Period(seedAsOf)
			ind := cache[p]
			if ind == nil {
				ind = d.indicators(t, warehouse.City, p)
				cache[p] = ind
			}
			got := src.Value(ind)
			var inPG float64
			if err := d.pg.QueryRow(ctx, "SELECT ("+fig.SQL+")::float8").Scan(&inPG); err != nil {
				t.Fatalf("%s: %v", fig.Key, err)
			}
			if math.Abs(got-inPG) > 1e-6 || !fig.Accepts(got) {
				t.Errorf("%s (%s): indicator %v, Postgres %v, published [%v, %v)", fig.Key, fig.Label, got, inPG, fig.Min, fig.Max)
			}
		}
	})

	// The staffing figures are checked against Postgres below: none may be zero in the demo city.
	if city.Coverage.GridsWithLeader == 0 || city.Coverage.GridWorkerPosts == 0 || len(city.Organisation.Partners) != 3 {
		t.Errorf("the demo city's staffing: %d grids with a leader, %d grid-worker posts, partners %+v", city.Coverage.GridsWithLeader,
			city.Coverage.GridWorkerPosts, city.Organisation.Partners)
	}

	// A few scopes: the city, the first street, a community of the second street, a grid of it.
	street := city.Breakdown[0].Scope.Place
	other := city.Breakdown[1].Scope.Place
	otherInd := d.indicators(t, other, warehouse.AllTime)
	community := otherInd.Breakdown[0].Scope.Place
	commInd := d.indicators(t, community, warehouse.AllTime)
	grid := commInd.Breakdown[0].Scope.Place
	scopes := []warehouse.Scope{warehouse.City, street, community, grid}
	periods := []warehouse.Period{warehouse.AllTime, warehouse.Year(2025), warehouse.Quarter(2026, 2), warehouse.Month(2026, 3),
		warehouse.Range(time.Date(2025, 12, 20, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC))}

	t.Run("density from PostGIS", func(t *testing.T) {
		for _, s := range scopes {
			checkDensity(t, &d, s, d.indicators(t, s, warehouse.AllTime))
		}
	})

	t.Run("equal to Postgres", func(t *testing.T) {
		var met [2]int // quarters compared in which some communities met, some did not
		defer func() {
			if met[0] == 0 || met[1] == 0 {
				t.Errorf("the demo city's meeting compliance proves nothing: %v quarters with and without meetings", met)
			}
		}()
		for _, s := range scopes {
			for _, p := range periods {
				t.Run(fmt.Sprintf("%s/%s", s, periodName(p)), func(t *testing.T) {
					ind := d.indicators(t, s, p)
					want := recompute(t, d.pg, s, ind.Period, d.asOf)
					got := fromIndicators(ind)
					for k, w := range want {
						if g, ok := got[k]; !ok || !near(g, w) {
							t.Errorf("%s: warehouse %v, Postgres %v", k, g, w)
						}
					}
					m := meetingComplianceAgrees(t, d.pg, s, ind)
					met[0], met[1] = met[0]+m[0], met[1]+m[1]
				})
			}
		}
	})

	t.Run("breakdown adds up", func(t *testing.T) {
		for _, s := range scopes[:3] {
			ind := d.indicators(t, s, warehouse.Year(2026))
			sum := ind.Unassigned
			for _, b := range ind.Breakdown {
				sum = plus(sum, b.BreakdownValues)
			}
			parent := warehouse.BreakdownValues{
				Checkins: warehouse.CheckinCounts{Expected: ind.Checkins.Expected, CheckedIn: ind.Checkins.CheckedIn, Withdrawn: ind.Checkins.Withdrawn,
					Transferred: ind.Checkins.Transferred, ReverificationDue: ind.Checkins.ReverificationDue},
				Issues: warehouse.IssueCounts{Reported: ind.Issues.Reported, Resolved: ind.Issues.Resolved, Closed: ind.Issues.Closed, Overdue: ind.Issues.Overdue,
					DueSoon: ind.Issues.DueSoon, ResolvedOnTime: ind.Issues.ResolvedOnTime, ResolvedLate: ind.Issues.ResolvedLate, Urged: ind.Issues.Urged,
					Supervised: ind.Issues.Supervised, Extended: ind.Issues.Extended, AutoEscalated: ind.Issues.AutoEscalated,
					VerdictsSatisfied: ind.Issues.VerdictsSatisfied, VerdictsUnsatisfied: ind.Issues.VerdictsUnsatisfied, VerdictsNoResponse: ind.Issues.VerdictsNoResponse,
					ResolvedInPeriod: ind.Issues.ResolvedInPeriod, Reopened: ind.Issues.Reopened, Reopens: ind.Issues.Reopens},
				Orders: warehouse.OrderCounts{Posted: ind.Orders.Posted, Claimed: ind.Orders.Claimed, Completed: ind.Orders.Completed,
					Declined: ind.Orders.Declined, Released: ind.Orders.Released, Late: ind.Orders.Late},
				Volunteers: warehouse.VolunteerCounts{Registered: ind.Volunteers.Registered, Police: ind.Volunteers.Police},
				Activities: warehouse.ActivityCounts{Events: sumEvents(ind), PeopleServed: sumServed(ind)},
				Coverage:   warehouse.CoverageCounts{Grids: ind.Coverage.Grids, Buildings: ind.Coverage.Buildings},
			}
			sum.Checkins.Rate = 0
			if sum != parent {
				t.Errorf("%s: breakdown + unassigned = %+v, parent %+v", s, sum, parent)
			}
			// Each child's entry equals the child computed as a scope of its own.
			for _, b := range ind.Breakdown[:2] {
				own := d.indicators(t, b.Scope.Place, warehouse.Year(2026))
				if own.Issues.Reported != b.Issues.Reported || own.Checkins.CheckedIn != b.Checkins.CheckedIn || own.Issues.ResolvedLate != b.Issues.ResolvedLate ||
					own.Issues.DueSoon != b.Issues.DueSoon || own.Issues.AutoEscalated != b.Issues.AutoEscalated ||
					own.Issues.VerdictsUnsatisfied != b.Issues.VerdictsUnsatisfied || own.Issues.Reopens != b.Issues.Reopens ||
					own.Orders.Posted != b.Orders.Posted || own.Volunteers.Registered != b.Volunteers.Registered {
					t.Errorf("%s: breakdown entry %+v, own indicators issues %d checkins %d orders %d volunteers %d", b.Scope.Name,
						b.BreakdownValues, own.Issues.Reported, own.Checkins.CheckedIn, own.Orders.Posted, own.Volunteers.Registered)
				}
			}
		}
		if city.Unassigned != (warehouse.BreakdownValues{}) {
			t.Errorf("city: rows tied to no street: %+v", city.Unassigned)
		}
	})

	t.Run("trend adds up to the year", func(t *testing.T) {
		ind := d.indicators(t, street, warehouse.Year(2025))
		if len(ind.Trend) != 12 || ind.Trend[0].Month != "2025-01" || ind.Trend[11].Month != "2025-12" {
			t.Fatalf("trend months %v", ind.Trend)
		}
		var rep, res, comp int64
		var sum warehouse.IssueCounts
		for _, p := range ind.Trend {
			rep, res, comp = rep+p.IssuesReported, res+p.IssuesResolved, comp+p.OrdersCompleted
			sum.ResolvedOnTime += p.IssuesResolvedOnTime
			sum.ResolvedLate += p.IssuesResolvedLate
			sum.Urged += p.IssuesUrged
			sum.Supervised += p.IssuesSupervised
			sum.Extended += p.IssuesExtended
			sum.AutoEscalated += p.IssuesAutoEscalated
			sum.VerdictsSatisfied += p.VerdictsSatisfied
			sum.VerdictsUnsatisfied += p.VerdictsUnsatisfied
			sum.VerdictsNoResponse += p.VerdictsNoResponse
			sum.ResolvedInPeriod += p.IssuesResolvedInPeriod
			sum.Reopened += p.IssuesReopened
		}
		if rep != ind.Issues.Reported || res != ind.Issues.Resolved || comp != ind.Orders.Completed {
			t.Errorf("trend sums %d/%d/%d, period %d/%d/%d", rep, res, comp, ind.Issues.Reported, ind.Issues.Resolved, ind.Orders.Completed)
		}
		want := warehouse.IssueCounts{ResolvedOnTime: ind.Issues.ResolvedOnTime, ResolvedLate: ind.Issues.ResolvedLate, Urged: ind.Issues.Urged,
			Supervised: ind.Issues.Supervised, Extended: ind.Issues.Extended, AutoEscalated: ind.Issues.AutoEscalated,
			VerdictsSatisfied: ind.Issues.VerdictsSatisfied, VerdictsUnsatisfied: ind.Issues.VerdictsUnsatisfied, VerdictsNoResponse: ind.Issues.VerdictsNoResponse,
			ResolvedInPeriod: ind.Issues.ResolvedInPeriod, Reopened: ind.Issues.Reopened}
		if sum != want || sum.ResolvedOnTime == 0 || sum.Urged == 0 || sum.VerdictsSatisfied == 0 || sum.Reopened == 0 {
			t.Errorf("trend's deadline, verdict and reopen counts add up to %+v, the year's are %+v", sum, want)
		}
		// Month by month, each equals the month's own indicators.
		for _, p := range ind.Trend[:3] {
			var y, m int
			fmt.Sscanf(p.Month, "%d-%d", &y, &m)
			own := d.indicators(t, street, warehouse.Month(y, m)).Issues
			if own.ResolvedOnTime != p.IssuesResolvedOnTime || own.ResolvedLate != p.IssuesResolvedLate || own.Urged != p.IssuesUrged ||
				own.Supervised != p.IssuesSupervised || own.Extended != p.IssuesExtended || own.AutoEscalated != p.IssuesAutoEscalated ||
				own.VerdictsSatisfied != p.VerdictsSatisfied || own.VerdictsUnsatisfied != p.VerdictsUnsatisfied || own.VerdictsNoResponse != p.VerdictsNoResponse ||
				own.ResolvedInPeriod != p.IssuesResolvedInPeriod || own.Reopened != p.IssuesReopened {
				t.Errorf("trend %s: %+v, the month's own issues %+v", p.Month, p, own)
			}
		}
		month := d.indicators(t, street, warehouse.Month(2026, 3))
		if len(month.Trend) != 12 || month.Trend[11].Month != "2026-03" {
			t.Errorf("a month's trend is the twelve months ending with it, got %d ending %s", len(month.Trend), month.Trend[len(month.Trend)-1].Month)
		}
	})

	t.Run("a street never sees another street", func(t *testing.T) {
		a := d.indicators(t, street, warehouse.AllTime)
		// Every row of the street, and none of another: the street's values are the city's
		// breakdown entry, which Postgres confirms above; here the place refs.
		for _, b := range a.Breakdown {
			ref, err := d.r.Resolve(ctx, b.Scope.Place)
			if err != nil {
				t.Fatal(err)
			}
			if ref.StreetID != street.ID {
				t.Errorf("community %s of street %d listed under street %d", b.Scope.Name, ref.StreetID, street.ID)
			}
		}
		if d.indicators(t, other, warehouse.AllTime).Issues.Reported+a.Issues.Reported > city.Issues.Reported {
			t.Error("two streets report more issues than the city")
		}
		ref, err := d.r.Resolve(ctx, community) // a community of the other street
		if err != nil {
			t.Fatal(err)
		}
		if ref.Within(street.ID, 0, 0) {
			t.Errorf("a leader of street %d may see community %d of street %d", street.ID, community.ID, other.ID)
		}
		if !ref.Within(other.ID, 0, 0) || !ref.Within(0, 0, 0) || ref.Within(0, community.ID+100000, 0) {
			t.Error("Within: wrong for the community's own street, the city, or another community")
		}
		gref, _ := d.r.Resolve(ctx, grid)
		if !gref.Within(0, community.ID, 0) || !gref.Within(other.ID, 0, 0) || gref.Within(street.ID, 0, 0) {
			t.Errorf("Within for grid %+v", gref)
		}
		if _, err := d.r.IndicatorsFor(ctx, auth.Scope{StreetID: street.ID}, community, warehouse.AllTime); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("street %d's leader asking for community %d of street %d: %v, want FORBIDDEN", street.ID, community.ID, other.ID, err)
		}
		if _, err := d.r.IndicatorsFor(ctx, auth.Scope{StreetID: street.ID}, warehouse.City, warehouse.AllTime); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("a street leader asking for the city: %v, want FORBIDDEN", err)
		}
		if ind, err := d.r.IndicatorsFor(ctx, auth.Scope{StreetID: other.ID}, community, warehouse.AllTime); err != nil || ind.Issues.Reported != commInd.Issues.Reported {
			t.Errorf("street %d's leader asking for its community: %v", other.ID, err)
		}
		cityRef, _ := d.r.Resolve(ctx, warehouse.City)
		if cityRef.Within(street.ID, 0, 0) {
			t.Error("a street leader may see the whole city")
		}
	})

	t.Run("unknown place and bad period", func(t *testing.T) {
		_, err := d.r.Indicators(ctx, warehouse.Scope{Level: warehouse.LevelStreet, ID: 999999}, warehouse.AllTime)
		if apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("unknown street: %v", err)
		}
		for _, allowed := range []auth.Scope{{}, {StreetID: 1}} { // a city-wide token, a street's
			_, err = d.r.IndicatorsFor(ctx, allowed, warehouse.Scope{Level: warehouse.LevelStreet, ID: 999999}, warehouse.AllTime)
			if apperr.CodeOf(err) != apperr.NotFound {
				t.Errorf("unknown street for a token scoped %+v: %v", allowed, err)
			}
		}
		_, err = d.r.Indicators(ctx, warehouse.City, warehouse.Month(2026, 13))
		if apperr.CodeOf(err) != apperr.BadUserInput {
			t.Errorf("month 13: %v", err)
		}
	})

	t.Run("dictionary examples", func(t *testing.T) {
		for i, ex := range warehouse.Examples {
			rows, err := d.ch.Query(ctx, whtest.QualifyTables(ex.SQL, d.ch.Database))
			if err != nil || len(rows) == 0 {
				t.Errorf("example %d (%s): %d rows, %v", i+1, ex.Title, len(rows), err)
				continue
			}
			checkMetricExample(t, ex.Title, rows, city)
			if i == 0 {
				var sum int64
				for _, r := range rows {
					var n int64
					fmt.Sscan(r[2], &n)
					sum += n
				}
				if sum != city.Checkins.CheckedIn || len(rows) != len(city.Breakdown) {
					t.Errorf("example 1: %d streets checked in %d, indicators %d streets %d", len(rows), sum, len(city.Breakdown), city.Checkins.CheckedIn)
				}
			}
		}
	})

	// What a statistician can join to one person describes at least MinGroupSize people: the
	// count runs in ClickHouse, on the warehouse as loaded, over the quasi-identifiers the DDL's
	// classification names (warehouse.PersonTables).
	t.Run("no combination of quasi-identifiers singles a person out", func(t *testing.T) {
		q, err := warehouse.GroupSizeQuery(d.ch.Database)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := d.ch.Query(ctx, q)
		if err != nil || len(rows) != 1 {
			t.Fatalf("%v %v", rows, err)
		}
		var smallest, people, groups, small int64
		fmt.Sscan(strings.Join(rows[0], " "), &smallest, &people, &groups, &small)
		t.Logf("%d people in %d groups of quasi-identifiers; the smallest has %d", people, groups, smallest)
		if people < 100_000 || smallest < warehouse.MinGroupSize || small != 0 {
			t.Errorf("%d people in %d groups: %d groups smaller than %d, the smallest %d", people, groups, small, warehouse.MinGroupSize, smallest)
		}
	})

	t.Run("metrics", func(t *testing.T) {
		if testutil.ToFloat64(d.m.Up) != 1 {
			t.Error("gridgov_warehouse_up is not 1")
		}
		// The summaries' state, the batches of parts, the overdue issues, and Resolve's scope.
		if n := testutil.CollectAndCount(d.m.QueryDuration); n < 5 {
			t.Errorf("durations of %d queries observed, want every query named", n)
		}
	})
}

// Indicators fail with WAREHOUSE_UNAVAILABLE when ClickHouse does not answer, and the
// availability gauge says so.
func TestIndicatorsWarehouseDown(t *testing.T) {
	conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{"127.0.0.1:1"}, DialTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	m := warehouse.NewMetrics(prometheus.NewRegistry())
	m.Up.Set(1)
	r := warehouse.NewReader(&warehouse.Client{Conn: conn, Database: "gridgov"}, "gridgov", warehouse.ReaderOptions{
		Metrics: m, AsOf: func(context.Context) (time.Time, error) { return time.Now(), nil }})
	_, err = r.Indicators(context.Background(), warehouse.City, warehouse.Year(2026))
	if apperr.CodeOf(err) != apperr.WarehouseUnavailable {
		t.Fatalf("got %v, want WAREHOUSE_UNAVAILABLE", err)
	}
	if testutil.ToFloat64(m.Up) != 0 {
		t.Error("gridgov_warehouse_up stays 1 while ClickHouse is down")
	}
}

func TestScopeAndPeriod(t *testing.T) {
	for _, s := range []warehouse.Scope{warehouse.City, {Level: warehouse.LevelStreet, ID: 3}, {Level: warehouse.LevelCommunity, ID: 4}, {Level: warehouse.LevelGrid, ID: 5}} {
		got, err := warehouse.ParseScope(s.GlobalID())
		if err != nil || got != s {
			t.Errorf("ParseScope(%s) = %v, %v; want %v", s.GlobalID(), got, err, s)
		}
	}
	for _, bad := range []string{"", "town", "VW5pdDox"} { // VW5pdDox is Unit:1
		if _, err := warehouse.ParseScope(bad); apperr.CodeOf(err) != apperr.BadUserInput {
			t.Errorf("ParseScope(%q): %v", bad, err)
		}
	}
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	for _, c := range []struct {
		p        warehouse.Period
		from, to string
	}{
		{warehouse.Month(2024, 2), "2024-02-01", "2024-02-29"},
		{warehouse.Quarter(2026, 4), "2026-10-01", "2026-12-31"},
		{warehouse.Year(2025), "2025-01-01", "2025-12-31"},
		{warehouse.Range(day("2026-03-05"), day("2026-03-05")), "2026-03-05", "2026-03-05"},
	} {
		s, err := c.p.Bounds()
		if err != nil || s.From.Format(time.DateOnly) != c.from || s.To.Format(time.DateOnly) != c.to {
			t.Errorf("%+v: %v–%v %v", c.p, s.From, s.To, err)
		}
	}
	for _, bad := range []warehouse.Period{warehouse.Month(2026, 0), warehouse.Quarter(2026, 5), warehouse.Year(1999),
		warehouse.Range(day("2026-03-05"), day("2026-03-04")), {Kind: "WEEK", Year: 2026}} {
		if _, err := bad.Bounds(); apperr.CodeOf(err) != apperr.BadUserInput {
			t.Errorf("%+v: %v", bad, err)
		}
	}
}

func TestBind(t *testing.T) {
	got, err := warehouse.Bind("SELECT ?, '?', ?, ?, ?, ?, 7 IN ?", int64(3), "it's", warehouse.Day{Time: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)},
		time.Unix(100, 0), uint64(7), []uint64{1, 2})
	want := `SELECT 3, '?', 'it\'s', toDate('2026-01-02'), toDateTime(100), 7, 7 IN (1, 2)`
	if err != nil || got != want {
		t.Errorf("Bind = %s, %v\nwant %s", got, err, want)
	}
	if _, err := warehouse.Bind("SELECT ?, ?", 1); err == nil {
		t.Error("too few arguments accepted")
	}
	if _, err := warehouse.Bind("SELECT ?", 1.5); err == nil {
		t.Error("a float accepted")
	}
}

func periodName(p warehouse.Period) string {
	s, _ := p.Bounds()
	return s.From.Format("20060102") + "-" + s.To.Format("20060102")
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-6*math.Max(1, math.Abs(b)) }

func plus(a, b warehouse.BreakdownValues) warehouse.BreakdownValues {
	a.Checkins.Expected += b.Checkins.Expected
	a.Checkins.CheckedIn += b.Checkins.CheckedIn
	a.Checkins.Withdrawn += b.Checkins.Withdrawn
	a.Checkins.Transferred += b.Checkins.Transferred
	a.Checkins.ReverificationDue += b.Checkins.ReverificationDue
	a.Issues.Reported += b.Issues.Reported
	a.Issues.Resolved += b.Issues.Resolved
	a.Issues.Closed += b.Issues.Closed
	a.Issues.Overdue += b.Issues.Overdue
	a.Issues.DueSoon += b.Issues.DueSoon
	a.Issues.ResolvedOnTime += b.Issues.ResolvedOnTime
	a.Issues.ResolvedLate += b.Issues.ResolvedLate
	a.Issues.Urged += b.Issues.Urged
	a.Issues.Supervised += b.Issues.Supervised
	a.Issues.Extended += b.Issues.Extended
	a.Issues.AutoEscalated += b.Issues.AutoEscalated
	a.Issues.VerdictsSatisfied += b.Issues.VerdictsSatisfied
	a.Issues.VerdictsUnsatisfied += b.Issues.VerdictsUnsatisfied
	a.Issues.VerdictsNoResponse += b.Issues.VerdictsNoResponse
	a.Issues.ResolvedInPeriod += b.Issues.ResolvedInPeriod
	a.Issues.Reopened += b.Issues.Reopened
	a.Issues.Reopens += b.Issues.Reopens
	a.Orders.Posted += b.Orders.Posted
	a.Orders.Claimed += b.Orders.Claimed
	a.Orders.Completed += b.Orders.Completed
	a.Orders.Declined += b.Orders.Declined
	a.Orders.Released += b.Orders.Released
	a.Orders.Late += b.Orders.Late
	a.Volunteers.Registered += b.Volunteers.Registered
	a.Volunteers.Police += b.Volunteers.Police
	a.Activities.Events += b.Activities.Events
	a.Activities.PeopleServed += b.Activities.PeopleServed
	a.Coverage.Grids += b.Coverage.Grids
	a.Coverage.Buildings += b.Coverage.Buildings
	return a
}

func sumEvents(ind *warehouse.Indicators) (n int64) {
	for _, a := range ind.Activities {
		n += a.Events
	}
	return n
}

func sumServed(ind *warehouse.Indicators) (n int64) {
	for _, a := range ind.Activities {
		n += a.PeopleServed
	}
	return n
}

// meetingComplianceAgrees checks every quarter of the warehouse's meeting compliance against the
// query the API answers from Postgres (store.MeetingCompliance) over the same scope, and counts
// the quarters compared in which communities met and in which some did not.
func meetingComplianceAgrees(t *testing.T, pg *pgxpool.Pool, s warehouse.Scope, ind *warehouse.Indicators) (met [2]int) {
	t.Helper()
	sc := auth.Scope{}
	switch s.Level {
	case warehouse.LevelGrid:
		return met // communities are kept per community
	case warehouse.LevelStreet:
		sc.StreetID = s.ID
	case warehouse.LevelCommunity:
		sc.CommunityID = s.ID
	}
	if len(ind.JointMeetings.Quarters) == 0 {
		t.Errorf("no quarter in the compliance of %s over %v", s, ind.Period)
	}
	for _, q := range ind.JointMeetings.Quarters {
		var year, quarter int
		if _, err := fmt.Sscanf(q.Quarter, "%d-Q%d", &year, &quarter); err != nil {
			t.Fatalf("quarter %q: %v", q.Quarter, err)
		}
		want, err := store.New(pg).MeetingCompliance(context.Background(), sc, year, quarter, store.PlaceFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if q.Communities != int64(want.Communities) || q.CommunitiesMet != int64(want.CompliantCommunities) || deref(q.Share) != deref(want.Share) {
			t.Errorf("%s %s: warehouse %d of %d met (%v), Postgres %d of %d (%v)", s, q.Quarter, q.CommunitiesMet, q.Communities, deref(q.Share),
				want.CompliantCommunities, want.Communities, deref(want.Share))
		}
		if q.CommunitiesMet > 0 {
			met[0]++
		}
		if q.CommunitiesMet < q.Communities {
			met[1]++
		}
	}
	return met
}

// partnerCount sums the current partners of every kind.
func partnerCount(ind *warehouse.Indicators) int64 {
	var n int64
	for _, p := range ind.Organisation.Partners {
		n += p.Partners
	}
	return n
}

// fromIndicators flattens the values recompute checks.
func fromIndicators(ind *warehouse.Indicators) map[string]float64 {
	m := map[string]float64{
		"checkins.expected": f64(ind.Checkins.Expected), "checkins.checkedIn": f64(ind.Checkins.CheckedIn),
		"checkins.withdrawn": f64(ind.Checkins.Withdrawn), "checkins.transferred": f64(ind.Checkins.Transferred),
		"checkins.reverificationDue": f64(ind.Checkins.ReverificationDue),
		"orders.declined":            f64(ind.Orders.Declined), "orders.released": f64(ind.Orders.Released), "orders.late": f64(ind.Orders.Late),
		"issues.reported": f64(ind.Issues.Reported), "issues.resolved": f64(ind.Issues.Resolved), "issues.closed": f64(ind.Issues.Closed),
		"issues.overdue": f64(ind.Issues.Overdue), "issues.disputesMediated": f64(ind.Issues.DisputesMediated),
		"orders.posted": f64(ind.Orders.Posted), "orders.claimed": f64(ind.Orders.Claimed), "orders.completed": f64(ind.Orders.Completed),
		"volunteers.registered": f64(ind.Volunteers.Registered), "volunteers.police": f64(ind.Volunteers.Police),
		"coverage.grids": f64(ind.Coverage.Grids), "coverage.gridsWithCadre": f64(ind.Coverage.GridsWithCadre),
		"coverage.gridsWithInstructor": f64(ind.Coverage.GridsWithInstructor), "coverage.buildings": f64(ind.Coverage.Buildings),
		"coverage.buildingsWithLeader": f64(ind.Coverage.BuildingsWithLeader),
		"coverage.gridsWithLeader":     f64(ind.Coverage.GridsWithLeader), "coverage.gridWorkerPosts": f64(ind.Coverage.GridWorkerPosts),
		"organisation.partners": f64(partnerCount(ind)),
		"activities.events":     f64(sumEvents(ind)), "activities.peopleServed": f64(sumServed(ind)),
		"meetings.mattersDiscussed": f64(ind.JointMeetings.MattersDiscussed),
		"issues.dueSoon":            f64(ind.Issues.DueSoon), "issues.resolvedOnTime": f64(ind.Issues.ResolvedOnTime),
		"issues.resolvedLate": f64(ind.Issues.ResolvedLate), "issues.urged": f64(ind.Issues.Urged), "issues.supervised": f64(ind.Issues.Supervised),
		"issues.extended": f64(ind.Issues.Extended), "issues.autoEscalated": f64(ind.Issues.AutoEscalated),
		"issues.verdictsSatisfied": f64(ind.Issues.VerdictsSatisfied), "issues.verdictsUnsatisfied": f64(ind.Issues.VerdictsUnsatisfied),
		"issues.verdictsNoResponse": f64(ind.Issues.VerdictsNoResponse), "issues.verdictsByResident": f64(ind.Issues.VerdictsByResident),
		"issues.verdictsByPhone": f64(ind.Issues.VerdictsByPhone), "issues.resolvedInPeriod": f64(ind.Issues.ResolvedInPeriod),
		"issues.reopened": f64(ind.Issues.Reopened), "issues.reopens": f64(ind.Issues.Reopens),
		"patrols.patrols": f64(ind.Patrols.Patrols), "patrols.findings": f64(ind.Patrols.Findings),
		"patrols.findingsRaised": f64(ind.Patrols.FindingsRaised), "police.duties": f64(ind.PoliceDuties.Duties),
		"police.hours": ind.PoliceDuties.Hours,
	}
	var pt int64
	for _, a := range ind.Activities {
		pt += a.PersonTimes
	}
	m["activities.personTimes"] = f64(pt)
	opt := func(k string, v *float64) {
		if v == nil {
			m[k] = -1
		} else {
			m[k] = *v
		}
	}
	opt("issues.onTimeRate", ind.Issues.OnTimeRate)
	opt("issues.satisfactionRate", ind.Issues.SatisfactionRate)
	opt("issues.averageVerdictScore", ind.Issues.AverageVerdictScore)
	opt("issues.reopenRate", ind.Issues.ReopenRate)
	opt("issues.medianHoursToClose", ind.Issues.MedianHoursToClose)
	opt("issues.p90HoursToClose", ind.Issues.P90HoursToClose)
	opt("orders.medianHoursToClaim", ind.Orders.MedianHoursToClaim)
	opt("orders.averageRating", ind.Orders.AverageRating)
	var hours float64
	for _, q := range ind.Orders.ServiceHours {
		hours += q.Hours
	}
	m["orders.serviceHours"] = hours
	if ind.Orders.Ratings != nil {
		m["ratings.good"] = f64(ind.Orders.Ratings.Good)
		m["ratings.poor"] = f64(ind.Orders.Ratings.Poor)
	}
	return m
}

func f64(n int64) float64 { return float64(n) }

func deref(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}

// recompute computes the same indicators directly in Postgres, written independently of the
// warehouse queries: local days in Asia/Shanghai, percentiles with percentile_disc.
func recompute(t *testing.T, pg *pgxpool.Pool, s warehouse.Scope, p warehouse.Span, asOf time.Time) map[string]float64 {
	t.Helper()
	scope := func(table string) string {
		col := map[warehouse.Level]string{warehouse.LevelStreet: "street_id", warehouse.LevelCommunity: "community_id", warehouse.LevelGrid: "grid_id"}[s.Level]
		if table == "grids" && s.Level == warehouse.LevelGrid {
			col = "id"
		}
		if col == "" {
			return "true"
		}
		return fmt.Sprintf("%s.%s = %d", table, col, s.ID)
	}
	days := func(col string) string {
		return fmt.Sprintf("(%s AT TIME ZONE 'Asia/Shanghai')::date BETWEEN '%s' AND '%s'", col, p.From.Format(time.DateOnly), p.To.Format(time.DateOnly))
	}
	// The verdicts (满意度回访) are the history's verdict events of live issues, by the day given:
	// their value and score read from the event's note, their channel from whether the reporter
	// gave them. Reopenings (重办) are the issue's reopen_count (its unsatisfied verdicts) and its
	// reopen events, of the issues resolved in the period by their latest resolution.
	verdicts := func(agg, cond string) string {
		return "SELECT " + agg + " FROM issue_events e JOIN issues i ON i.id = e.issue_id AND i.deleted_at IS NULL WHERE e.deleted_at IS NULL AND " +
			"e.action = 'verdict' AND " + cond + " AND " + scope("e") + " AND " + days("e.at")
	}
	reopens := "(reopen_count + (SELECT count(*) FROM issue_events e WHERE e.issue_id = issues.id AND e.action = 'reopen' AND e.deleted_at IS NULL))"
	resolved := func(agg string) string {
		return "SELECT " + agg + " FROM issues WHERE deleted_at IS NULL AND state IN ('resolved', 'closed') AND " + scope("issues") + " AND " + days("resolved_at")
	}
	// Patrols and their findings by the local day of the patrol; police duties (activities of the
	// two police kinds) by the day they started, with their participants' hours.
	findings := "SELECT count(*) FROM patrol_findings f JOIN patrols p ON p.id = f.patrol_id AND p.deleted_at IS NULL WHERE f.deleted_at IS NULL AND " +
		scope("p") + " AND " + days("p.patrolled_at")
	police := "a.deleted_at IS NULL AND a.kind IN ('police_patrol', 'police_traffic') AND " + scope("a") + " AND " + days("a.starts_at")
	queries := map[string]string{
		"patrols.patrols":        "SELECT count(*) FROM patrols p WHERE p.deleted_at IS NULL AND " + scope("p") + " AND " + days("p.patrolled_at"),
		"patrols.findings":       findings,
		"patrols.findingsRaised": findings + " AND f.issue_id IS NOT NULL",
		"police.duties":          "SELECT count(*) FROM activities a WHERE " + police,
		"police.hours": "SELECT coalesce(sum(ap.hours), 0) FROM activity_participants ap JOIN activities a ON a.id = ap.activity_id " +
			"WHERE ap.deleted_at IS NULL AND " + police,
		"issues.verdictsSatisfied":   verdicts("count(*)", "e.note LIKE '满意%'"),
		"issues.verdictsUnsatisfied": verdicts("count(*)", "e.note LIKE '不满意%'"),
		"issues.verdictsNoResponse":  verdicts("count(*)", "e.actor_role = 'system'"),
		"issues.verdictsByResident":  verdicts("count(*)", "e.actor_id = i.reporter_id"),
		"issues.verdictsByPhone":     verdicts("count(*)", "e.actor_id <> i.reporter_id"),
		"issues.satisfactionRate":    verdicts("coalesce(avg((e.note LIKE '满意%')::int), -1)", "e.actor_role <> 'system'"),
		"issues.averageVerdictScore": verdicts("coalesce(avg(substring(e.note FROM '(\\d)分')::int), -1)", "e.actor_role <> 'system'"),
		"issues.resolvedInPeriod":    resolved("count(*)"),
		"issues.reopened":            resolved("count(*) FILTER (WHERE " + reopens + " > 0)"),
		"issues.reopens":             resolved("coalesce(sum(" + reopens + "), 0)"),
		"issues.reopenRate":          resolved("coalesce(avg((" + reopens + " > 0)::int), -1)"),
		"checkins.expected":          "SELECT count(*) FROM party_members WHERE deleted_at IS NULL AND " + scope("party_members"),
		"checkins.checkedIn":         "SELECT count(*) FROM checkins WHERE deleted_at IS NULL AND state = 'verified' AND " + scope("checkins"),
		"checkins.withdrawn":         "SELECT count(*) FROM checkins WHERE deleted_at IS NULL AND state = 'withdrawn' AND " + scope("checkins"),
		"checkins.transferred":       "SELECT count(*) FROM checkins WHERE deleted_at IS NULL AND state = 'transferred' AND " + scope("checkins"),
		"checkins.reverificationDue": "SELECT count(*) FROM checkins WHERE deleted_at IS NULL AND state = 'verified' AND greatest(extract(year FROM decided_at AT TIME ZONE 'Asia/Shanghai'), " +
			"coalesce(reverified_year, 0)) < extract(year FROM now() AT TIME ZONE 'Asia/Shanghai') AND " + scope("checkins"),
		"orders.declined": "SELECT count(*) FROM service_orders WHERE deleted_at IS NULL AND state = 'declined' AND " + scope("service_orders") + " AND " + days("posted_at"),
		"orders.released": "SELECT count(*) FROM service_orders WHERE deleted_at IS NULL AND EXISTS (SELECT 1 FROM order_events e WHERE e.order_id = service_orders.id " +
			"AND e.action = 'release') AND " + scope("service_orders") + " AND " + days("posted_at"),
		"orders.late": "SELECT count(*) FROM service_orders WHERE deleted_at IS NULL AND (unclaimed_flagged_at IS NOT NULL OR unfinished_flagged_at IS NOT NULL) AND " +
			scope("service_orders") + " AND " + days("posted_at"),
		"issues.reported": "SELECT count(*) FROM issues WHERE deleted_at IS NULL AND " + scope("issues") + " AND " + days("reported_at"),
		"issues.resolved": "SELECT count(*) FROM issues WHERE deleted_at IS NULL AND state IN ('resolved', 'closed') AND " + scope("issues") + " AND " + days("reported_at"),
		"issues.closed":   "SELECT count(*) FROM issues WHERE deleted_at IS NULL AND state = 'closed' AND " + scope("issues") + " AND " + days("reported_at"),
		"issues.overdue": "SELECT count(*) FROM issues WHERE deleted_at IS NULL AND state NOT IN ('resolved', 'closed') AND due_at < $1 AND " +
			scope("issues") + " AND " + days("reported_at"),
		"issues.disputesMediated": "SELECT count(*) FROM issues WHERE deleted_at IS NULL AND is_dispute AND dispute_outcome = 'mediated' AND " +
			scope("issues") + " AND " + days("reported_at"),
		// The register's deadlines: due soon is warned, open and not yet due at asOf; on time and
		// late are by the day resolved, of the issues resolved (or closed) with a due time.
		"issues.dueSoon": "SELECT count(*) FROM issues WHERE deleted_at IS NULL AND state NOT IN ('resolved', 'closed') AND warned_at IS NOT NULL AND due_at >= $1 AND " +
			scope("issues") + " AND " + days("reported_at"),
		"issues.resolvedOnTime": "SELECT count(*) FROM issues WHERE deleted_at IS NULL AND state IN ('resolved', 'closed') AND resolved_at <= due_at AND " +
			scope("issues") + " AND " + days("resolved_at"),
		"issues.resolvedLate": "SELECT count(*) FROM issues WHERE deleted_at IS NULL AND state IN ('resolved', 'closed') AND resolved_at > due_at AND " +
			scope("issues") + " AND " + days("resolved_at"),
		"issues.onTimeRate": "SELECT coalesce(avg((resolved_at <= due_at)::int), -1) FROM issues WHERE deleted_at IS NULL AND state IN ('resolved', 'closed') AND due_at IS NOT NULL AND " +
			scope("issues") + " AND " + days("resolved_at"),
		"issues.urged":      "SELECT count(*) FROM issues WHERE deleted_at IS NULL AND urge_count > 0 AND " + scope("issues") + " AND " + days("reported_at"),
		"issues.supervised": "SELECT count(*) FROM issues WHERE deleted_at IS NULL AND supervisor_id IS NOT NULL AND " + scope("issues") + " AND " + days("reported_at"),
		"issues.extended":   "SELECT count(*) FROM issues WHERE deleted_at IS NULL AND extension_count > 0 AND " + scope("issues") + " AND " + days("reported_at"),
		"issues.autoEscalated": "SELECT count(*) FROM issues WHERE deleted_at IS NULL AND EXISTS (SELECT 1 FROM issue_events e WHERE e.issue_id = issues.id " +
			"AND e.action = 'escalate' AND e.actor_role = 'system' AND e.deleted_at IS NULL) AND " + scope("issues") + " AND " + days("reported_at"),
		"issues.medianHoursToClose": "SELECT coalesce(percentile_disc(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM closed_at - reported_at) / 3600), -1) FROM issues WHERE deleted_at IS NULL AND state = 'closed' AND closed_at IS NOT NULL AND " +
			scope("issues") + " AND " + days("reported_at"),
		"issues.p90HoursToClose": "SELECT coalesce(percentile_disc(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM closed_at - reported_at) / 3600), -1) FROM issues WHERE deleted_at IS NULL AND state = 'closed' AND closed_at IS NOT NULL AND " +
			scope("issues") + " AND " + days("reported_at"),
		"orders.posted":    "SELECT count(*) FROM service_orders WHERE deleted_at IS NULL AND " + scope("service_orders") + " AND " + days("posted_at"),
		"orders.claimed":   "SELECT count(*) FROM service_orders WHERE deleted_at IS NULL AND claimed_at IS NOT NULL AND " + scope("service_orders") + " AND " + days("posted_at"),
		"orders.completed": "SELECT count(*) FROM service_orders WHERE deleted_at IS NULL AND state IN ('completed', 'rated') AND " + scope("service_orders") + " AND " + days("posted_at"),
		"orders.averageRating": "SELECT coalesce(avg(rating), -1) FROM service_orders WHERE deleted_at IS NULL AND " + scope("service_orders") + " AND " +
			days("posted_at"),
		"orders.medianHoursToClaim": "SELECT coalesce(percentile_disc(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM claimed_at - posted_at) / 3600), -1) FROM service_orders WHERE deleted_at IS NULL AND claimed_at IS NOT NULL AND " +
			scope("service_orders") + " AND " + days("posted_at"),
		"orders.serviceHours": "SELECT coalesce(sum(hours), 0) FROM service_records WHERE deleted_at IS NULL AND " + scope("service_records") +
			fmt.Sprintf(" AND served_on BETWEEN '%s' AND '%s'", p.From.Format(time.DateOnly), p.To.Format(time.DateOnly)),
		"volunteers.registered": "SELECT count(*) FROM volunteers WHERE deleted_at IS NULL AND " + scope("volunteers"),
		"volunteers.police": "SELECT count(*) FROM volunteers v JOIN volunteer_teams t ON t.id = v.team_id AND t.deleted_at IS NULL AND t.is_volunteer_police WHERE v.deleted_at IS NULL AND " +
			scope("v"),
		"coverage.grids": "SELECT count(*) FROM grids WHERE deleted_at IS NULL AND " + scope("grids"),
		"coverage.gridsWithCadre": "SELECT count(*) FROM grids WHERE deleted_at IS NULL AND " + scope("grids") +
			" AND EXISTS (SELECT 1 FROM grid_assignments a WHERE a.grid_id = grids.id AND a.role = 'liaison' AND a.ended_on IS NULL AND a.deleted_at IS NULL)",
		"coverage.gridsWithInstructor": "SELECT count(*) FROM grids WHERE deleted_at IS NULL AND " + scope("grids") +
			" AND EXISTS (SELECT 1 FROM grid_assignments a WHERE a.grid_id = grids.id AND a.role = 'instructor' AND a.ended_on IS NULL AND a.deleted_at IS NULL)",
		"coverage.gridsWithLeader": "SELECT count(*) FROM grids WHERE deleted_at IS NULL AND " + scope("grids") +
			" AND EXISTS (SELECT 1 FROM grid_assignments a WHERE a.grid_id = grids.id AND a.role = 'grid_leader' AND a.ended_on IS NULL AND a.deleted_at IS NULL)",
		"coverage.gridWorkerPosts": "SELECT count(*) FROM grid_assignments WHERE role = 'grid_worker' AND ended_on IS NULL AND deleted_at IS NULL AND " +
			scope("grid_assignments"),
		"coverage.buildings": "SELECT count(*) FROM buildings WHERE deleted_at IS NULL AND " + scope("buildings"),
		"coverage.buildingsWithLeader": "SELECT count(*) FROM buildings WHERE deleted_at IS NULL AND " + scope("buildings") +
			" AND EXISTS (SELECT 1 FROM building_appointments a WHERE a.building_id = buildings.id AND a.role = 'building_leader' AND a.ended_on IS NULL AND a.deleted_at IS NULL)",
		"activities.events":       "SELECT count(*) FROM activities WHERE deleted_at IS NULL AND " + scope("activities") + " AND " + days("starts_at"),
		"activities.peopleServed": "SELECT coalesce(sum(people_served), 0) FROM activities WHERE deleted_at IS NULL AND " + scope("activities") + " AND " + days("starts_at"),
		"activities.personTimes": "SELECT count(*) FROM activity_participants p JOIN activities activities ON activities.id = p.activity_id WHERE p.deleted_at IS NULL AND activities.deleted_at IS NULL AND " +
			scope("activities") + " AND " + days("activities.starts_at"),
	}
	if s.Level != warehouse.LevelGrid {
		queries["meetings.mattersDiscussed"] = "SELECT count(*) FROM meeting_matters mm JOIN joint_meetings jm ON jm.id = mm.meeting_id WHERE mm.deleted_at IS NULL AND jm.deleted_at IS NULL AND mm.kind = 'major_matter' AND " +
			scope("jm") + fmt.Sprintf(" AND jm.held_on BETWEEN '%s' AND '%s'", p.From.Format(time.DateOnly), p.To.Format(time.DateOnly))
		years := fmt.Sprintf(" AND year BETWEEN %d AND %d", p.From.Year(), p.To.Year())
		queries["organisation.partners"] = "SELECT count(*) FROM partners WHERE deleted_at IS NULL AND ended_on IS NULL AND " + scope("partners")
		queries["ratings.good"] = "SELECT count(*) FROM year_ratings WHERE deleted_at IS NULL AND grade = 'good' AND " + scope("year_ratings") + years
		queries["ratings.poor"] = "SELECT count(*) FROM year_ratings WHERE deleted_at IS NULL AND grade = 'poor' AND " + scope("year_ratings") + years
	}
	out := map[string]float64{}
	for k, q := range queries {
		var args []any
		if strings.Contains(q, "$1") {
			args = append(args, asOf)
		}
		var v float64
		if err := pg.QueryRow(context.Background(), "SELECT ("+q+")::float8", args...).Scan(&v); err != nil {
			t.Fatalf("%s: %v\n%s", k, err, q)
		}
		out[k] = v
	}
	return out
}

// checkMetricExample compares the worked examples of the metric views with the indicators of
// the city over all time: the same definition, the same figures.
func checkMetricExample(t *testing.T, title string, rows [][]string, city *warehouse.Indicators) {
	t.Helper()
	col := func(i int) (sum int64) {
		for _, r := range rows {
			var n int64
			fmt.Sscan(r[i], &n)
			sum += n
		}
		return sum
	}
	switch title {
	case "Check-in rate from its metric view":
		if col(1) != city.Checkins.Expected || col(2) != city.Checkins.CheckedIn || len(rows) != len(city.Breakdown) {
			t.Errorf("%s: %d streets, %d expected, %d checked in; indicators %d, %d, %d", title, len(rows), col(1), col(2),
				len(city.Breakdown), city.Checkins.Expected, city.Checkins.CheckedIn)
		}
	case "On-time closure rate month by month":
		if col(1) != city.Issues.ResolvedOnTime || col(2) != city.Issues.ResolvedLate || col(1) == 0 {
			t.Errorf("%s: %d on time, %d late; indicators %d, %d", title, col(1), col(2), city.Issues.ResolvedOnTime, city.Issues.ResolvedLate)
		}
	case "Resolved totals by category group":
		if col(1) != city.Issues.Reported || col(2) != city.Issues.Resolved || len(rows) != len(city.Issues.ByGroup) {
			t.Errorf("%s: %d groups, %d reported, %d resolved; indicators %d, %d, %d", title, len(rows), col(1), col(2),
				len(city.Issues.ByGroup), city.Issues.Reported, city.Issues.Resolved)
		}
	case "Volunteers by team type":
		got := map[string][2]int64{}
		for _, r := range rows {
			var v, p int64
			fmt.Sscan(r[1], &v)
			fmt.Sscan(r[2], &p)
			got[r[0]] = [2]int64{v, p}
		}
		for _, tt := range city.Volunteers.Teams {
			if got[tt.TeamType] != [2]int64{tt.Volunteers, tt.Police} {
				t.Errorf("%s: %s %v; indicators %d volunteers, %d police", title, tt.TeamType, got[tt.TeamType], tt.Volunteers, tt.Police)
			}
		}
		if len(got) != len(city.Volunteers.Teams) || col(1) != city.Volunteers.Registered {
			t.Errorf("%s: %d types, %d volunteers; indicators %d, %d", title, len(got), col(1), len(city.Volunteers.Teams), city.Volunteers.Registered)
		}
	}
}

package whtest

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"gridgov/warehouse"
)

// IndicatorConformance applies the DDL to an empty database db on e, writes a small city whose
// indicators are known by hand (with superseded versions and tombstones, a street-wide
// activity, an issue reported at 23:30 local time), and checks what warehouse.Reader computes
// from it. It runs on ClickHouse 18.16 (warehouse tests) and on chDB (warehouse/chdbtest): the
// same indicator SQL must give the same numbers on both.
func IndicatorConformance(t *testing.T, e warehouse.Engine, db string) {
	ctx := context.Background()
	if _, err := warehouse.Migrate(ctx, e, db, warehouse.Topology{}); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	f := fixture{t: t, e: e, db: db}
	f.load()
	asOf := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	// The summaries reflect a snapshot a day older than the checkpoints: asOf is the older.
	if err := warehouse.BuildSummaries(ctx, e, db, asOf); err != nil {
		t.Fatalf("build summaries: %v", err)
	}
	later := asOf.Add(24 * time.Hour)
	r := warehouse.NewReader(e, db, warehouse.ReaderOptions{AsOf: func(context.Context) (time.Time, error) { return later, nil }})
	get := func(s warehouse.Scope, p warehouse.Period) *warehouse.Indicators {
		t.Helper()
		ind, err := r.Indicators(ctx, s, p)
		if err != nil {
			t.Fatalf("indicators %s: %v", s, err)
		}
		return ind
	}
	street1 := warehouse.Scope{Level: warehouse.LevelStreet, ID: 1}
	comm11 := warehouse.Scope{Level: warehouse.LevelCommunity, ID: 11}
	grid111 := warehouse.Scope{Level: warehouse.LevelGrid, ID: 111}

	city := get(warehouse.City, warehouse.Year(2026))
	if !city.AsOf.Equal(asOf) {
		t.Errorf("asOf = %s, want the summaries' snapshot %s", city.AsOf, asOf)
	}
	check(t, "city 2026", map[string]float64{
		"checkins.expected": 4, "checkins.checkedIn": 2, "checkins.rate": 0.5,
		"checkins.withdrawn": 1, "checkins.transferred": 1, "checkins.reverificationDue": 1,
		"orders.declined": 0, "orders.released": 0, "orders.late": 0,
		"issues.reported": 5, "issues.resolved": 3, "issues.closed": 2, "issues.overdue": 1,
		"issues.median": 10, "issues.p90": 30, "issues.disputesMediated": 1, "issues.disputesMediatedByCadres": 1,
		"issues.greening.quantity": 12.5,
		"orders.posted":            2, "orders.claimed": 1, "orders.completed": 1, "orders.medianHoursToClaim": 3, "orders.averageRating": 4,
		"orders.serviceHours": 3.75, "ratings.good": 1, "ratings.poor": 1,
		"volunteers.registered": 3, "volunteers.police": 1, "volunteers.teams": 3, "teams.social_organisation": 1,
		"coverage.grids": 4, "coverage.gridsWithCadre": 1, "coverage.gridsWithInstructor": 2, "coverage.buildings": 2, "coverage.buildingsWithLeader": 1,
		"activities.themed_party_day.events": 1, "activities.themed_party_day.personTimes": 2, "activities.legal_publicity.peopleServed": 100,
		"activities.themed_party_day.partyMembers": 2,
		"meetings.matters":                         2, "meetings.mattersDiscussed": 1, "meetings.disputesJointlyMediated": 1,
		"workLogs.frontline_service.peopleServed": 5, "organisation.communities": 3, "organisation.gridInstructors": 1,
		"breakdown.count": 2, "trend.count": 12,
		// The register's deadlines: on time and late by the day resolved (i7 reported in 2025).
		"issues.dueSoon": 1, "issues.resolvedOnTime": 1, "issues.resolvedLate": 2, "issues.onTimeRate": 1.0 / 3,
		"issues.urged": 2, "issues.supervised": 1, "issues.extended": 1, "issues.autoEscalated": 1,
		// Verdicts by the local day given (i7's on 1 January 2026), superseded ones included;
		// resolved and reopened by the day of the latest resolution (i1, i4, i7; i3 has none).
		"issues.verdictsSatisfied": 1, "issues.verdictsUnsatisfied": 2, "issues.verdictsNoResponse": 1, "issues.verdictsByResident": 1,
		"issues.verdictsByPhone": 2, "issues.satisfactionRate": 1.0 / 3, "issues.averageVerdictScore": 7.0 / 3,
		"issues.resolvedInPeriod": 3, "issues.reopened": 2, "issues.reopens": 3, "issues.reopenRate": 2.0 / 3,
		// Quarterly compliance: 11 and 21 met in the first quarter, 12 only scheduled and cancelled.
		"meetings.meetings": 2, "meetings.quarters": 4, "meetings.2026-Q1.communities": 3, "meetings.2026-Q1.met": 2,
		"meetings.2026-Q1.share": 2.0 / 3, "meetings.2026-Q4.met": 0, "meetings.2026-Q4.share": 0,
	}, flatten(city))
	if got := city.Breakdown; len(got) == 2 && (got[0].Scope.Name != "East Street" || got[0].Issues.Reported != 3 || got[1].Issues.Reported != 2) {
		t.Errorf("city breakdown: %+v", got)
	}
	if got := city.Breakdown; len(got) == 2 {
		east := warehouse.IssueCounts{Reported: 3, Resolved: 2, Closed: 1, Overdue: 1, ResolvedOnTime: 1, ResolvedLate: 1, Urged: 2, Supervised: 1, AutoEscalated: 1,
			VerdictsSatisfied: 1, VerdictsUnsatisfied: 1, ResolvedInPeriod: 2, Reopened: 1, Reopens: 2}
		west := warehouse.IssueCounts{Reported: 2, Resolved: 1, Closed: 1, DueSoon: 1, ResolvedLate: 1, Extended: 1,
			VerdictsUnsatisfied: 1, VerdictsNoResponse: 1, ResolvedInPeriod: 1, Reopened: 1, Reopens: 1}
		if got[0].Issues != east || got[1].Issues != west {
			t.Errorf("city breakdown of issues: %+v and %+v, want %+v and %+v", got[0].Issues, got[1].Issues, east, west)
		}
	}
	byMonth := map[string]warehouse.TrendPoint{}
	for _, p := range city.Trend {
		byMonth[p.Month] = p
	}
	for month, want := range map[string]warehouse.TrendPoint{
		"2026-01": {Month: "2026-01", IssuesResolvedLate: 1, VerdictsUnsatisfied: 1, IssuesResolvedInPeriod: 1, IssuesReopened: 1},
		"2026-03": {Month: "2026-03", IssuesReported: 3, IssuesResolved: 2, IssuesResolvedLate: 1, IssuesUrged: 2, IssuesSupervised: 1, IssuesAutoEscalated: 1,
			VerdictsSatisfied: 1, VerdictsUnsatisfied: 1, IssuesResolvedInPeriod: 1, IssuesReopened: 1},
		"2026-04": {Month: "2026-04", IssuesReported: 1, IssuesResolved: 1, IssuesResolvedOnTime: 1, VerdictsNoResponse: 1, IssuesResolvedInPeriod: 1},
		"2026-05": {Month: "2026-05", IssuesReported: 1, IssuesExtended: 1},
	} {
		got := byMonth[month]
		got.OrdersPosted, got.OrdersCompleted = 0, 0 // issues only
		if got != want {
			t.Errorf("city 2026 trend %s: %+v, want %+v", month, got, want)
		}
	}
	// Patrols and their findings by the local day of the patrol; police duties by their start.
	check(t, "city 2026 patrols and police duties", map[string]float64{
		"patrols.patrols": 2, "patrols.findings": 3, "patrols.findingsRaised": 1,
		"police.duties": 2, "police.participations": 3, "police.hours": 7, "police.police_patrol.hours": 5.5, "police.police_traffic.hours": 1.5,
	}, flatten(city))
	for month, want := range map[string][4]float64{"2026-06": {1, 2, 1, 7}, "2026-07": {1, 1, 0, 0}} {
		p := byMonth[month]
		if got := [4]float64{float64(p.Patrols), float64(p.PatrolFindings), float64(p.FindingsRaised), p.PoliceDutyHours}; got != want {
			t.Errorf("city 2026 trend %s: patrols, findings, raised, police-duty hours %v, want %v", month, got, want)
		}
	}
	check(t, "community 21 patrols and police duties", map[string]float64{
		"patrols.patrols": 2, "patrols.findings": 3, "police.duties": 1, "police.hours": 5.5, "police.police_traffic.hours": 0,
	}, flatten(get(warehouse.Scope{Level: warehouse.LevelCommunity, ID: 21}, warehouse.Year(2026))))
	check(t, "June 2026 patrols", map[string]float64{"patrols.patrols": 1, "patrols.findings": 2, "patrols.findingsRaised": 1},
		flatten(get(warehouse.City, warehouse.Month(2026, 6))))
	if feb := get(warehouse.City, warehouse.Month(2026, 2)); feb.Issues.OnTimeRate != nil || feb.Issues.SatisfactionRate != nil ||
		feb.Issues.AverageVerdictScore != nil || feb.Issues.ReopenRate != nil {
		t.Errorf("February 2026 resolved no issue and heard no verdict, yet its rates are on time %v, satisfaction %v, score %v, reopen %v",
			feb.Issues.OnTimeRate, feb.Issues.SatisfactionRate, feb.Issues.AverageVerdictScore, feb.Issues.ReopenRate)
	}
	// Orders of 2025: one declined, one released and flagged late, in each street.
	y2025 := get(warehouse.City, warehouse.Year(2025))
	check(t, "city 2025", map[string]float64{"orders.posted": 2, "orders.declined": 1, "orders.released": 1, "orders.late": 1}, flatten(y2025))
	if b := y2025.Breakdown; len(b) != 2 || b[0].Orders != (warehouse.OrderCounts{Posted: 1, Released: 1, Late: 1}) ||
		b[1].Orders != (warehouse.OrderCounts{Posted: 1, Declined: 1}) {
		t.Errorf("city 2025 breakdown of orders: %+v", b)
	}
	// 2025 in UTC would hold i7's verdict; in local days 2025 holds none.
	if y := get(warehouse.City, warehouse.Year(2025)); y.Issues.VerdictsUnsatisfied != 0 || y.Issues.SatisfactionRate != nil {
		t.Errorf("2025: %d unsatisfied verdicts, satisfaction rate %v; want none", y.Issues.VerdictsUnsatisfied, y.Issues.SatisfactionRate)
	}

	march := get(warehouse.City, warehouse.Month(2026, 3))
	check(t, "city March 2026", map[string]float64{
		"issues.reported": 3, "issues.resolved": 2, "issues.closed": 1, "issues.median": 10, "issues.p90": 10,
		"orders.posted": 2, "activities.themed_party_day.events": 1, "trend.count": 12,
		// i4, reported in March, was resolved on 1 April (local): on time, but not in March.
		"issues.resolvedOnTime": 0, "issues.resolvedLate": 1, "issues.onTimeRate": 0, "issues.urged": 2, "issues.supervised": 1,
		"issues.autoEscalated": 1, "issues.extended": 0, "issues.dueSoon": 0,
		"issues.verdictsSatisfied": 1, "issues.verdictsUnsatisfied": 1, "issues.verdictsNoResponse": 0, "issues.satisfactionRate": 0.5,
		"issues.averageVerdictScore": 3, "issues.resolvedInPeriod": 1, "issues.reopened": 1, "issues.reopens": 2, "issues.reopenRate": 1,
	}, flatten(march))
	if last := march.Trend[len(march.Trend)-1]; last.Month != "2026-03" || last.IssuesReported != 3 || last.OrdersPosted != 2 ||
		last.IssuesResolvedLate != 1 || last.IssuesResolvedOnTime != 0 || last.IssuesUrged != 2 {
		t.Errorf("trend's last month %+v", last)
	}

	s1 := get(street1, warehouse.Year(2026))
	check(t, "street 1", map[string]float64{
		"checkins.expected": 3, "checkins.checkedIn": 2, "checkins.withdrawn": 0, "checkins.transferred": 1, "checkins.reverificationDue": 1,
		"issues.reported": 3, "issues.overdue": 1, "issues.median": 10,
		"orders.posted": 1, "volunteers.registered": 2, "volunteers.teams": 1, "coverage.grids": 3,
		"activities.legal_publicity.events": 1, "breakdown.count": 2, "unassigned.activities.events": 1,
		"issues.resolvedOnTime": 1, "issues.resolvedLate": 1, "issues.onTimeRate": 0.5, "issues.urged": 2, "issues.dueSoon": 0,
		"issues.autoEscalated": 1, "issues.extended": 0,
		"issues.verdictsSatisfied": 1, "issues.verdictsUnsatisfied": 1, "issues.verdictsByResident": 1, "issues.verdictsByPhone": 1,
		"issues.satisfactionRate": 0.5, "issues.resolvedInPeriod": 2, "issues.reopened": 1, "issues.reopens": 2, "issues.reopenRate": 0.5,
		"meetings.meetings": 1, "meetings.2026-Q1.communities": 2, "meetings.2026-Q1.met": 1, "meetings.2026-Q1.share": 0.5,
	}, flatten(s1))
	if s1.Breakdown[0].Scope.Name != "Lake Community" || s1.Breakdown[0].Activities.Events != 1 {
		t.Errorf("street 1 breakdown: %+v", s1.Breakdown)
	}

	c11 := get(comm11, warehouse.Year(2026))
	check(t, "community 11", map[string]float64{
		"checkins.expected": 2, "checkins.checkedIn": 1, "breakdown.count": 2, "unassigned.checkins.expected": 1,
		"coverage.grids": 2, "issues.reported": 2,
	}, flatten(c11))
	if b := c11.Breakdown; len(b) == 2 && (b[0].Issues.ResolvedLate != 1 || b[0].Issues.Urged != 1 || b[1].Issues.Supervised != 1 ||
		b[1].Issues.AutoEscalated != 1 || b[1].Issues.Overdue != 1 || b[0].Issues.Reopens != 2 || b[0].Issues.VerdictsUnsatisfied != 1 ||
		b[1].Issues.VerdictsSatisfied != 0 || b[1].Issues.ResolvedInPeriod != 0) {
		t.Errorf("community 11 breakdown of issues: %+v and %+v", b[0].Issues, b[1].Issues)
	}

	g := get(grid111, warehouse.Year(2026))
	check(t, "grid 111", map[string]float64{
		"checkins.expected": 1, "issues.reported": 1, "breakdown.count": 0, "coverage.grids": 1, "coverage.buildingsWithLeader": 1,
		"meetings.matters": 0, "issues.urged": 1, "issues.resolvedLate": 1, "issues.resolvedOnTime": 0, "issues.onTimeRate": 0,
		"issues.verdictsSatisfied": 1, "issues.verdictsUnsatisfied": 1, "issues.averageVerdictScore": 3, "issues.reopened": 1, "issues.reopens": 2,
		"meetings.2026-Q1.communities": 0, "meetings.2026-Q1.share": -1,
	}, flatten(g))
	if g.Orders.Ratings != nil {
		t.Error("ratings at grid scope: they are kept per community")
	}

	// The data dictionary's worked examples run here too.
	for i, ex := range warehouse.Examples {
		rows, err := e.Query(ctx, QualifyTables(ex.SQL, db))
		if err != nil {
			t.Errorf("example %d (%s): %v", i+1, ex.Title, err)
			continue
		}
		if i == 0 && (len(rows) != 2 || rows[0][0] != "East Street" || rows[0][1] != "3" || rows[0][2] != "2") {
			t.Errorf("example 1: %v", rows)
		}
	}
}

var tableName = regexp.MustCompile(`\b((?:dim|fact|role|metric)_[a-z_]+)\b`)

// QualifyTables prefixes the warehouse tables an example names with database db, as a
// statistician's connection (whose current database is the warehouse) would read them.
func QualifyTables(sql, db string) string {
	return tableName.ReplaceAllStringFunc(sql, func(t string) string { return warehouse.Qualified(db, t) })
}

// check compares the named values; names missing from got count as 0.
func check(t *testing.T, what string, want, got map[string]float64) {
	t.Helper()
	for k, w := range want {
		if g := got[k]; g < w-1e-9 || g > w+1e-9 {
			t.Errorf("%s: %s = %v, want %v", what, k, g, w)
		}
	}
}

func flatten(ind *warehouse.Indicators) map[string]float64 {
	m := map[string]float64{
		"checkins.expected": float64(ind.Checkins.Expected), "checkins.checkedIn": float64(ind.Checkins.CheckedIn), "checkins.rate": ind.Checkins.Rate,
		"checkins.withdrawn": float64(ind.Checkins.Withdrawn), "checkins.transferred": float64(ind.Checkins.Transferred),
		"checkins.reverificationDue": float64(ind.Checkins.ReverificationDue),
		"orders.declined":            float64(ind.Orders.Declined), "orders.released": float64(ind.Orders.Released), "orders.late": float64(ind.Orders.Late),
		"issues.reported": float64(ind.Issues.Reported), "issues.resolved": float64(ind.Issues.Resolved), "issues.closed": float64(ind.Issues.Closed),
		"issues.overdue": float64(ind.Issues.Overdue), "issues.disputesMediated": float64(ind.Issues.DisputesMediated),
		"issues.disputesMediatedByCadres": float64(ind.Issues.DisputesMediatedByCadres),
		"orders.posted":                   float64(ind.Orders.Posted), "orders.claimed": float64(ind.Orders.Claimed), "orders.completed": float64(ind.Orders.Completed),
		"volunteers.registered": float64(ind.Volunteers.Registered), "volunteers.police": float64(ind.Volunteers.Police),
		"volunteers.teams": float64(ind.Volunteers.TeamCount),
		"coverage.grids":   float64(ind.Coverage.Grids), "coverage.gridsWithCadre": float64(ind.Coverage.GridsWithCadre),
		"coverage.gridsWithInstructor": float64(ind.Coverage.GridsWithInstructor), "coverage.buildings": float64(ind.Coverage.Buildings),
		"coverage.buildingsWithLeader": float64(ind.Coverage.BuildingsWithLeader),
		"meetings.matters":             float64(ind.JointMeetings.Matters), "meetings.mattersDiscussed": float64(ind.JointMeetings.MattersDiscussed),
		"meetings.disputesJointlyMediated": float64(ind.JointMeetings.DisputesJointlyMediated),
		"meetings.meetings":                float64(ind.JointMeetings.Meetings), "meetings.quarters": float64(len(ind.JointMeetings.Quarters)),
		"organisation.communities": float64(ind.Organisation.Communities), "organisation.gridInstructors": float64(ind.Organisation.GridInstructors),
		"breakdown.count": float64(len(ind.Breakdown)), "trend.count": float64(len(ind.Trend)),
		"unassigned.activities.events": float64(ind.Unassigned.Activities.Events), "unassigned.checkins.expected": float64(ind.Unassigned.Checkins.Expected),
		"issues.dueSoon": float64(ind.Issues.DueSoon), "issues.resolvedOnTime": float64(ind.Issues.ResolvedOnTime),
		"issues.resolvedLate": float64(ind.Issues.ResolvedLate), "issues.urged": float64(ind.Issues.Urged),
		"issues.supervised": float64(ind.Issues.Supervised), "issues.extended": float64(ind.Issues.Extended),
		"issues.autoEscalated":     float64(ind.Issues.AutoEscalated),
		"issues.verdictsSatisfied": float64(ind.Issues.VerdictsSatisfied), "issues.verdictsUnsatisfied": float64(ind.Issues.VerdictsUnsatisfied),
		"issues.verdictsNoResponse": float64(ind.Issues.VerdictsNoResponse), "issues.verdictsByResident": float64(ind.Issues.VerdictsByResident),
		"issues.verdictsByPhone": float64(ind.Issues.VerdictsByPhone), "issues.resolvedInPeriod": float64(ind.Issues.ResolvedInPeriod),
		"issues.reopened": float64(ind.Issues.Reopened), "issues.reopens": float64(ind.Issues.Reopens),
	}
	// An optional value is none when nil: -1 for the rates of nothing (none resolved with a due
	// time, no verdict, none resolved), 0 for the others.
	opt := func(k string, v *float64, none float64) {
		m[k] = none
		if v != nil {
			m[k] = *v
		}
	}
	opt("issues.onTimeRate", ind.Issues.OnTimeRate, -1)
	opt("issues.satisfactionRate", ind.Issues.SatisfactionRate, -1)
	opt("issues.averageVerdictScore", ind.Issues.AverageVerdictScore, -1)
	opt("issues.reopenRate", ind.Issues.ReopenRate, -1)
	opt("issues.median", ind.Issues.MedianHoursToClose, 0)
	opt("issues.p90", ind.Issues.P90HoursToClose, 0)
	opt("orders.medianHoursToClaim", ind.Orders.MedianHoursToClaim, 0)
	opt("orders.averageRating", ind.Orders.AverageRating, 0)
	for _, q := range ind.JointMeetings.Quarters {
		m["meetings."+q.Quarter+".communities"], m["meetings."+q.Quarter+".met"] = float64(q.Communities), float64(q.CommunitiesMet)
		opt("meetings."+q.Quarter+".share", q.Share, -1)
	}
	for _, c := range ind.Issues.ByCategory {
		m["issues."+c.Category+".quantity"] = c.ResolvedQuantity
	}
	for _, q := range ind.Orders.ServiceHours {
		m["orders.serviceHours"] += q.Hours
	}
	if r := ind.Orders.Ratings; r != nil {
		m["ratings.good"], m["ratings.poor"] = float64(r.Good), float64(r.Poor)
	}
	for _, tt := range ind.Volunteers.Teams {
		m["teams."+tt.TeamType] = float64(tt.Teams)
	}
	for _, a := range ind.Activities {
		p := "activities." + a.Kind + "."
		m[p+"events"], m[p+"personTimes"], m[p+"peopleServed"], m[p+"partyMembers"] = float64(a.Events), float64(a.PersonTimes), float64(a.PeopleServed), float64(a.PartyMembers)
	}
	for _, w := range ind.WorkLogs {
		m["workLogs."+w.Kind+".peopleServed"] = float64(w.PeopleServed)
	}
	m["patrols.patrols"], m["patrols.findings"], m["patrols.findingsRaised"] = float64(ind.Patrols.Patrols), float64(ind.Patrols.Findings),
		float64(ind.Patrols.FindingsRaised)
	d := ind.PoliceDuties
	m["police.duties"], m["police.participations"], m["police.hours"] = float64(d.Duties), float64(d.Participations), d.Hours
	for _, k := range d.ByKind {
		m["police."+k.Kind+".hours"] = k.Hours
	}
	return m
}

type fixture struct {
	t  *testing.T
	e  warehouse.Engine
	db string
}

// sh is a local (Asia/Shanghai) time literal.
func sh(s string) string { return "toDateTime('" + s + "', 'Asia/Shanghai')" }

func day(s string) string { return "toDate('" + s + "')" }

// row inserts one row: the given columns as SQL literals, every other column its type's
// zero (NULL when Nullable), version 1 and live unless given.
func (f fixture) row(table string, vals map[string]string) {
	f.t.Helper()
	m, err := warehouse.Table(table)
	if err != nil {
		f.t.Fatal(err)
	}
	names := make([]string, len(m.Columns))
	lits := make([]string, len(m.Columns))
	for i, c := range m.Columns {
		names[i] = warehouse.Quote(c.Name)
		if v, ok := vals[c.Name]; ok {
			lits[i] = v
			delete(vals, c.Name)
			continue
		}
		base, nullable := warehouse.Unwrap(c.Type)
		switch {
		case c.Name == "version":
			lits[i] = "1"
		case nullable:
			lits[i] = "NULL"
		case base == "String":
			lits[i] = "''"
		case base == "Date":
			lits[i] = day("2024-01-01")
		case strings.HasPrefix(base, "DateTime"):
			lits[i] = sh("2024-01-01 00:00:00")
		default:
			lits[i] = "0"
		}
	}
	if len(vals) > 0 {
		f.t.Fatalf("%s has no columns %v", table, vals)
	}
	q := fmt.Sprintf("INSERT INTO %s (%s) SELECT %s", warehouse.Qualified(f.db, table), strings.Join(names, ", "), strings.Join(lits, ", "))
	if err := f.e.Exec(context.Background(), q); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
}

type kv = map[string]string

func (f fixture) load() {
	f.row("dim_city", kv{"id": "1", "name": "'Chaohu'"})
	f.row("dim_street", kv{"id": "1", "city_id": "1", "name": "'East Street'"})
	f.row("dim_street", kv{"id": "2", "city_id": "1", "name": "'West Street'"})
	f.row("dim_street", kv{"id": "3", "city_id": "1", "name": "'Gone Street'"})
	f.row("dim_street", kv{"id": "3", "city_id": "1", "name": "'Gone Street'", "version": "2", "is_deleted": "1"})
	for _, c := range [][3]string{{"11", "1", "Lake Community"}, {"12", "1", "Tower Community"}, {"21", "2", "Hill Community"}} {
		f.row("dim_community", kv{"id": c[0], "street_id": c[1], "city_id": "1", "name": "'" + c[2] + "'", "has_party_org": "1"})
	}
	for _, g := range [][4]string{{"111", "1", "11", "Grid A"}, {"112", "1", "11", "Grid B"}, {"121", "1", "12", "Grid C"}, {"211", "2", "21", "Grid D"}} {
		f.row("dim_grid", kv{"id": g[0], "street_id": g[1], "community_id": g[2], "city_id": "1", "name": "'" + g[3] + "'"})
	}
	f.row("dim_building", kv{"id": "1", "street_id": "1", "community_id": "11", "grid_id": "111"})
	f.row("dim_building", kv{"id": "2", "street_id": "1", "community_id": "12", "grid_id": "121"})
	f.row("role_building_appointment", kv{"id": "1", "street_id": "1", "community_id": "11", "grid_id": "111", "building_id": "1", "role": "'building_leader'"})
	f.row("role_building_appointment", kv{"id": "2", "street_id": "1", "community_id": "12", "grid_id": "121", "building_id": "2", "role": "'building_leader'", "ended_on": day("2025-01-01")})
	f.row("role_cadre", kv{"id": "1", "kind": "'street_cadre'", "street_id": "1", "is_leader": "1"})
	f.row("role_grid_assignment", kv{"id": "1", "street_id": "1", "community_id": "11", "grid_id": "111", "cadre_id": "1", "role": "'liaison'"})
	f.row("role_grid_assignment", kv{"id": "2", "street_id": "1", "community_id": "11", "grid_id": "111", "cadre_id": "1", "role": "'instructor'"})
	f.row("role_grid_assignment", kv{"id": "3", "street_id": "2", "community_id": "21", "grid_id": "211", "cadre_id": "1", "role": "'instructor'"})
	f.row("dim_unit", kv{"id": "1", "name": "'Bureau One'"})
	f.row("dim_unit", kv{"id": "2", "name": "'Bureau Two'"})

	// Members: m1 moved from unit 1 to unit 2 (two versions), m2 not yet in a grid, m5 deleted.
	f.row("role_party_member", kv{"id": "1", "unit_id": "1", "street_id": "1", "community_id": "11", "grid_id": "111"})
	f.row("role_party_member", kv{"id": "1", "unit_id": "2", "street_id": "1", "community_id": "11", "grid_id": "111", "version": "2"})
	f.row("role_party_member", kv{"id": "2", "unit_id": "1", "street_id": "1", "community_id": "11"})
	f.row("role_party_member", kv{"id": "3", "unit_id": "1", "street_id": "1", "community_id": "12", "grid_id": "121"})
	f.row("role_party_member", kv{"id": "4", "unit_id": "2", "street_id": "2", "community_id": "21", "grid_id": "211"})
	f.row("role_party_member", kv{"id": "5", "unit_id": "2", "street_id": "2", "community_id": "21", "grid_id": "211"})
	f.row("role_party_member", kv{"id": "5", "unit_id": "2", "street_id": "2", "community_id": "21", "grid_id": "211", "version": "9", "is_deleted": "1"})
	// c1 verified in 2025, due for its re-verification; c4 withdrawn; c5 transferred (转接) from
	// grid 111 to community 21 as c6, pending there; c2 verified without a time: never due.
	f.row("fact_checkin", kv{"id": "1", "member_id": "1", "street_id": "1", "community_id": "11", "grid_id": "111", "state": "'verified'",
		"decided_at": sh("2025-06-01 10:00:00")})
	f.row("fact_checkin", kv{"id": "4", "member_id": "6", "street_id": "2", "community_id": "21", "state": "'withdrawn'", "ended_at": sh("2026-03-01 10:00:00")})
	f.row("fact_checkin", kv{"id": "5", "member_id": "7", "street_id": "1", "community_id": "11", "grid_id": "111", "state": "'transferred'",
		"transferred_to": "6", "decided_at": sh("2026-01-05 10:00:00")})
	f.row("fact_checkin", kv{"id": "6", "member_id": "7", "street_id": "2", "community_id": "21", "state": "'pending'", "transferred_from": "5"})
	f.row("fact_checkin", kv{"id": "2", "member_id": "3", "street_id": "1", "community_id": "12", "grid_id": "121", "state": "'pending'"})
	f.row("fact_checkin", kv{"id": "2", "member_id": "3", "street_id": "1", "community_id": "12", "grid_id": "121", "state": "'verified'", "version": "2"})
	f.row("fact_checkin", kv{"id": "3", "member_id": "4", "street_id": "2", "community_id": "21", "grid_id": "211", "state": "'pending'"})

	f.row("dim_issue_category", kv{"id": "1", "code": "'greening'", "category_group": "'old_compound'", "quantity_unit": "'m2'"})
	f.row("dim_issue_category", kv{"id": "2", "code": "'lamp'", "category_group": "'infrastructure'"})
	// i1 reported, then closed 10 h later (version 2 wins), urged twice and resolved an hour
	// late; i2 open past its deadline, warned, supervised and escalated automatically (twice);
	// i3 closed after 30 h; i4 a mediated dispute reported at 23:30 local on 31 March, urged,
	// resolved on time at 01:00 local on 1 April; i5 at 00:30 local on 1 May (16:30 UTC the day
	// before), extended and warned but not yet due; i6 deleted; i7 reported in 2025 and resolved
	// late in January 2026.
	issue := func(id, street, comm, grid, cat, state, reported string, extra kv) {
		v := kv{"id": id, "street_id": street, "community_id": comm, "grid_id": grid, "category_id": cat, "state": "'" + state + "'", "reported_at": sh(reported)}
		for k, x := range extra {
			v[k] = x
		}
		f.row("fact_issue", v)
	}
	issue("1", "1", "11", "111", "1", "reported", "2026-03-10 10:00:00", kv{"due_at": sh("2026-03-10 16:00:00")})
	issue("1", "1", "11", "111", "1", "closed", "2026-03-10 10:00:00", kv{"version": "2", "closed_at": sh("2026-03-10 20:00:00"),
		"resolved_at": sh("2026-03-10 15:00:00"), "resolved_quantity": "toDecimal64('12.50', 2)", "due_at": sh("2026-03-10 14:00:00"), "urge_count": "2",
		"last_urged_at": sh("2026-03-10 13:00:00")})
	issue("2", "1", "11", "112", "2", "reported", "2026-03-20 09:00:00", kv{"due_at": sh("2026-03-25 09:00:00"), "warned_at": sh("2026-03-24 09:00:00"),
		"supervised_at": sh("2026-03-26 09:00:00"), "supervision_due_at": sh("2026-03-30 09:00:00")})
	issue("3", "2", "21", "211", "1", "closed", "2026-04-02 08:00:00", kv{"closed_at": sh("2026-04-03 14:00:00")})
	issue("4", "1", "12", "121", "2", "resolved", "2026-03-31 23:30:00", kv{"is_dispute": "1", "dispute_outcome": "'mediated'",
		"due_at": sh("2026-04-02 23:30:00"), "resolved_at": sh("2026-04-01 01:00:00"), "urge_count": "1"})
	issue("5", "2", "21", "211", "2", "reported", "2026-05-01 00:30:00", kv{"due_at": sh("2099-01-01 00:00:00"), "warned_at": sh("2026-11-20 00:00:00"),
		"extension_count": "1"})
	issue("6", "2", "21", "211", "2", "reported", "2026-03-02 00:30:00", kv{"urge_count": "5", "due_at": sh("2026-03-03 00:30:00")})
	issue("6", "2", "21", "211", "2", "reported", "2026-03-02 00:30:00", kv{"version": "9", "is_deleted": "1", "urge_count": "5"})
	issue("7", "2", "21", "211", "1", "resolved", "2025-12-30 10:00:00", kv{"due_at": sh("2026-01-03 10:00:00"), "resolved_at": sh("2026-01-05 10:00:00")})
	f.row("fact_issue_mediator", kv{"id": "1", "issue_id": "4", "street_id": "1", "community_id": "12", "grid_id": "121", "role": "'cadre'"})
	// Escalations: i2's two automatic ones count once; a grid worker's (i1), a deleted issue's
	// (i6) and a deleted event (of i5) do not.
	event := func(id, issue, street, comm, grid, role string, extra kv) {
		v := kv{"id": id, "issue_id": issue, "street_id": street, "community_id": comm, "grid_id": grid, "action": "'escalate'",
			"actor_role": "'" + role + "'", "to_state": "'escalated'", "at": sh("2026-03-27 09:00:00")}
		for k, x := range extra {
			v[k] = x
		}
		f.row("fact_issue_event", v)
	}
	event("1", "2", "1", "11", "112", "system", nil)
	event("2", "2", "1", "11", "112", "system", kv{"at": sh("2026-03-28 09:00:00")})
	event("3", "1", "1", "11", "111", "grid_worker", kv{"actor_key": "7"})
	event("4", "6", "2", "21", "211", "system", nil)
	event("5", "5", "2", "21", "211", "system", nil)
	event("5", "5", "2", "21", "211", "system", kv{"version": "2", "is_deleted": "1"})
	// Verdicts (满意度回访) and reopenings (重办): i1 unsatisfied (by the resident, 2 points), then
	// reopened again after a failed verification, then satisfied (by phone, 4 points), all on 10
	// March; i3 closed as no response; i7 unsatisfied by phone (1 point) at 00:30 local on 1
	// January 2026 (the last day of 2025 in UTC), sent to the street. A deleted verdict (of i5)
	// and one of a deleted issue (i6) count nowhere.
	verdict := func(id, issue, street, comm, grid, role, to, value, channel, score, at string, extra kv) {
		v := kv{"action": "'verdict'", "to_state": "'" + to + "'", "verdict": "'" + value + "'", "verdict_channel": "'" + channel + "'", "at": sh(at)}
		if score != "" {
			v["verdict_score"] = score
		}
		for k, x := range extra {
			v[k] = x
		}
		event(id, issue, street, comm, grid, role, v)
	}
	verdict("10", "1", "1", "11", "111", "resident", "reopened", "unsatisfied", "resident", "2", "2026-03-10 11:00:00", kv{"actor_key": "9"})
	event("11", "1", "1", "11", "111", "community_cadre", kv{"action": "'reopen'", "to_state": "'reopened'", "at": sh("2026-03-10 12:00:00")})
	verdict("12", "1", "1", "11", "111", "community_cadre", "closed", "satisfied", "phone", "4", "2026-03-10 20:00:00", nil)
	verdict("13", "3", "2", "21", "211", "system", "closed", "no_response", "timeout", "", "2026-04-03 14:00:00", nil)
	verdict("14", "7", "2", "21", "211", "community_cadre", "escalated", "unsatisfied", "phone", "1", "2026-01-01 00:30:00", nil)
	verdict("15", "5", "2", "21", "211", "resident", "closed", "satisfied", "resident", "5", "2026-05-03 10:00:00", nil)
	verdict("15", "5", "2", "21", "211", "resident", "closed", "satisfied", "resident", "5", "2026-05-03 10:00:00", kv{"version": "2", "is_deleted": "1"})
	verdict("16", "6", "2", "21", "211", "resident", "closed", "satisfied", "resident", "3", "2026-03-05 10:00:00", nil)

	f.row("fact_service_order", kv{"id": "1", "street_id": "1", "community_id": "11", "grid_id": "111", "state": "'rated'", "posted_at": sh("2026-03-01 08:00:00"),
		"claimed_at": sh("2026-03-01 11:00:00"), "completed_at": sh("2026-03-02 11:00:00"), "rating": "4"})
	f.row("fact_service_order", kv{"id": "2", "street_id": "2", "community_id": "21", "grid_id": "211", "state": "'posted'", "posted_at": sh("2026-03-05 08:00:00")})
	// In 2025: o3 declined; o4 released once and flagged as not claimed in time.
	f.row("fact_service_order", kv{"id": "3", "street_id": "2", "community_id": "21", "grid_id": "211", "state": "'declined'", "posted_at": sh("2025-06-10 08:00:00")})
	f.row("fact_service_order", kv{"id": "4", "street_id": "1", "community_id": "11", "grid_id": "111", "state": "'published'", "posted_at": sh("2025-07-10 08:00:00"),
		"claim_due_at": sh("2025-07-11 08:00:00"), "unclaimed_flagged_at": sh("2025-07-11 08:05:00")})
	f.row("fact_order_event", kv{"id": "1", "order_id": "4", "street_id": "1", "community_id": "11", "grid_id": "111", "action": "'release'",
		"from_state": "'claimed'", "to_state": "'published'", "at": sh("2025-07-10 12:00:00")})
	f.row("fact_order_event", kv{"id": "2", "order_id": "4", "street_id": "1", "community_id": "11", "grid_id": "111", "action": "'flag'",
		"from_state": "'published'", "to_state": "'published'", "at": sh("2025-07-11 08:05:00")})
	f.row("fact_service_record", kv{"id": "1", "member_id": "1", "street_id": "1", "community_id": "11", "served_on": day("2026-02-10"), "hours": "toDecimal32('2.50', 2)"})
	f.row("fact_service_record", kv{"id": "2", "member_id": "1", "street_id": "1", "community_id": "11", "served_on": day("2026-04-10"), "hours": "toDecimal32('1.25', 2)"})
	f.row("fact_year_rating", kv{"id": "1", "member_id": "1", "street_id": "1", "community_id": "11", "year": "2026", "grade": "'good'"})
	f.row("fact_year_rating", kv{"id": "2", "member_id": "3", "street_id": "1", "community_id": "12", "year": "2026", "grade": "'poor'"})

	f.row("dim_volunteer_team", kv{"id": "1", "team_type": "'municipal_agency'", "is_volunteer_police": "1"})
	f.row("dim_volunteer_team", kv{"id": "2", "team_type": "'town_street'", "street_id": "2"})
	f.row("dim_volunteer_team", kv{"id": "3", "team_type": "'social_organisation'"})
	f.row("fact_volunteer", kv{"id": "1", "team_id": "1", "street_id": "1", "community_id": "11", "grid_id": "111"})
	f.row("fact_volunteer", kv{"id": "2", "street_id": "1", "community_id": "12"})
	f.row("fact_volunteer", kv{"id": "3", "team_id": "2", "street_id": "2", "community_id": "21"})

	f.row("fact_activity", kv{"id": "1", "kind": "'themed_party_day'", "street_id": "1", "community_id": "11", "grid_id": "111", "starts_at": sh("2026-03-05 09:00:00"), "people_served": "10"})
	f.row("fact_activity", kv{"id": "2", "kind": "'legal_publicity'", "street_id": "1", "starts_at": sh("2026-03-06 09:00:00"), "people_served": "100"})
	f.row("fact_activity_participant", kv{"id": "1", "activity_id": "1", "street_id": "1", "person_key": "7", "role": "'party_member'"})
	f.row("fact_activity_participant", kv{"id": "2", "activity_id": "1", "street_id": "1", "person_key": "8", "role": "'party_member'"})
	f.row("fact_activity_participant", kv{"id": "3", "activity_id": "2", "street_id": "1", "person_key": "7", "role": "'party_member'"})
	f.row("fact_joint_meeting", kv{"id": "1", "street_id": "1", "community_id": "11", "held_on": day("2026-03-15")})
	// Meeting 1 was copied before the warehouse had the state (empty: held); community 12 only
	// scheduled one and cancelled another in the first quarter, which are no meetings held.
	f.row("fact_joint_meeting", kv{"id": "2", "street_id": "2", "community_id": "21", "held_on": day("2026-02-10"), "state": "'held'"})
	f.row("fact_joint_meeting", kv{"id": "3", "street_id": "1", "community_id": "12", "held_on": day("2026-03-20"), "state": "'scheduled'",
		"scheduled_at": sh("2026-03-20 09:00:00")})
	f.row("fact_joint_meeting", kv{"id": "4", "street_id": "1", "community_id": "12", "held_on": day("2026-02-01"), "state": "'cancelled'",
		"scheduled_at": sh("2026-02-01 09:00:00")})
	f.row("fact_meeting_matter", kv{"id": "1", "meeting_id": "1", "street_id": "1", "community_id": "11", "kind": "'major_matter'", "outcome": "'discussed'"})
	f.row("fact_meeting_matter", kv{"id": "2", "meeting_id": "1", "street_id": "1", "community_id": "11", "kind": "'dispute'", "outcome": "'mediated'"})
	f.row("fact_work_log", kv{"id": "1", "street_id": "1", "community_id": "11", "grid_id": "111", "kind": "'frontline_service'", "logged_at": sh("2026-03-05 10:00:00"), "people_served": "5"})
	// Red stewards' patrols in grid 211: p2 deleted (its finding with it), p3 in July by the
	// local day; f1 raised as an issue in its second version.
	in211 := func(vals kv) kv {
		vals["street_id"], vals["community_id"], vals["grid_id"] = "2", "21", "211"
		return vals
	}
	f.row("fact_patrol", in211(kv{"id": "1", "steward_id": "1", "patrolled_at": sh("2026-06-10 09:00:00")}))
	f.row("fact_patrol", in211(kv{"id": "2", "steward_id": "1", "patrolled_at": sh("2026-06-20 09:00:00")}))
	f.row("fact_patrol", in211(kv{"id": "2", "steward_id": "1", "patrolled_at": sh("2026-06-20 09:00:00"), "version": "2", "is_deleted": "1"}))
	f.row("fact_patrol", in211(kv{"id": "3", "steward_id": "1", "patrolled_at": sh("2026-07-01 00:30:00")}))
	f.row("fact_patrol_finding", in211(kv{"id": "1", "patrol_id": "1", "category": "'safety_hazard'"}))
	f.row("fact_patrol_finding", in211(kv{"id": "1", "patrol_id": "1", "category": "'safety_hazard'", "issue_id": "99",
		"raised_at": sh("2026-06-11 09:00:00"), "version": "2"}))
	f.row("fact_patrol_finding", in211(kv{"id": "2", "patrol_id": "1", "category": "'environment'"}))
	f.row("fact_patrol_finding", in211(kv{"id": "3", "patrol_id": "2", "category": "'environment'"}))
	f.row("fact_patrol_finding", in211(kv{"id": "4", "patrol_id": "3", "category": "'public_order'"}))
	// Volunteer-police duties (义警): a patrol in community 21, a street-wide traffic duty.
	f.row("fact_activity", kv{"id": "3", "kind": "'police_patrol'", "street_id": "2", "community_id": "21", "starts_at": sh("2026-06-05 19:00:00")})
	f.row("fact_activity", kv{"id": "4", "kind": "'police_traffic'", "street_id": "2", "starts_at": sh("2026-06-06 07:00:00")})
	f.row("fact_activity_participant", kv{"id": "4", "activity_id": "3", "street_id": "2", "community_id": "21", "person_key": "9", "role": "'volunteer'", "hours": "3"})
	f.row("fact_activity_participant", kv{"id": "5", "activity_id": "3", "street_id": "2", "community_id": "21", "person_key": "10", "role": "'volunteer'", "hours": "2.5"})
	f.row("fact_activity_participant", kv{"id": "6", "activity_id": "4", "street_id": "2", "person_key": "9", "role": "'volunteer'", "hours": "1.5"})
}

package warehouse

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"gridgov/apperr"
	"gridgov/auth"
)

// AsOfFunc gives the time as of which the warehouse holds everything Postgres committed in
// IndicatorTables (see Reader.AsOf). The ETL's checkpoints are that record, and package etl
// owns them, so the function is passed in: etl.CheckpointAsOf(pool, IndicatorTables).
type AsOfFunc func(ctx context.Context) (time.Time, error)

// IndicatorTables are the warehouse tables the indicators read, directly or through the
// summary tables: AsOf is the oldest of their ETL snapshots (and of the summaries').
var IndicatorTables = []string{"dim_city", "dim_street", "dim_community", "dim_grid", "dim_building", "dim_compound",
	"dim_unit", "dim_issue_category", "dim_service_category", "dim_social_organisation", "dim_venture_project",
	"dim_volunteer_team", "role_cadre", "role_grid_assignment", "role_party_member", "role_building_appointment",
	"role_mediation_room_member", "role_resident", "role_red_steward", "role_governance_instructor",
	"fact_checkin", "fact_issue", "fact_issue_event", "fact_issue_mediator", "fact_work_log", "fact_service_order", "fact_service_record",
	"fact_year_rating", "fact_volunteer", "fact_pairing", "fact_activity", "fact_activity_participant",
	"fact_joint_meeting", "fact_meeting_matter", "fact_patrol", "fact_patrol_finding"}

// Reader computes indicators in ClickHouse. The facts, and the roles the coverage and the
// organisation count, are read through the summary tables (Summaries: deduplicated when built,
// read without FINAL); the few small dimensions whose names the results carry are read
// directly, deduplicated with FINAL and is_deleted = 0. The indicators' aggregates (parts) run
// as a few queries of UNION ALL side by side (see part). Every part applies the scope in its
// WHERE clause and binds its values client-side (Bind), so the same text runs on ClickHouse
// 18.16 and on current releases.
type Reader struct {
	e        Engine
	db       string
	m        *Metrics
	asOf     AsOfFunc
	parallel int
}

// ReaderOptions tune a Reader.
type ReaderOptions struct {
	Metrics  *Metrics // nil: none
	AsOf     AsOfFunc // required: etl.CheckpointAsOf(pool, IndicatorTables) outside tests
	Parallel int      // queries the indicators' parts are dealt into, run side by side; default 2
}

// NewReader reads the warehouse database db on e.
func NewReader(e Engine, db string, o ReaderOptions) *Reader {
	if o.Parallel <= 0 {
		o.Parallel = 2
	}
	return &Reader{e: e, db: db, m: o.Metrics, asOf: o.AsOf, parallel: o.Parallel}
}

// t is a warehouse table, qualified and read FINAL.
func (r *Reader) t(table string) string { return Qualified(r.db, table) + " FINAL" }

// sum is a summary table, qualified: its rows are unique, so it is read without FINAL.
func (r *Reader) sum(table string) string { return Qualified(r.db, table) }

// AsOf is the time of the warehouse data the indicators read: the older of the ETL's
// checkpoints (ReaderOptions.AsOf) and the snapshot of the oldest summary table.
// WAREHOUSE_UNAVAILABLE while a summary has never been built.
func (r *Reader) AsOf(ctx context.Context) (time.Time, error) {
	if r.asOf == nil {
		return time.Time{}, errors.New("warehouse reader: no AsOf function")
	}
	type result struct {
		rows [][]string
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		var rows [][]string
		err := protect(ctx, func(ctx context.Context) (err error) {
			rows, err = r.query(ctx, "summary_state", summaryStatesSQL(r.db))
			return err
		})
		ch <- result{rows, err}
	}()
	asOf, err := r.asOf(ctx)
	res := <-ch
	if err != nil {
		return time.Time{}, err
	}
	if res.err != nil {
		if HasCode(res.err, CodeUnknownTable) { // the DDL has not been applied yet
			return time.Time{}, apperr.Wrap(res.err, apperr.WarehouseUnavailable, "the warehouse has no summary tables yet (gridgov warehouse migrate, then gridgov etl run)")
		}
		return time.Time{}, res.err
	}
	at, ok := summariesAsOf(parseSummaryStates(res.rows))
	if !ok {
		return time.Time{}, apperr.New(apperr.WarehouseUnavailable, "the warehouse summaries have not been built yet (gridgov etl run)")
	}
	if at.Before(asOf) {
		asOf = at
	}
	return asOf, nil
}

// query binds args into sql, runs it and records its duration under name. An unreachable
// ClickHouse gives WAREHOUSE_UNAVAILABLE.
func (r *Reader) query(ctx context.Context, name, sql string, args ...any) ([][]string, error) {
	q, err := Bind(sql, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	began := time.Now()
	rows, err := r.e.Query(ctx, q)
	if r.m != nil {
		r.m.QueryDuration.WithLabelValues(name).Observe(time.Since(began).Seconds())
		switch {
		case err == nil:
			r.m.Up.Set(1)
		case IsUnavailable(err):
			r.m.Up.Set(0)
		}
	}
	if err != nil {
		return nil, Unavailable(fmt.Errorf("warehouse query %s: %w", name, err))
	}
	return rows, nil
}

// Resolve finds a scope's place: its name and ancestors. An unknown place is NOT_FOUND.
func (r *Reader) Resolve(ctx context.Context, s Scope) (ScopeRef, error) {
	sql, args, err := r.placeSQL(s)
	var rows [][]string
	if err == nil {
		rows, err = r.query(ctx, "scope", sql, args...)
	}
	if err != nil {
		return ScopeRef{ID: s.GlobalID(), Level: s.Level, Place: s}, err
	}
	for i := range rows {
		rows[i] = rows[i][1:] // the tag
	}
	return resolved(s, rows)
}

// placeSQL selects the place of scope s as a part tagged "scope" (see cols): its name and
// ancestors.
func (r *Reader) placeSQL(s Scope) (string, []any, error) {
	var exprs []string
	var from string
	switch s.Level {
	case LevelCity:
		exprs, from = []string{"name", "toUInt64(0)", "toUInt64(0)"}, r.t("dim_city")+" WHERE is_deleted = 0 ORDER BY id LIMIT 1"
	case LevelStreet:
		exprs, from = []string{"name", "id", "toUInt64(0)"}, r.t("dim_street")+" WHERE is_deleted = 0 AND id = ?"
	case LevelCommunity:
		exprs, from = []string{"name", "street_id", "id"}, r.t("dim_community")+" WHERE is_deleted = 0 AND id = ?"
	case LevelGrid:
		exprs, from = []string{"name", "street_id", "community_id"}, r.t("dim_grid")+" WHERE is_deleted = 0 AND id = ?"
	default:
		return "", nil, apperr.Invalid("scope", "unknown level %q", s.Level)
	}
	var args []any
	if s.Level != LevelCity {
		args = []any{s.ID}
	}
	return "SELECT " + cols("scope", exprs...) + " FROM " + from, args, nil
}

// place resolves the scope's place into out.Scope, or placeErr (its level was checked by
// Indicators).
func (c *compute) place() part {
	sql, args, _ := c.r.placeSQL(c.s)
	return part{tag: "scope", sql: sql, args: args, read: func(rows [][]string) { c.out.Scope, c.placeErr = resolved(c.s, rows) }}
}

// resolved is the place of scope s from the rows of placeSQL, without their tag.
func resolved(s Scope, rows [][]string) (ScopeRef, error) {
	ref := ScopeRef{ID: s.GlobalID(), Level: s.Level, Place: s}
	if len(rows) == 0 {
		if s.Level == LevelCity {
			return ref, apperr.New(apperr.WarehouseUnavailable, "the warehouse holds no city yet (gridgov etl run)")
		}
		return ref, apperr.New(apperr.NotFound, "no %s with id %s", strings.ToLower(string(s.Level)), ref.ID)
	}
	ref.Name = rows[0][0]
	ref.StreetID, ref.CommunityID = atoi(rows[0][1]), atoi(rows[0][2])
	return ref, nil
}

// Within tells whether the place ref lies inside the place scope of a token (zero fields of
// the token scope are unrestricted): a street leader sees their street and everything below
// it, never another street.
func (ref ScopeRef) Within(streetID, communityID, gridID int64) bool {
	switch {
	case gridID != 0:
		return ref.Level == LevelGrid && ref.Place.ID == gridID
	case communityID != 0:
		return (ref.Level == LevelCommunity && ref.Place.ID == communityID) || (ref.Level == LevelGrid && ref.CommunityID == communityID)
	case streetID != 0:
		return ref.Level != LevelCity && ref.StreetID == streetID
	}
	return true
}

// IndicatorsFor computes the indicators of scope s over period p for a request whose token
// carries place scope allowed: FORBIDDEN unless s lies within it (a street leader sees their
// street and the places in it, never another street), and for a unit's scope.
func (r *Reader) IndicatorsFor(ctx context.Context, allowed auth.Scope, s Scope, p Period) (*Indicators, error) {
	if allowed.UnitID != 0 {
		return nil, apperr.New(apperr.Forbidden, "indicators are by place; a unit's token has no place scope")
	}
	if _, err := p.Bounds(); err != nil {
		return nil, err
	}
	// A token without a place restriction may see every place: Indicators itself resolves
	// the place (NOT_FOUND for an unknown one) inside its batch, so only a narrower token
	// costs the lookup first.
	if allowed.StreetID != 0 || allowed.CommunityID != 0 || allowed.GridID != 0 {
		ref, err := r.Resolve(ctx, s)
		if err != nil {
			return nil, err
		}
		if !ref.Within(allowed.StreetID, allowed.CommunityID, allowed.GridID) {
			return nil, apperr.New(apperr.Forbidden, "this token may not see %s", ref.ID)
		}
	}
	return r.Indicators(ctx, s, p)
}

// Indicators computes the indicators of scope s over period p. It checks no access: callers
// holding a token use IndicatorsFor.
func (r *Reader) Indicators(ctx context.Context, s Scope, p Period) (*Indicators, error) {
	pr, err := p.Bounds()
	if err != nil {
		return nil, err
	}
	if _, _, err := r.placeSQL(s); err != nil {
		return nil, err
	}
	c := &compute{r: r, s: s, p: pr, out: &Indicators{Period: pr}, child: map[uint64]*BreakdownValues{}, dated: make(chan struct{})}
	c.startTrend()
	if err := c.run(ctx); err != nil {
		return nil, err
	}
	return c.out, nil
}

// compute is one Indicators call: its queries fill out and the per-child values.
type compute struct {
	r     *Reader
	s     Scope
	p     Span
	asOf  time.Time
	dated chan struct{} // closed once asOf is known
	out   *Indicators

	placeErr error // NOT_FOUND and the like, from place

	mu       sync.Mutex
	child    map[uint64]*BreakdownValues // 0: unassigned
	names    []childName
	unitName map[int64]string
	category map[int64]IssueCategory
	issueRow []issueRow
	trendAt  map[string]int // YYYYMM: index in out.Trend
	// scored and scoreSum count the verdicts with a score and add their scores up.
	scored, scoreSum int64
	// quarterMet counts by quarter (YYYYMM of its first day) the communities that met.
	quarterMet map[int64]int64
}

type childName struct {
	id   uint64
	name string
}

type issueRow struct {
	category                                           int64
	reported, resolved, closed, disp, med, medByCadres int64
	quantity                                           float64
}

// values gives the breakdown values of child id (0: unassigned); callers hold mu.
func (c *compute) values(id uint64) *BreakdownValues {
	v := c.child[id]
	if v == nil {
		v = &BreakdownValues{}
		c.child[id] = v
	}
	return v
}

// scoped renders the scope condition of a table with the given place columns, appending its
// arguments to args.
func (c *compute) scoped(cols placeCols, args *[]any) string {
	cond, a := where(cols, c.s)
	*args = append(*args, a...)
	return cond
}

// run reads the time of the data, and the place and the parts in batches, all side by side but
// for the parts that need the time of the data (overdue), which start as soon as it is known.
func (c *compute) run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// In the order their errors are reported.
	tasks := append([]func(context.Context) error{c.readAsOf}, c.batches()...)
	errs := make([]error, len(tasks))
	var wg sync.WaitGroup
	for i, task := range tasks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := protect(ctx, task); err != nil {
				errs[i] = err
				cancel()
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		// A failure caused the cancellations: report it, not a context error.
		if err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
	}
	for _, err := range append(errs, c.placeErr) {
		if err != nil {
			return err
		}
	}
	c.finish()
	return nil
}

func (c *compute) readAsOf(ctx context.Context) error {
	at, err := c.r.AsOf(ctx)
	if err != nil {
		return err
	}
	c.asOf = at
	close(c.dated)
	c.mu.Lock()
	c.out.AsOf = at
	c.mu.Unlock()
	return nil
}

// batches deals the parts round r.parallel batches, which so cost about the same, and adds one
// for the parts that need asOf, which waits for it.
func (c *compute) batches() []func(context.Context) error {
	// The parts, costliest first (as measured on ClickHouse 18.16 at city scope).
	parts := []func() part{
		c.issueTimes, c.volunteers, c.issuesByCategory, c.ordersByChild, c.orderTimes, c.activityMembers, c.workLogs,
		c.issuesByChild, c.serviceHours, c.activities, c.orderTrend, c.issueTrend, c.meetings, c.checkinsByUnit, c.standing,
		c.coverage, c.ratings, c.ratingStages, c.justiceMediators, c.onTime, c.onTimeTrend, c.verdicts, c.verdictTrend, c.rework, c.reworkTrend,
		c.intersections, c.categories, c.checkinsByChild, c.membersByChild, c.teams, c.serviceCategories, c.children, c.residents,
		c.units, c.place, c.patrols, c.patrolTrend, c.policeDuties, c.policeDutyTrend,
		c.area,
	}
	groups := make([][]func() part, c.r.parallel)
	for i, p := range parts {
		groups[i%len(groups)] = append(groups[i%len(groups)], p)
	}
	out := make([]func(context.Context) error, 0, len(groups)+1)
	for i, g := range groups {
		out = append(out, c.batchTask(fmt.Sprintf("indicators_%d", i+1), nil, g))
	}
	return append(out, c.batchTask("issues_overdue", c.dated, []func() part{c.overdue, c.meetingQuarters}))
}

// batchTask runs the parts as one batch named name, once wait (unless nil) is closed.
func (c *compute) batchTask(name string, wait <-chan struct{}, parts []func() part) func(context.Context) error {
	return func(ctx context.Context) error {
		if wait != nil {
			select {
			case <-wait:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		built := make([]part, len(parts))
		for i, build := range parts {
			built[i] = build()
		}
		return c.batch(ctx, name, built)
	}
}

// finish assembles what the queries left: names, totals of the breakdown, rates, sort order.
func (c *compute) finish() {
	o := c.out
	// Issues by category and group.
	byCat := map[int64]*IssueCategory{}
	byGroup := map[string]*IssueGroup{}
	for _, row := range c.issueRow {
		ic := byCat[row.category]
		if ic == nil {
			meta, ok := c.category[row.category]
			if !ok {
				meta = IssueCategory{Category: "unknown", Name: "unknown category " + strconv.FormatInt(row.category, 10), Group: "unknown"}
			}
			meta.Reported, meta.Resolved, meta.Closed, meta.ResolvedQuantity = 0, 0, 0, 0
			ic = &meta
			byCat[row.category] = ic
		}
		ic.Reported += row.reported
		ic.Resolved += row.resolved
		ic.Closed += row.closed
		ic.ResolvedQuantity += row.quantity
		g := byGroup[ic.Group]
		if g == nil {
			g = &IssueGroup{Group: ic.Group}
			byGroup[ic.Group] = g
		}
		g.Reported += row.reported
		g.Resolved += row.resolved
		g.ResolvedQuantity += row.quantity
		o.Issues.Reported += row.reported
		o.Issues.Resolved += row.resolved
		o.Issues.Closed += row.closed
		o.Issues.Disputes += row.disp
		o.Issues.DisputesMediated += row.med
		o.Issues.DisputesMediatedByCadres += row.medByCadres
	}
	for _, ic := range byCat {
		o.Issues.ByCategory = append(o.Issues.ByCategory, *ic)
	}
	sort.Slice(o.Issues.ByCategory, func(i, j int) bool {
		a, b := o.Issues.ByCategory[i], o.Issues.ByCategory[j]
		return a.Reported > b.Reported || (a.Reported == b.Reported && a.Category < b.Category)
	})
	for _, g := range byGroup {
		o.Issues.ByGroup = append(o.Issues.ByGroup, *g)
	}
	sort.Slice(o.Issues.ByGroup, func(i, j int) bool { return o.Issues.ByGroup[i].Group < o.Issues.ByGroup[j].Group })
	o.Issues.ResolutionRate = ratio(o.Issues.Resolved, o.Issues.Reported)

	// Totals of the additive values are the sums over children and unassigned: the same rows.
	var total BreakdownValues
	for _, v := range c.child {
		total.add(*v)
	}
	o.Checkins.Expected, o.Checkins.CheckedIn = total.Checkins.Expected, total.Checkins.CheckedIn
	o.Checkins.Rate = ratio(o.Checkins.CheckedIn, o.Checkins.Expected)
	o.Checkins.Withdrawn, o.Checkins.Transferred = total.Checkins.Withdrawn, total.Checkins.Transferred
	o.Checkins.ReverificationDue = total.Checkins.ReverificationDue
	o.Orders.Posted, o.Orders.Claimed, o.Orders.Completed = total.Orders.Posted, total.Orders.Claimed, total.Orders.Completed
	o.Orders.Declined, o.Orders.Released, o.Orders.Late = total.Orders.Declined, total.Orders.Released, total.Orders.Late
	// The deadline counts (overdue and due soon are totalled by their part).
	ti := total.Issues
	o.Issues.ResolvedOnTime, o.Issues.ResolvedLate = ti.ResolvedOnTime, ti.ResolvedLate
	o.Issues.OnTimeRate = ratioOrNil(ti.ResolvedOnTime, ti.ResolvedOnTime+ti.ResolvedLate)
	o.Issues.Urged, o.Issues.Supervised, o.Issues.Extended, o.Issues.AutoEscalated = ti.Urged, ti.Supervised, ti.Extended, ti.AutoEscalated
	// The verdicts (their channels are totalled by their part) and the reopenings.
	o.Issues.VerdictsSatisfied, o.Issues.VerdictsUnsatisfied, o.Issues.VerdictsNoResponse = ti.VerdictsSatisfied, ti.VerdictsUnsatisfied, ti.VerdictsNoResponse
	o.Issues.SatisfactionRate = ratioOrNil(ti.VerdictsSatisfied, ti.VerdictsSatisfied+ti.VerdictsUnsatisfied)
	o.Issues.AverageVerdictScore = ratioOrNil(c.scoreSum, c.scored)
	o.Issues.ResolvedInPeriod, o.Issues.Reopened, o.Issues.Reopens = ti.ResolvedInPeriod, ti.Reopened, ti.Reopens
	o.Issues.ReopenRate = ratioOrNil(ti.Reopened, ti.ResolvedInPeriod)
	o.Volunteers.Registered, o.Volunteers.Police = total.Volunteers.Registered, total.Volunteers.Police
	o.JointMeetings.Quarters = c.meetingCompliance()
	o.Coverage.Grids, o.Coverage.Buildings = total.Coverage.Grids, total.Coverage.Buildings
	o.Density = Density{AreaKm2: total.Density.AreaKm2, IssuesPerKm2: perKm2(o.Issues.Reported, total.Density.AreaKm2)}

	for i := range o.Checkins.ByUnit {
		u := &o.Checkins.ByUnit[i]
		u.Unit = unitOf(u.Unit.RowID, c.unitName)
		u.Rate = ratio(u.CheckedIn, u.Expected)
	}
	sort.Slice(o.Checkins.ByUnit, func(i, j int) bool {
		a, b := o.Checkins.ByUnit[i], o.Checkins.ByUnit[j]
		return a.Expected > b.Expected || (a.Expected == b.Expected && a.Unit.RowID < b.Unit.RowID)
	})
	for i := range o.Orders.RatingsByUnit {
		o.Orders.RatingsByUnit[i].Unit = unitOf(o.Orders.RatingsByUnit[i].Unit.RowID, c.unitName)
	}

	// The breakdown: every child place, in name order, then what is tied to none.
	childLevel := c.s.Level.child()
	for _, n := range c.names {
		v := c.child[n.id]
		if v == nil {
			v = &BreakdownValues{}
		}
		v.Checkins.Rate = ratio(v.Checkins.CheckedIn, v.Checkins.Expected)
		v.Density.IssuesPerKm2 = perKm2(v.Issues.Reported, v.Density.AreaKm2)
		place := Scope{Level: childLevel, ID: int64(n.id)}
		ref := ScopeRef{ID: place.GlobalID(), Name: n.name, Level: childLevel, Place: place}
		switch childLevel {
		case LevelStreet:
			ref.StreetID = int64(n.id)
		case LevelCommunity:
			ref.StreetID, ref.CommunityID = c.out.Scope.StreetID, int64(n.id)
		case LevelGrid:
			ref.StreetID, ref.CommunityID = c.out.Scope.StreetID, c.out.Scope.CommunityID
		}
		o.Breakdown = append(o.Breakdown, BreakdownItem{Scope: ref, BreakdownValues: *v})
		delete(c.child, n.id)
	}
	// Rows of a child place missing from its dimension (deleted since) count as unassigned,
	// so the sums still hold.
	for _, v := range c.child {
		o.Unassigned.add(*v)
	}
	o.Unassigned.Checkins.Rate = ratio(o.Unassigned.Checkins.CheckedIn, o.Unassigned.Checkins.Expected)
}

func (v *BreakdownValues) add(w BreakdownValues) {
	v.Checkins.Expected += w.Checkins.Expected
	v.Checkins.CheckedIn += w.Checkins.CheckedIn
	v.Checkins.Withdrawn += w.Checkins.Withdrawn
	v.Checkins.Transferred += w.Checkins.Transferred
	v.Checkins.ReverificationDue += w.Checkins.ReverificationDue
	v.Issues.Reported += w.Issues.Reported
	v.Issues.Resolved += w.Issues.Resolved
	v.Issues.Closed += w.Issues.Closed
	v.Issues.Overdue += w.Issues.Overdue
	v.Issues.DueSoon += w.Issues.DueSoon
	v.Issues.ResolvedOnTime += w.Issues.ResolvedOnTime
	v.Issues.ResolvedLate += w.Issues.ResolvedLate
	v.Issues.Urged += w.Issues.Urged
	v.Issues.Supervised += w.Issues.Supervised
	v.Issues.Extended += w.Issues.Extended
	v.Issues.AutoEscalated += w.Issues.AutoEscalated
	v.Issues.VerdictsSatisfied += w.Issues.VerdictsSatisfied
	v.Issues.VerdictsUnsatisfied += w.Issues.VerdictsUnsatisfied
	v.Issues.VerdictsNoResponse += w.Issues.VerdictsNoResponse
	v.Issues.ResolvedInPeriod += w.Issues.ResolvedInPeriod
	v.Issues.Reopened += w.Issues.Reopened
	v.Issues.Reopens += w.Issues.Reopens
	v.Orders.Posted += w.Orders.Posted
	v.Orders.Claimed += w.Orders.Claimed
	v.Orders.Completed += w.Orders.Completed
	v.Orders.Declined += w.Orders.Declined
	v.Orders.Released += w.Orders.Released
	v.Orders.Late += w.Orders.Late
	v.Volunteers.Registered += w.Volunteers.Registered
	v.Volunteers.Police += w.Volunteers.Police
	v.Activities.Events += w.Activities.Events
	v.Activities.PeopleServed += w.Activities.PeopleServed
	v.Coverage.Grids += w.Coverage.Grids
	v.Coverage.Buildings += w.Coverage.Buildings
	v.Density.AreaKm2 = addKm2(v.Density.AreaKm2, w.Density.AreaKm2)
}

// startTrend lays out the trend's months; issues and orders fill them in.
func (c *compute) startTrend() {
	tr := trendRange(c.p)
	ms := months(tr.From, tr.To)
	c.out.Trend = make([]TrendPoint, len(ms))
	c.trendAt = make(map[string]int, len(ms))
	for i, m := range ms {
		c.out.Trend[i].Month = m.Format("2006-01")
		c.trendAt[m.Format("200601")] = i
	}
}

// quarterSpan is the period up to the day of asOf (Asia/Shanghai): the quarters of the
// compliance list end with the one under way.
func (c *compute) quarterSpan() Span {
	day := c.asOf.In(shanghai)
	sp := c.p
	if today := date(day.Year(), day.Month(), day.Day()); today.Before(sp.To) {
		sp.To = today
	}
	return sp
}

// meetingCompliance sets the communities that met in each quarter against the communities.
func (c *compute) meetingCompliance() []MeetingQuarter {
	out := []MeetingQuarter{}
	n := c.out.Organisation.Communities
	for _, q := range quartersOf(c.quarterSpan()) {
		met := c.quarterMet[int64(q.Year()*100+int(q.Month()))]
		out = append(out, MeetingQuarter{Quarter: quarterName(q), Communities: n, CommunitiesMet: met, Share: ratioOrNil(met, n)})
	}
	return out
}

// trendPoint is the trend's month yyyymm, nil outside it; callers hold mu.
func (c *compute) trendPoint(yyyymm string) *TrendPoint {
	if i, ok := c.trendAt[yyyymm]; ok {
		return &c.out.Trend[i]
	}
	return nil
}

func atoi(s string) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return int64(atof(s))
	}
	return n
}

func uatoi(s string) uint64 {
	n, _ := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
	return n
}

func atof(s string) float64 {
	f, _ := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return f
}

// protect runs task; a panic in it becomes its error, with the stack for the log, so a bug
// in one indicator query fails that request and never the process (the goroutines here
// run outside gqlgen's recover).
func protect(ctx context.Context, task func(context.Context) error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("warehouse: panic: %v\n%s", v, debug.Stack())
		}
	}()
	return task(ctx)
}

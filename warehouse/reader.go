package warehouse

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/jackc/pgx/v5/pgxpool"

	"gridgov/apperr"
	"gridgov/auth"
)

// AsOfFunc gives the time of the warehouse data (see Indicators.AsOf).
type AsOfFunc func(ctx context.Context) (time.Time, error)

// IndicatorTables are the warehouse tables the indicators read, directly or through the
// summary tables: AsOf is the oldest of their ETL snapshots (and of the summaries').
var IndicatorTables = []string{"dim_city", "dim_street", "dim_community", "dim_grid", "dim_building", "dim_compound",
	"dim_unit", "dim_issue_category", "dim_service_category", "dim_social_organisation", "dim_venture_project",
	"dim_volunteer_team", "role_cadre", "role_grid_assignment", "role_party_member", "role_building_appointment",
	"role_mediation_room_member", "role_resident", "role_red_steward", "role_governance_instructor",
	"fact_checkin", "fact_issue", "fact_issue_mediator", "fact_work_log", "fact_service_order", "fact_service_record",
	"fact_year_rating", "fact_volunteer", "fact_pairing", "fact_activity", "fact_activity_participant",
	"fact_joint_meeting", "fact_meeting_matter"}

// CheckpointAsOf reads AsOf from the ETL's checkpoints in Postgres (etl_checkpoints): the
// oldest snapshot_at among IndicatorTables. The ETL stores a table's checkpoint only after
// ClickHouse acknowledged its rows, so the warehouse holds at least everything committed in
// Postgres before that time. It is read from Postgres rather than kept in ClickHouse because
// the checkpoints are the ETL's one record of progress; a warehouse never loaded has no AsOf
// and its indicators fail with WAREHOUSE_UNAVAILABLE.
func CheckpointAsOf(pool *pgxpool.Pool) AsOfFunc {
	return func(ctx context.Context) (time.Time, error) {
		var n int
		var at *time.Time
		err := pool.QueryRow(ctx, `SELECT count(*), min(snapshot_at) FROM etl_checkpoints WHERE table_name = ANY($1)`,
			IndicatorTables).Scan(&n, &at)
		if err != nil {
			return time.Time{}, fmt.Errorf("read etl checkpoints: %w", err)
		}
		if n < len(IndicatorTables) || at == nil {
			return time.Time{}, apperr.New(apperr.WarehouseUnavailable, "the warehouse has not been loaded yet (gridgov etl run)")
		}
		return *at, nil
	}
}

// Reader computes indicators in ClickHouse. The large facts are read through the summary
// tables (Summaries: deduplicated when built, read without FINAL); the small dimensions and
// roles are read directly, deduplicated with FINAL and is_deleted = 0. Every query applies the
// scope in its WHERE clause and binds its values client-side (Bind), so the same text runs on
// ClickHouse 18.16 and on current releases.
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
	AsOf     AsOfFunc // required: usually CheckpointAsOf
	Parallel int      // queries in flight per Indicators call; default 4
}

// NewReader reads the warehouse database db on e.
func NewReader(e Engine, db string, o ReaderOptions) *Reader {
	if o.Parallel <= 0 {
		o.Parallel = 4
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
		rows, err := r.query(ctx, "summary_state", summaryStatesSQL(r.db))
		ch <- result{rows, err}
	}()
	asOf, err := r.asOf(ctx)
	res := <-ch
	if err != nil {
		return time.Time{}, err
	}
	if res.err != nil {
		var ex *clickhouse.Exception
		if errors.As(res.err, &ex) && ex.Code == 60 { // UNKNOWN_TABLE: DDL not applied yet
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
	ref := ScopeRef{ID: s.GlobalID(), Level: s.Level, Place: s}
	var sql string
	switch s.Level {
	case LevelCity:
		sql = "SELECT name, toUInt64(0), toUInt64(0) FROM " + r.t("dim_city") + " WHERE is_deleted = 0 ORDER BY id LIMIT 1"
	case LevelStreet:
		sql = "SELECT name, id, toUInt64(0) FROM " + r.t("dim_street") + " WHERE is_deleted = 0 AND id = ?"
	case LevelCommunity:
		sql = "SELECT name, street_id, id FROM " + r.t("dim_community") + " WHERE is_deleted = 0 AND id = ?"
	case LevelGrid:
		sql = "SELECT name, street_id, community_id FROM " + r.t("dim_grid") + " WHERE is_deleted = 0 AND id = ?"
	default:
		return ref, apperr.Invalid("scope", "unknown level %q", s.Level)
	}
	var args []any
	if s.Level != LevelCity {
		args = []any{s.ID}
	}
	rows, err := r.query(ctx, "scope", sql, args...)
	if err != nil {
		return ref, err
	}
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
	ref, err := r.Resolve(ctx, s)
	if err != nil {
		return nil, err
	}
	if !ref.Within(allowed.StreetID, allowed.CommunityID, allowed.GridID) {
		return nil, apperr.New(apperr.Forbidden, "this token may not see %s", ref.ID)
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
	// The time of the data and the place, side by side: both are needed before the rest.
	type resolved struct {
		ref ScopeRef
		err error
	}
	place := make(chan resolved, 1)
	go func() {
		ref, err := r.Resolve(ctx, s)
		place <- resolved{ref, err}
	}()
	asOf, err := r.AsOf(ctx)
	res := <-place
	if err != nil {
		return nil, err
	}
	if res.err != nil {
		return nil, res.err
	}
	c := &compute{r: r, s: s, p: pr, asOf: asOf, out: &Indicators{AsOf: asOf, Scope: res.ref, Period: pr},
		child: map[uint64]*BreakdownValues{}}
	c.startTrend()
	if err := c.run(ctx); err != nil {
		return nil, err
	}
	return c.out, nil
}

// compute is one Indicators call: its queries fill out and the per-child values.
type compute struct {
	r    *Reader
	s    Scope
	p    Span
	asOf time.Time
	out  *Indicators

	mu       sync.Mutex
	child    map[uint64]*BreakdownValues // 0: unassigned
	names    []childName
	units    map[int64]string
	cats     map[int64]IssueCategory
	issueRow []issueRow
	trendAt  map[string]int // YYYYMM: index in out.Trend
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

func (c *compute) period() []any { return []any{Day{c.p.From}, Day{c.p.To}} }

// scoped renders the scope condition of a table with the given place columns, appending its
// arguments to args.
func (c *compute) scoped(cols placeCols, args *[]any) string {
	cond, a := where(cols, c.s)
	*args = append(*args, a...)
	return cond
}

func (c *compute) run(ctx context.Context) error {
	steps := []func(context.Context) error{
		c.children, c.dimensions, c.checkins, c.volunteers, c.teams, c.issues, c.issueTimes, c.overdue,
		c.orders, c.orderTimes, c.serviceHours, c.ratings, c.coverage, c.organisation, c.activities, c.participants,
		c.workLogs, c.meetings,
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, c.r.parallel)
	errs := make([]error, len(steps))
	var wg sync.WaitGroup
	for i, step := range steps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if ctx.Err() != nil {
				return
			}
			if err := step(ctx); err != nil {
				errs[i] = err
				cancel()
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		// The first failure caused the cancellations: report it, not a context error.
		if err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	c.finish()
	return nil
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
			meta, ok := c.cats[row.category]
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
	o.Orders.Posted, o.Orders.Claimed, o.Orders.Completed = total.Orders.Posted, total.Orders.Claimed, total.Orders.Completed
	o.Volunteers.Registered, o.Volunteers.Police = total.Volunteers.Registered, total.Volunteers.Police
	o.Coverage.Grids, o.Coverage.Buildings = total.Coverage.Grids, total.Coverage.Buildings

	for i := range o.Checkins.ByUnit {
		u := &o.Checkins.ByUnit[i]
		u.Unit = unitOf(u.Unit.RowID, c.units)
		u.Rate = ratio(u.CheckedIn, u.Expected)
	}
	sort.Slice(o.Checkins.ByUnit, func(i, j int) bool {
		a, b := o.Checkins.ByUnit[i], o.Checkins.ByUnit[j]
		return a.Expected > b.Expected || (a.Expected == b.Expected && a.Unit.RowID < b.Unit.RowID)
	})
	for i := range o.Orders.RatingsByUnit {
		o.Orders.RatingsByUnit[i].Unit = unitOf(o.Orders.RatingsByUnit[i].Unit.RowID, c.units)
	}

	// The breakdown: every child place, in name order, then what is tied to none.
	childLevel := c.s.Level.child()
	for _, n := range c.names {
		v := c.child[n.id]
		if v == nil {
			v = &BreakdownValues{}
		}
		v.Checkins.Rate = ratio(v.Checkins.CheckedIn, v.Checkins.Expected)
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
	v.Issues.Reported += w.Issues.Reported
	v.Issues.Resolved += w.Issues.Resolved
	v.Issues.Closed += w.Issues.Closed
	v.Issues.Overdue += w.Issues.Overdue
	v.Orders.Posted += w.Orders.Posted
	v.Orders.Claimed += w.Orders.Claimed
	v.Orders.Completed += w.Orders.Completed
	v.Volunteers.Registered += w.Volunteers.Registered
	v.Volunteers.Police += w.Volunteers.Police
	v.Activities.Events += w.Activities.Events
	v.Activities.PeopleServed += w.Activities.PeopleServed
	v.Coverage.Grids += w.Coverage.Grids
	v.Coverage.Buildings += w.Coverage.Buildings
}

// children lists the places one level down, with their names.
func (c *compute) children(ctx context.Context) error {
	var sql string
	var args []any
	switch c.s.Level {
	case LevelCity:
		sql = "SELECT id, name FROM " + c.r.t("dim_street") + " WHERE is_deleted = 0"
	case LevelStreet:
		sql, args = "SELECT id, name FROM "+c.r.t("dim_community")+" WHERE is_deleted = 0 AND street_id = ?", []any{c.s.ID}
	case LevelCommunity:
		sql, args = "SELECT id, name FROM "+c.r.t("dim_grid")+" WHERE is_deleted = 0 AND community_id = ?", []any{c.s.ID}
	default:
		return nil
	}
	rows, err := c.r.query(ctx, "children", sql+" ORDER BY name, id", args...)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, row := range rows {
		c.names = append(c.names, childName{uint64(atoi(row[0])), row[1]})
	}
	return nil
}

// dimensions reads the small dimensions whose names the results carry, in one query.
func (c *compute) dimensions(ctx context.Context) error {
	rows, err := c.r.query(ctx, "dimensions", "SELECT 'unit', id, name, '', '', '', '' FROM "+c.r.t("dim_unit")+" WHERE is_deleted = 0 "+
		"UNION ALL SELECT 'category', id, code, name, name_zh, category_group, ifNull(quantity_unit, '') FROM "+c.r.t("dim_issue_category")+
		" WHERE is_deleted = 0")
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.units = map[int64]string{}
	c.cats = map[int64]IssueCategory{}
	for _, k := range rows {
		if k[0] == "unit" {
			c.units[atoi(k[1])] = k[2]
		} else {
			c.cats[atoi(k[1])] = IssueCategory{Category: k[2], Name: k[3], NameZh: k[4], Group: k[5], QuantityUnit: k[6]}
		}
	}
	return nil
}

// checkins reads, in one query, the party members expected to check in per child place and
// per unit with, of each unit, those with a verified check-in (by the members' own place);
// and the verified check-ins by the place of the check-in.
func (c *compute) checkins(ctx context.Context) error {
	var args []any
	sql := "SELECT 'member', " + childExpr(factCols, c.s) + " AS c, unit_id, sum(members), sum(checked_in) FROM " + c.r.sum("sum_member") +
		" WHERE " + c.scoped(factCols, &args) + " GROUP BY c, unit_id UNION ALL SELECT 'checkin', " + childExpr(factCols, c.s) +
		" AS c, toUInt64(0), sum(verified), toUInt64(0) FROM " + c.r.sum("sum_checkin") + " WHERE " + c.scoped(factCols, &args) + " GROUP BY c"
	rows, err := c.r.query(ctx, "checkins", sql, args...)
	if err != nil {
		return err
	}
	byUnit := map[int64]*UnitCheckins{}
	var units []int64
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, row := range rows {
		v := c.values(uatoi(row[1]))
		if row[0] == "checkin" {
			v.Checkins.CheckedIn += atoi(row[3])
			continue
		}
		members, checkedIn := atoi(row[3]), atoi(row[4])
		v.Checkins.Expected += members
		u := atoi(row[2])
		if byUnit[u] == nil {
			byUnit[u] = &UnitCheckins{Unit: Unit{RowID: u}}
			units = append(units, u)
		}
		byUnit[u].Expected += members
		byUnit[u].CheckedIn += checkedIn
	}
	out := make([]UnitCheckins, 0, len(units))
	for _, u := range units {
		out = append(out, *byUnit[u])
	}
	c.out.Checkins.ByUnit = out
	return nil
}

func (c *compute) volunteers(ctx context.Context) error {
	var args []any
	// Grouped by team before the join: the join then sees a few rows per team.
	rows, err := c.r.query(ctx, "volunteers", "SELECT c, team_type, sum(n), sum(n * police) FROM (SELECT "+childExpr(factCols, c.s)+
		" AS c, team_id, sum(volunteers) AS n FROM "+c.r.sum("sum_volunteer")+" WHERE "+c.scoped(factCols, &args)+
		" GROUP BY c, team_id) AS v ANY LEFT JOIN (SELECT id AS team_id, team_type, is_volunteer_police AS police FROM "+c.r.t("dim_volunteer_team")+
		" WHERE is_deleted = 0) AS tm USING team_id GROUP BY c, team_type", args...)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, row := range rows {
		v := c.values(uatoi(row[0]))
		v.Volunteers.Registered += atoi(row[2])
		v.Volunteers.Police += atoi(row[3])
		typ := row[1]
		if typ == "" {
			typ = "none"
		}
		c.teamType(typ).Volunteers += atoi(row[2])
		c.teamType(typ).Police += atoi(row[3])
	}
	return nil
}

// teamType finds or adds a team type's entry; callers hold mu.
func (c *compute) teamType(typ string) *TeamType {
	v := &c.out.Volunteers
	for i := range v.Teams {
		if v.Teams[i].TeamType == typ {
			return &v.Teams[i]
		}
	}
	v.Teams = append(v.Teams, TeamType{TeamType: typ})
	sort.Slice(v.Teams, func(i, j int) bool { return v.Teams[i].TeamType < v.Teams[j].TeamType })
	for i := range v.Teams {
		if v.Teams[i].TeamType == typ {
			return &v.Teams[i]
		}
	}
	return nil
}

func (c *compute) teams(ctx context.Context) error {
	var args []any
	cond := "1"
	if c.s.Level != LevelCity {
		cond = "id IN (SELECT team_id FROM " + c.r.sum("sum_volunteer") + " WHERE team_id != 0 AND " + c.scoped(factCols, &args) + ")"
	}
	rows, err := c.r.query(ctx, "teams", "SELECT team_type, count() FROM "+c.r.t("dim_volunteer_team")+" WHERE is_deleted = 0 AND "+cond+
		" GROUP BY team_type", args...)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, row := range rows {
		c.teamType(row[0]).Teams += atoi(row[1])
		c.out.Volunteers.TeamCount += atoi(row[1])
	}
	return nil
}

// Issue states that count as resolved.
const resolvedStates = "('resolved', 'closed')"

// issues reads the issues by child place, category and month over the trend's months (which
// include the period's days): those reported in the period make the issue counts, every month
// the trend.
func (c *compute) issues(ctx context.Context) error {
	tr := trendRange(c.p)
	args := c.period()
	sql := "SELECT " + childExpr(factCols, c.s) + " AS c, category_id, toYYYYMM(reported_on) AS m, (reported_on BETWEEN ? AND ?) AS in_period, " +
		"sum(reported), sum(resolved), sum(closed), toString(sum(resolved_quantity)), sum(disputes), sum(disputes_mediated), " +
		"sum(disputes_mediated_by_cadres) FROM " + c.r.sum("sum_issue_day") + " WHERE " + c.scoped(factCols, &args) +
		" AND reported_on BETWEEN ? AND ? GROUP BY c, category_id, m, in_period"
	rows, err := c.r.query(ctx, "issues", sql, append(args, Day{tr.From}, Day{tr.To})...)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, row := range rows {
		ir := issueRow{category: atoi(row[1]), reported: atoi(row[4]), resolved: atoi(row[5]), closed: atoi(row[6]),
			quantity: atof(row[7]), disp: atoi(row[8]), med: atoi(row[9]), medByCadres: atoi(row[10])}
		if t := c.trendPoint(row[2]); t != nil {
			t.IssuesReported += ir.reported
			t.IssuesResolved += ir.resolved
		}
		if row[3] != "1" {
			continue
		}
		c.issueRow = append(c.issueRow, ir)
		v := c.values(uatoi(row[0]))
		v.Issues.Reported += ir.reported
		v.Issues.Resolved += ir.resolved
		v.Issues.Closed += ir.closed
	}
	return nil
}

// overdue counts the issues of the period neither resolved nor closed and past their deadline
// at asOf.
func (c *compute) overdue(ctx context.Context) error {
	args := []any{c.asOf}
	sql := "SELECT " + childExpr(factCols, c.s) + " AS c, count() FROM " + c.r.sum("sum_issue_item") +
		" WHERE open_due_at IS NOT NULL AND assumeNotNull(open_due_at) < ? AND " + c.scoped(factCols, &args) +
		" AND reported_on BETWEEN ? AND ? GROUP BY c"
	rows, err := c.r.query(ctx, "issues_overdue", sql, append(args, c.period()...)...)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, row := range rows {
		n := atoi(row[1])
		c.values(uatoi(row[0])).Issues.Overdue += n
		c.out.Issues.Overdue += n
	}
	return nil
}

// percentiles is SQL giving count, then the values at rank ⌈p·n⌉ of the sorted array s for
// each p (percentile_disc). Written with arraySort and indexing rather than a quantile
// function because quantile semantics differ between ClickHouse releases.
func percentiles(ps ...string) string {
	out := "length(s)"
	for _, p := range ps {
		out += ", s[toUInt64(greatest(ceil(length(s) * " + p + "), 1))]"
	}
	return out
}

func (c *compute) issueTimes(ctx context.Context) error {
	var args []any
	sql := "SELECT " + percentiles("0.5", "0.9") + " FROM (SELECT arraySort(groupArray(assumeNotNull(hours_to_close))) AS s FROM " +
		c.r.sum("sum_issue_item") + " WHERE hours_to_close IS NOT NULL AND " + c.scoped(factCols, &args) + " AND reported_on BETWEEN ? AND ?)"
	rows, err := c.r.query(ctx, "issue_times", sql, append(args, c.period()...)...)
	if err != nil {
		return err
	}
	if len(rows) == 1 && atoi(rows[0][0]) > 0 {
		med, p90 := atof(rows[0][1]), atof(rows[0][2])
		c.mu.Lock()
		c.out.Issues.MedianHoursToClose, c.out.Issues.P90HoursToClose = &med, &p90
		c.mu.Unlock()
	}
	return nil
}

// orders reads the orders by child place and month over the trend's months, as issues does.
func (c *compute) orders(ctx context.Context) error {
	tr := trendRange(c.p)
	args := c.period()
	sql := "SELECT " + childExpr(factCols, c.s) + " AS c, toYYYYMM(posted_on) AS m, (posted_on BETWEEN ? AND ?) AS in_period, sum(posted), " +
		"sum(claimed), sum(completed), sum(rated), sum(rating_sum) FROM " + c.r.sum("sum_order_day") + " WHERE " + c.scoped(factCols, &args) +
		" AND posted_on BETWEEN ? AND ? GROUP BY c, m, in_period"
	rows, err := c.r.query(ctx, "orders", sql, append(args, Day{tr.From}, Day{tr.To})...)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var rated, sum int64
	for _, row := range rows {
		posted, completed := atoi(row[3]), atoi(row[5])
		if t := c.trendPoint(row[1]); t != nil {
			t.OrdersPosted += posted
			t.OrdersCompleted += completed
		}
		if row[2] != "1" {
			continue
		}
		v := c.values(uatoi(row[0]))
		v.Orders.Posted += posted
		v.Orders.Claimed += atoi(row[4])
		v.Orders.Completed += completed
		rated += atoi(row[6])
		sum += atoi(row[7])
	}
	c.out.Orders.Rated = rated
	if rated > 0 {
		avg := float64(sum) / float64(rated)
		c.out.Orders.AverageRating = &avg
	}
	return nil
}

func (c *compute) orderTimes(ctx context.Context) error {
	var args []any
	sql := "SELECT " + percentiles("0.5") + " FROM (SELECT arraySort(groupArray(hours_to_claim)) AS s FROM " +
		c.r.sum("sum_order_claim") + " WHERE " + c.scoped(factCols, &args) + " AND posted_on BETWEEN ? AND ?)"
	rows, err := c.r.query(ctx, "order_times", sql, append(args, c.period()...)...)
	if err != nil {
		return err
	}
	if len(rows) == 1 && atoi(rows[0][0]) > 0 {
		med := atof(rows[0][1])
		c.mu.Lock()
		c.out.Orders.MedianHoursToClaim = &med
		c.mu.Unlock()
	}
	return nil
}

func (c *compute) serviceHours(ctx context.Context) error {
	var args []any
	sql := "SELECT toYear(served_on) AS y, toQuarter(served_on) AS q, sum(records), toString(sum(hours)) FROM " + c.r.sum("sum_service_day") +
		" WHERE " + c.scoped(factCols, &args) + " AND served_on BETWEEN ? AND ? GROUP BY y, q ORDER BY y, q"
	rows, err := c.r.query(ctx, "service_hours", sql, append(args, c.period()...)...)
	if err != nil {
		return err
	}
	out := make([]QuarterHours, 0, len(rows))
	for _, row := range rows {
		out = append(out, QuarterHours{Year: int(atoi(row[0])), Quarter: int(atoi(row[1])), Records: atoi(row[2]), Hours: atof(row[3])})
	}
	c.mu.Lock()
	c.out.Orders.ServiceHours = out
	c.mu.Unlock()
	return nil
}

func (c *compute) ratings(ctx context.Context) error {
	if c.s.Level == LevelGrid {
		return nil // ratings are given per community
	}
	var args []any
	sql := "SELECT unit_id, grade, sum(ratings) FROM " + c.r.sum("sum_rating") + " WHERE " + c.scoped(communityCols, &args) +
		" AND year BETWEEN ? AND ? GROUP BY unit_id, grade"
	args = append(args, c.p.From.Year(), c.p.To.Year())
	rows, err := c.r.query(ctx, "ratings", sql, args...)
	if err != nil {
		return err
	}
	total := &RatingCounts{}
	byUnit := map[int64]*RatingCounts{}
	for _, row := range rows {
		u := atoi(row[0])
		if byUnit[u] == nil {
			byUnit[u] = &RatingCounts{}
		}
		total.addGrade(row[1], atoi(row[2]))
		byUnit[u].addGrade(row[1], atoi(row[2]))
	}
	out := make([]UnitRatings, 0, len(byUnit))
	for u, rc := range byUnit {
		out = append(out, UnitRatings{Unit: Unit{RowID: u}, Ratings: *rc})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Unit.RowID < out[j].Unit.RowID })
	c.mu.Lock()
	c.out.Orders.Ratings, c.out.Orders.RatingsByUnit = total, out
	c.mu.Unlock()
	return nil
}

func (rc *RatingCounts) addGrade(grade string, n int64) {
	switch grade {
	case "good":
		rc.Good += n
	case "fair":
		rc.Fair += n
	case "average":
		rc.Average += n
	case "poor":
		rc.Poor += n
	}
}

// coverage reads, in one query, the grids with and without a liaison cadre and an instructor,
// and the buildings with and without a building leader.
func (c *compute) coverage(ctx context.Context) error {
	var args []any
	current := func(table, col, role string) string {
		return "id IN (SELECT " + col + " FROM " + c.r.t(table) + " WHERE is_deleted = 0 AND role = '" + role + "' AND ended_on IS NULL)"
	}
	sql := "SELECT 'grid', " + childExpr(gridDimCols, c.s) + " AS c, count(), countIf(" + current("role_grid_assignment", "grid_id", "liaison") +
		"), countIf(" + current("role_grid_assignment", "grid_id", "instructor") + ") FROM " + c.r.t("dim_grid") + " WHERE is_deleted = 0 AND " +
		c.scoped(gridDimCols, &args) + " GROUP BY c UNION ALL SELECT 'building', " + childExpr(factCols, c.s) + " AS c, count(), countIf(" +
		current("role_building_appointment", "building_id", "building_leader") + "), toUInt64(0) FROM " + c.r.t("dim_building") +
		" WHERE is_deleted = 0 AND " + c.scoped(factCols, &args) + " GROUP BY c"
	rows, err := c.r.query(ctx, "coverage", sql, args...)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, row := range rows {
		v := c.values(uatoi(row[1]))
		if row[0] == "grid" {
			v.Coverage.Grids += atoi(row[2])
			c.out.Coverage.GridsWithCadre += atoi(row[3])
			c.out.Coverage.GridsWithInstructor += atoi(row[4])
		} else {
			v.Coverage.Buildings += atoi(row[2])
			c.out.Coverage.BuildingsWithLeader += atoi(row[3])
		}
	}
	return nil
}

// organisation counts the standing organisation in one query of scalar subqueries.
func (c *compute) organisation(ctx context.Context) error {
	var args []any
	count := func(expr, table string, cols placeCols, cond string) string {
		return "(SELECT " + expr + " FROM " + c.r.t(table) + " WHERE is_deleted = 0 AND " + cond + " AND " + c.scoped(cols, &args) + ")"
	}
	leaders := "cadre_id IN (SELECT id FROM " + c.r.t("role_cadre") + " WHERE is_deleted = 0 AND is_leader = 1)"
	streetCadres := "cadre_id IN (SELECT id FROM " + c.r.t("role_cadre") + " WHERE is_deleted = 0 AND kind = 'street_cadre')"
	justice := "unit_id IN (SELECT id FROM " + c.r.t("dim_unit") + " WHERE is_deleted = 0 AND is_justice = 1)"
	civilised := "unit_id IN (SELECT id FROM " + c.r.t("dim_unit") + " WHERE is_deleted = 0 AND civilised = 1)"
	exprs := []string{
		count("count()", "dim_community", commDimCols, "1"),
		count("count()", "dim_community", commDimCols, "has_party_org = 1"),
		count("uniqExact(cadre_id)", "role_grid_assignment", factCols, "role = 'instructor' AND ended_on IS NULL AND "+leaders),
		count("uniqExact(cadre_id)", "role_grid_assignment", factCols, "role = 'liaison' AND ended_on IS NULL AND "+streetCadres),
		"(SELECT sum(residents) FROM " + c.r.sum("sum_resident") + " WHERE " + c.scoped(factCols, &args) + ")",
		count("count()", "role_building_appointment", factCols, "role = 'building_leader' AND ended_on IS NULL"),
		count("count()", "role_building_appointment", factCols, "role = 'owner_representative' AND ended_on IS NULL"),
		count("count()", "dim_compound", communityCols, "market_managed = 1"),
		"(SELECT uniqExact(member_id) FROM " + c.r.sum("sum_mediation_member") + " WHERE " + justice + " AND " + c.scoped(communityCols, &args) + ")",
		count("count()", "role_red_steward", factCols, "1"),
		count("count()", "role_governance_instructor", communityCols, "1"),
		count("uniqExact(unit_id)", "fact_pairing", communityCols, "kind = 'practice_station' AND ended_on IS NULL AND "+civilised),
		count("count()", "dim_social_organisation", streetCols, "has_party_org = 1"),
		count("count()", "dim_venture_project", communityCols, "1"),
		"(SELECT count() FROM " + c.r.t("dim_service_category") + " WHERE is_deleted = 0)",
	}
	rows, err := c.r.query(ctx, "organisation", "SELECT "+strings.Join(exprs, ", "), args...)
	if err != nil {
		return err
	}
	if len(rows) != 1 || len(rows[0]) != len(exprs) {
		return fmt.Errorf("organisation: got %v", rows)
	}
	v := make([]int64, len(exprs))
	for i := range v {
		v[i] = atoi(rows[0][i])
	}
	c.mu.Lock()
	c.out.Organisation = Organisation{Communities: v[0], CommunitiesWithPartyOrg: v[1], GridInstructors: v[2], LiaisonCadres: v[3],
		ResidentRecords: v[4], BuildingLeaders: v[5], OwnerRepresentatives: v[6], MarketManagedCompounds: v[7], JusticeMediators: v[8],
		RedStewards: v[9], GovernanceInstructors: v[10], PairedCivilisedUnits: v[11], SocialOrgPartyOrgs: v[12], VentureProjects: v[13],
		ServiceCategories: v[14]}
	c.mu.Unlock()
	return nil
}

// activityFilter keeps the activities of the scope that started in the period (in
// sum_activity and sum_activity_member).
func (c *compute) activityFilter(args *[]any) string {
	cond := c.scoped(factCols, args) + " AND started_on BETWEEN ? AND ?"
	*args = append(*args, c.period()...)
	return cond
}

// activities counts events, people served and participations by kind and child place (an
// activity's scope and period decide, whoever takes part).
func (c *compute) activities(ctx context.Context) error {
	var args []any
	rows, err := c.r.query(ctx, "activities", "SELECT kind, "+childExpr(factCols, c.s)+" AS c, count(), sum(people_served), sum(participations) FROM "+
		c.r.sum("sum_activity")+" WHERE "+c.activityFilter(&args)+" GROUP BY kind, c", args...)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, row := range rows {
		events, served := atoi(row[2]), atoi(row[3])
		a := c.activityKind(row[0])
		a.Events += events
		a.PeopleServed += served
		a.PersonTimes += atoi(row[4])
		v := c.values(uatoi(row[1]))
		v.Activities.Events += events
		v.Activities.PeopleServed += served
	}
	return nil
}

// activityKind finds or adds a kind's entry, in kind order; callers hold mu.
func (c *compute) activityKind(kind string) *ActivityKind {
	as := &c.out.Activities
	i := sort.Search(len(*as), func(i int) bool { return (*as)[i].Kind >= kind })
	if i == len(*as) || (*as)[i].Kind != kind {
		*as = append(*as, ActivityKind{})
		copy((*as)[i+1:], (*as)[i:])
		(*as)[i] = ActivityKind{Kind: kind}
	}
	return &(*as)[i]
}

// participants counts, by kind, the distinct party members taking part and the distinct
// intersections: counts that do not add up over places, so not in activities.
func (c *compute) participants(ctx context.Context) error {
	var args []any
	sql := "SELECT 'members', kind, uniqExact(person_key) FROM " + c.r.sum("sum_activity_member") + " WHERE " + c.activityFilter(&args) +
		" GROUP BY kind UNION ALL SELECT 'intersections', kind, uniqExact(intersection_id) FROM " + c.r.sum("sum_activity") + " WHERE " +
		c.activityFilter(&args) + " GROUP BY kind"
	rows, err := c.r.query(ctx, "activity_participants", sql, args...)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, row := range rows {
		a := c.activityKind(row[1])
		if row[0] == "members" {
			a.PartyMembers = atoi(row[2])
		} else {
			a.Intersections = atoi(row[2])
		}
	}
	return nil
}

func (c *compute) workLogs(ctx context.Context) error {
	var args []any
	sql := "SELECT kind, sum(entries), sum(people_served), toString(sum(hours)) FROM " + c.r.sum("sum_work_log_day") + " WHERE " +
		c.scoped(factCols, &args) + " AND logged_on BETWEEN ? AND ? GROUP BY kind ORDER BY kind"
	rows, err := c.r.query(ctx, "work_logs", sql, append(args, c.period()...)...)
	if err != nil {
		return err
	}
	out := make([]WorkLogKind, 0, len(rows))
	for _, row := range rows {
		out = append(out, WorkLogKind{Kind: row[0], Entries: atoi(row[1]), PeopleServed: atoi(row[2]), Hours: atof(row[3])})
	}
	c.mu.Lock()
	c.out.WorkLogs = out
	c.mu.Unlock()
	return nil
}

func (c *compute) meetings(ctx context.Context) error {
	var args []any
	sql := "SELECT sum(meetings), sum(matters), sum(major_matters), sum(disputes_mediated) FROM " + c.r.sum("sum_meeting_day") + " WHERE " +
		c.scoped(communityCols, &args) + " AND held_on BETWEEN ? AND ?"
	rows, err := c.r.query(ctx, "joint_meetings", sql, append(args, c.period()...)...)
	if err != nil {
		return err
	}
	if len(rows) != 1 {
		return fmt.Errorf("joint_meetings: got %v", rows)
	}
	c.mu.Lock()
	c.out.JointMeetings = JointMeetings{Meetings: atoi(rows[0][0]), Matters: atoi(rows[0][1]), MattersDiscussed: atoi(rows[0][2]),
		DisputesJointlyMediated: atoi(rows[0][3])}
	c.mu.Unlock()
	return nil
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

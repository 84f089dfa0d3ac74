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

	"github.com/jackc/pgx/v5/pgxpool"

	"gridgov/apperr"
	"gridgov/auth"
)

// AsOfFunc gives the time of the warehouse data (see Indicators.AsOf).
type AsOfFunc func(ctx context.Context) (time.Time, error)

// IndicatorTables are the warehouse tables the indicators read: AsOf is the oldest of their
// ETL snapshots.
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

// Reader computes indicators in ClickHouse. Every query deduplicates with FINAL, keeps
// is_deleted = 0, applies the scope in its WHERE clause and binds its values client-side
// (Bind), so the same text runs on ClickHouse 18.16 and on current releases.
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
	if r.asOf == nil {
		return nil, errors.New("warehouse reader: no AsOf function")
	}
	asOf, err := r.asOf(ctx)
	if err != nil {
		return nil, err
	}
	ref, err := r.Resolve(ctx, s)
	if err != nil {
		return nil, err
	}
	c := &compute{r: r, s: s, p: pr, asOf: asOf, out: &Indicators{AsOf: asOf, Scope: ref, Period: pr},
		child: map[uint64]*BreakdownValues{}}
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
}

type childName struct {
	id   uint64
	name string
}

type issueRow struct {
	category                                                    int64
	reported, resolved, closed, overdue, disp, med, medByCadres int64
	quantity                                                    float64
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
		c.children, c.dimensions, c.checkins, c.checkinsByUnit, c.volunteers, c.teams, c.issues, c.issueTimes,
		c.orders, c.orderTimes, c.serviceHours, c.ratings, c.coverageGrids, c.coverageBuildings,
		c.organisation, c.activities, c.activityPlaces, c.participants, c.workLogs, c.meetings, c.trend,
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
		o.Issues.Overdue += row.overdue
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

// dimensions reads the small dimensions whose names the results carry.
func (c *compute) dimensions(ctx context.Context) error {
	units, err := c.r.query(ctx, "units", "SELECT id, name FROM "+c.r.t("dim_unit")+" WHERE is_deleted = 0")
	if err != nil {
		return err
	}
	cats, err := c.r.query(ctx, "issue_categories", "SELECT id, code, name, name_zh, category_group, ifNull(quantity_unit, '') FROM "+
		c.r.t("dim_issue_category")+" WHERE is_deleted = 0")
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.units = map[int64]string{}
	for _, u := range units {
		c.units[atoi(u[0])] = u[1]
	}
	c.cats = map[int64]IssueCategory{}
	for _, k := range cats {
		c.cats[atoi(k[0])] = IssueCategory{Category: k[1], Name: k[2], NameZh: k[3], Group: k[4], QuantityUnit: k[5]}
	}
	return nil
}

func (c *compute) checkins(ctx context.Context) error {
	var a1, a2 []any
	expected, err := c.r.query(ctx, "checkins_expected", "SELECT "+childExpr(factCols, c.s)+" AS c, count() FROM "+c.r.t("role_party_member")+
		" WHERE is_deleted = 0 AND "+c.scoped(factCols, &a1)+" GROUP BY c", a1...)
	if err != nil {
		return err
	}
	verified, err := c.r.query(ctx, "checkins_verified", "SELECT "+childExpr(factCols, c.s)+" AS c, count() FROM "+c.r.t("fact_checkin")+
		" WHERE is_deleted = 0 AND state = 'verified' AND "+c.scoped(factCols, &a2)+" GROUP BY c", a2...)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, row := range expected {
		c.values(uatoi(row[0])).Checkins.Expected += atoi(row[1])
	}
	for _, row := range verified {
		c.values(uatoi(row[0])).Checkins.CheckedIn += atoi(row[1])
	}
	return nil
}

func (c *compute) checkinsByUnit(ctx context.Context) error {
	var args []any
	rows, err := c.r.query(ctx, "checkins_by_unit", "SELECT unit_id, count(), countIf(id IN (SELECT member_id FROM "+c.r.t("fact_checkin")+
		" WHERE is_deleted = 0 AND state = 'verified')) FROM "+c.r.t("role_party_member")+" WHERE is_deleted = 0 AND "+
		c.scoped(factCols, &args)+" GROUP BY unit_id", args...)
	if err != nil {
		return err
	}
	out := make([]UnitCheckins, 0, len(rows))
	for _, row := range rows {
		out = append(out, UnitCheckins{Unit: Unit{RowID: atoi(row[0])}, Expected: atoi(row[1]), CheckedIn: atoi(row[2])})
	}
	c.mu.Lock()
	c.out.Checkins.ByUnit = out
	c.mu.Unlock()
	return nil
}

func (c *compute) volunteers(ctx context.Context) error {
	var args []any
	// Grouped by team before the join: the join then sees a few thousand rows, not every volunteer.
	rows, err := c.r.query(ctx, "volunteers", "SELECT c, team_type, sum(n), sum(n * police) FROM (SELECT "+childExpr(factCols, c.s)+
		" AS c, ifNull(team_id, 0) AS team_id, count() AS n FROM "+c.r.t("fact_volunteer")+" WHERE is_deleted = 0 AND "+c.scoped(factCols, &args)+
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
		cond = "id IN (SELECT assumeNotNull(team_id) FROM " + c.r.t("fact_volunteer") + " WHERE is_deleted = 0 AND team_id IS NOT NULL AND " +
			c.scoped(factCols, &args) + ")"
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

func (c *compute) issues(ctx context.Context) error {
	args := []any{c.asOf}
	sql := "SELECT " + childExpr(factCols, c.s) + " AS c, category_id, count(), countIf(state IN " + resolvedStates + "), countIf(state = 'closed'), " +
		"countIf(state NOT IN " + resolvedStates + " AND due_at IS NOT NULL AND assumeNotNull(due_at) < ?), " +
		"toString(sumIf(assumeNotNull(resolved_quantity), state IN " + resolvedStates + " AND resolved_quantity IS NOT NULL)), " +
		"countIf(is_dispute = 1), countIf(is_dispute = 1 AND ifNull(dispute_outcome, '') = 'mediated'), " +
		"countIf(is_dispute = 1 AND ifNull(dispute_outcome, '') = 'mediated' AND id IN (SELECT issue_id FROM " + c.r.t("fact_issue_mediator") +
		" WHERE is_deleted = 0 AND role = 'cadre')) FROM " + c.r.t("fact_issue") + " WHERE is_deleted = 0 AND "
	sql += c.scoped(factCols, &args) + " AND toDate(reported_at) BETWEEN ? AND ? GROUP BY c, category_id"
	args = append(args, c.period()...)
	rows, err := c.r.query(ctx, "issues", sql, args...)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, row := range rows {
		ir := issueRow{category: atoi(row[1]), reported: atoi(row[2]), resolved: atoi(row[3]), closed: atoi(row[4]), overdue: atoi(row[5]),
			quantity: atof(row[6]), disp: atoi(row[7]), med: atoi(row[8]), medByCadres: atoi(row[9])}
		c.issueRow = append(c.issueRow, ir)
		v := c.values(uatoi(row[0]))
		v.Issues.Reported += ir.reported
		v.Issues.Resolved += ir.resolved
		v.Issues.Closed += ir.closed
		v.Issues.Overdue += ir.overdue
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
	sql := "SELECT " + percentiles("0.5", "0.9") + " FROM (SELECT arraySort(groupArray((toInt64(assumeNotNull(closed_at)) - toInt64(reported_at)) / 3600)) AS s FROM " +
		c.r.t("fact_issue") + " WHERE is_deleted = 0 AND state = 'closed' AND closed_at IS NOT NULL AND " + c.scoped(factCols, &args) +
		" AND toDate(reported_at) BETWEEN ? AND ?)"
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

func (c *compute) orders(ctx context.Context) error {
	var args []any
	sql := "SELECT " + childExpr(factCols, c.s) + " AS c, count(), countIf(claimed_at IS NOT NULL), countIf(state IN ('completed', 'rated')), " +
		"countIf(rating IS NOT NULL), sum(ifNull(rating, 0)) FROM " + c.r.t("fact_service_order") + " WHERE is_deleted = 0 AND " +
		c.scoped(factCols, &args) + " AND toDate(posted_at) BETWEEN ? AND ? GROUP BY c"
	rows, err := c.r.query(ctx, "orders", sql, append(args, c.period()...)...)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var rated, sum int64
	for _, row := range rows {
		v := c.values(uatoi(row[0]))
		v.Orders.Posted += atoi(row[1])
		v.Orders.Claimed += atoi(row[2])
		v.Orders.Completed += atoi(row[3])
		rated += atoi(row[4])
		sum += atoi(row[5])
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
	sql := "SELECT " + percentiles("0.5") + " FROM (SELECT arraySort(groupArray((toInt64(assumeNotNull(claimed_at)) - toInt64(posted_at)) / 3600)) AS s FROM " +
		c.r.t("fact_service_order") + " WHERE is_deleted = 0 AND claimed_at IS NOT NULL AND " + c.scoped(factCols, &args) +
		" AND toDate(posted_at) BETWEEN ? AND ?)"
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
	sql := "SELECT toYear(served_on) AS y, toQuarter(served_on) AS q, count(), toString(sum(hours)) FROM " + c.r.t("fact_service_record") +
		" WHERE is_deleted = 0 AND " + c.scoped(factCols, &args) + " AND served_on BETWEEN ? AND ? GROUP BY y, q ORDER BY y, q"
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
	sql := "SELECT unit_id, grade, count() FROM (SELECT member_id, grade FROM " + c.r.t("fact_year_rating") + " WHERE is_deleted = 0 AND " +
		c.scoped(communityCols, &args) + " AND year BETWEEN ? AND ?) AS r ANY LEFT JOIN (SELECT id AS member_id, unit_id FROM " +
		c.r.t("role_party_member") + " WHERE is_deleted = 0) AS m USING member_id GROUP BY unit_id, grade"
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

func (c *compute) coverageGrids(ctx context.Context) error {
	var args []any
	assigned := func(role string) string {
		return "id IN (SELECT grid_id FROM " + c.r.t("role_grid_assignment") + " WHERE is_deleted = 0 AND role = '" + role + "' AND ended_on IS NULL)"
	}
	sql := "SELECT " + childExpr(gridDimCols, c.s) + " AS c, count(), countIf(" + assigned("liaison") + "), countIf(" + assigned("instructor") +
		") FROM " + c.r.t("dim_grid") + " WHERE is_deleted = 0 AND " + c.scoped(gridDimCols, &args) + " GROUP BY c"
	rows, err := c.r.query(ctx, "coverage_grids", sql, args...)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, row := range rows {
		c.values(uatoi(row[0])).Coverage.Grids += atoi(row[1])
		c.out.Coverage.GridsWithCadre += atoi(row[2])
		c.out.Coverage.GridsWithInstructor += atoi(row[3])
	}
	return nil
}

func (c *compute) coverageBuildings(ctx context.Context) error {
	var args []any
	sql := "SELECT " + childExpr(factCols, c.s) + " AS c, count(), countIf(id IN (SELECT building_id FROM " + c.r.t("role_building_appointment") +
		" WHERE is_deleted = 0 AND role = 'building_leader' AND ended_on IS NULL)) FROM " + c.r.t("dim_building") + " WHERE is_deleted = 0 AND " +
		c.scoped(factCols, &args) + " GROUP BY c"
	rows, err := c.r.query(ctx, "coverage_buildings", sql, args...)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, row := range rows {
		c.values(uatoi(row[0])).Coverage.Buildings += atoi(row[1])
		c.out.Coverage.BuildingsWithLeader += atoi(row[2])
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
	justice := "member_id IN (SELECT id FROM " + c.r.t("role_party_member") + " WHERE is_deleted = 0 AND unit_id IN (SELECT id FROM " +
		c.r.t("dim_unit") + " WHERE is_deleted = 0 AND is_justice = 1))"
	civilised := "unit_id IN (SELECT id FROM " + c.r.t("dim_unit") + " WHERE is_deleted = 0 AND civilised = 1)"
	exprs := []string{
		count("count()", "dim_community", commDimCols, "1"),
		count("count()", "dim_community", commDimCols, "has_party_org = 1"),
		count("uniqExact(cadre_id)", "role_grid_assignment", factCols, "role = 'instructor' AND ended_on IS NULL AND "+leaders),
		count("uniqExact(cadre_id)", "role_grid_assignment", factCols, "role = 'liaison' AND ended_on IS NULL AND "+streetCadres),
		count("count()", "role_resident", factCols, "1"),
		count("count()", "role_building_appointment", factCols, "role = 'building_leader' AND ended_on IS NULL"),
		count("count()", "role_building_appointment", factCols, "role = 'owner_representative' AND ended_on IS NULL"),
		count("count()", "dim_compound", communityCols, "market_managed = 1"),
		count("uniqExact(member_id)", "role_mediation_room_member", communityCols, justice),
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

// activityFilter keeps the activities of the scope that started in the period.
func (c *compute) activityFilter(args *[]any) string {
	cond := "is_deleted = 0 AND " + c.scoped(factCols, args) + " AND toDate(starts_at) BETWEEN ? AND ?"
	*args = append(*args, c.period()...)
	return cond
}

func (c *compute) activities(ctx context.Context) error {
	var args []any
	rows, err := c.r.query(ctx, "activities", "SELECT kind, count(), sum(people_served), uniqExact(intersection_id) FROM "+c.r.t("fact_activity")+
		" WHERE "+c.activityFilter(&args)+" GROUP BY kind ORDER BY kind", args...)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, row := range rows {
		a := c.activityKind(row[0])
		a.Events, a.PeopleServed, a.Intersections = atoi(row[1]), atoi(row[2]), atoi(row[3])
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

func (c *compute) activityPlaces(ctx context.Context) error {
	var args []any
	rows, err := c.r.query(ctx, "activity_places", "SELECT "+childExpr(factCols, c.s)+" AS c, count(), sum(people_served) FROM "+
		c.r.t("fact_activity")+" WHERE "+c.activityFilter(&args)+" GROUP BY c", args...)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, row := range rows {
		v := c.values(uatoi(row[0]))
		v.Activities.Events += atoi(row[1])
		v.Activities.PeopleServed += atoi(row[2])
	}
	return nil
}

// participants counts participations by the activity's kind; an activity's scope and period
// decide, whoever takes part.
func (c *compute) participants(ctx context.Context) error {
	var args []any
	rows, err := c.r.query(ctx, "activity_participants", "SELECT kind, count(), uniqExactIf(person_key, role = 'party_member') FROM (SELECT activity_id, person_key, role FROM "+
		c.r.t("fact_activity_participant")+" WHERE is_deleted = 0) AS p ALL INNER JOIN (SELECT id AS activity_id, kind FROM "+c.r.t("fact_activity")+
		" WHERE "+c.activityFilter(&args)+") AS a USING activity_id GROUP BY kind", args...)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, row := range rows {
		a := c.activityKind(row[0])
		a.PersonTimes, a.PartyMembers = atoi(row[1]), atoi(row[2])
	}
	return nil
}

func (c *compute) workLogs(ctx context.Context) error {
	var args []any
	sql := "SELECT kind, count(), sum(people_served), toString(sum(hours)) FROM " + c.r.t("fact_work_log") + " WHERE is_deleted = 0 AND " +
		c.scoped(factCols, &args) + " AND toDate(logged_at) BETWEEN ? AND ? GROUP BY kind ORDER BY kind"
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
	var a1, a2 []any
	held := func(args *[]any) string {
		cond := "(SELECT id FROM " + c.r.t("fact_joint_meeting") + " WHERE is_deleted = 0 AND " + c.scoped(communityCols, args) + " AND held_on BETWEEN ? AND ?)"
		*args = append(*args, c.period()...)
		return cond
	}
	first := "(SELECT count() FROM " + c.r.t("fact_joint_meeting") + " WHERE id IN " + held(&a1) + ")"
	sql := "SELECT " + first + ", count(), countIf(kind = 'major_matter'), countIf(kind = 'dispute' AND outcome = 'mediated') FROM " +
		c.r.t("fact_meeting_matter") + " WHERE is_deleted = 0 AND meeting_id IN " + held(&a2)
	rows, err := c.r.query(ctx, "joint_meetings", sql, append(a1, a2...)...)
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

func (c *compute) trend(ctx context.Context) error {
	tr := trendRange(c.p)
	span := []any{Day{tr.From}, Day{tr.To}}
	var a1, a2 []any
	issues, err := c.r.query(ctx, "trend_issues", "SELECT toYYYYMM(reported_at) AS m, count(), countIf(state IN "+resolvedStates+") FROM "+
		c.r.t("fact_issue")+" WHERE is_deleted = 0 AND "+c.scoped(factCols, &a1)+" AND toDate(reported_at) BETWEEN ? AND ? GROUP BY m", append(a1, span...)...)
	if err != nil {
		return err
	}
	orders, err := c.r.query(ctx, "trend_orders", "SELECT toYYYYMM(posted_at) AS m, count(), countIf(state IN ('completed', 'rated')) FROM "+
		c.r.t("fact_service_order")+" WHERE is_deleted = 0 AND "+c.scoped(factCols, &a2)+" AND toDate(posted_at) BETWEEN ? AND ? GROUP BY m", append(a2, span...)...)
	if err != nil {
		return err
	}
	ms := months(tr.From, tr.To)
	out := make([]TrendPoint, len(ms))
	idx := map[string]int{}
	for i, m := range ms {
		out[i].Month = m.Format("2006-01")
		idx[m.Format("200601")] = i
	}
	for _, row := range issues {
		if i, ok := idx[row[0]]; ok {
			out[i].IssuesReported, out[i].IssuesResolved = atoi(row[1]), atoi(row[2])
		}
	}
	for _, row := range orders {
		if i, ok := idx[row[0]]; ok {
			out[i].OrdersPosted, out[i].OrdersCompleted = atoi(row[1]), atoi(row[2])
		}
	}
	c.mu.Lock()
	c.out.Trend = out
	c.mu.Unlock()
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

package store

import (
	"context"
	"strings"

	"gridgov/apperr"
	"gridgov/auth"
)

// scopeCols says how a scope narrows one table: its place columns ("" where it has none),
// and what a person-narrowed (auth.Scope.Self) or unit-narrowed (auth.Scope.UnitID) scope
// may see of it. Fail-closed: a table that names no self (or unit) condition and is not
// open is hidden entirely from such a scope, so a new table is invisible to residents,
// party members and unit admins until someone decides what they may see of it.
type scopeCols struct {
	street, community, grid string
	// self keeps the rows a person may see of their own; :self binds the person id, :grid
	// the scope's grid and :demand whether the scope includes the grid's demand list.
	self string
	// unit keeps the rows of a unit admin's unit; :unit binds the unit id.
	unit string
	// open tables (places, reference data) are visible to every narrowed scope within its
	// place scope.
	open bool
}

// Person-owned rows, as the conditions of scopeCols.self and .unit. {p} is the column prefix.
const (
	selfMember   = `{p}member_id IN (SELECT id FROM party_members WHERE person_id = :self)`
	unitMember   = `{p}member_id IN (SELECT id FROM party_members WHERE unit_id = :unit)`
	selfOrders   = `({p}resident_id = :self OR {p}claimed_by IN (SELECT id FROM party_members WHERE person_id = :self) OR (:demand AND {p}state = 'published' AND {p}grid_id = :grid))`
	selfPatrolIn = `steward_id IN (SELECT id FROM red_stewards WHERE person_id = :self)`
	selfPatrol   = `{p}` + selfPatrolIn
	selfBuilding = `{p}building_id IN (SELECT building_id FROM people WHERE id = :self AND deleted_at IS NULL
		UNION SELECT building_id FROM party_members WHERE person_id = :self AND deleted_at IS NULL)`
	ratingTold  = `({p}state IN ('notified', 'acknowledged', 'appealed') OR {p}notified_at IS NOT NULL)`
	orderSelfIn = `(resident_id = :self OR claimed_by IN (SELECT id FROM party_members WHERE person_id = :self) OR (:demand AND state = 'published' AND grid_id = :grid))`
)

// unprefixed is a condition of scopeCols for a subquery over its own table: without prefix.
func unprefixed(cond string) string { return strings.ReplaceAll(cond, "{p}", "") }

// colsFor gives the scope rules of a table whose columns are written with prefix ("r.").
func colsFor(table, prefix string) scopeCols {
	c, ok := tableScopes[table]
	if !ok {
		panic("store: no scope rules for table " + table)
	}
	pre := func(col string) string {
		if col == "" {
			return ""
		}
		return prefix + col
	}
	c.street, c.community, c.grid = pre(c.street), pre(c.community), pre(c.grid)
	c.self = strings.ReplaceAll(c.self, "{p}", prefix)
	c.unit = strings.ReplaceAll(c.unit, "{p}", prefix)
	return c
}

// tableScopes holds the narrowing rules of every table the API reads or a write may name (a
// table without an entry panics in colsFor). Tables with place columns only are hidden from
// person- and unit-narrowed scopes.
var tableScopes = map[string]scopeCols{
	"streets":     {street: "id", open: true},
	"communities": {street: "street_id", community: "id", open: true},
	"grids":       {street: "street_id", community: "community_id", grid: "id", open: true},
	"buildings":   {street: "street_id", community: "community_id", grid: "grid_id", open: true},
	"people": {street: "street_id", community: "community_id", grid: "grid_id",
		self: `({p}id = :self OR {p}id IN (SELECT resident_id FROM service_orders WHERE deleted_at IS NULL AND ` + orderSelfIn + `))`,
		unit: `{p}id IN (SELECT person_id FROM party_members WHERE unit_id = :unit)`},
	"units": {self: `{p}id IN (SELECT unit_id FROM party_members WHERE person_id = :self)`, unit: `{p}id = :unit`},
	"party_members": {street: "street_id", community: "community_id", grid: "grid_id",
		self: `{p}person_id = :self`, unit: `{p}unit_id = :unit`},
	"checkins":        {street: "street_id", community: "community_id", grid: "grid_id", self: selfMember, unit: unitMember},
	"checkin_events":  {street: "street_id", community: "community_id", self: selfMember, unit: unitMember},
	"service_records": {street: "street_id", community: "community_id", grid: "grid_id", self: selfMember, unit: unitMember},
	// A member and their unit see a rating once the unit was told of it (通报), not its drafts.
	"year_ratings": {street: "street_id", community: "community_id", self: selfMember + ` AND ` + ratingTold,
		unit: unitMember + ` AND ` + ratingTold},
	"rating_events": {street: "street_id", community: "community_id",
		self: `{p}rating_id IN (SELECT id FROM year_ratings WHERE ` + unprefixed(selfMember+` AND `+ratingTold) + `)`,
		unit: `{p}rating_id IN (SELECT id FROM year_ratings WHERE ` + unprefixed(unitMember+` AND `+ratingTold) + `)`},
	"unit_notices": {street: "street_id", community: "community_id", unit: `{p}unit_id = :unit`},
	"issues":       {street: "street_id", community: "community_id", grid: "grid_id", self: `{p}reporter_id = :self`},
	"issue_events": {street: "street_id", community: "community_id", grid: "grid_id",
		self: `{p}issue_id IN (SELECT id FROM issues WHERE reporter_id = :self)`},
	"issue_extensions": {street: "street_id", community: "community_id", grid: "grid_id",
		self: `{p}issue_id IN (SELECT id FROM issues WHERE reporter_id = :self)`},
	"service_orders": {street: "street_id", community: "community_id", grid: "grid_id", self: selfOrders},
	// Evidence follows its subject: a resident's own reports, a member's own service records.
	"evidence": {street: "street_id", community: "community_id", grid: "grid_id",
		self: `({p}issue_id IN (SELECT id FROM issues WHERE reporter_id = :self) OR {p}service_record_id IN
			(SELECT id FROM service_records WHERE member_id IN (SELECT id FROM party_members WHERE person_id = :self)))`,
		unit: `{p}service_record_id IN (SELECT id FROM service_records WHERE member_id IN (SELECT id FROM party_members WHERE unit_id = :unit))`},
	"order_events": {street: "street_id", community: "community_id", grid: "grid_id",
		self: `{p}order_id IN (SELECT id FROM service_orders WHERE deleted_at IS NULL AND ` + orderSelfIn + `)`},
	// Place columns only: hidden from person- and unit-narrowed scopes.
	"webhook_endpoints":      {street: "street_id", community: "community_id", grid: "grid_id"},
	"matter_events":          {street: "street_id", community: "community_id"},
	"compounds":              {street: "street_id", community: "community_id"},
	"facilities":             {street: "street_id", community: "community_id"},
	"intersections":          {street: "street_id", community: "community_id"},
	"cadres":                 {street: "street_id", community: "community_id"},
	"grid_assignments":       {street: "street_id", community: "community_id", grid: "grid_id"},
	"building_appointments":  {street: "street_id", community: "community_id", grid: "grid_id"},
	"mediation_room_members": {street: "street_id", community: "community_id"},
	"residents":              {street: "street_id", community: "community_id", grid: "grid_id"},
	// A red steward (a party member) sees their own appointment, patrols and findings.
	"red_stewards":    {street: "street_id", community: "community_id", grid: "grid_id", self: `{p}person_id = :self`},
	"patrols":         {street: "street_id", community: "community_id", grid: "grid_id", self: selfPatrol},
	"patrol_findings": {street: "street_id", community: "community_id", grid: "grid_id", self: `{p}patrol_id IN (SELECT id FROM patrols WHERE ` + selfPatrolIn + `)`},
	// A building's notice and convention are its residents' and the party members living in it.
	"building_notices":       {street: "street_id", community: "community_id", grid: "grid_id", self: selfBuilding},
	"building_conventions":   {street: "street_id", community: "community_id", grid: "grid_id", self: selfBuilding},
	"register_events":        {street: "street_id", community: "community_id", grid: "grid_id"},
	"governance_instructors": {street: "street_id", community: "community_id"},
	"partners":               {street: "street_id", community: "community_id"},
	"duty_shifts":            {street: "street_id", community: "community_id"},
	"issue_mediators":        {street: "street_id", community: "community_id", grid: "grid_id"},
	"work_logs":              {street: "street_id", community: "community_id", grid: "grid_id"},
	"venture_projects":       {street: "street_id", community: "community_id"},
	"volunteers":             {street: "street_id", community: "community_id", grid: "grid_id"},
	"pairings":               {street: "street_id", community: "community_id"},
	"activities":             {street: "street_id", community: "community_id", grid: "grid_id"},
	"activity_participants":  {street: "street_id", community: "community_id", grid: "grid_id"},
	"joint_meetings":         {street: "street_id", community: "community_id"},
	"meeting_matters":        {street: "street_id", community: "community_id"},
	"meeting_attendees":      {street: "street_id", community: "community_id"},
	"meeting_events":         {street: "street_id", community: "community_id"},
	// City-wide directories: every place-scoped role reads all of them.
	"cities":                     {},
	"social_organisations":       {},
	"volunteer_teams":            {},
	"social_party_organisations": {},
	// Reference data: every role reads all of it.
	"issue_categories":   {open: true},
	"service_categories": {open: true},
	// Reports generated on schedule, of the place each is of (none for the city's).
	"generated_reports": {street: "street_id", community: "community_id", grid: "grid_id"},
}

// scoped adds the scope's conditions for a table with the given rules. A scope finer than
// the table (a grid scope on communities) keeps the ancestors the scope lies in: the
// authenticator fills in a grid scope's community and street.
func (q *query) scoped(sc auth.Scope, c scopeCols) {
	switch {
	case sc.UnitID != 0:
		switch {
		case c.unit != "":
			q.bindNamed(c.unit, sc)
		case !c.open:
			q.where("false")
		}
		return // a unit's members live anywhere in the city
	case sc.Self != 0:
		switch {
		case c.self != "":
			// A person's own rows are theirs wherever they are; what else they see (the
			// demand list) is bounded by the grid inside the condition.
			q.bindNamed(c.self, sc)
			return
		case !c.open:
			q.where("false")
			return
		}
	}
	if sc.StreetID != 0 && c.street != "" {
		q.where(c.street+" = ?", sc.StreetID)
	}
	if sc.CommunityID != 0 && c.community != "" {
		q.where(c.community+" = ?", sc.CommunityID)
	}
	if sc.GridID != 0 && c.grid != "" {
		q.where(c.grid+" = ?", sc.GridID)
	}
}

// bindNamed adds cond with :self, :unit, :grid and :demand bound from the scope.
func (q *query) bindNamed(cond string, sc auth.Scope) {
	for _, n := range []struct {
		name string
		val  any
	}{{":self", sc.Self}, {":unit", sc.UnitID}, {":grid", sc.GridID}, {":demand", sc.DemandList}} {
		if strings.Contains(cond, n.name) {
			cond = strings.ReplaceAll(cond, n.name, q.arg(n.val))
		}
	}
	q.conds = append(q.conds, cond)
}

// CompleteScope fills in the ancestors of a place scope: a grid's community and street, a
// community's street. A place that does not exist (or was deleted) is NOT_FOUND.
func (s *Store) CompleteScope(ctx context.Context, sc auth.Scope) (auth.Scope, error) {
	if done, ok := s.places.Load(sc); ok {
		return done.(auth.Scope), nil
	}
	asked := sc
	var err error
	switch {
	case sc.GridID != 0:
		err = s.pool.QueryRow(ctx, `SELECT street_id, community_id FROM grids WHERE id = $1 AND deleted_at IS NULL`,
			sc.GridID).Scan(&sc.StreetID, &sc.CommunityID)
	case sc.CommunityID != 0:
		err = s.pool.QueryRow(ctx, `SELECT street_id FROM communities WHERE id = $1 AND deleted_at IS NULL`,
			sc.CommunityID).Scan(&sc.StreetID)
	case sc.StreetID != 0:
		var one int
		err = s.pool.QueryRow(ctx, `SELECT 1 FROM streets WHERE id = $1 AND deleted_at IS NULL`, sc.StreetID).Scan(&one)
	}
	if isNoRows(err) {
		return sc, apperr.New(apperr.NotFound, "no such place")
	}
	if err != nil {
		return sc, MapError("complete scope", err)
	}
	s.places.Store(asked, sc)
	return sc, nil
}

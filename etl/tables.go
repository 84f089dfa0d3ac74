package etl

// Table maps one Postgres table onto one warehouse table. The warehouse DDL is the contract:
// the ETL copies exactly the columns the warehouse table declares, each from t.<same name>
// unless Exprs says otherwise, so a Postgres column the DDL does not name (a person's name, a
// phone number, free text) cannot reach the warehouse by accident.
type Table struct {
	Name   string // warehouse table
	Source string // Postgres table, aliased t in expressions
	// Key is the warehouse column that identifies a row: id, or person_key for dim_person.
	// Tombstones of hard-deleted rows are written with it.
	Key string
	// Joins adds the ancestors whose names a place dimension denormalises. A change to any of
	// them (Parents, their aliases) extracts the row again, with a higher version.
	Joins   string
	Parents []string
	// Exprs gives the Postgres expression of a warehouse column when it is not t.<column>.
	// Columns named *_key are pseudonymised: their expression yields a person id, which the
	// ETL replaces by a keyed hash. Coarsened columns (a birth cohort for the year of birth:
	// see warehouse/privacy.go) are computed here, so the finer value never leaves Postgres.
	Exprs map[string]string
}

// Tables lists every replicated Postgres table and the warehouse table it feeds.
var Tables = []Table{
	{Name: "dim_city", Source: "cities"},
	{Name: "dim_street", Source: "streets",
		Joins: "JOIN cities ci ON ci.id = t.city_id", Parents: []string{"ci"},
		Exprs: map[string]string{"city_name": "ci.name"}},
	{Name: "dim_community", Source: "communities",
		Joins:   "JOIN streets s ON s.id = t.street_id JOIN cities ci ON ci.id = s.city_id",
		Parents: []string{"s", "ci"},
		Exprs:   map[string]string{"city_id": "s.city_id", "city_name": "ci.name", "street_name": "s.name"}},
	{Name: "dim_grid", Source: "grids",
		Joins:   "JOIN communities c ON c.id = t.community_id JOIN streets s ON s.id = t.street_id JOIN cities ci ON ci.id = s.city_id",
		Parents: []string{"c", "s", "ci"},
		Exprs: map[string]string{"city_id": "s.city_id", "city_name": "ci.name", "street_name": "s.name",
			"community_name": "c.name", "centroid_lon": "round(coalesce(ST_X(ST_Centroid(t.boundary)), 0)::numeric, 6)",
			"centroid_lat": "round(coalesce(ST_Y(ST_Centroid(t.boundary)), 0)::numeric, 6)",
			"area_km2":     "round((coalesce(ST_Area(t.boundary::geography), 0) / 1e6)::numeric, 6)"}},
	{Name: "dim_building", Source: "buildings",
		Joins: "JOIN grids g ON g.id = t.grid_id JOIN communities c ON c.id = t.community_id " +
			"JOIN streets s ON s.id = t.street_id JOIN cities ci ON ci.id = s.city_id",
		Parents: []string{"g", "c", "s", "ci"},
		Exprs: map[string]string{"city_id": "s.city_id", "city_name": "ci.name", "street_name": "s.name",
			"community_name": "c.name", "grid_name": "g.name"}},
	{Name: "dim_compound", Source: "compounds"},
	{Name: "dim_facility", Source: "facilities"},
	{Name: "dim_intersection", Source: "intersections"},
	{Name: "dim_unit", Source: "units"},
	{Name: "dim_person", Source: "people", Key: "person_key", Exprs: map[string]string{
		"person_key": "t.id", "birth_cohort": "t.birth_year / 5 * 5"}},
	{Name: "dim_issue_category", Source: "issue_categories"},
	{Name: "dim_service_category", Source: "service_categories"},
	{Name: "dim_social_organisation", Source: "social_organisations"},
	{Name: "dim_venture_project", Source: "venture_projects"},
	{Name: "dim_volunteer_team", Source: "volunteer_teams"},

	{Name: "role_cadre", Source: "cadres", Exprs: personKey},
	{Name: "role_grid_assignment", Source: "grid_assignments"},
	{Name: "role_party_member", Source: "party_members"},
	{Name: "role_building_appointment", Source: "building_appointments"},
	{Name: "role_mediation_room_member", Source: "mediation_room_members"},
	{Name: "role_resident", Source: "residents"},
	{Name: "role_red_steward", Source: "red_stewards", Exprs: personKey},
	{Name: "role_governance_instructor", Source: "governance_instructors", Exprs: personKey},
	{Name: "role_partner", Source: "partners", Exprs: personKey},

	{Name: "fact_duty_shift", Source: "duty_shifts"},
	{Name: "fact_checkin", Source: "checkins"},
	{Name: "fact_issue", Source: "issues", Exprs: map[string]string{
		"reporter_key": "t.reporter_id", "handler_key": "t.handler_person_id"}},
	{Name: "fact_issue_event", Source: "issue_events", Exprs: issueEventExprs},
	{Name: "fact_issue_mediator", Source: "issue_mediators", Exprs: personKey},
	{Name: "fact_work_log", Source: "work_logs"},
	{Name: "fact_patrol", Source: "patrols"},
	{Name: "fact_patrol_finding", Source: "patrol_findings"},
	{Name: "fact_service_order", Source: "service_orders", Exprs: map[string]string{
		"resident_key": "t.resident_id", "published_by_key": "t.published_by"}},
	{Name: "fact_order_event", Source: "order_events", Exprs: actorKey},
	{Name: "fact_service_record", Source: "service_records"},
	{Name: "fact_year_rating", Source: "year_ratings"},
	{Name: "fact_volunteer", Source: "volunteers", Exprs: personKey},
	{Name: "fact_pairing", Source: "pairings"},
	{Name: "fact_activity", Source: "activities"},
	{Name: "fact_activity_participant", Source: "activity_participants", Exprs: personKey},
	{Name: "fact_joint_meeting", Source: "joint_meetings"},
	{Name: "fact_meeting_matter", Source: "meeting_matters"},
}

var (
	personKey = map[string]string{"person_key": "t.person_id"}
	actorKey  = map[string]string{"actor_key": "t.actor_id"}
)

// issueEventExprs give a verdict event (满意度回访) the verdict store.ConfirmIssue and the
// scheduler record with it: the value from the state it led to (satisfied closes the issue,
// unsatisfied sends it back to work, the scheduler's no response closes it), the channel from
// who gave it (the reporter, else a cadre after a phone call), and the score from the note
// ConfirmIssue writes ("满意 5分", "不满意 2分"; the note itself stays in Postgres).
var issueEventExprs = map[string]string{
	"actor_key": "t.actor_id",
	"verdict": "CASE WHEN t.action = 'verdict' THEN CASE WHEN t.actor_role = 'system' THEN 'no_response' " +
		"WHEN t.to_state = 'closed' THEN 'satisfied' ELSE 'unsatisfied' END END",
	"verdict_channel": "CASE WHEN t.action = 'verdict' THEN CASE WHEN t.actor_role = 'system' THEN 'timeout' " +
		"WHEN t.actor_id = (SELECT i.reporter_id FROM issues i WHERE i.id = t.issue_id) THEN 'resident' ELSE 'phone' END END",
	"verdict_score": "CASE WHEN t.action = 'verdict' THEN substring(t.note FROM '^不?满意 ([1-5])分')::smallint END",
}

// TableNamed finds a table by its warehouse or Postgres name.
func TableNamed(name string) (Table, bool) {
	for _, t := range Tables {
		if t.Name == name || t.Source == name {
			return t, true
		}
	}
	return Table{}, false
}

func (t Table) key() string {
	if t.Key == "" {
		return "id"
	}
	return t.Key
}

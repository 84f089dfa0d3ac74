package seed

// Figure is one published figure of the source report (shared/domain/FIGURES.md) with the SQL
// that counts it in the operational database. "N+" figures accept [N, 1.1 N); exact ones
// accept N only. Tests run these against a seeded database; the warehouse's indicators must
// give the same values.
type Figure struct {
	Key      string
	Label    string
	Min, Max float64 // accepted range, inclusive of Min, exclusive of Max unless equal
	SQL      string
}

func exactly(n float64) (float64, float64) { return n, n }
func atLeast(n float64) (float64, float64) { return n, n + n/10 }

func figure(key, label string, bounds func(float64) (float64, float64), n float64, sql string) Figure {
	lo, hi := bounds(n)
	return Figure{Key: key, Label: label, Min: lo, Max: hi, SQL: sql}
}

// Accepts tells whether v reproduces the figure.
func (f Figure) Accepts(v float64) bool {
	if f.Min == f.Max {
		return v == f.Min
	}
	return v >= f.Min && v < f.Max
}

const live = " deleted_at IS NULL "

// lastYear is the calendar year before the seed's as-of date.
const lastYear = "(SELECT extract(year FROM as_of)::int - 1 FROM seed_runs)"

// Figures lists every published figure, in the order of FIGURES.md.
var Figures = []Figure{
	figure("communities", "communities with a party organisation", exactly, 37,
		`SELECT count(*) FROM communities WHERE has_party_org AND`+live),
	figure("grid_instructors", "street leaders serving as grid party-building instructors", exactly, 37,
		`SELECT count(DISTINCT a.cadre_id) FROM grid_assignments a JOIN cadres c ON c.id = a.cadre_id
		 WHERE a.role = 'instructor' AND c.is_leader AND a.ended_on IS NULL AND a.deleted_at IS NULL`),
	figure("liaison_cadres", "street cadres assigned to grids", exactly, 184,
		`SELECT count(DISTINCT a.cadre_id) FROM grid_assignments a JOIN cadres c ON c.id = a.cadre_id
		 WHERE a.role = 'liaison' AND c.kind = 'street_cadre' AND a.ended_on IS NULL AND a.deleted_at IS NULL`),
	figure("frontline_person_times", "person-times of front-line service by cadres", atLeast, 2600,
		`SELECT coalesce(sum(people_served), 0) FROM work_logs WHERE kind = 'frontline_service' AND`+live),
	figure("disputes_mediated_by_cadres", "neighbour disputes mediated by cadres", atLeast, 200,
		`SELECT count(*) FROM issues i WHERE i.is_dispute AND i.dispute_outcome = 'mediated' AND i.deleted_at IS NULL
		 AND EXISTS (SELECT 1 FROM issue_mediators m WHERE m.issue_id = i.id AND m.role = 'cadre' AND m.deleted_at IS NULL)`),
	figure("consultations", "policy consultations and convenience services", atLeast, 1600,
		`SELECT count(*) FROM work_logs WHERE kind IN ('policy_consultation', 'convenience_service') AND`+live),
	figure("resident_records", "resident information records collected", atLeast, 40000,
		`SELECT count(*) FROM residents WHERE`+live),
	figure("issues_handled", "clues and opinions reported and handled", atLeast, 3000,
		`SELECT count(*) FROM issues WHERE state IN ('resolved', 'closed') AND`+live),
	figure("old_compound_resolved", "old-compound problems resolved", atLeast, 1200,
		`SELECT count(*) FROM issues i JOIN issue_categories c ON c.id = i.category_id
		 WHERE c.category_group = 'old_compound' AND i.state IN ('resolved', 'closed') AND i.deleted_at IS NULL`),
	figure("infrastructure_repairs", "infrastructure repairs", atLeast, 800,
		`SELECT count(*) FROM issues i JOIN issue_categories c ON c.id = i.category_id
		 WHERE c.category_group = 'infrastructure' AND i.state IN ('resolved', 'closed') AND i.deleted_at IS NULL`),
	figure("greening_m2", "greening laid, square metres", atLeast, 12000,
		`SELECT coalesce(sum(i.resolved_quantity), 0) FROM issues i JOIN issue_categories c ON c.id = i.category_id
		 WHERE c.code = 'greening' AND i.state IN ('resolved', 'closed') AND i.deleted_at IS NULL`),
	figure("matters_discussed", "matters discussed at joint meetings", atLeast, 360,
		`SELECT count(*) FROM meeting_matters WHERE kind = 'major_matter' AND`+live),
	figure("disputes_jointly_mediated", "disputes jointly mediated", atLeast, 320,
		`SELECT count(*) FROM meeting_matters WHERE kind = 'dispute' AND outcome = 'mediated' AND`+live),
	figure("co_building_person_times", "volunteer service person-times organised through co-building", atLeast, 2400,
		`SELECT count(*) FROM activity_participants p JOIN activities a ON a.id = p.activity_id
		 WHERE a.kind = 'co_building_service' AND a.deleted_at IS NULL AND p.deleted_at IS NULL`),
	figure("members_checked_in", "in-service party members registered at their residential community", exactly, 2901,
		`SELECT count(*) FROM checkins WHERE state = 'verified' AND`+live),
	figure("checkin_rate_pct", "check-in rate, per cent (registered ÷ expected)", exactly, 94,
		`SELECT round(100.0 * (SELECT count(*) FROM checkins WHERE state = 'verified' AND`+live+`)
		 / nullif((SELECT count(*) FROM party_members WHERE`+live+`), 0))`),
	figure("building_leaders", "building leaders drawn from members", exactly, 767,
		`SELECT count(*) FROM building_appointments WHERE role = 'building_leader' AND ended_on IS NULL AND`+live),
	figure("owner_representatives", "owner representatives", exactly, 38,
		`SELECT count(*) FROM building_appointments WHERE role = 'owner_representative' AND ended_on IS NULL AND`+live),
	figure("market_managed_compounds", "market-managed residential compounds", exactly, 65,
		`SELECT count(*) FROM compounds WHERE market_managed AND`+live),
	figure("justice_mediators", "justice-system party members in compound mediation rooms", exactly, 190,
		`SELECT count(DISTINCT r.member_id) FROM mediation_room_members r JOIN party_members m ON m.id = r.member_id
		 JOIN units u ON u.id = m.unit_id WHERE u.is_justice AND r.deleted_at IS NULL`),
	figure("intersection_members", "party members at key intersections", atLeast, 630,
		`SELECT count(DISTINCT p.person_id) FROM activity_participants p JOIN activities a ON a.id = p.activity_id
		 WHERE a.kind = 'intersection_duty' AND p.role = 'party_member' AND a.deleted_at IS NULL AND p.deleted_at IS NULL`),
	figure("intersections_covered", "intersections covered", exactly, 105,
		`SELECT count(DISTINCT intersection_id) FROM activities WHERE kind = 'intersection_duty' AND`+live),
	figure("vaccination_members", "party members in the vaccination drive", atLeast, 2000,
		`SELECT count(DISTINCT p.person_id) FROM activity_participants p JOIN activities a ON a.id = p.activity_id
		 WHERE a.kind = 'vaccination_drive' AND p.role = 'party_member' AND a.deleted_at IS NULL AND p.deleted_at IS NULL`),
	figure("vaccination_residents", "residents surveyed in the vaccination drive", atLeast, 100000,
		`SELECT coalesce(sum(people_served), 0) FROM activities WHERE kind = 'vaccination_drive' AND`+live),
	figure("service_categories", "categories on the service-project list", exactly, 13,
		`SELECT count(*) FROM service_categories WHERE`+live),
	figure("orders_solved", "residents' problems solved through order–dispatch–accept", atLeast, 380,
		`SELECT count(*) FROM service_orders WHERE state IN ('completed', 'rated') AND`+live),
	figure("themed_party_days", "themed party days last year", exactly, 122,
		`SELECT count(*) FROM activities WHERE kind = 'themed_party_day' AND`+live+`
		 AND extract(year FROM starts_at AT TIME ZONE 'UTC') = `+lastYear),
	figure("red_stewards", "red stewards", exactly, 507,
		`SELECT count(*) FROM red_stewards WHERE`+live),
	figure("governance_instructors", "community governance instructors (retired cadres)", exactly, 5,
		`SELECT count(*) FROM governance_instructors WHERE`+live),
	figure("paired_civilised_units", "civilised units paired with community practice stations", exactly, 42,
		`SELECT count(DISTINCT p.unit_id) FROM pairings p JOIN units u ON u.id = p.unit_id
		 WHERE p.kind = 'practice_station' AND u.civilised AND p.ended_on IS NULL AND p.deleted_at IS NULL`),
	figure("legal_publicity_events", "legal-publicity events", exactly, 112,
		`SELECT count(*) FROM activities WHERE kind = 'legal_publicity' AND`+live),
	figure("legal_publicity_served", "people served by legal publicity", atLeast, 12000,
		`SELECT coalesce(sum(people_served), 0) FROM activities WHERE kind = 'legal_publicity' AND`+live),
	figure("classroom_person_times", "micro-classroom volunteer person-times", atLeast, 1600,
		`SELECT count(*) FROM activity_participants p JOIN activities a ON a.id = p.activity_id
		 WHERE a.kind = 'micro_classroom' AND a.deleted_at IS NULL AND p.deleted_at IS NULL`),
	figure("classroom_youths", "youths served by micro-classrooms", atLeast, 15000,
		`SELECT coalesce(sum(people_served), 0) FROM activities WHERE kind = 'micro_classroom' AND`+live),
	figure("social_org_party_orgs", "social-organisation party organisations", exactly, 9,
		`SELECT count(*) FROM social_organisations WHERE has_party_org AND`+live),
	figure("micro_welfare_services", "micro public-welfare services", exactly, 14,
		`SELECT count(*) FROM activities WHERE kind = 'micro_welfare' AND`+live),
	figure("venture_projects", "public-welfare venture projects", exactly, 29,
		`SELECT count(*) FROM venture_projects WHERE`+live),
	figure("teams", "volunteer teams, all", exactly, 320,
		`SELECT count(*) FROM volunteer_teams WHERE`+live),
	figure("teams_municipal_agency", "volunteer teams of municipal agencies", exactly, 92,
		`SELECT count(*) FROM volunteer_teams WHERE team_type = 'municipal_agency' AND`+live),
	figure("teams_social_organisation", "volunteer teams of social organisations", exactly, 15,
		`SELECT count(*) FROM volunteer_teams WHERE team_type = 'social_organisation' AND`+live),
	figure("teams_town_street", "volunteer teams of towns and streets", exactly, 213,
		`SELECT count(*) FROM volunteer_teams WHERE team_type = 'town_street' AND`+live),
	figure("volunteers", "registered real-name volunteers", atLeast, 120000,
		`SELECT count(*) FROM volunteers WHERE`+live),
	figure("volunteer_police", "volunteer police", exactly, 11000,
		`SELECT count(*) FROM volunteers v JOIN volunteer_teams t ON t.id = v.team_id
		 WHERE t.is_volunteer_police AND v.deleted_at IS NULL AND t.deleted_at IS NULL`),
}

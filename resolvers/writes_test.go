package resolvers_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"gridgov/auth"
	"gridgov/graph"
)

// twoStreetsSQL builds a city of two streets, A and B, each holding one row of every type a
// mutation's input can name, and records their ids in fixture_ids (street, type, id). The
// tokens of the write matrix act in street A; street B is what they must not reach.
const twoStreetsSQL = `
CREATE TABLE fixture_ids (street text, typ text, id bigint);
INSERT INTO cities (code, name) VALUES ('340181', '巢湖市');
INSERT INTO units (code, name, kind) VALUES ('U1', '市司法局', 'municipal_agency');
INSERT INTO issue_categories (code, name, name_zh, category_group, deadline_days) VALUES ('road', 'Road', '道路', 'infrastructure', 7);
INSERT INTO service_categories (code, name, name_zh) VALUES ('elderly', 'Elderly', '助老');
INSERT INTO fixture_ids SELECT s, 'Unit', (SELECT id FROM units) FROM unnest(ARRAY['A', 'B']) s;
INSERT INTO fixture_ids SELECT s, 'IssueCategory', (SELECT id FROM issue_categories) FROM unnest(ARRAY['A', 'B']) s;
INSERT INTO fixture_ids SELECT s, 'ServiceCategory', (SELECT id FROM service_categories) FROM unnest(ARRAY['A', 'B']) s;
CREATE FUNCTION fixture_street(s text) RETURNS void LANGUAGE plpgsql AS $f$
DECLARE
	city bigint := (SELECT id FROM cities);
	unit bigint := (SELECT id FROM units);
	street bigint; community bigint; grid bigint; building bigint; station bigint; org bigint; project bigint;
	cadre_p bigint; resident_p bigint; member_p bigint; pending_p bigint; other_p bigint;
	member bigint; pending bigint; v bigint;
BEGIN
	INSERT INTO streets (city_id, code, name, kind) VALUES (city, s, '街道' || s, 'street') RETURNING id INTO street;
	INSERT INTO communities (street_id, code, name) VALUES (street, 'C' || s, '社区' || s) RETURNING id INTO community;
	INSERT INTO grids (street_id, community_id, code, name) VALUES (street, community, 'G' || s, '网格' || s) RETURNING id INTO grid;
	INSERT INTO buildings (street_id, community_id, grid_id, number) VALUES (street, community, grid, '1栋') RETURNING id INTO building;
	INSERT INTO people (name, street_id, community_id, grid_id, building_id, id_number) VALUES
		('干部' || s, street, community, grid, building, NULL) RETURNING id INTO cadre_p;
	INSERT INTO people (name, street_id, community_id, grid_id, building_id) VALUES ('居民' || s, street, community, grid, building)
		RETURNING id INTO resident_p;
	INSERT INTO people (name, street_id, community_id, grid_id, building_id) VALUES ('党员' || s, street, community, grid, building)
		RETURNING id INTO member_p;
	INSERT INTO people (name, street_id, community_id, grid_id, building_id) VALUES ('报到' || s, street, community, grid, building)
		RETURNING id INTO pending_p;
	INSERT INTO people (name, street_id, community_id, grid_id, building_id, id_number) VALUES
		('邻居' || s, street, community, grid, building, '34018119800101001' || CASE s WHEN 'A' THEN '1' ELSE '2' END) RETURNING id INTO other_p;
	INSERT INTO cadres (person_id, kind, street_id, community_id) VALUES (cadre_p, 'community_cadre', street, community) RETURNING id INTO v;
	INSERT INTO fixture_ids VALUES (s, 'Cadre', v);
	INSERT INTO grid_assignments (street_id, community_id, grid_id, cadre_id, role, started_on)
		VALUES (street, community, grid, v, 'grid_worker', '2024-01-01') RETURNING id INTO station;
	INSERT INTO fixture_ids VALUES (s, 'GridAssignment', station);
	INSERT INTO facilities (street_id, community_id, kind, name) VALUES (street, community, 'service_centre', '服务中心' || s) RETURNING id INTO station;
	INSERT INTO duty_shifts (street_id, community_id, facility_id, cadre_id, on_date) VALUES (street, community, station, v, current_date + 7)
		RETURNING id INTO v;
	INSERT INTO fixture_ids VALUES (s, 'DutyShift', v);
	INSERT INTO residents (person_id, street_id, community_id, grid_id, building_id) VALUES (resident_p, street, community, grid, building)
		RETURNING id INTO v;
	INSERT INTO fixture_ids VALUES (s, 'Resident', v);
	INSERT INTO governance_instructors (person_id, street_id, community_id, appointed_on) VALUES (other_p, street, community, '2024-01-01')
		RETURNING id INTO v;
	INSERT INTO fixture_ids VALUES (s, 'GovernanceInstructor', v);
	INSERT INTO partners (person_id, street_id, community_id, kind) VALUES (other_p, street, community, 'community_police')
		RETURNING id INTO v;
	INSERT INTO fixture_ids VALUES (s, 'Partner', v);
	INSERT INTO party_members (person_id, unit_id, street_id, community_id, building_id, grid_id)
		VALUES (member_p, unit, street, community, building, grid) RETURNING id INTO member;
	-- The Checkin of the matrix is the party member's own: what they may withdraw and transfer.
	INSERT INTO checkins (member_id, street_id, community_id, grid_id, letter_no, state, decided_at)
		VALUES (member, street, community, grid, 'L-' || s, 'verified', now()) RETURNING id INTO v;
	INSERT INTO party_members (person_id, unit_id, street_id, community_id, building_id, grid_id)
		VALUES (pending_p, unit, street, community, building, grid) RETURNING id INTO pending;
	INSERT INTO checkins (member_id, street_id, community_id, letter_no) VALUES (pending, street, community, 'P-' || s);
	INSERT INTO fixture_ids VALUES (s, 'Street', street), (s, 'Community', community), (s, 'Grid', grid), (s, 'Building', building),
		(s, 'Person', other_p), (s, 'PartyMember', member), (s, 'Checkin', v), (s, 'cadre', cadre_p), (s, 'resident', resident_p),
		(s, 'member', member_p);
	INSERT INTO building_appointments (street_id, community_id, grid_id, building_id, member_id, role, appointed_on)
		VALUES (street, community, grid, building, member, 'building_leader', '2024-01-01') RETURNING id INTO v;
	INSERT INTO fixture_ids VALUES (s, 'BuildingAppointment', v);
	INSERT INTO issues (street_id, community_id, grid_id, category_id, title, reporter_id, reporter_role, is_dispute)
		VALUES (street, community, grid, (SELECT id FROM issue_categories), '问题' || s, resident_p, 'resident', true) RETURNING id INTO v;
	INSERT INTO fixture_ids VALUES (s, 'Issue', v);
	INSERT INTO issue_extensions (issue_id, street_id, community_id, grid_id, requested_by, requester_level, reason, due_before, due_requested)
		VALUES (v, street, community, grid, other_p, 'grid', '延期' || s, now(), now() + interval '7 days') RETURNING id INTO v;
	INSERT INTO fixture_ids VALUES (s, 'IssueExtension', v);
	INSERT INTO service_orders (street_id, community_id, grid_id, category_id, resident_id, title, state, published_at)
		VALUES (street, community, grid, (SELECT id FROM service_categories), resident_p, '点单' || s, 'published', now()) RETURNING id INTO v;
	INSERT INTO fixture_ids VALUES (s, 'ServiceOrder', v);
	INSERT INTO social_organisations (name, street_id, registered_on) VALUES ('社会组织' || s, street, '2020-01-01') RETURNING id INTO org;
	INSERT INTO volunteer_teams (name, team_type, street_id, founded_on) VALUES ('志愿队' || s, 'town_street', street, '2020-01-01') RETURNING id INTO v;
	INSERT INTO fixture_ids VALUES (s, 'SocialOrganisation', org), (s, 'VolunteerTeam', v);
	INSERT INTO intersections (street_id, community_id, name) VALUES (street, community, '路口' || s) RETURNING id INTO v;
	INSERT INTO fixture_ids VALUES (s, 'Intersection', v);
	INSERT INTO facilities (street_id, community_id, kind, name) VALUES (street, community, 'practice_station', '实践站' || s) RETURNING id INTO station;
	INSERT INTO venture_projects (social_organisation_id, street_id, community_id, name, theme, started_on)
		VALUES (org, street, community, '创投' || s, 'elderly_care', '2024-01-01') RETURNING id INTO project;
	INSERT INTO fixture_ids VALUES (s, 'Facility', station), (s, 'VentureProject', project);
	INSERT INTO activities (kind, title, street_id, community_id, grid_id, starts_at, ends_at)
		VALUES ('volunteer_service', '活动' || s, street, community, grid, '2024-01-01', '2024-01-01 02:00') RETURNING id INTO v;
	INSERT INTO fixture_ids VALUES (s, 'Activity', v);
	INSERT INTO joint_meetings (street_id, community_id, held_on, title) VALUES (street, community, '2024-01-01', '联席会' || s) RETURNING id INTO v;
	INSERT INTO fixture_ids VALUES (s, 'JointMeeting', v);
	INSERT INTO meeting_matters (meeting_id, street_id, community_id, kind, title, outcome)
		VALUES (v, street, community, 'practical_matter', '事项' || s, 'discussed') RETURNING id INTO v;
	INSERT INTO fixture_ids VALUES (s, 'MeetingMatter', v);
	INSERT INTO pairings (unit_id, street_id, community_id, kind, started_on) VALUES (unit, street, community, 'community', '2024-01-01') RETURNING id INTO v;
	INSERT INTO fixture_ids VALUES (s, 'Pairing', v);
	INSERT INTO volunteers (person_id, team_id, street_id, community_id, grid_id, registered_on)
		VALUES (other_p, (SELECT id FROM volunteer_teams WHERE name = '志愿队' || s), street, community, grid, '2024-01-01') RETURNING id INTO v;
	INSERT INTO fixture_ids VALUES (s, 'Volunteer', v);
	INSERT INTO red_stewards (person_id, street_id, community_id, grid_id, selected_on) VALUES (member_p, street, community, grid, '2024-01-01')
		RETURNING id INTO v;
	INSERT INTO fixture_ids VALUES (s, 'RedSteward', v);
	INSERT INTO patrols (steward_id, street_id, community_id, grid_id, patrolled_at) VALUES (v, street, community, grid, '2024-01-02')
		RETURNING id INTO v;
	INSERT INTO patrol_findings (patrol_id, street_id, community_id, grid_id, category, description)
		VALUES (v, street, community, grid, 'environment', '垃圾' || s) RETURNING id INTO v;
	INSERT INTO fixture_ids VALUES (s, 'PatrolFinding', v);
	INSERT INTO social_party_organisations (social_organisation_id, name, kind, founded_on) VALUES (org, '党支部' || s, 'branch', '2021-01-01')
		RETURNING id INTO v;
	INSERT INTO fixture_ids VALUES (s, 'SocialPartyOrganisation', v);
	INSERT INTO year_ratings (member_id, street_id, community_id, year, grade, state, notified_at)
		VALUES (member, street, community, 2024, 'fair', 'notified', now()) RETURNING id INTO v;
	INSERT INTO fixture_ids VALUES (s, 'YearRating', v);
END $f$;
SELECT fixture_street('A');
SELECT fixture_street('B');
`

// directories are the types every place-scoped role reads city-wide (auth.Policy: "city-wide
// directory"): naming one of another street is no reach beyond the scope, but changing one is.
// A field declared @ref(directory: true) names its type from the city-wide directory likewise.
var directories = []string{"SocialOrganisation", "VolunteerTeam"}

// writeMatrix is the fixture of TestWriteMatrix: ids by street and type, and a token per role.
type writeMatrix struct {
	e      *env
	s      *ast.Schema
	ids    map[string]map[string]int64 // street → type → row id
	tokens map[string]string
	// took holds how long each refusal took, absent ids and ids of street B apart: logged, to
	// show they fall in one timing class (never asserted: the machine is shared).
	took map[string][]time.Duration
}

// refPath is one ID of a mutation's input: its path (field names, "[0]" for a list element)
// and the type its @ref names.
type refPath struct {
	steps []string
	typ   string
	// directory: the field looks its id up in the type's city-wide directory (@ref(directory: true)).
	directory bool
}

func (p refPath) String() string { return strings.ReplaceAll(strings.Join(p.steps, "."), ".[", "[") }

// idPaths lists every ID below input type t, with the paths they are found at.
func idPaths(s *ast.Schema, t *ast.Type, at []string, seen map[string]bool) []refPath {
	if t.Elem != nil {
		return idPaths(s, t.Elem, append(slices.Clone(at), "[0]"), seen)
	}
	def := s.Types[t.Name()]
	if def == nil || def.Kind != ast.InputObject || seen[def.Name] {
		return nil
	}
	seen = map[string]bool{def.Name: true}
	var out []refPath
	for _, f := range def.Fields {
		here := append(slices.Clone(at), f.Name)
		if f.Type.Name() == "ID" {
			if f.Type.Elem != nil {
				here = append(here, "[0]")
			}
			out = append(out, refPath{here, refOf(f), directoryRef(f)})
			continue
		}
		out = append(out, idPaths(s, f.Type, here, seen)...)
	}
	return out
}

// directoryRef says whether an input field's @ref names the city-wide directory of its type.
func directoryRef(f *ast.FieldDefinition) bool {
	d := f.Directives.ForName("ref")
	return d != nil && d.Arguments.ForName("directory") != nil && d.Arguments.ForName("directory").Value.Raw == "true"
}

// refOf gives the type an input field's @ref names, or "".
func refOf(f *ast.FieldDefinition) string {
	if d := f.Directives.ForName("ref"); d != nil {
		return d.Arguments.ForName("type").Value.Raw
	}
	return ""
}

// value builds a JSON value of type t: every required field filled (ids of street A), and the
// field at path set to id.
func (m *writeMatrix) value(t *ast.Type, path []string, id string) any {
	if t.Elem != nil {
		rest := path
		if len(rest) > 0 && rest[0] == "[0]" {
			rest = rest[1:]
		}
		return []any{m.value(t.Elem, rest, id)}
	}
	def := m.s.Types[t.Name()]
	switch def.Kind {
	case ast.Enum:
		return def.EnumValues[0].Name
	case ast.InputObject:
		out := map[string]any{}
		for _, f := range def.Fields {
			onPath := len(path) > 0 && path[0] == f.Name
			if !onPath && !(f.Type.NonNull && f.DefaultValue == nil) {
				continue
			}
			switch {
			case onPath && len(path) == 1 || onPath && f.Type.Name() == "ID":
				out[f.Name] = id
				if f.Type.Elem != nil {
					out[f.Name] = []any{id}
				}
			case onPath:
				out[f.Name] = m.value(f.Type, path[1:], id)
			case f.Type.Name() == "ID":
				out[f.Name] = gid(refOf(f), m.ids["A"][refOf(f)])
			default:
				out[f.Name] = m.value(f.Type, nil, id)
			}
		}
		return out
	}
	switch t.Name() {
	case "Int":
		return 1
	case "Float":
		return 1.5
	case "Boolean":
		return true
	case "Date":
		return "2024-01-01"
	case "DateTime":
		return "2024-01-01T00:00:00Z"
	}
	return "x"
}

// uploadPaths lists where the files of a value of input type t, as value builds it, go in a
// multipart request ("variables.v.file"): its required Upload fields, at any depth.
func uploadPaths(s *ast.Schema, t *ast.Type, at string) []string {
	if t.Name() == "Upload" {
		return []string{at}
	}
	def := s.Types[t.Name()]
	if t.Elem != nil || def == nil || def.Kind != ast.InputObject {
		return nil
	}
	var out []string
	for _, f := range def.Fields {
		if f.Type.NonNull && f.DefaultValue == nil {
			out = append(out, uploadPaths(s, f.Type, at+"."+f.Name)...)
		}
	}
	return out
}

// digest is a fingerprint of every table's rows: equal digests, no change.
func (m *writeMatrix) digest(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	rows, err := m.e.pool.Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	var parts []string
	for _, name := range tables {
		parts = append(parts, fmt.Sprintf(`SELECT %s || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM %q t`,
			quoteLiteral(name), name))
	}
	var d string
	if err := m.e.pool.QueryRow(ctx, `SELECT string_agg(x, ',') FROM (`+strings.Join(parts, " UNION ALL ")+`) d(x)`).Scan(&d); err != nil {
		t.Fatal(err)
	}
	return d
}

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// TestWriteMatrix walks the schema itself: for every mutation, every ID its input can carry
// (at any depth, in lists too) and every role the policy lets call it, an id of street B is
// refused with NOT_FOUND naming the field, exactly as an id that names nothing is, and no
// table changes. The tokens act in street A (the city admin city-wide, for whom nothing is
// out of scope: only the absent id is tried). A new mutation, input field or role is covered
// without anyone listing it; an ID without @ref fails.
func TestWriteMatrix(t *testing.T) {
	e := newEnv(t)
	if _, err := e.pool.Exec(context.Background(), twoStreetsSQL); err != nil {
		t.Fatalf("fixture: %v", err)
	}
	m := &writeMatrix{e: e, s: graph.NewExecutableSchema(graph.Config{}).Schema(), ids: map[string]map[string]int64{"A": {}, "B": {}},
		took: map[string][]time.Duration{}}
	rows, err := e.pool.Query(context.Background(), `SELECT street, typ, id FROM fixture_ids`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var street, typ string
		var id int64
		if err := rows.Scan(&street, &typ, &id); err != nil {
			t.Fatal(err)
		}
		m.ids[street][typ] = id
	}
	a := m.ids["A"]
	m.tokens = map[string]string{
		"city_admin":      e.token("city_admin", auth.ScopeCity, a["cadre"]),
		"street_cadre":    e.token("street_cadre", gid("Street", a["Street"]), a["cadre"]),
		"community_cadre": e.token("community_cadre", gid("Community", a["Community"]), a["cadre"]),
		"grid_worker":     e.token("grid_worker", gid("Grid", a["Grid"]), a["cadre"]),
		"party_member":    e.token("party_member", gid("Grid", a["Grid"]), a["member"]),
		"resident":        e.token("resident", gid("Grid", a["Grid"]), a["resident"]),
		"unit_admin":      e.token("unit_admin", gid("Unit", a["Unit"]), a["Person"]),
	}
	var cases, outside int
	for _, f := range m.s.Mutation.Fields {
		if strings.HasPrefix(f.Name, "__") {
			continue
		}
		for _, arg := range f.Arguments {
			for _, p := range idPaths(m.s, arg.Type, nil, nil) {
				if p.typ == "" {
					t.Errorf("%s: the ID at %s has no @ref", f.Name, p)
					continue
				}
				for _, role := range auth.Policy["Mutation."+f.Name].Roles {
					cases++
					if m.probe(t, f, arg, p, role) {
						outside++
					}
				}
			}
		}
	}
	t.Logf("%d mutation × ID × role cases, %d with an id of street B", cases, outside)
	for _, kind := range []string{"absent", "street B"} {
		d := m.took[kind]
		slices.Sort(d)
		if len(d) > 0 {
			t.Logf("refusal of an id %s: median %v, p90 %v over %d requests", kind, d[len(d)/2], d[len(d)*9/10], len(d))
		}
	}
	if cases < 100 || outside < 50 {
		t.Errorf("the matrix covers too little: %d cases, %d outside", cases, outside)
	}
}

// probe calls mutation f as role with p set to an absent id and, where one exists, to an id of
// street B; it reports whether the latter was tried.
func (m *writeMatrix) probe(t *testing.T, f *ast.FieldDefinition, arg *ast.ArgumentDefinition, p refPath, role string) bool {
	t.Helper()
	token, ok := m.tokens[role]
	if !ok {
		t.Errorf("%s: no token for role %s in the matrix", f.Name, role)
		return false
	}
	name := fmt.Sprintf("%s %s as %s", f.Name, p, role)
	q := fmt.Sprintf("mutation($v: %s) { %s(%s: $v) { __typename } }", arg.Type, f.Name, arg.Name)
	call := func(kind, id string) gqlResp {
		start := time.Now()
		vars := map[string]any{"v": m.value(arg.Type, p.steps, id)}
		var r gqlResp
		if ups := uploadPaths(m.s, arg.Type, "variables.v"); len(ups) > 0 {
			files := map[string]file{}
			for _, u := range ups {
				files[u] = file{"x.jpg", "image/jpeg", []byte("never read: the ids are refused first")}
			}
			r = m.e.with(t).multipart(m.e.h, token, q, vars, files)
		} else {
			r = m.e.with(t).as(token, q, vars)
		}
		m.took[kind] = append(m.took[kind], time.Since(start))
		return r
	}
	before := m.digest(t)
	absent := call("absent", gid(p.typ, 1<<40))
	if absent.code() != "NOT_FOUND" || absent.Errors[0].Extensions["field"] != p.String() || absent.Data[f.Name] != nil {
		t.Errorf("%s, absent id: want NOT_FOUND at %s, got %+v", name, p, absent.Errors)
	}
	target := p.typ == f.Type.Name()
	other, exists := m.ids["B"][p.typ]
	// A city admin's and a unit admin's scopes are not one street: street B lies inside them.
	tried := exists && role != "city_admin" && role != "unit_admin" && other != m.ids["A"][p.typ] && (target || !slices.Contains(directories, p.typ) && !p.directory)
	if tried {
		r := call("street B", gid(p.typ, other))
		if r.code() != absent.code() || len(r.Errors) != len(absent.Errors) || r.Errors[0].Message != absent.Errors[0].Message ||
			r.Errors[0].Extensions["field"] != absent.Errors[0].Extensions["field"] || r.Data[f.Name] != nil {
			t.Errorf("%s: an id of street B answers %+v, an absent one %+v", name, r.Errors, absent.Errors)
		}
	}
	if after := m.digest(t); after != before {
		t.Errorf("%s: a refused write changed the data", name)
	}
	return tried
}

package resolvers_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"
)

// Residents' records (居民信息), service-centre duty shifts and mediation-room members:
// lists with filters, paging both ways, node(id:), scope, masking and refusals.

// walk pages through a root connection k items at a time, forward from the start and
// backward from the end, and gives the value of key (a field of the node) for every item of
// each walk, in list order, and the list's totalCount. args are the field's other arguments.
func (e *env) walk(token, field, args, key string, k int) (fwd, back []string, total float64) {
	e.t.Helper()
	q := `query($first: Int, $after: String, $last: Int, $before: String) { list: ` + field + `(` + args + ` first: $first, after: $after,
		last: $last, before: $before) { totalCount edges { node { key: ` + key + ` } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`
	run := func(vars map[string]any) map[string]any {
		r := e.as(token, q, vars)
		if len(r.Errors) > 0 {
			e.t.Fatalf("%s(%s): %+v", field, args, r.Errors)
		}
		return r.Data["list"].(map[string]any)
	}
	keys := func(d map[string]any) []string {
		var out []string
		for _, ed := range d["edges"].([]any) {
			out = append(out, fmt.Sprint(dig(ed, "node", "key")))
		}
		return out
	}
	vars := map[string]any{"first": k}
	for range 100 {
		d := run(vars)
		total = d["totalCount"].(float64)
		fwd = append(fwd, keys(d)...)
		if !dig(d, "pageInfo", "hasNextPage").(bool) {
			break
		}
		vars = map[string]any{"first": k, "after": dig(d, "pageInfo", "endCursor")}
	}
	vars = map[string]any{"last": k}
	for range 100 {
		d := run(vars)
		back = append(keys(d), back...)
		if !dig(d, "pageInfo", "hasPreviousPage").(bool) {
			break
		}
		vars = map[string]any{"last": k, "before": dig(d, "pageInfo", "startCursor")}
	}
	return fwd, back, total
}

// pagesAgree walks a list both ways and checks that both walks see want, in that order.
func (e *env) pagesAgree(token, field, args, key string, k int, want []string) {
	e.t.Helper()
	fwd, back, total := e.walk(token, field, args, key, k)
	if !slices.Equal(fwd, want) || !slices.Equal(back, want) || total != float64(len(want)) {
		e.t.Fatalf("%s(%s) by %d:\nforward  %v\nbackward %v\ntotal %v, want %v", field, args, k, fwd, back, total, want)
	}
}

// names gives the first column of a query's rows.
func (e *env) names(sql string, args ...any) []string {
	e.t.Helper()
	rows, err := e.pool.Query(context.Background(), sql, args...)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			e.t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// count runs a list query (aliased list) that must succeed and gives its totalCount.
func (e *env) count(token, q string, vars map[string]any) any {
	e.t.Helper()
	r := e.as(token, q, vars)
	if len(r.Errors) > 0 {
		e.t.Fatalf("%s: %+v", q, r.Errors)
	}
	return dig(r.Data, "list", "totalCount")
}

// instant reads a DateTime of a response.
func instant(t *testing.T, v any) time.Time {
	t.Helper()
	s, _ := v.(string)
	at, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("not a DateTime: %v", v)
	}
	return at
}

// communityB adds a second community of the world's street with a grid, a building and a
// community cadre.
func (e *env) communityB(w world) (community, grid, building, cadre int64) {
	e.t.Helper()
	community = e.id(`INSERT INTO communities (street_id, code, name) VALUES ($1, 'C2', '半汤社区') RETURNING id`, w.street)
	grid = e.id(`INSERT INTO grids (street_id, community_id, code, name) VALUES ($1, $2, 'GB1', '半汤第一网格') RETURNING id`, w.street, community)
	building = e.id(`INSERT INTO buildings (street_id, community_id, grid_id, number) VALUES ($1, $2, $3, 'B1栋') RETURNING id`, w.street, community, grid)
	person := e.id(`INSERT INTO people (name, street_id, community_id) VALUES ('半汤干部', $1, $2) RETURNING id`, w.street, community)
	cadre = e.id(`INSERT INTO cadres (person_id, kind, street_id, community_id) VALUES ($1, 'community_cadre', $2, $3) RETURNING id`, person, w.street, community)
	return
}

func TestResidents(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	commB, gridB, buildingB, cadreB := e.communityB(w)
	building2 := e.id(`INSERT INTO buildings (street_id, community_id, grid_id, number) VALUES ($1, $2, $3, '2栋') RETURNING id`, w.street, w.community, w.grid2)
	cadre2 := e.id(`INSERT INTO cadres (person_id, kind, street_id, community_id) VALUES ($1, 'community_cadre', $2, $3) RETURNING id`,
		e.person("陈干部", w), w.street, w.community)
	n := 0
	resident := func(name string, community, grid, building int64, party bool, collector any, day int) (person, id int64) {
		n++
		person = e.id(`INSERT INTO people (name, phone, id_number, address_detail, street_id, community_id, grid_id, building_id)
			VALUES ($1, '13800000000', $2, '1单元101', $3, $4, $5, $6) RETURNING id`,
			name, fmt.Sprintf("3401811990010100%02d", n), w.street, community, grid, building)
		id = e.id(`INSERT INTO residents (person_id, street_id, community_id, grid_id, building_id, household_size, is_party_member, collected_by, collected_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, timestamptz '2024-01-01 10:00+08' + $9 * interval '1 day') RETURNING id`,
			person, w.street, community, grid, building, 1+n%4, party, collector, day)
		return
	}
	ids := map[string]int64{}
	persons := map[string]int64{}
	for i := 1; i <= 6; i++ {
		var collector any
		if i <= 4 {
			collector = w.cadre
		}
		name := fmt.Sprintf("甲%02d", i)
		persons[name], ids[name] = resident(name, w.community, w.grid, w.building, i <= 2, collector, i-1)
	}
	for i := 1; i <= 2; i++ {
		name := fmt.Sprintf("乙%02d", i)
		persons[name], ids[name] = resident(name, w.community, w.grid2, building2, false, cadre2, 10+i)
		name = fmt.Sprintf("丙%02d", i)
		persons[name], ids[name] = resident(name, commB, gridB, buildingB, false, cadreB, 20+i)
	}
	_, gone := resident("甲07", w.community, w.grid, w.building, false, nil, 0)
	e.pool.Exec(context.Background(), `UPDATE residents SET deleted_at = now() WHERE id = $1`, gone) //nolint:errcheck
	adm := e.token("city_admin", "city", readerSubject)

	t.Run("filters", func(t *testing.T) {
		e := e.with(t)
		q := `query($f: ResidentFilter) { list: residents(filter: $f) { totalCount } }`
		for _, c := range []struct {
			name   string
			filter map[string]any
			want   float64
		}{
			{"all", nil, 10},
			{"grid", map[string]any{"place": map[string]any{"gridId": gid("Grid", w.grid)}}, 6},
			{"community", map[string]any{"place": map[string]any{"communityId": gid("Community", w.community)}}, 8},
			{"street", map[string]any{"place": map[string]any{"streetId": gid("Street", w.street)}}, 10},
			{"building", map[string]any{"buildingId": gid("Building", building2)}, 2},
			{"collected by", map[string]any{"collectedById": gid("Cadre", w.cadre)}, 4},
			{"collected by another", map[string]any{"collectedById": gid("Cadre", cadre2)}, 2},
			{"collected in a range", map[string]any{"collected": map[string]any{"from": "2024-01-03T00:00:00+08:00", "to": "2024-01-05T00:00:00+08:00"}}, 2},
			{"party members", map[string]any{"isPartyMember": true}, 2},
			{"not party members", map[string]any{"isPartyMember": false}, 8},
			{"name", map[string]any{"search": "01"}, 3},
			{"all together", map[string]any{"place": map[string]any{"gridId": gid("Grid", w.grid)}, "isPartyMember": false, "search": "甲0",
				"collectedById": gid("Cadre", w.cadre)}, 2},
			{"nothing", map[string]any{"search": "甲07"}, 0},
		} {
			if got := e.count(adm, q, map[string]any{"f": c.filter}); got != c.want {
				t.Errorf("%s: totalCount %v, want %v", c.name, got, c.want)
			}
		}
		d := e.ok(admin, `query($f: ResidentFilter) { residents(filter: $f) { edges { node { name } } } }`,
			map[string]any{"f": map[string]any{"collected": map[string]any{"from": "2024-01-03T00:00:00+08:00", "to": "2024-01-05T00:00:00+08:00"}}})
		if got := fmt.Sprint(dig(d, "residents", "edges")); got != "[map[node:map[name:甲03]] map[node:map[name:甲04]]]" {
			t.Errorf("collected range: %s", got)
		}
	})

	t.Run("paging both ways", func(t *testing.T) {
		e := e.with(t)
		all := e.names(`SELECT p.name FROM residents r JOIN people p ON p.id = r.person_id WHERE r.deleted_at IS NULL ORDER BY p.name, r.id`)
		if len(all) != 10 {
			t.Fatalf("fixture: %v", all)
		}
		e.pagesAgree(adm, "residents", "", "name", 3, all)
		inA := e.names(`SELECT p.name FROM residents r JOIN people p ON p.id = r.person_id WHERE r.deleted_at IS NULL
			AND r.community_id = $1 ORDER BY p.name, r.id`, w.community)
		if len(inA) != 8 || slices.Contains(inA, "丙01") {
			t.Fatalf("fixture: %v", inA)
		}
		e.pagesAgree(adm, "residents", `filter: {place: {communityId: "`+gid("Community", w.community)+`"}},`, "name", 4, inA)
		e.pagesAgree(adm, "residents", `filter: {search: "甲"},`, "name", 5, []string{"甲01", "甲02", "甲03", "甲04", "甲05", "甲06"})
	})

	t.Run("node", func(t *testing.T) {
		e := e.with(t)
		q := `query($id: ID!) { node(id: $id) { id __typename ... on Resident { name householdSize isPartyMember collectedAt version
			person { id name } grid { code } building { number } collectedBy { name } } } }`
		d := e.ok(admin, q, map[string]any{"id": gid("Resident", ids["甲01"])})
		node := d["node"].(map[string]any)
		if node["id"] != gid("Resident", ids["甲01"]) || node["__typename"] != "Resident" || node["name"] != "甲01" ||
			node["isPartyMember"] != true || node["householdSize"] != 2.0 || !instant(t, node["collectedAt"]).Equal(time.Date(2024, 1, 1, 2, 0, 0, 0, time.UTC)) ||
			dig(node, "person", "id") != gid("Person", persons["甲01"]) || dig(node, "grid", "code") != "G1" ||
			dig(node, "building", "number") != "1栋" || dig(node, "collectedBy", "name") != "王干部" || node["version"] != 1.0 {
			t.Fatalf("resident: %v", node)
		}
		d = e.ok(admin, q, map[string]any{"id": gid("Resident", ids["甲05"])})
		if dig(d, "node", "collectedBy") != nil {
			t.Errorf("a record without a collector: %v", d)
		}
		e.fails(admin, "NOT_FOUND", q, map[string]any{"id": gid("Resident", gone)})
	})

	t.Run("scope", func(t *testing.T) {
		e := e.with(t)
		q := `{ list: residents(first: 100) { totalCount edges { node { name } } } }`
		for _, c := range []struct {
			role, scope string
			want        float64
		}{
			{"community_cadre", gid("Community", commB), 2},
			{"community_cadre", gid("Community", w.community), 8},
			{"grid_worker", gid("Grid", w.grid2), 2},
			{"street_cadre", gid("Street", w.street), 10},
			{"leader", "city", 10},
		} {
			if got := e.count(e.token(c.role, c.scope, w.cadrePerson), q, nil); got != c.want {
				t.Errorf("%s of %s: %v residents, want %v", c.role, c.scope, got, c.want)
			}
		}
		cadreB := e.token("community_cadre", gid("Community", commB), w.cadrePerson)
		d := e.as(cadreB, `query($c: ID) { list: residents(filter: {place: {communityId: $c}}) { totalCount edges { node { name } } } }`,
			map[string]any{"c": gid("Community", w.community)})
		if d.code() != "" || dig(d.Data, "list", "totalCount") != 0.0 {
			t.Errorf("B's cadre filtering on A: %+v %v", d.Errors, d.Data)
		}
		node := `query($id: ID!) { node(id: $id) { id ... on Resident { name } } }`
		absent := e.as(cadreB, node, map[string]any{"id": gid("Resident", 1<<40)})
		for name, tok := range map[string]string{
			"community cadre of B": cadreB,
			"grid worker of G2":    e.token("grid_worker", gid("Grid", w.grid2), w.cadrePerson),
			"the resident":         e.token("resident", gid("Grid", w.grid), persons["甲01"]),
			"a party member":       e.token("party_member", gid("Grid", w.grid), persons["甲01"]),
			"a unit admin":         e.token("unit_admin", gid("Unit", w.unit), 0),
		} {
			r := e.as(tok, node, map[string]any{"id": gid("Resident", ids["甲01"])})
			if r.code() != "NOT_FOUND" || r.Errors[0].Message != absent.Errors[0].Message || r.Data["node"] != nil {
				t.Errorf("%s reads A's resident: %+v %v", name, r.Errors, r.Data)
			}
		}
		for _, role := range []string{"resident", "party_member", "unit_admin", "statistician"} {
			scope := gid("Grid", w.grid)
			if role == "unit_admin" {
				scope = gid("Unit", w.unit)
			} else if role == "statistician" {
				scope = "city"
			}
			if r := e.as(e.token(role, scope, persons["甲01"]), `{ residents { totalCount } }`, nil); r.code() != "FORBIDDEN" {
				t.Errorf("%s lists residents: %+v %v", role, r.Errors, r.Data)
			}
		}
	})

	t.Run("personal fields masked as for Person", func(t *testing.T) {
		e := e.with(t)
		q := `query($r: ID!, $p: ID!) { r: node(id: $r) { ... on Resident { person { phone idNumber address } } }
			p: node(id: $p) { ... on Person { phone idNumber address } } }`
		vars := map[string]any{"r": gid("Resident", ids["甲01"]), "p": gid("Person", persons["甲01"])}
		for _, c := range []struct {
			role, scope              string
			phone, idNumber, address bool
		}{
			{"city_admin", "city", true, true, true},
			{"community_cadre", gid("Community", w.community), true, true, true},
			{"grid_worker", gid("Grid", w.grid), true, false, true},
			{"street_cadre", gid("Street", w.street), true, false, false},
			{"leader", "city", false, false, false},
		} {
			r := e.as(e.token(c.role, c.scope, w.cadrePerson), q, vars)
			if len(r.Errors) > 0 {
				t.Fatalf("%s: %+v", c.role, r.Errors)
			}
			got := dig(r.Data, "r", "person").(map[string]any)
			for field, shown := range map[string]bool{"phone": c.phone, "idNumber": c.idNumber, "address": c.address} {
				if (got[field] != nil) != shown {
					t.Errorf("%s: resident's %s = %v, want shown %v", c.role, field, got[field], shown)
				}
				if got[field] != dig(r.Data, "p", field) {
					t.Errorf("%s: resident's %s %v, the Person's %v", c.role, field, got[field], dig(r.Data, "p", field))
				}
			}
		}
		// The list masks as node does: a leader's page holds no personal field.
		d := e.as(e.token("leader", "city", w.cadrePerson), `{ residents(first: 100) { edges { node { person { phone idNumber address } } } } }`, nil)
		for _, ed := range dig(d.Data, "residents", "edges").([]any) {
			if p := dig(ed, "node", "person").(map[string]any); p["phone"] != nil || p["idNumber"] != nil || p["address"] != nil {
				t.Fatalf("leader's list leaks: %v", p)
			}
		}
	})

	t.Run("bad input", func(t *testing.T) {
		e := e.with(t)
		for _, c := range []struct {
			name, code, query string
			vars              map[string]any
		}{
			{"malformed id", "BAD_USER_INPUT", `{ node(id: "resident!") { id } }`, nil},
			{"absent id", "NOT_FOUND", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": gid("Resident", 1<<40)}},
			{"building id of another type", "BAD_USER_INPUT", `query($b: ID) { residents(filter: {buildingId: $b}) { totalCount } }`, map[string]any{"b": gid("Grid", w.grid)}},
			{"collector id of another type", "BAD_USER_INPUT", `query($c: ID) { residents(filter: {collectedById: $c}) { totalCount } }`, map[string]any{"c": gid("Person", w.cadrePerson)}},
			{"place id of another type", "BAD_USER_INPUT", `query($g: ID) { residents(filter: {place: {gridId: $g}}) { totalCount } }`, map[string]any{"g": gid("Building", w.building)}},
			{"bad instant", "BAD_USER_INPUT", `{ residents(filter: {collected: {from: "yesterday"}}) { totalCount } }`, nil},
			{"oversized page", "BAD_USER_INPUT", `{ residents(first: 101) { totalCount } }`, nil},
			{"oversized last", "BAD_USER_INPUT", `{ residents(last: 101) { totalCount } }`, nil},
			{"bad cursor", "BAD_USER_INPUT", `{ residents(after: "nope") { totalCount } }`, nil},
		} {
			r := e.with(t).fails(admin, c.code, c.query, c.vars)
			if c.name == "building id of another type" && r.Errors[0].Extensions["field"] != "buildingId" {
				t.Errorf("%s names the field: %v", c.name, r.Errors[0].Extensions)
			}
		}
	})
}

func TestDutyShifts(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	commB, gridB, _, cadreB := e.communityB(w)
	cadre2 := e.id(`INSERT INTO cadres (person_id, kind, street_id, community_id) VALUES ($1, 'community_cadre', $2, $3) RETURNING id`,
		e.person("陈干部", w), w.street, w.community)
	centre := e.id(`INSERT INTO facilities (street_id, community_id, kind, name) VALUES ($1, $2, 'service_centre', '健康社区党群服务中心') RETURNING id`, w.street, w.community)
	centreB := e.id(`INSERT INTO facilities (street_id, community_id, kind, name) VALUES ($1, $2, 'service_centre', '半汤社区党群服务中心') RETURNING id`, w.street, commB)
	shift := func(community, facility, cadre int64, day string) int64 {
		return e.id(`INSERT INTO duty_shifts (street_id, community_id, facility_id, cadre_id, on_date) VALUES ($1, $2, $3, $4, $5::date) RETURNING id`,
			w.street, community, facility, cadre, day)
	}
	ids := map[string]int64{}
	for _, day := range []string{"2024-05-06", "2024-05-07", "2024-05-08", "2024-05-09", "2024-05-10", "2024-05-13", "2024-05-14"} {
		ids["A "+day] = shift(w.community, centre, w.cadre, day)
	}
	ids["A2 2024-05-06"] = shift(w.community, centre, cadre2, "2024-05-06")
	ids["A2 2024-05-08"] = shift(w.community, centre, cadre2, "2024-05-08")
	ids["B 2024-05-06"] = shift(commB, centreB, cadreB, "2024-05-06")
	ids["B 2024-05-07"] = shift(commB, centreB, cadreB, "2024-05-07")
	gone := shift(w.community, centre, w.cadre, "2024-05-15")
	e.pool.Exec(context.Background(), `UPDATE duty_shifts SET deleted_at = now() WHERE id = $1`, gone) //nolint:errcheck
	adm := e.token("city_admin", "city", readerSubject)

	t.Run("filters", func(t *testing.T) {
		e := e.with(t)
		q := `query($f: DutyShiftFilter) { list: dutyShifts(filter: $f) { totalCount } }`
		for _, c := range []struct {
			name   string
			filter map[string]any
			want   float64
		}{
			{"all", nil, 11},
			{"community", map[string]any{"place": map[string]any{"communityId": gid("Community", w.community)}}, 9},
			{"grid: its community", map[string]any{"place": map[string]any{"gridId": gid("Grid", gridB)}}, 2},
			{"absent grid", map[string]any{"place": map[string]any{"gridId": gid("Grid", 1<<40)}}, 0},
			{"cadre", map[string]any{"cadreId": gid("Cadre", cadre2)}, 2},
			{"service centre", map[string]any{"facilityId": gid("Facility", centreB)}, 2},
			{"days", map[string]any{"on": map[string]any{"from": "2024-05-08", "to": "2024-05-10"}}, 3},
			{"from a day on", map[string]any{"on": map[string]any{"from": "2024-05-13"}}, 2},
			{"until a day", map[string]any{"on": map[string]any{"to": "2024-05-07"}}, 3},
			{"all together", map[string]any{"place": map[string]any{"communityId": gid("Community", w.community)},
				"cadreId": gid("Cadre", w.cadre), "on": map[string]any{"from": "2024-05-07", "to": "2024-05-13"}}, 4},
		} {
			if got := e.count(adm, q, map[string]any{"f": c.filter}); got != c.want {
				t.Errorf("%s: totalCount %v, want %v", c.name, got, c.want)
			}
		}
	})

	t.Run("paging both ways", func(t *testing.T) {
		e := e.with(t)
		// Rows as "day id", in each direction: ties on a day page in id order.
		desc := e.names(`SELECT on_date::text || ' ' || id FROM duty_shifts WHERE deleted_at IS NULL ORDER BY on_date DESC, id DESC`)
		asc := e.names(`SELECT on_date::text || ' ' || id FROM duty_shifts WHERE deleted_at IS NULL ORDER BY on_date, id`)
		if len(desc) != 11 || desc[0][:10] != "2024-05-14" || asc[0][:10] != "2024-05-06" {
			t.Fatalf("fixture: %v", desc)
		}
		split := func(rows []string) (days, ids []string) {
			for _, r := range rows {
				var day string
				var id int64
				fmt.Sscanf(r, "%s %d", &day, &id) //nolint:errcheck
				days, ids = append(days, day), append(ids, gid("DutyShift", id))
			}
			return days, ids
		}
		descDays, descIDs := split(desc)
		ascDays, ascIDs := split(asc)
		e.pagesAgree(adm, "dutyShifts", "", "onDate", 2, descDays)
		e.pagesAgree(adm, "dutyShifts", "direction: ASC,", "onDate", 3, ascDays)
		e.pagesAgree(adm, "dutyShifts", "direction: DESC,", "id", 4, descIDs)
		e.pagesAgree(adm, "dutyShifts", "direction: ASC,", "id", 2, ascIDs)
		e.pagesAgree(adm, "dutyShifts", `filter: {place: {communityId: "`+gid("Community", commB)+`"}}, direction: ASC,`, "id", 1,
			[]string{gid("DutyShift", ids["B 2024-05-06"]), gid("DutyShift", ids["B 2024-05-07"])})
	})

	t.Run("node", func(t *testing.T) {
		e := e.with(t)
		q := `query($id: ID!) { node(id: $id) { id __typename ... on DutyShift { onDate version cadre { name } facility { name kind }
			community { name } } } }`
		id := gid("DutyShift", ids["A2 2024-05-08"])
		d := e.ok(admin, q, map[string]any{"id": id})
		node := d["node"].(map[string]any)
		if node["id"] != id || node["__typename"] != "DutyShift" || node["onDate"] != "2024-05-08" || dig(node, "cadre", "name") != "陈干部" ||
			dig(node, "facility", "kind") != "SERVICE_CENTRE" || dig(node, "community", "name") != "健康社区" || node["version"] != 1.0 {
			t.Fatalf("duty shift: %v", node)
		}
		e.fails(admin, "NOT_FOUND", q, map[string]any{"id": gid("DutyShift", gone)})
	})

	t.Run("scope", func(t *testing.T) {
		e := e.with(t)
		q := `{ list: dutyShifts(first: 100) { totalCount edges { node { onDate cadre { name } facility { name } } } } }`
		for _, c := range []struct {
			role, scope string
			want        float64
		}{
			{"community_cadre", gid("Community", commB), 2},
			{"community_cadre", gid("Community", w.community), 9},
			{"grid_worker", gid("Grid", w.grid2), 9}, // the grid's community's duty
			{"grid_worker", gid("Grid", gridB), 2},
			{"leader", "city", 11},
		} {
			if got := e.count(e.token(c.role, c.scope, w.cadrePerson), q, nil); got != c.want {
				t.Errorf("%s of %s: %v shifts, want %v", c.role, c.scope, got, c.want)
			}
		}
		cadreOfB := e.token("community_cadre", gid("Community", commB), w.cadrePerson)
		node := `query($id: ID!) { node(id: $id) { id ... on DutyShift { onDate } } }`
		absent := e.as(cadreOfB, node, map[string]any{"id": gid("DutyShift", 1<<40)})
		for name, tok := range map[string]string{
			"community cadre of B": cadreOfB,
			"grid worker of B":     e.token("grid_worker", gid("Grid", gridB), w.cadrePerson),
			"a resident":           e.token("resident", gid("Grid", w.grid), w.resident),
			"a unit admin":         e.token("unit_admin", gid("Unit", w.unit), 0),
		} {
			r := e.as(tok, node, map[string]any{"id": gid("DutyShift", ids["A 2024-05-06"])})
			if r.code() != "NOT_FOUND" || r.Errors[0].Message != absent.Errors[0].Message || r.Data["node"] != nil {
				t.Errorf("%s reads A's shift: %+v %v", name, r.Errors, r.Data)
			}
		}
		if r := e.as(e.token("resident", gid("Grid", w.grid), w.resident), `{ dutyShifts { totalCount } }`, nil); r.code() != "FORBIDDEN" {
			t.Errorf("a resident lists duty: %+v", r.Errors)
		}
	})

	t.Run("bad input", func(t *testing.T) {
		e := e.with(t)
		d := e.ok(admin, `{ cadres(first: 1) { pageInfo { endCursor } } dutyShifts(first: 1) { pageInfo { endCursor } } }`, nil)
		descCursor, nameCursor := dig(d, "dutyShifts", "pageInfo", "endCursor"), dig(d, "cadres", "pageInfo", "endCursor")
		if descCursor == nil || nameCursor == nil {
			t.Fatalf("cursors: %v", d)
		}
		for _, c := range []struct {
			name, code, query string
			vars              map[string]any
		}{
			{"malformed id", "BAD_USER_INPUT", `{ node(id: "shift") { id } }`, nil},
			{"absent id", "NOT_FOUND", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": gid("DutyShift", 1<<40)}},
			{"cadre id of another type", "BAD_USER_INPUT", `query($c: ID) { dutyShifts(filter: {cadreId: $c}) { totalCount } }`, map[string]any{"c": gid("Person", w.cadrePerson)}},
			{"facility id malformed", "BAD_USER_INPUT", `{ dutyShifts(filter: {facilityId: "x"}) { totalCount } }`, nil},
			{"bad day", "BAD_USER_INPUT", `{ dutyShifts(filter: {on: {from: "May 6"}}) { totalCount } }`, nil},
			{"oversized page", "BAD_USER_INPUT", `{ dutyShifts(first: 101) { totalCount } }`, nil},
			{"oversized last", "BAD_USER_INPUT", `{ dutyShifts(last: 101) { totalCount } }`, nil},
			{"cursor of another direction", "BAD_USER_INPUT", `query($c: String) { dutyShifts(direction: ASC, after: $c) { totalCount } }`, map[string]any{"c": descCursor}},
			{"cursor of another list", "BAD_USER_INPUT", `query($c: String) { dutyShifts(after: $c) { totalCount } }`,
				map[string]any{"c": nameCursor}},
		} {
			r := e.with(t).fails(admin, c.code, c.query, c.vars)
			if c.name == "cadre id of another type" && r.Errors[0].Extensions["field"] != "cadreId" {
				t.Errorf("%s names the field: %v", c.name, r.Errors[0].Extensions)
			}
		}
	})
}

func TestMediationRoomMembers(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	commB, gridB, buildingB, _ := e.communityB(w)
	court := e.id(`INSERT INTO units (code, name, kind, is_justice) VALUES ('U2', '市人民法院', 'municipal_agency', true) RETURNING id`)
	compound := e.id(`INSERT INTO compounds (street_id, community_id, name) VALUES ($1, $2, '健康小区') RETURNING id`, w.street, w.community)
	compoundB := e.id(`INSERT INTO compounds (street_id, community_id, name) VALUES ($1, $2, '半汤小区') RETURNING id`, w.street, commB)
	room := e.id(`INSERT INTO facilities (street_id, community_id, compound_id, kind, name) VALUES ($1, $2, $3, 'mediation_room', '健康小区法律调解室') RETURNING id`,
		w.street, w.community, compound)
	roomB := e.id(`INSERT INTO facilities (street_id, community_id, compound_id, kind, name) VALUES ($1, $2, $3, 'mediation_room', '半汤小区法律调解室') RETURNING id`,
		w.street, commB, compoundB)
	station := func(community, facility, member int64, joined string) int64 {
		return e.id(`INSERT INTO mediation_room_members (street_id, community_id, facility_id, member_id, joined_on) VALUES ($1, $2, $3, $4, $5::date) RETURNING id`,
			w.street, community, facility, member, joined)
	}
	ids := map[string]int64{}
	members := map[string]int64{}
	for i, joined := range []string{"2023-01-10", "2023-06-01", "2024-02-01"} {
		name := fmt.Sprintf("甲法%02d", i+1)
		_, members[name] = e.member(name, w, true) // living in the world's first grid
		ids[name] = station(w.community, room, members[name], joined)
	}
	e.pool.Exec(context.Background(), `UPDATE party_members SET unit_id = $1 WHERE id = $2`, court, members["甲法02"]) //nolint:errcheck
	personB := e.id(`INSERT INTO people (name, street_id, community_id, grid_id, building_id) VALUES ('丙法01', $1, $2, $3, $4) RETURNING id`,
		w.street, commB, gridB, buildingB)
	members["丙法01"] = e.id(`INSERT INTO party_members (person_id, unit_id, street_id, community_id, grid_id, building_id) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		personB, w.unit, w.street, commB, gridB, buildingB)
	ids["丙法01"] = station(commB, roomB, members["丙法01"], "2022-01-01")
	_, left := e.member("甲法09", w, false)
	gone := station(w.community, room, left, "2020-01-01")
	e.pool.Exec(context.Background(), `UPDATE mediation_room_members SET deleted_at = now() WHERE id = $1`, gone) //nolint:errcheck
	adm := e.token("city_admin", "city", readerSubject)

	t.Run("filters", func(t *testing.T) {
		e := e.with(t)
		q := `query($f: MediationRoomMemberFilter) { list: mediationRoomMembers(filter: $f) { totalCount } }`
		for _, c := range []struct {
			name   string
			filter map[string]any
			want   float64
		}{
			{"all", nil, 4},
			{"community", map[string]any{"place": map[string]any{"communityId": gid("Community", commB)}}, 1},
			{"grid: its community", map[string]any{"place": map[string]any{"gridId": gid("Grid", w.grid2)}}, 3},
			{"room", map[string]any{"facilityId": gid("Facility", room)}, 3},
			{"unit", map[string]any{"unitId": gid("Unit", court)}, 1},
			{"joined", map[string]any{"joined": map[string]any{"from": "2023-06-01"}}, 2},
			{"joined before", map[string]any{"joined": map[string]any{"to": "2023-06-01"}}, 2},
			{"name", map[string]any{"search": "甲法"}, 3},
			{"all together", map[string]any{"facilityId": gid("Facility", room), "unitId": gid("Unit", w.unit), "search": "法0",
				"joined": map[string]any{"from": "2023-01-01", "to": "2025-01-01"}}, 2},
			{"the one who left", map[string]any{"search": "甲法09"}, 0},
		} {
			if got := e.count(adm, q, map[string]any{"f": c.filter}); got != c.want {
				t.Errorf("%s: totalCount %v, want %v", c.name, got, c.want)
			}
		}
	})

	t.Run("paging both ways", func(t *testing.T) {
		e := e.with(t)
		all := e.names(`SELECT p.name FROM mediation_room_members r JOIN party_members m ON m.id = r.member_id
			JOIN people p ON p.id = m.person_id WHERE r.deleted_at IS NULL ORDER BY p.name, r.id`)
		if len(all) != 4 {
			t.Fatalf("fixture: %v", all)
		}
		e.pagesAgree(adm, "mediationRoomMembers", "", "name", 1, all)
		e.pagesAgree(adm, "mediationRoomMembers", `filter: {facilityId: "`+gid("Facility", room)+`"},`, "name", 2, []string{"甲法01", "甲法02", "甲法03"})
	})

	t.Run("node", func(t *testing.T) {
		e := e.with(t)
		q := `query($id: ID!) { node(id: $id) { id __typename ... on MediationRoomMember { name joinedOn version
			member { id unit { name } } facility { kind name compound { name } } community { name } } } }`
		id := gid("MediationRoomMember", ids["甲法02"])
		d := e.ok(admin, q, map[string]any{"id": id})
		node := d["node"].(map[string]any)
		if node["id"] != id || node["__typename"] != "MediationRoomMember" || node["name"] != "甲法02" || node["joinedOn"] != "2023-06-01" ||
			dig(node, "member", "id") != gid("PartyMember", members["甲法02"]) || dig(node, "member", "unit", "name") != "市人民法院" ||
			dig(node, "facility", "kind") != "MEDIATION_ROOM" || dig(node, "facility", "compound", "name") != "健康小区" ||
			dig(node, "community", "name") != "健康社区" || node["version"] != 1.0 {
			t.Fatalf("mediation room member: %v", node)
		}
		e.fails(admin, "NOT_FOUND", q, map[string]any{"id": gid("MediationRoomMember", gone)})
	})

	t.Run("scope", func(t *testing.T) {
		e := e.with(t)
		q := `{ list: mediationRoomMembers(first: 100) { totalCount edges { node { name member { id } facility { name } } } } }`
		for _, c := range []struct {
			role, scope string
			want        float64
		}{
			{"community_cadre", gid("Community", commB), 1},
			{"community_cadre", gid("Community", w.community), 3},
			{"grid_worker", gid("Grid", w.grid2), 3},
			{"street_cadre", gid("Street", w.street), 4},
		} {
			if got := e.count(e.token(c.role, c.scope, w.cadrePerson), q, nil); got != c.want {
				t.Errorf("%s of %s: %v members, want %v", c.role, c.scope, got, c.want)
			}
		}
		// A grid worker sees the rooms of their community, but a member record only when the
		// member lives in their grid: the name shows, the member is null, nothing fails.
		for grid, shown := range map[int64]bool{w.grid: true, w.grid2: false} {
			r := e.as(e.token("grid_worker", gid("Grid", grid), w.cadrePerson), q, nil)
			if len(r.Errors) > 0 {
				t.Fatalf("grid worker: %+v", r.Errors)
			}
			for _, ed := range dig(r.Data, "list", "edges").([]any) {
				if dig(ed, "node", "name") == nil || (dig(ed, "node", "member") != nil) != shown {
					t.Errorf("grid worker of grid %d: %v", grid, ed)
				}
			}
		}
		cadreOfB := e.token("community_cadre", gid("Community", commB), w.cadrePerson)
		node := `query($id: ID!) { node(id: $id) { id ... on MediationRoomMember { name } } }`
		absent := e.as(cadreOfB, node, map[string]any{"id": gid("MediationRoomMember", 1<<40)})
		for name, tok := range map[string]string{
			"community cadre of B": cadreOfB,
			"a party member":       e.token("party_member", gid("Grid", w.grid), e.id(`SELECT person_id FROM party_members WHERE id = $1`, members["甲法01"])),
			"a unit admin":         e.token("unit_admin", gid("Unit", w.unit), 0),
		} {
			r := e.as(tok, node, map[string]any{"id": gid("MediationRoomMember", ids["甲法01"])})
			if r.code() != "NOT_FOUND" || r.Errors[0].Message != absent.Errors[0].Message || r.Data["node"] != nil {
				t.Errorf("%s reads A's member: %+v %v", name, r.Errors, r.Data)
			}
		}
		if r := e.as(e.token("unit_admin", gid("Unit", w.unit), 0), `{ mediationRoomMembers { totalCount } }`, nil); r.code() != "FORBIDDEN" {
			t.Errorf("a unit admin lists mediation rooms: %+v", r.Errors)
		}
	})

	t.Run("bad input", func(t *testing.T) {
		e := e.with(t)
		for _, c := range []struct {
			name, code, query string
			vars              map[string]any
		}{
			{"malformed id", "BAD_USER_INPUT", `{ node(id: "room member") { id } }`, nil},
			{"absent id", "NOT_FOUND", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": gid("MediationRoomMember", 1<<40)}},
			{"unit id of another type", "BAD_USER_INPUT", `query($u: ID) { mediationRoomMembers(filter: {unitId: $u}) { totalCount } }`, map[string]any{"u": gid("PartyMember", members["甲法01"])}},
			{"room id of another type", "BAD_USER_INPUT", `query($f: ID) { mediationRoomMembers(filter: {facilityId: $f}) { totalCount } }`, map[string]any{"f": gid("Compound", compound)}},
			{"bad day", "BAD_USER_INPUT", `{ mediationRoomMembers(filter: {joined: {to: "2024-13-01"}}) { totalCount } }`, nil},
			{"oversized page", "BAD_USER_INPUT", `{ mediationRoomMembers(first: 1000) { totalCount } }`, nil},
			{"first and last", "BAD_USER_INPUT", `{ mediationRoomMembers(first: 1, last: 1) { totalCount } }`, nil},
		} {
			r := e.with(t).fails(admin, c.code, c.query, c.vars)
			if c.name == "unit id of another type" && r.Errors[0].Extensions["field"] != "unitId" {
				t.Errorf("%s names the field: %v", c.name, r.Errors[0].Extensions)
			}
		}
	})
}

// The statements a page of residents, duty shifts, mediation-room members or meetings with
// their matters' histories runs depend on the query's shape, never on its rows: the executor
// reads each relation once per level.
func TestNewListsStatementCount(t *testing.T) {
	queries := []struct {
		name, query string
		want        int64 // page and count, then one statement per loader and level
	}{
		// people, grids, buildings, cadres; members by person, communities, the cadres' people.
		// No resident is a member, so no unit is read. The phones shown are logged as personal
		// data reads: one INSERT for the page.
		{"residents", `{ residents(first: 100) { totalCount edges { node { name person { name phone partyMember { unit { name } } }
			grid { code community { name } } building { number } collectedBy { name person { name } } } } } }`, 2 + 4 + 3 + 1},
		// cadres, facilities, communities; the cadres' people, streets (the facilities'
		// communities are the shifts', already read).
		{"dutyShifts", `{ dutyShifts(first: 100) { totalCount edges { node { onDate cadre { name person { name } }
			facility { name community { name } } community { name street { name } } } } } }`, 2 + 3 + 2},
		// members, facilities, communities; the members' people, units, compounds.
		{"mediationRoomMembers", `{ mediationRoomMembers(first: 100) { totalCount edges { node { name member { person { name } unit { name } }
			facility { name compound { name } } community { name } } } } }`, 2 + 3 + 3},
		// matters; their histories; the actors.
		{"jointMeetings", `{ jointMeetings(first: 50) { totalCount edges { node { title matters { title
			history(last: 2) { action actor { name } } } } } } }`, 2 + 1 + 1 + 1},
	}
	run := func(n int) map[string]int64 {
		e := newEnv(t)
		w := e.world()
		centre := e.id(`INSERT INTO facilities (street_id, community_id, kind, name) VALUES ($1, $2, 'service_centre', '服务中心') RETURNING id`, w.street, w.community)
		compound := e.id(`INSERT INTO compounds (street_id, community_id, name) VALUES ($1, $2, '健康小区') RETURNING id`, w.street, w.community)
		room := e.id(`INSERT INTO facilities (street_id, community_id, compound_id, kind, name) VALUES ($1, $2, $3, 'mediation_room', '调解室') RETURNING id`,
			w.street, w.community, compound)
		for i := range n {
			e.id(`INSERT INTO residents (person_id, street_id, community_id, grid_id, building_id, collected_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
				e.person(fmt.Sprintf("居民%02d", i), w), w.street, w.community, w.grid, w.building, w.cadre)
			e.id(`INSERT INTO duty_shifts (street_id, community_id, facility_id, cadre_id, on_date) VALUES ($1, $2, $3, $4, date '2024-01-01' + $5::int) RETURNING id`,
				w.street, w.community, centre, w.cadre, i)
			_, member := e.member(fmt.Sprintf("党员%02d", i), w, false)
			e.id(`INSERT INTO mediation_room_members (street_id, community_id, facility_id, member_id, joined_on) VALUES ($1, $2, $3, $4, '2024-01-01') RETURNING id`,
				w.street, w.community, room, member)
			meeting := e.id(`INSERT INTO joint_meetings (street_id, community_id, held_on, title) VALUES ($1, $2, date '2024-01-01' + $3::int, $4) RETURNING id`,
				w.street, w.community, i, fmt.Sprintf("联席会%02d", i))
			for _, kind := range []string{"major_matter", "urgent_matter"} {
				matter := e.id(`INSERT INTO meeting_matters (meeting_id, street_id, community_id, kind, title, outcome) VALUES ($1, $2, $3, $4, '事项', 'decided') RETURNING id`,
					meeting, w.street, w.community, kind)
				e.id(`WITH ins AS (INSERT INTO matter_events (matter_id, street_id, community_id, actor_id, actor_role, action, from_state, to_state)
					VALUES ($1, $2, $3, $4, 'community_cadre', 'record', NULL, 'discussed'), ($1, $2, $3, $5, 'street_cadre', 'set_outcome', 'discussed', 'decided')
					RETURNING id) SELECT count(*) FROM ins`, matter, w.street, w.community, w.cadrePerson, w.resident)
			}
		}
		out := map[string]int64{}
		for _, c := range queries {
			before := e.stmts.Statement.Load()
			d := e.ok(admin, c.query, nil)
			if got := len(dig(d, c.name, "edges").([]any)); got != n {
				t.Fatalf("%s: want %d items, got %d", c.name, n, got)
			}
			out[c.name] = e.stmts.Statement.Load() - before
		}
		if n > 2 {
			// Every relation resolved: the last meeting's last matter names both actors.
			d := e.ok(admin, `{ jointMeetings(first: 1) { edges { node { matters { history(last: 2) { actor { name } } } } } } }`, nil)
			if dig(d, "jointMeetings", "edges", 0, "node", "matters", 1, "history", 1, "actor", "name") != "李居民" {
				t.Fatalf("history actors: %v", d)
			}
		}
		return out
	}
	small, large := run(2), run(30)
	for _, c := range queries {
		t.Logf("%s: %d statements for 2 rows, %d for 30", c.name, small[c.name], large[c.name])
		if small[c.name] != c.want || large[c.name] != c.want {
			t.Errorf("%s: want %d statements whatever the rows, got %d for 2 and %d for 30", c.name, c.want, small[c.name], large[c.name])
		}
	}
}

// A place filter finer than a list's rows narrows to the place holding it: facilities (rows
// of a community) by a grid are the grid's community's; communities and streets by a grid are
// the grid's own; an absent grid matches nothing. Skipping the filter on such lists would
// answer everything in scope.
func TestPlaceFilterFinerThanTheRows(t *testing.T) {
	e := newEnv(t)
	w := e.world()
	commB, gridB, _, _ := e.communityB(w)
	e.id(`INSERT INTO facilities (street_id, community_id, kind, name) VALUES ($1, $2, 'service_centre', '健康社区党群服务中心') RETURNING id`, w.street, w.community)
	e.id(`INSERT INTO facilities (street_id, community_id, kind, name) VALUES ($1, $2, 'service_centre', '半汤社区党群服务中心') RETURNING id`, w.street, commB)
	for _, c := range []struct {
		list string
		grid string
		want []any
	}{
		{"facilities", gid("Grid", gridB), []any{"半汤社区党群服务中心"}},
		{"facilities", gid("Grid", w.grid), []any{"健康社区党群服务中心"}},
		{"facilities", gid("Grid", 1<<40), nil},
		{"communities", gid("Grid", gridB), []any{"半汤社区"}},
		{"streets", gid("Grid", gridB), []any{dig(e.ok(0, `{ streets { edges { node { name } } } }`, nil), "streets", "edges").([]any)[0].(map[string]any)["node"].(map[string]any)["name"]}},
	} {
		d := e.ok(0, `query($g: ID) { list: `+c.list+`(filter: {place: {gridId: $g}}) { edges { node { name } } } }`, map[string]any{"g": c.grid})
		var got []any
		for _, ed := range dig(d, "list", "edges").([]any) {
			got = append(got, dig(ed, "node", "name"))
		}
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s by grid %s: %v, want %v", c.list, c.grid, got, c.want)
		}
	}
}

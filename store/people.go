package store

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"gridgov/auth"
)

// Person is someone known to the system. Phone, ID number and the address below the building
// are read too, but shown only where auth.PersonalVisible allows (the resolvers mask them).
type Person struct {
	ID          int64
	Name        string
	Gender      *string
	Phone       *string
	IDNumber    *string
	Address     *string // unit and room below the building
	StreetID    *int64
	CommunityID *int64
	GridID      *int64
	BuildingID  *int64
	Version     int64
	// OutOfScope marks a person read through a record that names them (RelatedPeople) who
	// lives outside the caller's scope: their name shows, their personal fields never do.
	OutOfScope bool
}

// Unit is an employer of in-service party members (单位).
type Unit struct {
	ID        int64
	Code      string
	Name      string
	Kind      string
	IsJustice bool
	Civilised bool
	Version   int64
}

// PartyMember is an in-service party member (在职党员).
type PartyMember struct {
	ID            int64
	PersonID      int64
	UnitID        int64
	StreetID      int64
	CommunityID   int64
	GridID        *int64
	BuildingID    *int64
	Profession    string
	Specialty     string
	JoinedPartyOn *time.Time
	Version       int64
	CreatedAt     time.Time
	Name          string // the person's name, for sorting
}

const (
	personSQL = `SELECT id, name, gender, phone, id_number, address_detail, street_id, community_id, grid_id, building_id, version FROM people`
	unitSQL   = `SELECT id, code, name, kind, is_justice, civilised, version FROM units`
	// The person's name travels with the member (person_name, kept by the database) so lists
	// can sort and page by it.
	memberSQL = `SELECT id, person_id, unit_id, street_id, community_id, grid_id, building_id, profession, specialty,
		joined_party_on, version, created_at, person_name FROM party_members`
)

func scanPerson(r pgx.Row) (*Person, error) {
	return scanFast(r, personOIDs, decodePerson, scanPersonSlow)
}

var personOIDs = []uint32{oidInt8, oidText, oidText, oidText, oidText, oidText, oidInt8, oidInt8, oidInt8, oidInt8, oidInt8}

type personRow struct {
	Person
	gender, phone, idNumber, address  string
	street, community, grid, building int64
}

// decodePerson reads personSQL's columns (see rawrow.go).
func decodePerson(vals [][]byte) (*Person, bool) {
	r := rawRow{vals: vals}
	v := &personRow{}
	p := &v.Person
	p.ID, p.Name, p.Gender = r.int8(0), r.text(1), r.optLabel(2, &v.gender)
	p.Phone, p.IDNumber, p.Address = r.optText(3, &v.phone), r.optText(4, &v.idNumber), r.optText(5, &v.address)
	p.StreetID, p.CommunityID = r.optInt8(6, &v.street), r.optInt8(7, &v.community)
	p.GridID, p.BuildingID, p.Version = r.optInt8(8, &v.grid), r.optInt8(9, &v.building), r.int8(10)
	return p, !r.bad
}

func scanPersonSlow(r pgx.Row) (*Person, error) {
	var p Person
	return &p, r.Scan(&p.ID, &p.Name, &p.Gender, &p.Phone, &p.IDNumber, &p.Address, &p.StreetID, &p.CommunityID, &p.GridID, &p.BuildingID, &p.Version)
}

func scanUnit(r pgx.Row) (*Unit, error) {
	var u Unit
	return &u, r.Scan(&u.ID, &u.Code, &u.Name, &u.Kind, &u.IsJustice, &u.Civilised, &u.Version)
}

func scanMember(r pgx.Row) (*PartyMember, error) {
	var m PartyMember
	return &m, r.Scan(&m.ID, &m.PersonID, &m.UnitID, &m.StreetID, &m.CommunityID, &m.GridID, &m.BuildingID,
		&m.Profession, &m.Specialty, &m.JoinedPartyOn, &m.Version, &m.CreatedAt, &m.Name)
}

// PeopleByID loads people by id, within scope. People without a place are visible only to
// a city-wide scope.
var PeopleByID = rowsByID("load people", personSQL, "people", scanPerson, func(v *Person) int64 { return v.ID })

// RelatedPeople reads the people that records in scope name — an issue's reporter, handler,
// mediators and actors, an order's resident, a member's or a role's person — wherever they
// live: a record the caller may read shows who is on it. One statement: whether each person
// lives in the scope is computed beside the row (OutOfScope), not filtered on.
var RelatedPeople = &Source[int64, *Person]{name: "load related people", reads: func(sc auth.Scope, ids []int64, put func(int64, *Person)) []Read {
	q := &query{}
	q.scoped(sc, colsFor("people", ""))
	inScope := "true"
	if len(q.conds) > 0 {
		inScope = strings.Join(q.conds, " AND ")
	}
	q.conds = nil
	q.where("id = ANY(?)", ids)
	q.where("deleted_at IS NULL")
	sql := strings.Replace(personSQL, " FROM", ", coalesce("+inScope+", false) FROM", 1) + q.sql()
	return []Read{scanned("load related people", sql, q.args, scanRelatedPerson, func(p *Person) { put(p.ID, p) })}
}}

// scanRelatedPerson reads personSQL's columns and whether the person is in scope.
func scanRelatedPerson(r pgx.Row) (*Person, error) {
	return scanFast(r, relatedPersonOIDs, decodeRelatedPerson, scanRelatedPersonSlow)
}

func scanRelatedPersonSlow(r pgx.Row) (*Person, error) {
	var p Person
	var in bool
	err := r.Scan(&p.ID, &p.Name, &p.Gender, &p.Phone, &p.IDNumber, &p.Address, &p.StreetID, &p.CommunityID, &p.GridID, &p.BuildingID, &p.Version, &in)
	p.OutOfScope = !in
	return &p, err
}

var relatedPersonOIDs = append(personOIDs[:len(personOIDs):len(personOIDs)], oidBool)

func decodeRelatedPerson(vals [][]byte) (*Person, bool) {
	p, ok := decodePerson(vals)
	r := rawRow{vals: vals}
	p.OutOfScope = !r.bool(len(personOIDs))
	return p, ok && !r.bad
}

// UnitsByID loads units by id. Units are city-wide.
var UnitsByID = rowsByID("load units", unitSQL, "units", scanUnit, func(v *Unit) int64 { return v.ID })

// MembersByID loads party members by id, within scope.
var MembersByID = rowsByID("load party members", memberSQL, "party_members", scanMember, func(v *PartyMember) int64 { return v.ID })

// MembersByPerson reads party members by their person id, within scope.
var MembersByPerson = rowsBy("load members by person", memberSQL, "party_members", "person_id", "", scanMember,
	func(m *PartyMember) int64 { return m.PersonID })

// Units lists units by name.
func (s *Store) Units(ctx context.Context, sc auth.Scope, search string, kind *string, p Page) (Conn[*Unit], PlaceList, error) {
	q := &query{}
	q.where("deleted_at IS NULL")
	q.scoped(sc, colsFor("units", ""))
	if kind != nil {
		q.where("kind = ?", *kind)
	}
	q.textSearch(search, "name")
	c, err := listPage(ctx, s, "list units", unitSQL, q, nameKey, false, p, scanUnit,
		func(v *Unit) (any, int64) { return v.Name, v.ID })
	return c, PlaceList{s, "units", q}, err
}

// MemberFilter narrows the list of party members.
type MemberFilter struct {
	Place      PlaceFilter
	BuildingID *int64
	UnitID     *int64
	CheckedIn  *bool // has a verified check-in
	Search     string
}

// MemberOrder is the sort of a member list.
type MemberOrder struct {
	Key  string // NAME or JOINED (when the record was created)
	Desc bool
}

var memberKeys = map[string]sortKey{
	"NAME":    {name: "NAME", expr: "person_name", kind: keyText},
	"CREATED": {name: "CREATED", expr: "created_at", kind: keyTime},
}

// MemberList is a filtered member list; Count gives its total.
type MemberList struct{ PlaceList }

// Members lists party members.
func (s *Store) Members(ctx context.Context, sc auth.Scope, f MemberFilter, o MemberOrder, p Page) (Conn[*PartyMember], MemberList, error) {
	q := &query{}
	q.where("deleted_at IS NULL")
	q.scoped(sc, colsFor("party_members", ""))
	f.Place.apply(q, placeCols)
	if f.BuildingID != nil {
		q.where("building_id = ?", *f.BuildingID)
	}
	if f.UnitID != nil {
		q.where("unit_id = ?", *f.UnitID)
	}
	if f.CheckedIn != nil {
		not := ""
		if !*f.CheckedIn {
			not = "NOT "
		}
		q.where(not + "EXISTS (SELECT 1 FROM checkins c WHERE c.member_id = party_members.id AND c.state = 'verified' AND c.deleted_at IS NULL)")
	}
	q.textSearch(f.Search, "person_name")
	key, ok := memberKeys[o.Key]
	if !ok {
		key = memberKeys["CREATED"]
	}
	c, err := listPage(ctx, s, "list party members", memberSQL, q, key, o.Desc, p, scanMember,
		func(v *PartyMember) (any, int64) {
			if key.name == "NAME" {
				return v.Name, v.ID
			}
			return v.CreatedAt, v.ID
		})
	return c, MemberList{PlaceList{s, "party_members", q}}, err
}

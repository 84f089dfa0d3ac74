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

var (
	personSQL = `SELECT ` + personColumns.list("") + ` FROM people`
	unitSQL   = `SELECT ` + unitColumns.list("") + ` FROM units`
	// The person's name travels with the member (person_name, kept by the database) so lists
	// can sort and page by it.
	memberSQL = `SELECT ` + memberColumns.list("") + ` FROM party_members`
)

var personColumns = cols(func(o *Person) []column { return personCols(o) })

// personCols are a person's columns; the address column is the address below the building.
func personCols(o *Person) []column {
	return []column{
		col("id", &o.ID), col("name", &o.Name), label("gender", &o.Gender), col("phone", &o.Phone), col("id_number", &o.IDNumber),
		col("address_detail", &o.Address), col("street_id", &o.StreetID), col("community_id", &o.CommunityID),
		col("grid_id", &o.GridID), col("building_id", &o.BuildingID), col("version", &o.Version),
	}
}

// relatedPersonColumns are a person's columns and whether they live outside the caller's
// scope: its expression is the reader's to write (RelatedPeople).
var relatedPersonColumns = cols(func(o *Person) []column {
	return append(personCols(o), col("out_of_scope", &o.OutOfScope))
})

func scanPerson(r pgx.Row) (*Person, error) { return personColumns.scan(r) }

var unitColumns = cols(func(o *Unit) []column {
	return []column{
		col("id", &o.ID), col("code", &o.Code), col("name", &o.Name), label("kind", &o.Kind), col("is_justice", &o.IsJustice),
		col("civilised", &o.Civilised), col("version", &o.Version),
	}
})

func scanUnit(r pgx.Row) (*Unit, error) { return unitColumns.scan(r) }

var memberColumns = cols(func(o *PartyMember) []column {
	return []column{
		col("id", &o.ID), col("person_id", &o.PersonID), col("unit_id", &o.UnitID), col("street_id", &o.StreetID),
		col("community_id", &o.CommunityID), col("grid_id", &o.GridID), col("building_id", &o.BuildingID),
		col("profession", &o.Profession), col("specialty", &o.Specialty), col("joined_party_on", &o.JoinedPartyOn),
		col("version", &o.Version), col("created_at", &o.CreatedAt), col("person_name", &o.Name),
	}
})

func scanMember(r pgx.Row) (*PartyMember, error) { return memberColumns.scan(r) }

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
	sql := `SELECT ` + personColumns.list("") + `, NOT coalesce(` + inScope + `, false) FROM people` + q.sql()
	return []Read{scanned("load related people", sql, q.args, relatedPersonColumns.scan, func(p *Person) { put(p.ID, p) })}
}}

// UnitsByID loads units by id. Units are city-wide.
var UnitsByID = rowsByID("load units", unitSQL, "units", scanUnit, func(v *Unit) int64 { return v.ID })

// MembersByID loads party members by id, within scope.
var MembersByID = rowsByID("load party members", memberSQL, "party_members", scanMember, func(v *PartyMember) int64 { return v.ID })

// MembersByPerson reads party members by their person id, within scope.
var MembersByPerson = rowsBy("load members by person", memberSQL, "party_members", "person_id", "", scanMember,
	func(m *PartyMember) int64 { return m.PersonID })

// Units lists units by name.
func (s *Store) Units(ctx context.Context, sc auth.Scope, search string, kind *string, p Page) (Conn[*Unit], error) {
	q := &query{}
	q.where("deleted_at IS NULL")
	q.scoped(sc, colsFor("units", ""))
	if kind != nil {
		q.where("kind = ?", *kind)
	}
	q.textSearch(search, "name")
	return listPage(ctx, s, "list units", "units", unitSQL, q, nameKey, false, p, scanUnit,
		func(v *Unit) (any, int64) { return v.Name, v.ID })
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

// Members lists party members.
func (s *Store) Members(ctx context.Context, sc auth.Scope, f MemberFilter, o MemberOrder, p Page) (Conn[*PartyMember], error) {
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
	return listPage(ctx, s, "list party members", "party_members", memberSQL, q, key, o.Desc, p, scanMember,
		func(v *PartyMember) (any, int64) {
			if key.name == "NAME" {
				return v.Name, v.ID
			}
			return v.CreatedAt, v.ID
		})
}

package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"gridgov/auth"
	"gridgov/gid"
)

// Resident is a resident's information record (居民信息) collected by a cadre in the grid.
// Who the resident is (name, phone, ID number, address) lives on the person; the record holds
// where they live and what the cadre noted.
type Resident struct {
	ID            int64
	PersonID      int64
	StreetID      int64
	CommunityID   int64
	GridID        int64
	BuildingID    int64
	HouseholdSize int
	IsPartyMember bool
	CollectedBy   *int64 // the cadre who collected the record
	CollectedAt   time.Time
	Version       int64
	Name          string // the person's name, for sorting
}

var residentCols = residentColumns.list("")

var residentSQL = `SELECT ` + residentCols + ` FROM residents`

var residentColumns = cols(func(o *Resident) []column {
	return []column{
		col("id", &o.ID), col("person_id", &o.PersonID), col("street_id", &o.StreetID), col("community_id", &o.CommunityID),
		col("grid_id", &o.GridID), col("building_id", &o.BuildingID), col("household_size", &o.HouseholdSize),
		col("is_party_member", &o.IsPartyMember), col("collected_by", &o.CollectedBy), col("collected_at", &o.CollectedAt),
		col("version", &o.Version), col("person_name", &o.Name),
	}
})

func scanResident(r pgx.Row) (*Resident, error) { return residentColumns.scan(r) }

// ResidentsByID loads residents' records by id, within scope.
var ResidentsByID = rowsByID("load residents", residentSQL, "residents", scanResident, func(v *Resident) int64 { return v.ID })

// ResidentFilter narrows the residents' records: place, building, the collecting cadre, when
// the record was collected, party membership and name.
type ResidentFilter struct {
	Place         PlaceFilter
	BuildingID    *int64
	CollectedBy   *int64
	From, To      *time.Time // collected_at in [From, To)
	IsPartyMember *bool
	Search        string
}

// Residents lists residents' records by name.
func (s *Store) Residents(ctx context.Context, sc auth.Scope, f ResidentFilter, p Page) (Conn[*Resident], error) {
	q := &query{}
	q.where("deleted_at IS NULL")
	q.scoped(sc, placeCols)
	f.Place.apply(q, placeCols)
	if f.BuildingID != nil {
		q.where("building_id = ?", *f.BuildingID)
	}
	if f.CollectedBy != nil {
		q.where("collected_by = ?", *f.CollectedBy)
	}
	q.span("collected_at", f.From, f.To)
	if f.IsPartyMember != nil {
		q.where("is_party_member = ?", *f.IsPartyMember)
	}
	q.textSearch(f.Search, "person_name")
	return listPage(ctx, s, "list residents", "residents", residentSQL, q, personNameKey, false, p, scanResident,
		func(v *Resident) (any, int64) { return v.Name, v.ID })
}

// GlobalID is the Resident's global id (the GraphQL field id; see graphql_fields.go).
func (o *Resident) GlobalID() string { return gid.Encode("Resident", o.ID) }

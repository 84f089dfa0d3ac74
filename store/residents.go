package store

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"gridgov/apperr"
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
	MovedInOn     time.Time
	MovedOutOn    *time.Time
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
		col("moved_in_on", &o.MovedInOn), col("moved_out_on", &o.MovedOutOn), col("version", &o.Version), col("person_name", &o.Name),
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
	// IncludeMovedOut keeps the records of residents who moved out too; current ones only
	// otherwise.
	IncludeMovedOut bool
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
	currentOnly(q, f.IncludeMovedOut, "moved_out_on")
	return listPage(ctx, s, "list residents", "residents", residentSQL, q, personNameKey, false, p, scanResident,
		func(v *Resident) (any, int64) { return v.Name, v.ID })
}

// GlobalID is the Resident's global id (the GraphQL field id; see graphql_fields.go).
func (o *Resident) GlobalID() string { return gid.Encode("Resident", o.ID) }

var residentRecords = registerOf("resident", "resident's record", "residents", placeCols, residentColumns,
	func(v *Resident) int64 { return v.Version },
	func(v *Resident) (int64, *int64, *int64, *int64) { return v.ID, &v.StreetID, &v.CommunityID, &v.GridID }).
	ending("moved_out_on", func(v *Resident) *time.Time { return v.MovedOutOn }, func(v *Resident) time.Time { return v.MovedInOn })

// ResidentInput is what registering or changing a resident's record carries; on update, nil
// fields keep their value.
type ResidentInput struct {
	PersonID      int64
	NewPerson     *NewPerson // instead of PersonID: a person recorded with the record
	BuildingID    *int64
	HouseholdSize *int
	IsPartyMember *bool
	MovedInOn     *time.Time
}

// home places a record in its building, in scope. The person's own row (with their contact
// data) is not written: the record says where they live for the register.
func home(ctx context.Context, tx pgx.Tx, sc auth.Scope, r *Resident) error {
	q := &query{}
	q.where("id = ?", r.BuildingID)
	q.where("deleted_at IS NULL")
	q.scoped(sc, colsFor("buildings", ""))
	err := tx.QueryRow(ctx, `SELECT street_id, community_id, grid_id FROM buildings`+q.sql(), q.args...).Scan(&r.StreetID,
		&r.CommunityID, &r.GridID)
	if isNoRows(err) {
		return apperr.Invalid("buildingId", "no such building")
	}
	return err
}

// collector is the acting person's cadre, who collects the record; none for another role.
func collector(ctx context.Context, tx pgx.Tx, actor auth.Actor) (*int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `SELECT id FROM cadres WHERE person_id = $1 AND deleted_at IS NULL`, actor.PersonID).Scan(&id)
	if isNoRows(err) {
		return nil, nil
	}
	return &id, err
}

// RegisterResident records a person as living in a building in scope (居民信息), collected by
// the acting cadre; a person has one current record.
func (s *Store) RegisterResident(ctx context.Context, sc auth.Scope, actor auth.Actor, in ResidentInput) (*Resident, error) {
	r := &Resident{PersonID: in.PersonID, BuildingID: pick(in.BuildingID, 0), HouseholdSize: pick(in.HouseholdSize, 1),
		IsPartyMember: pick(in.IsPartyMember, false), MovedInOn: pick(in.MovedInOn, today())}
	var out *Resident
	err := s.inTx(ctx, "register resident", func(tx pgx.Tx) error {
		if err := home(ctx, tx, sc, r); err != nil {
			return err
		}
		var err error
		if err = residentPerson(ctx, tx, r, in.NewPerson); err != nil {
			return err
		}
		if r.CollectedBy, err = collector(ctx, tx, actor); err != nil {
			return err
		}
		out, err = residentRecords.insert(ctx, tx, actor, `person_id, street_id, community_id, grid_id, building_id, household_size,
			is_party_member, collected_by, moved_in_on`, r.PersonID, r.StreetID, r.CommunityID, r.GridID, r.BuildingID, r.HouseholdSize,
			r.IsPartyMember, r.CollectedBy, r.MovedInOn)
		return err
	})
	return out, err
}

// NewPerson is a person recorded for the first time, with their residents' record.
type NewPerson struct {
	Name                            string
	Gender, Phone, IDNumber, Detail *string
	BirthYear                       *int
}

// residentPerson names the person of a new record r placed in its building: a new one recorded
// there, or the one r names, who must have no current record.
func residentPerson(ctx context.Context, tx pgx.Tx, r *Resident, p *NewPerson) error {
	if p == nil {
		if err := lockPerson(ctx, tx, r.PersonID); err != nil {
			return err
		}
		return refuseCurrent(ctx, tx, "residents", "moved_in_on", "moved_out_on", r.PersonID, 0, "resident")
	}
	return tx.QueryRow(ctx, `INSERT INTO people (name, gender, birth_year, phone, id_number, address_detail, street_id,
		community_id, grid_id, building_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		strings.TrimSpace(p.Name), p.Gender, p.BirthYear, p.Phone, p.IDNumber, p.Detail, r.StreetID, r.CommunityID, r.GridID,
		r.BuildingID).Scan(&r.PersonID)
}

// UpdateResident changes a current record's building, household or party membership, if
// nobody changed it since the client read expectedVersion.
func (s *Store) UpdateResident(ctx context.Context, sc auth.Scope, actor auth.Actor, id int64, expected *int64, in ResidentInput) (*Resident, error) {
	return residentRecords.update(ctx, s, sc, actor, id, expected, func(tx pgx.Tx, r *Resident) (string, []any, error) {
		r.BuildingID, r.HouseholdSize = pick(in.BuildingID, r.BuildingID), pick(in.HouseholdSize, r.HouseholdSize)
		r.IsPartyMember, r.MovedInOn = pick(in.IsPartyMember, r.IsPartyMember), pick(in.MovedInOn, r.MovedInOn)
		if err := home(ctx, tx, sc, r); err != nil {
			return "", nil, err
		}
		return `street_id = $1, community_id = $2, grid_id = $3, building_id = $4, household_size = $5, is_party_member = $6,
			moved_in_on = $7`, []any{r.StreetID, r.CommunityID, r.GridID, r.BuildingID, r.HouseholdSize, r.IsPartyMember, r.MovedInOn}, nil
	})
}

// MoveOutResident ends a current record on the day the resident moved out.
func (s *Store) MoveOutResident(ctx context.Context, sc auth.Scope, actor auth.Actor, id int64, expected *int64, on time.Time) (*Resident, error) {
	return residentRecords.end(ctx, s, sc, actor, id, expected, on, "")
}

package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"gridgov/auth"
	"gridgov/gid"
)

// Who is stationed at a community's facilities: cadres on duty at the service centre and
// justice-system party members in a compound's mediation room. Both rows belong to a
// community, not a grid.

// DutyShift is a cadre's day on duty at a community's service centre (党群服务中心值班).
type DutyShift struct {
	ID          int64
	StreetID    int64
	CommunityID int64
	FacilityID  int64
	CadreID     int64
	OnDate      time.Time
	Version     int64
}

// MediationRoomMember is a justice-system party member stationed in a compound's legal
// mediation room (法律调解室).
type MediationRoomMember struct {
	ID          int64
	StreetID    int64
	CommunityID int64
	FacilityID  int64
	MemberID    int64
	JoinedOn    time.Time
	Version     int64
	Name        string // the member's name, for sorting
}

var (
	dutyShiftCols    = dutyShiftColumns.list("")
	dutyShiftSQL     = `SELECT ` + dutyShiftCols + ` FROM duty_shifts`
	mediationMemCols = mediationMemColumns.list("")
	// The member's name (and unit, to filter by) travel with the row so lists can sort,
	// search and filter by them; the alias keeps the table's name for filters.
	mediationMemFrom = `(SELECT t.*, m.person_name, m.unit_id FROM mediation_room_members t
		JOIN party_members m ON m.id = t.member_id) mediation_room_members`
	mediationMemSQL = `SELECT ` + mediationMemCols + ` FROM ` + mediationMemFrom
)

var dutyShiftColumns = cols(func(o *DutyShift) []column {
	return []column{
		col("id", &o.ID), col("street_id", &o.StreetID), col("community_id", &o.CommunityID),
		col("facility_id", &o.FacilityID), col("cadre_id", &o.CadreID), col("on_date", &o.OnDate), col("version", &o.Version),
	}
})

func scanDutyShift(r pgx.Row) (*DutyShift, error) { return dutyShiftColumns.scan(r) }

var mediationMemColumns = cols(func(o *MediationRoomMember) []column {
	return []column{
		col("id", &o.ID), col("street_id", &o.StreetID), col("community_id", &o.CommunityID),
		col("facility_id", &o.FacilityID), col("member_id", &o.MemberID), col("joined_on", &o.JoinedOn),
		col("version", &o.Version), col("person_name", &o.Name),
	}
})

func scanMediationMember(r pgx.Row) (*MediationRoomMember, error) { return mediationMemColumns.scan(r) }

// DutyShiftsByID loads duty shifts by id, within scope.
var DutyShiftsByID = rowsByID("load duty shifts", dutyShiftSQL, "duty_shifts", scanDutyShift, func(v *DutyShift) int64 { return v.ID })

// MediationRoomMembersByID loads mediation-room members by id, within scope.
var MediationRoomMembersByID = rowsByID("load mediation room members", mediationMemSQL, "mediation_room_members", scanMediationMember, func(v *MediationRoomMember) int64 { return v.ID })

// DutyShiftFilter narrows the duty roster: place, cadre, service centre and days.
type DutyShiftFilter struct {
	Place      PlaceFilter
	CadreID    *int64
	FacilityID *int64
	From, To   *time.Time // on_date in [From, To)
}

// DutyShifts lists duty shifts by day, newest first by default.
func (s *Store) DutyShifts(ctx context.Context, sc auth.Scope, f DutyShiftFilter, desc bool, p Page) (Conn[*DutyShift], error) {
	q := &query{}
	q.where("deleted_at IS NULL")
	q.scoped(sc, communityPlaceCols)
	f.Place.apply(q, communityPlaceCols)
	if f.CadreID != nil {
		q.where("cadre_id = ?", *f.CadreID)
	}
	if f.FacilityID != nil {
		q.where("facility_id = ?", *f.FacilityID)
	}
	q.span("on_date", f.From, f.To)
	return listPage(ctx, s, "list duty shifts", "duty_shifts", dutyShiftSQL, q, sortKey{name: "ON_DATE", expr: "on_date", kind: keyDate}, desc, p,
		scanDutyShift, func(v *DutyShift) (any, int64) { return v.OnDate.Format(time.DateOnly), v.ID })
}

// MediationRoomMemberFilter narrows the members stationed in mediation rooms: place, room,
// the members' unit, when they joined and name.
type MediationRoomMemberFilter struct {
	Place      PlaceFilter
	FacilityID *int64
	UnitID     *int64
	From, To   *time.Time // joined_on in [From, To)
	Search     string
}

// MediationRoomMembers lists mediation-room members by name.
func (s *Store) MediationRoomMembers(ctx context.Context, sc auth.Scope, f MediationRoomMemberFilter, p Page) (Conn[*MediationRoomMember], error) {
	q := &query{}
	q.where("deleted_at IS NULL")
	q.scoped(sc, communityPlaceCols)
	f.Place.apply(q, communityPlaceCols)
	if f.FacilityID != nil {
		q.where("facility_id = ?", *f.FacilityID)
	}
	if f.UnitID != nil {
		q.where("unit_id = ?", *f.UnitID)
	}
	q.span("joined_on", f.From, f.To)
	q.textSearch(f.Search, "person_name")
	return listPage(ctx, s, "list mediation room members", mediationMemFrom, mediationMemSQL, q, personNameKey, false, p, scanMediationMember,
		func(v *MediationRoomMember) (any, int64) { return v.Name, v.ID })
}

// GlobalID is the DutyShift's global id (the GraphQL field id; see graphql_fields.go).
func (o *DutyShift) GlobalID() string { return gid.Encode("DutyShift", o.ID) }

// GlobalID is the MediationRoomMember's global id (the GraphQL field id; see graphql_fields.go).
func (o *MediationRoomMember) GlobalID() string { return gid.Encode("MediationRoomMember", o.ID) }

package store

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"gridgov/apperr"
	"gridgov/auth"
	"gridgov/gid"
	"gridgov/workflow"
)

// Who is stationed at a community's facilities: cadres on duty at the service centre and
// justice-system party members in a compound's mediation room. Both rows belong to a
// community, not a grid.

// DutyShift is a cadre's day on duty at a community's service centre (党群服务中心值班).
type DutyShift struct {
	ID           int64
	StreetID     int64
	CommunityID  int64
	FacilityID   int64
	CadreID      int64
	OnDate       time.Time
	CancelledOn  *time.Time
	CancelReason *string
	Version      int64
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
		col("facility_id", &o.FacilityID), col("cadre_id", &o.CadreID), col("on_date", &o.OnDate), col("cancelled_on", &o.CancelledOn),
		col("cancel_reason", &o.CancelReason), col("version", &o.Version),
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
	// IncludeCancelled keeps cancelled shifts too; scheduled and held ones only otherwise.
	IncludeCancelled bool
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
	currentOnly(q, f.IncludeCancelled, "cancelled_on")
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

// Duty shift states: a shift is scheduled until its day has passed (held) or it is cancelled.
const (
	ShiftScheduled = "scheduled"
	ShiftHeld      = "held"
	ShiftCancelled = "cancelled"
)

// State says where the shift stands today.
func (o *DutyShift) State() string {
	switch {
	case o.CancelledOn != nil:
		return ShiftCancelled
	case o.OnDate.Before(today()):
		return ShiftHeld
	}
	return ShiftScheduled
}

// Duty shifts keep their own states (scheduled, held, cancelled) and are written through the
// registers' shared path; their history entries read scheduled as current and cancelled as
// ended, with the reason of a cancellation as the note.
var shifts = registerOf("duty_shift", "duty shift", "duty_shifts", communityPlaceCols, dutyShiftColumns,
	func(v *DutyShift) int64 { return v.Version },
	func(v *DutyShift) (int64, *int64, *int64, *int64) { return v.ID, &v.StreetID, &v.CommunityID, nil })

// scheduled reads a shift in scope as the client last saw it and refuses it unless it is
// still scheduled: INVALID_TRANSITION naming its state.
func scheduled(ctx context.Context, tx pgx.Tx, sc auth.Scope, id int64, expected *int64, action string) (*DutyShift, error) {
	d, err := shifts.read(ctx, tx, sc, id, expected)
	if err != nil {
		return nil, err
	}
	if st := d.State(); st != ShiftScheduled {
		return nil, apperr.New(apperr.InvalidTransition, "cannot %s the duty shift: it is %s", action, st)
	}
	return d, nil
}

// checkShift makes sure a shift is kept at a service centre (党群服务中心) in scope by a cadre of
// its community, on a day still to come, once a day per cadre and centre. The cadre's row is
// locked, so two requests cannot both find the day free.
func checkShift(ctx context.Context, tx pgx.Tx, sc auth.Scope, d *DutyShift) error {
	if d.OnDate.Before(today()) {
		return apperr.Invalid("onDate", "a shift is scheduled for today or a later day")
	}
	q := &query{}
	q.where("id = ?", d.FacilityID)
	q.where("kind = 'service_centre'")
	q.where("deleted_at IS NULL")
	q.scoped(sc, colsFor("facilities", ""))
	err := tx.QueryRow(ctx, `SELECT street_id, community_id FROM facilities`+q.sql(), q.args...).Scan(&d.StreetID, &d.CommunityID)
	if isNoRows(err) {
		return apperr.Invalid("facilityId", "no such service centre (党群服务中心)")
	}
	if err != nil {
		return err
	}
	var ok bool
	if err := tx.QueryRow(ctx, `SELECT community_id IS NOT DISTINCT FROM $2 FROM cadres WHERE id = $1 AND deleted_at IS NULL FOR UPDATE`,
		d.CadreID, d.CommunityID).Scan(&ok); err != nil && !isNoRows(err) {
		return err
	}
	if !ok {
		return apperr.Invalid("cadreId", "a shift at the service centre is kept by a cadre of its community")
	}
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM duty_shifts WHERE facility_id = $1 AND cadre_id = $2 AND on_date = $3
		AND id <> $4 AND cancelled_on IS NULL AND deleted_at IS NULL)`, d.FacilityID, d.CadreID, d.OnDate, d.ID).Scan(&ok); err != nil {
		return err
	}
	if ok {
		return apperr.Invalid("onDate", "the cadre is already on duty at this centre that day")
	}
	return nil
}

// ScheduleShift puts a cadre on duty at a service centre on a day.
func (s *Store) ScheduleShift(ctx context.Context, sc auth.Scope, actor auth.Actor, facilityID, cadreID int64, on time.Time) (*DutyShift, error) {
	d := &DutyShift{FacilityID: facilityID, CadreID: cadreID, OnDate: on}
	var out *DutyShift
	err := s.inTx(ctx, "schedule duty shift", func(tx pgx.Tx) error {
		if err := checkShift(ctx, tx, sc, d); err != nil {
			return err
		}
		var err error
		out, err = shifts.insert(ctx, tx, actor, `street_id, community_id, facility_id, cadre_id, on_date`, d.StreetID, d.CommunityID,
			d.FacilityID, d.CadreID, d.OnDate)
		return err
	})
	return out, err
}

// UpdateShift moves a scheduled shift to another cadre or day, if nobody changed it since the
// client read expectedVersion; a held or cancelled shift stays as it is.
func (s *Store) UpdateShift(ctx context.Context, sc auth.Scope, actor auth.Actor, id int64, expected *int64, cadreID *int64, on *time.Time) (*DutyShift, error) {
	var out *DutyShift
	err := s.inTx(ctx, "update duty shift", func(tx pgx.Tx) error {
		d, err := scheduled(ctx, tx, sc, id, expected, "change")
		if err != nil {
			return err
		}
		d.CadreID, d.OnDate = pick(cadreID, d.CadreID), pick(on, d.OnDate)
		if err := checkShift(ctx, tx, sc, d); err != nil {
			return err
		}
		out, err = shifts.write(ctx, tx, actor, d, workflow.RegisterUpdate, workflow.RegisterCurrent, "", `cadre_id = $1, on_date = $2`,
			d.CadreID, d.OnDate)
		return err
	})
	return out, err
}

// CancelShift cancels a scheduled shift with a reason.
func (s *Store) CancelShift(ctx context.Context, sc auth.Scope, actor auth.Actor, id int64, expected *int64, reason string) (*DutyShift, error) {
	if reason = strings.TrimSpace(reason); reason == "" {
		return nil, apperr.Invalid("reason", "a cancelled shift needs a reason")
	}
	var out *DutyShift
	err := s.inTx(ctx, "cancel duty shift", func(tx pgx.Tx) error {
		d, err := scheduled(ctx, tx, sc, id, expected, "cancel")
		if err != nil {
			return err
		}
		out, err = shifts.write(ctx, tx, actor, d, workflow.RegisterEnd, workflow.RegisterEnded, reason,
			`cancelled_on = $1, cancel_reason = $2`, today(), reason)
		return err
	})
	return out, err
}

package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"gridgov/apperr"
	"gridgov/auth"
	"gridgov/workflow"
)

// Checkin is a member's check-in (报到) at the community where they live.
type Checkin struct {
	ID           int64
	MemberID     int64
	StreetID     int64
	CommunityID  int64
	GridID       *int64
	LetterNo     string
	State        string
	SubmittedAt  time.Time
	DecidedAt    *time.Time
	DecidedBy    *int64 // cadre id
	RejectReason *string
	// Withdrawal and transfer (转接): when, by whom (a person), why; the check-in it was
	// transferred to, or the one it came from.
	EndedAt         *time.Time
	EndedBy         *int64
	EndReason       *string
	TransferredTo   *int64
	TransferredFrom *int64
	// The yearly re-verification: the latest year, when, by which cadre.
	ReverifiedYear *int
	ReverifiedAt   *time.Time
	ReverifiedBy   *int64
	Version        int64
}

var checkinCols = checkinColumns.list("")

var checkinColumns = cols(func(o *Checkin) []column {
	return []column{
		col("id", &o.ID), col("member_id", &o.MemberID), col("street_id", &o.StreetID), col("community_id", &o.CommunityID),
		col("grid_id", &o.GridID), col("letter_no", &o.LetterNo), label("state", &o.State),
		col("submitted_at", &o.SubmittedAt), col("decided_at", &o.DecidedAt), col("decided_by", &o.DecidedBy),
		col("reject_reason", &o.RejectReason), col("ended_at", &o.EndedAt), col("ended_by", &o.EndedBy),
		col("end_reason", &o.EndReason), col("transferred_to", &o.TransferredTo), col("transferred_from", &o.TransferredFrom),
		col("reverified_year", &o.ReverifiedYear), col("reverified_at", &o.ReverifiedAt), col("reverified_by", &o.ReverifiedBy),
		col("version", &o.Version),
	}
})

func scanCheckin(r pgx.Row) (*Checkin, error) { return checkinColumns.scan(r) }

// CheckinsByID loads check-ins by id, within scope.
var CheckinsByID = rowsByID("load check-ins", `SELECT `+checkinCols+` FROM checkins`, "checkins", scanCheckin, func(v *Checkin) int64 { return v.ID })

// LatestCheckins reads each member's most recent check-in.
var LatestCheckins = rowsBy("load latest check-ins", `SELECT DISTINCT ON (member_id) `+checkinCols+` FROM checkins`, "checkins",
	"member_id", "member_id, submitted_at DESC, id DESC", scanCheckin, func(c *Checkin) int64 { return c.MemberID })

// CheckinFilter narrows a list of check-ins.
type CheckinFilter struct {
	Place  PlaceFilter
	States []string
	// ReverificationDue keeps the check-ins due (true) or not due (false) for their
	// re-verification in DueYear (workflow.ReverificationDue).
	ReverificationDue *bool
	DueYear           int
}

// reverificationDueSQL is workflow.ReverificationDue in SQL, for the year bound at ?.
const reverificationDueSQL = `(state = 'verified' AND greatest(extract(year FROM decided_at AT TIME ZONE 'Asia/Shanghai')::int,
	coalesce(reverified_year, 0)) < ?)`

// Checkins lists check-ins, newest first.
func (s *Store) Checkins(ctx context.Context, sc auth.Scope, f CheckinFilter, p Page) (Conn[*Checkin], error) {
	q := &query{}
	q.where("deleted_at IS NULL")
	q.scoped(sc, colsFor("checkins", ""))
	f.Place.apply(q, placeCols)
	if len(f.States) > 0 {
		q.where("state = ANY(?)", f.States)
	}
	if f.ReverificationDue != nil {
		cond := reverificationDueSQL
		if !*f.ReverificationDue {
			cond = "NOT " + cond
		}
		q.where(cond, f.DueYear)
	}
	return listPage(ctx, s, "list check-ins", "checkins", `SELECT `+checkinCols+` FROM checkins`, q,
		sortKey{name: "SUBMITTED_AT", expr: "submitted_at", kind: keyTime}, true, p, scanCheckin,
		func(c *Checkin) (any, int64) { return c.SubmittedAt, c.ID })
}

// RegisterCheckin records a member's check-in at their community of residence with the
// unit's letter number. A member has at most one live check-in.
func (s *Store) RegisterCheckin(ctx context.Context, sc auth.Scope, actor auth.Actor, memberID int64, letterNo string) (*Checkin, error) {
	if letterNo == "" {
		return nil, apperr.Invalid("letterNo", "a check-in needs the unit's letter number")
	}
	var out *Checkin
	err := s.inTx(ctx, "register check-in", func(tx pgx.Tx) error {
		q := &query{}
		q.where("id = ?", memberID)
		q.where("deleted_at IS NULL")
		q.scoped(sc, colsFor("party_members", ""))
		var street, community int64
		err := tx.QueryRow(ctx, `SELECT street_id, community_id FROM party_members`+q.sql(), q.args...).Scan(&street, &community)
		if isNoRows(err) {
			return apperr.Invalid("memberId", "no such party member")
		}
		if err != nil {
			return err
		}
		out, err = scanCheckin(tx.QueryRow(ctx, `INSERT INTO checkins (member_id, street_id, community_id, letter_no)
			VALUES ($1, $2, $3, $4) RETURNING `+checkinCols, memberID, street, community, letterNo))
		if err != nil {
			return err
		}
		return appendCheckinEvent(ctx, tx, actor, out, workflow.CheckinRegister, "", "")
	})
	return out, err
}

// actingCadre gives the cadre record of the acting person, or FORBIDDEN.
func actingCadre(ctx context.Context, q querier, actor auth.Actor, what string) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `SELECT id FROM cadres WHERE person_id = $1 AND deleted_at IS NULL`, actor.PersonID).Scan(&id)
	if isNoRows(err) {
		return 0, apperr.New(apperr.Forbidden, "only a cadre can %s", what)
	}
	return id, err
}

// DecideCheckin verifies (assigning the member to a grid) or rejects (with a reason) a
// pending check-in. A member whose home building is known goes to that building's grid.
func (s *Store) DecideCheckin(ctx context.Context, sc auth.Scope, actor auth.Actor, id int64, action workflow.CheckinAction,
	gridID *int64, reason string, expectedVersion *int64) (*Checkin, error) {
	var out *Checkin
	err := s.inTx(ctx, "decide check-in", func(tx pgx.Tx) error {
		cadreID, cur, err := cadreOnCheckin(ctx, tx, sc, actor, id, expectedVersion, "decide a check-in", "decides their own check-in")
		if err != nil {
			return err
		}
		if action == workflow.CheckinVerify {
			var home *int64
			if err := tx.QueryRow(ctx, `SELECT b.grid_id FROM party_members m LEFT JOIN buildings b ON b.id = m.building_id
				WHERE m.id = $1`, cur.MemberID).Scan(&home); err != nil {
				return err
			}
			switch {
			case home != nil && gridID != nil && *home != *gridID:
				return apperr.Invalid("gridId", "the member lives in a building of another grid")
			case home != nil:
				gridID = home
			}
		}
		to, err := workflow.NextCheckin(workflow.CheckinState(cur.State), action, reason, gridID != nil)
		if err != nil {
			return err
		}
		reasonArg := nullIfEmpty(reason)
		var grid any
		if to == workflow.CheckinVerified {
			grid = *gridID
		}
		out, err = updateCheckin(ctx, tx, actor, cur, action, reason,
			`state = $3, decided_at = now(), decided_by = $4, reject_reason = $5, grid_id = $6`,
			string(to), cadreID, reasonArg, grid)
		if err != nil {
			return err
		}
		if to == workflow.CheckinVerified {
			_, err = tx.Exec(ctx, `UPDATE party_members SET grid_id = $1 WHERE id = $2`, grid, cur.MemberID)
		}
		return err
	})
	return out, err
}

// RosterEntry is one line of a grid's public roster: name, unit and building, never contact data.
type RosterEntry struct {
	MemberID   int64
	Name       string
	UnitID     int64
	BuildingID *int64
}

// GridRoster lists the checked-in members of a grid by name.
func (s *Store) GridRoster(ctx context.Context, sc auth.Scope, gridID int64) ([]*RosterEntry, error) {
	q := &query{}
	q.where("m.grid_id = ?", gridID)
	q.where("m.deleted_at IS NULL")
	q.scoped(sc, scopeCols{street: "m.street_id", community: "m.community_id", grid: "m.grid_id"})
	q.where("EXISTS (SELECT 1 FROM checkins c WHERE c.member_id = m.id AND c.state = 'verified' AND c.deleted_at IS NULL)")
	rows, err := s.querier(ctx).Query(ctx, `SELECT m.id, m.person_name, m.unit_id, m.building_id FROM party_members m`+q.sql()+
		` ORDER BY m.person_name, m.id`, q.args...)
	if err != nil {
		return nil, MapError("grid roster", err)
	}
	out, err := collect(rows, func(r pgx.Row) (*RosterEntry, error) {
		var e RosterEntry
		return &e, r.Scan(&e.MemberID, &e.Name, &e.UnitID, &e.BuildingID)
	})
	return out, MapError("grid roster", err)
}

// BuildingAppointment is a building leader (楼栋长) or owner representative (业主代表).
type BuildingAppointment struct {
	ID          int64
	BuildingID  int64
	MemberID    int64
	Role        string
	AppointedOn time.Time
	EndedOn     *time.Time
	Version     int64
}

var appointmentCols = appointmentColumns.list("")

var appointmentColumns = cols(func(o *BuildingAppointment) []column {
	return []column{
		col("id", &o.ID), col("building_id", &o.BuildingID), col("member_id", &o.MemberID), label("role", &o.Role),
		col("appointed_on", &o.AppointedOn), col("ended_on", &o.EndedOn), col("version", &o.Version),
	}
})

func scanAppointment(r pgx.Row) (*BuildingAppointment, error) { return appointmentColumns.scan(r) }

// Appoint names a member building leader or owner representative of a building. A building
// has one current leader; the database refuses a second.
func (s *Store) Appoint(ctx context.Context, sc auth.Scope, buildingID, memberID int64, role string, on time.Time) (*BuildingAppointment, error) {
	var out *BuildingAppointment
	err := s.inTx(ctx, "appoint", func(tx pgx.Tx) error {
		q := &query{}
		q.where("id = ?", buildingID)
		q.where("deleted_at IS NULL")
		q.scoped(sc, placeCols)
		var street, community, grid int64
		err := tx.QueryRow(ctx, `SELECT street_id, community_id, grid_id FROM buildings`+q.sql(), q.args...).Scan(&street, &community, &grid)
		if isNoRows(err) {
			return apperr.Invalid("buildingId", "no such building")
		}
		if err != nil {
			return err
		}
		out, err = scanAppointment(tx.QueryRow(ctx, `INSERT INTO building_appointments (street_id, community_id, grid_id,
			building_id, member_id, role, appointed_on) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING `+appointmentCols,
			street, community, grid, buildingID, memberID, role, on))
		return err
	})
	return out, err
}

// EndAppointment ends a current appointment on the given day.
func (s *Store) EndAppointment(ctx context.Context, sc auth.Scope, id int64, on time.Time) (*BuildingAppointment, error) {
	q := &query{}
	endArg := q.arg(on)
	q.where("id = ?", id)
	q.where("deleted_at IS NULL")
	q.scoped(sc, placeCols)
	var a *BuildingAppointment
	err := s.inTx(ctx, "end appointment", func(tx pgx.Tx) error {
		var err error
		a, err = scanAppointment(tx.QueryRow(ctx, `UPDATE building_appointments SET ended_on = `+endArg+q.sql()+
			` AND ended_on IS NULL RETURNING `+appointmentCols, q.args...))
		if isNoRows(err) {
			return apperr.New(apperr.NotFound, "no current appointment with that id")
		}
		return err
	})
	return a, err
}

// CurrentAppointments reads the current appointments of each building.
var CurrentAppointments = &Source[int64, []*BuildingAppointment]{name: "load appointments",
	reads: func(sc auth.Scope, buildings []int64, put func(int64, []*BuildingAppointment)) []Read {
		q := &query{}
		q.where("building_id = ANY(?)", buildings)
		q.where("ended_on IS NULL AND deleted_at IS NULL")
		q.scoped(sc, colsFor("building_appointments", ""))
		return []Read{grouped("load appointments", `SELECT `+appointmentCols+` FROM building_appointments`+q.sql()+` ORDER BY role, id`,
			q.args, scanAppointment, buildings, func(a *BuildingAppointment) int64 { return a.BuildingID }, put)}
	}}

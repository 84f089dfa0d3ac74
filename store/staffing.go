package store

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"gridgov/apperr"
	"gridgov/auth"
)

// currentOnly keeps the rows whose end column is empty, unless all are asked for.
func currentOnly(q *query, all bool, endCol string) {
	if !all {
		q.where(endCol + " IS NULL")
	}
}

// Grid staffing (网格长, 网格员, 包联, 网格党建指导员): who is responsible for a grid, as what.

var assignments = registerOf("grid_assignment", "grid assignment", "grid_assignments", colsFor("grid_assignments", ""),
	assignmentColumns, func(v *GridAssignment) int64 { return v.Version },
	func(v *GridAssignment) (int64, *int64, *int64, *int64) {
		return v.ID, &v.StreetID, &v.CommunityID, &v.GridID
	}).
	ending("ended_on", func(v *GridAssignment) *time.Time { return v.EndedOn }, func(v *GridAssignment) time.Time { return v.StartedOn })

// GridAssignmentFilter narrows the grid staffing register.
type GridAssignmentFilter struct {
	Place        PlaceFilter
	CadreID      *int64
	Roles        []string
	IncludeEnded bool
}

// GridAssignments lists grid assignments, latest start first.
func (s *Store) GridAssignments(ctx context.Context, sc auth.Scope, f GridAssignmentFilter, p Page) (Conn[*GridAssignment], error) {
	q := &query{}
	q.where("deleted_at IS NULL")
	q.scoped(sc, placeCols)
	f.Place.apply(q, placeCols)
	if f.CadreID != nil {
		q.where("cadre_id = ?", *f.CadreID)
	}
	if len(f.Roles) > 0 {
		q.where("role = ANY(?)", f.Roles)
	}
	currentOnly(q, f.IncludeEnded, "ended_on")
	return listPage(ctx, s, "list grid assignments", "grid_assignments", gridAssignSQL, q,
		sortKey{name: "STARTED_ON", expr: "started_on", kind: keyDate}, true, p, scanGridAssignment,
		func(v *GridAssignment) (any, int64) { return v.StartedOn.Format(time.DateOnly), v.ID })
}

// NewGridAssignment is a cadre given a role in a grid from a day.
type NewGridAssignment struct {
	GridID, CadreID int64
	Role            string
	StartedOn       time.Time
}

// checkStaffing makes sure the cadre may hold the role in the grid, and holds it once at a
// time: an instructor (网格党建指导员) is of the street's leadership, a liaison (包联) a street
// cadre of the grid's street, a grid leader or worker a cadre of the grid's community. The
// cadre's row is locked, so two requests cannot both find the role free.
func checkStaffing(ctx context.Context, tx pgx.Tx, a *GridAssignment) error {
	var kind string
	var street int64
	var community *int64
	var leader bool
	err := tx.QueryRow(ctx, `SELECT kind, street_id, community_id, is_leader FROM cadres WHERE id = $1 AND deleted_at IS NULL FOR UPDATE`,
		a.CadreID).Scan(&kind, &street, &community, &leader)
	if isNoRows(err) {
		return apperr.Invalid("cadreId", "no such cadre")
	}
	if err != nil {
		return err
	}
	switch {
	case street != a.StreetID:
		return apperr.Invalid("cadreId", "the cadre serves another street than the grid's")
	case a.Role == "instructor" && !(kind == "street_cadre" && leader):
		return apperr.Invalid("cadreId", "a grid party-building instructor (网格党建指导员) is a member of the street's leadership")
	case a.Role == "liaison" && kind != "street_cadre":
		return apperr.Invalid("cadreId", "a liaison (包联) is a street cadre")
	case (a.Role == "grid_leader" || a.Role == "grid_worker") && (community == nil || *community != a.CommunityID):
		return apperr.Invalid("cadreId", "a grid leader or grid worker is a cadre of the grid's community")
	}
	var since time.Time
	var until *time.Time
	err = tx.QueryRow(ctx, `SELECT started_on, ended_on FROM grid_assignments WHERE grid_id = $1 AND cadre_id = $2 AND role = $3
		AND id <> $4 AND deleted_at IS NULL AND (ended_on IS NULL OR ended_on >= $5) ORDER BY started_on LIMIT 1`,
		a.GridID, a.CadreID, a.Role, a.ID, a.StartedOn).Scan(&since, &until)
	if isNoRows(err) {
		return nil
	}
	if err != nil {
		return err
	}
	span := "from " + since.Format(time.DateOnly)
	if until != nil {
		span += " to " + until.Format(time.DateOnly)
	}
	return apperr.Invalid("startedOn", "the cadre already holds this role in the grid %s: the dates overlap", span)
}

// AssignGridStaff gives a cadre a role in a grid in scope, from a day on.
func (s *Store) AssignGridStaff(ctx context.Context, sc auth.Scope, actor auth.Actor, in NewGridAssignment) (*GridAssignment, error) {
	a := &GridAssignment{GridID: in.GridID, CadreID: in.CadreID, Role: in.Role, StartedOn: in.StartedOn}
	var out *GridAssignment
	err := s.inTx(ctx, "assign grid staff", func(tx pgx.Tx) error {
		var err error
		if a.StreetID, a.CommunityID, err = gridPlace(ctx, tx, sc, in.GridID); err != nil {
			return err
		}
		if err := checkStaffing(ctx, tx, a); err != nil {
			return err
		}
		out, err = assignments.insert(ctx, tx, actor, `street_id, community_id, grid_id, cadre_id, role, started_on`,
			a.StreetID, a.CommunityID, a.GridID, a.CadreID, a.Role, a.StartedOn)
		return err
	})
	return out, err
}

// UpdateGridAssignment changes the role or first day of a current assignment, if nobody
// changed it since the client read expectedVersion.
func (s *Store) UpdateGridAssignment(ctx context.Context, sc auth.Scope, actor auth.Actor, id int64, expected *int64, role *string,
	startedOn *time.Time) (*GridAssignment, error) {
	return assignments.update(ctx, s, sc, actor, id, expected, func(tx pgx.Tx, a *GridAssignment) (string, []any, error) {
		a.Role, a.StartedOn = pick(role, a.Role), pick(startedOn, a.StartedOn)
		if err := checkStaffing(ctx, tx, a); err != nil {
			return "", nil, err
		}
		return `role = $1, started_on = $2`, []any{a.Role, a.StartedOn}, nil
	})
}

// EndGridAssignment ends a current assignment on a day.
func (s *Store) EndGridAssignment(ctx context.Context, sc auth.Scope, actor auth.Actor, id int64, expected *int64, on time.Time) (*GridAssignment, error) {
	return assignments.end(ctx, s, sc, actor, id, expected, on, "")
}

// Community governance instructors (社区基层治理指导员).

var instructors = registerOf("governance_instructor", "governance instructor", "governance_instructors", communityPlaceCols,
	instructorColumns, func(v *GovernanceInstructor) int64 { return v.Version },
	func(v *GovernanceInstructor) (int64, *int64, *int64, *int64) {
		return v.ID, &v.StreetID, &v.CommunityID, nil
	}).
	ending("ended_on", func(v *GovernanceInstructor) *time.Time { return v.EndedOn },
		func(v *GovernanceInstructor) time.Time { return v.AppointedOn })

// InstructorInput is what appointing or changing a governance instructor carries; on update,
// nil fields keep their value.
type InstructorInput struct {
	PersonID, CommunityID int64
	FormerPost            *string
	AppointedOn           *time.Time
}

// AppointInstructor appoints a person governance instructor of a community in scope.
func (s *Store) AppointInstructor(ctx context.Context, sc auth.Scope, actor auth.Actor, in InstructorInput) (*GovernanceInstructor, error) {
	return instructors.appoint(ctx, s, sc, actor, in.PersonID, in.CommunityID, "appointed_on", `former_post, appointed_on`,
		strings.TrimSpace(pick(in.FormerPost, "")), pick(in.AppointedOn, today()))
}

// UpdateInstructor changes a current instructor's former post or day of appointment.
func (s *Store) UpdateInstructor(ctx context.Context, sc auth.Scope, actor auth.Actor, id int64, expected *int64, in InstructorInput) (*GovernanceInstructor, error) {
	return instructors.update(ctx, s, sc, actor, id, expected, func(_ pgx.Tx, g *GovernanceInstructor) (string, []any, error) {
		return `former_post = $1, appointed_on = $2`, []any{strings.TrimSpace(pick(in.FormerPost, g.FormerPost)),
			pick(in.AppointedOn, g.AppointedOn)}, nil
	})
}

// EndInstructor ends a current instructor's appointment on a day.
func (s *Store) EndInstructor(ctx context.Context, sc auth.Scope, actor auth.Actor, id int64, expected *int64, on time.Time) (*GovernanceInstructor, error) {
	return instructors.end(ctx, s, sc, actor, id, expected, on, "")
}

// Co-building partners (七联共建).

var partners = registerOf("partner", "partner", "partners", communityPlaceCols, partnerColumns,
	func(v *Partner) int64 { return v.Version },
	func(v *Partner) (int64, *int64, *int64, *int64) { return v.ID, &v.StreetID, &v.CommunityID, nil }).
	ending("ended_on", func(v *Partner) *time.Time { return v.EndedOn }, func(v *Partner) time.Time { return v.StartedOn })

// PartnerInput is what registering or changing a partner carries; on update, nil fields
// keep their value.
type PartnerInput struct {
	PersonID, CommunityID int64
	Kind                  *string
	Organisation          *string
	StartedOn             *time.Time
}

// RegisterPartner registers a person as a co-building partner of a community in scope.
func (s *Store) RegisterPartner(ctx context.Context, sc auth.Scope, actor auth.Actor, in PartnerInput) (*Partner, error) {
	return partners.appoint(ctx, s, sc, actor, in.PersonID, in.CommunityID, "started_on", `kind, organisation, started_on`,
		pick(in.Kind, ""), strings.TrimSpace(pick(in.Organisation, "")), pick(in.StartedOn, today()))
}

// UpdatePartner changes a current partner's kind, organisation or first day.
func (s *Store) UpdatePartner(ctx context.Context, sc auth.Scope, actor auth.Actor, id int64, expected *int64, in PartnerInput) (*Partner, error) {
	return partners.update(ctx, s, sc, actor, id, expected, func(_ pgx.Tx, p *Partner) (string, []any, error) {
		return `kind = $1, organisation = $2, started_on = $3`, []any{pick(in.Kind, p.Kind),
			strings.TrimSpace(pick(in.Organisation, p.Organisation)), pick(in.StartedOn, p.StartedOn)}, nil
	})
}

// EndPartner ends a current partner's service on a day.
func (s *Store) EndPartner(ctx context.Context, sc auth.Scope, actor auth.Actor, id int64, expected *int64, on time.Time) (*Partner, error) {
	return partners.end(ctx, s, sc, actor, id, expected, on, "")
}

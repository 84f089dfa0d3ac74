package store

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"gridgov/apperr"
	"gridgov/auth"
)

// Cadre is a street cadre (街道干部) or community cadre (社区干部). IsLeader marks the street's
// leadership, who serve as grid party-building instructors.
type Cadre struct {
	ID          int64
	PersonID    int64
	Kind        string
	StreetID    int64
	CommunityID *int64
	Title       string
	IsLeader    bool
	Version     int64
	Name        string // the person's name, for sorting
}

// GridAssignment says who is responsible for a grid, as what: instructor (网格党建指导员),
// liaison (包联), grid leader (网格长) or grid worker (网格员).
type GridAssignment struct {
	ID          int64
	StreetID    int64
	CommunityID int64
	GridID      int64
	CadreID     int64
	Role        string
	StartedOn   time.Time
	EndedOn     *time.Time
	Version     int64
}

// RedSteward is a resident party member selected for daily patrols (红色小管家).
type RedSteward struct {
	ID          int64
	PersonID    int64
	StreetID    int64
	CommunityID int64
	GridID      int64
	SelectedOn  time.Time
	EndedOn     *time.Time
	Version     int64
	Name        string
}

// GovernanceInstructor is a retired leading cadre guiding a community (社区基层治理指导员).
type GovernanceInstructor struct {
	ID          int64
	PersonID    int64
	StreetID    int64
	CommunityID int64
	FormerPost  string
	AppointedOn time.Time
	EndedOn     *time.Time
	Version     int64
	Name        string
}

// Partner is a co-building partner (七联共建): community police, doctor or property staff.
type Partner struct {
	ID           int64
	PersonID     int64
	StreetID     int64
	CommunityID  int64
	Kind         string
	Organisation string
	StartedOn    time.Time
	EndedOn      *time.Time
	Version      int64
	Name         string
}

// WorkLog is one entry of the grid work log (网格工作纪实表).
type WorkLog struct {
	ID           int64
	StreetID     int64
	CommunityID  int64
	GridID       int64
	CadreID      int64
	Kind         string
	LoggedAt     time.Time
	Content      string
	PeopleServed int
	Hours        float64
	Version      int64
}

var (
	cadreCols      = cadreColumns.list("")
	assignmentCols = assignmentColumns.list("")
	stewardCols    = stewardColumns.list("")
	instructorCols = instructorColumns.list("")
	partnerCols    = partnerColumns.list("")
	workLogCols    = workLogColumns.list("")
	gridAssignSQL  = `SELECT ` + assignmentCols + ` FROM grid_assignments`
	workLogSQL     = `SELECT ` + workLogCols + ` FROM work_logs`
	cadreSQL       = `SELECT ` + cadreCols + ` FROM cadres`
	stewardSQL     = `SELECT ` + stewardCols + ` FROM red_stewards`
	instructorSQL  = `SELECT ` + instructorCols + ` FROM governance_instructors`
	partnerSQL     = `SELECT ` + partnerCols + ` FROM partners`
)

// personNameKey sorts a role's rows by their person's name: person_name, the copy of
// people.name the database keeps on the row (schema/postgres/00015_person_names.sql), so
// the large lists read their page from an index instead of joining people.
var personNameKey = sortKey{name: "NAME", expr: "person_name", kind: keyText}

var cadreColumns = cols(func(o *Cadre) []column {
	return []column{
		col("id", &o.ID), col("person_id", &o.PersonID), label("kind", &o.Kind), col("street_id", &o.StreetID),
		col("community_id", &o.CommunityID), col("title", &o.Title), col("is_leader", &o.IsLeader), col("version", &o.Version),
		col("person_name", &o.Name),
	}
})

func scanCadre(r pgx.Row) (*Cadre, error) { return cadreColumns.scan(r) }

var assignmentColumns = cols(func(o *GridAssignment) []column {
	return []column{
		col("id", &o.ID), col("street_id", &o.StreetID), col("community_id", &o.CommunityID), col("grid_id", &o.GridID),
		col("cadre_id", &o.CadreID), label("role", &o.Role), col("started_on", &o.StartedOn), col("ended_on", &o.EndedOn),
		col("version", &o.Version),
	}
})

func scanGridAssignment(r pgx.Row) (*GridAssignment, error) { return assignmentColumns.scan(r) }

var stewardColumns = cols(func(o *RedSteward) []column {
	return []column{
		col("id", &o.ID), col("person_id", &o.PersonID), col("street_id", &o.StreetID), col("community_id", &o.CommunityID),
		col("grid_id", &o.GridID), col("selected_on", &o.SelectedOn), col("ended_on", &o.EndedOn), col("version", &o.Version),
		col("person_name", &o.Name),
	}
})

func scanSteward(r pgx.Row) (*RedSteward, error) { return stewardColumns.scan(r) }

var instructorColumns = cols(func(o *GovernanceInstructor) []column {
	return []column{
		col("id", &o.ID), col("person_id", &o.PersonID), col("street_id", &o.StreetID), col("community_id", &o.CommunityID),
		col("former_post", &o.FormerPost), col("appointed_on", &o.AppointedOn), col("ended_on", &o.EndedOn), col("version", &o.Version),
		col("person_name", &o.Name),
	}
})

func scanInstructor(r pgx.Row) (*GovernanceInstructor, error) { return instructorColumns.scan(r) }

var partnerColumns = cols(func(o *Partner) []column {
	return []column{
		col("id", &o.ID), col("person_id", &o.PersonID), col("street_id", &o.StreetID), col("community_id", &o.CommunityID),
		label("kind", &o.Kind), col("organisation", &o.Organisation), col("started_on", &o.StartedOn), col("ended_on", &o.EndedOn),
		col("version", &o.Version),
		col("person_name", &o.Name),
	}
})

func scanPartner(r pgx.Row) (*Partner, error) { return partnerColumns.scan(r) }

var workLogColumns = cols(func(o *WorkLog) []column {
	return []column{
		col("id", &o.ID), col("street_id", &o.StreetID), col("community_id", &o.CommunityID), col("grid_id", &o.GridID),
		col("cadre_id", &o.CadreID), label("kind", &o.Kind), col("logged_at", &o.LoggedAt), col("content", &o.Content),
		col("people_served", &o.PeopleServed), col("hours::float8", &o.Hours), col("version", &o.Version),
	}
})

func scanWorkLog(r pgx.Row) (*WorkLog, error) { return workLogColumns.scan(r) }

// CadresByID loads cadres by id, within scope.
var CadresByID = rowsByID("load cadres", cadreSQL, "cadres", scanCadre, func(v *Cadre) int64 { return v.ID })

// RelatedCadres loads the cadres that records in scope name — a work log's, duty shift's or
// grid assignment's cadre, a resident record's collector — wherever they serve. A street
// cadre has no community, so a community's scope hides them, and a record in that community
// naming one failed whole (its cadre is non-null). What a cadre leads to (person,
// assignments) is still read within the caller's scope; node(id:) of such a cadre stays
// NOT_FOUND.
var RelatedCadres = unscoped(rowsByID("load related cadres", cadreSQL, "cadres", scanCadre, func(v *Cadre) int64 { return v.ID }))

// GridAssignmentsByID loads grid assignments by id, within scope.
var GridAssignmentsByID = rowsByID("load grid assignments", gridAssignSQL, "grid_assignments", scanGridAssignment, func(v *GridAssignment) int64 { return v.ID })

// RedStewardsByID loads red stewards by id, within scope.
var RedStewardsByID = rowsByID("load red stewards", stewardSQL, "red_stewards", scanSteward, func(v *RedSteward) int64 { return v.ID })

// GovernanceInstructorsByID loads governance instructors by id, within scope.
var GovernanceInstructorsByID = rowsByID("load governance instructors", instructorSQL, "governance_instructors", scanInstructor, func(v *GovernanceInstructor) int64 { return v.ID })

// PartnersByID loads co-building partners by id, within scope.
var PartnersByID = rowsByID("load partners", partnerSQL, "partners", scanPartner, func(v *Partner) int64 { return v.ID })

// WorkLogsByID loads work-log entries by id, within scope.
var WorkLogsByID = rowsByID("load work logs", workLogSQL, "work_logs", scanWorkLog, func(v *WorkLog) int64 { return v.ID })

// AssignmentsKey asks for the assignments of one grid or cadre, current ones only or all.
type AssignmentsKey struct {
	ID      int64
	Current bool
}

// AssignmentsOfGrids reads each grid's assignments by role, one statement per kind of key.
var AssignmentsOfGrids = assignmentsOf("grid_id", func(a *GridAssignment) int64 { return a.GridID })

// AssignmentsOfCadres reads each cadre's grid assignments, one statement per kind of key.
var AssignmentsOfCadres = assignmentsOf("cadre_id", func(a *GridAssignment) int64 { return a.CadreID })

// assignmentsOf is a source of the assignments of grids or cadres (col, a fixed name; owner
// gives an assignment's grid or cadre).
func assignmentsOf(col string, owner func(*GridAssignment) int64) *Source[AssignmentsKey, []*GridAssignment] {
	const op = "load grid assignments"
	return &Source[AssignmentsKey, []*GridAssignment]{name: op,
		reads: func(sc auth.Scope, keys []AssignmentsKey, put func(AssignmentsKey, []*GridAssignment)) []Read {
			kinds, groups := byShape(keys, func(k AssignmentsKey) bool { return k.Current })
			reads := make([]Read, 0, len(kinds))
			for _, current := range kinds {
				ids := idsOf(groups[current], func(k AssignmentsKey) int64 { return k.ID })
				q := &query{}
				q.where(col+" = ANY(?)", ids)
				q.where("deleted_at IS NULL")
				if current {
					q.where("ended_on IS NULL")
				}
				q.scoped(sc, colsFor("grid_assignments", ""))
				reads = append(reads, grouped(op, gridAssignSQL+q.sql()+` ORDER BY role, started_on, id`, q.args, scanGridAssignment,
					groups[current], func(a *GridAssignment) AssignmentsKey { return AssignmentsKey{ID: owner(a), Current: current} }, put))
			}
			return reads
		}}
}

// PersonRoleFilter narrows a list of people holding a role: place, kind and name.
type PersonRoleFilter struct {
	Place  PlaceFilter
	Kinds  []string
	Search string
	// IncludeEnded keeps the rows that ended too (a register with an end day); current
	// rows only otherwise.
	IncludeEnded bool
}

func roleQuery(sc auth.Scope, f PersonRoleFilter, c scopeCols) *query {
	q := &query{}
	q.where("deleted_at IS NULL")
	q.scoped(sc, c)
	f.Place.apply(q, c)
	if len(f.Kinds) > 0 {
		q.where("kind = ANY(?)", f.Kinds)
	}
	q.textSearch(f.Search, "person_name")
	return q
}

// Cadres lists cadres by name.
func (s *Store) Cadres(ctx context.Context, sc auth.Scope, f PersonRoleFilter, p Page) (Conn[*Cadre], error) {
	q := roleQuery(sc, f, communityPlaceCols)
	return listPage(ctx, s, "list cadres", "cadres", cadreSQL, q, personNameKey, false, p, scanCadre,
		func(v *Cadre) (any, int64) { return v.Name, v.ID })
}

// RedStewards lists red stewards by name.
func (s *Store) RedStewards(ctx context.Context, sc auth.Scope, f PersonRoleFilter, p Page) (Conn[*RedSteward], error) {
	f.Kinds = nil
	q := roleQuery(sc, f, placeCols)
	return listPage(ctx, s, "list red stewards", "red_stewards", stewardSQL, q, personNameKey, false, p, scanSteward,
		func(v *RedSteward) (any, int64) { return v.Name, v.ID })
}

// GovernanceInstructors lists governance instructors by name.
func (s *Store) GovernanceInstructors(ctx context.Context, sc auth.Scope, f PersonRoleFilter, p Page) (Conn[*GovernanceInstructor], error) {
	f.Kinds = nil
	q := roleQuery(sc, f, communityPlaceCols)
	currentOnly(q, f.IncludeEnded, "ended_on")
	return listPage(ctx, s, "list governance instructors", "governance_instructors", instructorSQL, q, personNameKey, false, p, scanInstructor,
		func(v *GovernanceInstructor) (any, int64) { return v.Name, v.ID })
}

// Partners lists co-building partners by name.
func (s *Store) Partners(ctx context.Context, sc auth.Scope, f PersonRoleFilter, p Page) (Conn[*Partner], error) {
	q := roleQuery(sc, f, communityPlaceCols)
	currentOnly(q, f.IncludeEnded, "ended_on")
	return listPage(ctx, s, "list partners", "partners", partnerSQL, q, personNameKey, false, p, scanPartner,
		func(v *Partner) (any, int64) { return v.Name, v.ID })
}

// WorkLogFilter narrows the grid work log.
type WorkLogFilter struct {
	Place    PlaceFilter
	CadreID  *int64
	Kinds    []string
	From, To *time.Time // logged_at in [From, To)
	Search   string
}

// WorkLogs lists work-log entries, newest first by default.
func (s *Store) WorkLogs(ctx context.Context, sc auth.Scope, f WorkLogFilter, desc bool, p Page) (Conn[*WorkLog], error) {
	q := &query{}
	q.where("deleted_at IS NULL")
	q.scoped(sc, placeCols)
	f.Place.apply(q, placeCols)
	if f.CadreID != nil {
		q.where("cadre_id = ?", *f.CadreID)
	}
	if len(f.Kinds) > 0 {
		q.where("kind = ANY(?)", f.Kinds)
	}
	q.span("logged_at", f.From, f.To)
	q.textSearch(f.Search, "content")
	return listPage(ctx, s, "list work logs", "work_logs", workLogSQL, q, sortKey{name: "LOGGED_AT", expr: "logged_at", kind: keyTime}, desc, p,
		scanWorkLog, func(v *WorkLog) (any, int64) { return v.LoggedAt, v.ID })
}

// NewWorkLog is one entry a cadre writes in the grid work log.
type NewWorkLog struct {
	GridID       int64
	Kind         string
	LoggedAt     time.Time
	Content      string
	PeopleServed int
	Hours        float64
}

// LogWork records what the acting cadre did in a grid. Only a cadre responsible for the grid
// writes its log: one with a current assignment to it, or a cadre of its community.
func (s *Store) LogWork(ctx context.Context, sc auth.Scope, actor auth.Actor, in NewWorkLog) (*WorkLog, error) {
	switch {
	case strings.TrimSpace(in.Content) == "":
		return nil, apperr.Invalid("content", "a work-log entry says what was done")
	case in.PeopleServed < 0:
		return nil, apperr.Invalid("peopleServed", "people served cannot be negative")
	case in.Hours < 0 || in.Hours > 24:
		return nil, apperr.Invalid("hours", "hours must be between 0 and 24")
	case in.LoggedAt.After(time.Now().Add(time.Hour)):
		return nil, apperr.Invalid("loggedAt", "work cannot be logged ahead of time")
	}
	var out *WorkLog
	err := s.inTx(ctx, "log work", func(tx pgx.Tx) error {
		cadreID, err := actingCadre(ctx, tx, actor, "write the grid work log")
		if err != nil {
			return err
		}
		street, community, err := gridPlace(ctx, tx, sc, in.GridID)
		if err != nil {
			return err
		}
		var responsible bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM grid_assignments WHERE cadre_id = $1 AND grid_id = $2
				AND ended_on IS NULL AND deleted_at IS NULL)
			OR EXISTS (SELECT 1 FROM cadres WHERE id = $1 AND community_id = $3)`, cadreID, in.GridID, community).Scan(&responsible); err != nil {
			return err
		}
		if !responsible {
			return apperr.New(apperr.Forbidden, "only a cadre assigned to the grid, or of its community, writes its work log")
		}
		out, err = scanWorkLog(tx.QueryRow(ctx, `INSERT INTO work_logs (street_id, community_id, grid_id, cadre_id, kind,
			logged_at, content, people_served, hours) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING `+workLogCols,
			street, community, in.GridID, cadreID, in.Kind, in.LoggedAt, in.Content, in.PeopleServed, in.Hours))
		return err
	})
	return out, err
}

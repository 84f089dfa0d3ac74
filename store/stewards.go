package store

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"gridgov/apperr"
	"gridgov/auth"
	"gridgov/workflow"
)

// Red stewards (红色小管家) are appointed to a grid and ended; they log patrols (巡查) of
// their grid with findings, and a finding is raised, once, as an issue of the issue register.

// Patrol is one patrol of a grid by a red steward.
type Patrol struct {
	ID          int64
	StewardID   int64
	StreetID    int64
	CommunityID int64
	GridID      int64
	PatrolledAt time.Time
	Route       string
	Notes       string
	Version     int64
}

// PatrolFinding is one thing a patrol found; IssueID once raised.
type PatrolFinding struct {
	ID          int64
	PatrolID    int64
	StreetID    int64
	CommunityID int64
	GridID      int64
	Category    string
	Description string
	IssueID     *int64
	RaisedAt    *time.Time
	Version     int64
}

var patrolColumns = cols(func(o *Patrol) []column {
	return []column{
		col("id", &o.ID), col("steward_id", &o.StewardID), col("street_id", &o.StreetID), col("community_id", &o.CommunityID),
		col("grid_id", &o.GridID), col("patrolled_at", &o.PatrolledAt), col("route", &o.Route), col("notes", &o.Notes),
		col("version", &o.Version),
	}
})

var findingColumns = cols(func(o *PatrolFinding) []column {
	return []column{
		col("id", &o.ID), col("patrol_id", &o.PatrolID), col("street_id", &o.StreetID), col("community_id", &o.CommunityID),
		col("grid_id", &o.GridID), label("category", &o.Category), col("description", &o.Description), col("issue_id", &o.IssueID),
		col("raised_at", &o.RaisedAt), col("version", &o.Version),
	}
})

func scanPatrol(r pgx.Row) (*Patrol, error)         { return patrolColumns.scan(r) }
func scanFinding(r pgx.Row) (*PatrolFinding, error) { return findingColumns.scan(r) }

var (
	patrolCols  = patrolColumns.list("")
	findingCols = findingColumns.list("")
	patrolSQL   = `SELECT ` + patrolCols + ` FROM patrols`
	findingSQL  = `SELECT ` + findingCols + ` FROM patrol_findings`
)

// PatrolsByID loads patrols by id, within scope.
var PatrolsByID = rowsByID("load patrols", patrolSQL, "patrols", scanPatrol, func(v *Patrol) int64 { return v.ID })

// FindingsByID loads patrol findings by id, within scope.
var FindingsByID = rowsByID("load patrol findings", findingSQL, "patrol_findings", scanFinding, func(v *PatrolFinding) int64 { return v.ID })

// FindingsOf reads each patrol's findings, in the order recorded.
var FindingsOf = children("load patrol findings", findingSQL, "patrol_findings", "patrol_id", "id", scanFinding,
	func(v *PatrolFinding) int64 { return v.PatrolID })

var stewards = &register[RedSteward]{
	name: "red_steward", entity: "red steward", table: "red_stewards", sql: stewardSQL, cols: stewardCols,
	scope: colsFor("red_stewards", ""), scan: scanSteward, version: func(v *RedSteward) int64 { return v.Version },
	place: func(v *RedSteward) (int64, *int64, *int64, *int64) {
		return v.ID, &v.StreetID, &v.CommunityID, &v.GridID
	},
	ended: func(v *RedSteward) *time.Time { return v.EndedOn }, endColumn: "ended_on",
	started: func(v *RedSteward) time.Time { return v.SelectedOn },
}

// AppointRedSteward appoints a person living in the grid's community as its red steward. A
// person is a current red steward once at most.
func (s *Store) AppointRedSteward(ctx context.Context, sc auth.Scope, actor auth.Actor, personID, gridID int64, on time.Time) (*RedSteward, error) {
	var out *RedSteward
	err := s.inTx(ctx, "appoint red steward", func(tx pgx.Tx) error {
		street, community, err := gridPlace(ctx, tx, sc, gridID)
		if err != nil {
			return err
		}
		var lives, serving bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM people WHERE id = $1 AND community_id = $2 AND deleted_at IS NULL),
			EXISTS (SELECT 1 FROM red_stewards WHERE person_id = $1 AND ended_on IS NULL AND deleted_at IS NULL)`,
			personID, community).Scan(&lives, &serving); err != nil {
			return err
		}
		switch {
		case !lives:
			return apperr.Invalid("personId", "a red steward lives in the community of the grid")
		case serving:
			return apperr.New(apperr.Conflict, "the person is already a current red steward")
		}
		out, err = scanSteward(tx.QueryRow(ctx, `INSERT INTO red_stewards (person_id, street_id, community_id, grid_id, selected_on)
			VALUES ($1, $2, $3, $4, $5) RETURNING `+stewardCols, personID, street, community, gridID, on))
		if err != nil {
			return err
		}
		return stewards.record(ctx, tx, actor, out, workflow.RegisterCreate, "", workflow.RegisterCurrent, "")
	})
	return out, err
}

// EndRedSteward ends a current red steward's appointment on the given day.
func (s *Store) EndRedSteward(ctx context.Context, sc auth.Scope, actor auth.Actor, id int64, expected *int64, on time.Time, note string) (*RedSteward, error) {
	return stewards.end(ctx, s, sc, actor, id, expected, on, note)
}

// NewFinding is one thing a patrol found.
type NewFinding struct {
	Category    string
	Description string
}

// NewPatrol is a patrol as logged.
type NewPatrol struct {
	StewardID   int64
	GridID      int64
	PatrolledAt time.Time
	Route       string
	Notes       string
	Findings    []NewFinding
}

// LogPatrol records a current red steward's patrol of their grid with its findings. A party
// member logs only their own patrols.
func (s *Store) LogPatrol(ctx context.Context, sc auth.Scope, actor auth.Actor, in NewPatrol) (*Patrol, error) {
	if in.PatrolledAt.After(time.Now().Add(time.Hour)) {
		return nil, apperr.Invalid("patrolledAt", "a patrol is logged after it took place")
	}
	for _, f := range in.Findings {
		if strings.TrimSpace(f.Description) == "" {
			return nil, apperr.Invalid("findings", "a finding says what was found")
		}
	}
	var out *Patrol
	err := s.inTx(ctx, "log patrol", func(tx pgx.Tx) error {
		st, err := current(ctx, tx, stewardSQL, in.StewardID, sc, stewards.scope, scanSteward,
			func(v *RedSteward) int64 { return v.Version }, nil, "red steward")
		if err != nil {
			return err
		}
		switch {
		case st.EndedOn != nil:
			return apperr.New(apperr.InvalidTransition, "cannot log a patrol of a red steward that is ended")
		case st.GridID != in.GridID:
			return apperr.Invalid("gridId", "a red steward patrols their own grid")
		case actor.Role == "party_member" && st.PersonID != actor.PersonID:
			return apperr.New(apperr.Forbidden, "a party member logs only their own patrols")
		}
		out, err = scanPatrol(tx.QueryRow(ctx, `INSERT INTO patrols (steward_id, street_id, community_id, grid_id, patrolled_at,
			route, notes, logged_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING `+patrolCols, st.ID, st.StreetID,
			st.CommunityID, st.GridID, in.PatrolledAt, strings.TrimSpace(in.Route), strings.TrimSpace(in.Notes), actor.PersonID))
		if err != nil {
			return err
		}
		for _, f := range in.Findings {
			if _, err := tx.Exec(ctx, `INSERT INTO patrol_findings (patrol_id, street_id, community_id, grid_id, category, description)
				VALUES ($1, $2, $3, $4, $5, $6)`, out.ID, out.StreetID, out.CommunityID, out.GridID, f.Category,
				strings.TrimSpace(f.Description)); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// PatrolFilter narrows the list of patrols.
type PatrolFilter struct {
	Place     PlaceFilter
	StewardID *int64
	From, To  *time.Time
}

// Patrols lists patrols, newest first unless desc is false.
func (s *Store) Patrols(ctx context.Context, sc auth.Scope, f PatrolFilter, desc bool, p Page) (Conn[*Patrol], error) {
	q := &query{}
	q.where("deleted_at IS NULL")
	q.scoped(sc, colsFor("patrols", ""))
	f.Place.apply(q, placeCols)
	if f.StewardID != nil {
		q.where("steward_id = ?", *f.StewardID)
	}
	q.span("patrolled_at", f.From, f.To)
	return listPage(ctx, s, "list patrols", "patrols", patrolSQL, q, sortKey{name: "PATROLLED_AT", expr: "patrolled_at", kind: keyTime},
		desc, p, scanPatrol, func(v *Patrol) (any, int64) { return v.PatrolledAt, v.ID })
}

// RaisedFinding is how a finding becomes an issue.
type RaisedFinding struct {
	FindingID       int64
	ExpectedVersion *int64
	CategoryID      int64
	Title           string
	BuildingID      *int64
	ReporterRole    string
}

// RaiseFinding reports a finding as an issue of the issue register, through the path of
// every report (ReportIssue), and links the two, in one transaction: a finding is raised once.
func (s *Store) RaiseFinding(ctx context.Context, sc auth.Scope, actor auth.Actor, in RaisedFinding) (*PatrolFinding, error) {
	var out *PatrolFinding
	err := s.Write(ctx, func(ctx context.Context) error {
		tx, _ := txOf(ctx)
		f, err := current(ctx, tx, findingSQL, in.FindingID, sc, colsFor("patrol_findings", ""), scanFinding,
			func(v *PatrolFinding) int64 { return v.Version }, in.ExpectedVersion, "patrol finding")
		if err != nil {
			return MapError("raise patrol finding", err)
		}
		if f.IssueID != nil {
			return apperr.New(apperr.InvalidTransition, "cannot raise a patrol finding that is raised already")
		}
		title := strings.TrimSpace(in.Title)
		if title == "" {
			title = f.Description
		}
		issue, err := s.ReportIssue(ctx, sc, actor, NewIssue{CategoryID: in.CategoryID, GridID: f.GridID, BuildingID: in.BuildingID,
			Title: title, Description: f.Description, ReporterRole: in.ReporterRole})
		if err != nil {
			return err
		}
		out, err = scanFinding(tx.QueryRow(ctx, `UPDATE patrol_findings SET issue_id = $1, raised_at = now(), raised_by = $2
			WHERE id = $3 AND version = $4 RETURNING `+findingCols, issue.ID, actor.PersonID, f.ID, f.Version))
		if isNoRows(err) {
			return errConflict("patrol finding")
		}
		return MapError("raise patrol finding", err)
	})
	return out, err
}

package store

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"gridgov/apperr"
	"gridgov/auth"
)

// Social organisations and volunteer teams are a city-wide directory, like units: any scope
// sees them (they hold no residents' data), so their queries take the scope and apply no
// place condition. Volunteers, pairings and projects belong to places and are scoped.

// SocialOrganisation is an NGO (社会组织), possibly with its own party organisation.
type SocialOrganisation struct {
	ID           int64
	Name         string
	HasPartyOrg  bool
	StreetID     *int64
	RegisteredOn time.Time
	EndedOn      *time.Time
	Version      int64
}

// VentureProject is a funded public-welfare venture project (公益创投).
type VentureProject struct {
	ID                   int64
	SocialOrganisationID int64
	StreetID             int64
	CommunityID          int64
	Name                 string
	Theme                string
	FundingYuan          float64
	StartedOn            time.Time
	EndedOn              *time.Time
	Version              int64
}

// VolunteerTeam is a volunteer team (志愿服务队) of one of three types; a volunteer-police
// team (义警) has IsVolunteerPolice.
type VolunteerTeam struct {
	ID                   int64
	Name                 string
	TeamType             string
	UnitID               *int64
	SocialOrganisationID *int64
	StreetID             *int64
	IsVolunteerPolice    bool
	FoundedOn            time.Time
	Version              int64
}

// Volunteer is a real-name registered volunteer (志愿者), serving in a community.
type Volunteer struct {
	ID                int64
	PersonID          int64
	TeamID            *int64
	StreetID          int64
	CommunityID       int64
	GridID            *int64
	RegisteredOn      time.Time
	Skills            string
	Version           int64
	Name              string
	IsVolunteerPolice bool
}

// Pairing is a unit paired (结对共建) with a community or its practice station.
type Pairing struct {
	ID          int64
	UnitID      int64
	StreetID    int64
	CommunityID int64
	FacilityID  *int64
	Kind        string
	StartedOn   time.Time
	EndedOn     *time.Time
	Version     int64
}

var (
	orgCols     = orgColumns.list("")
	projectCols = projectColumns.list("")
	teamCols    = teamColumns.list("")
	pairingCols = pairingColumns.list("")
	orgSQL      = `SELECT ` + orgCols + ` FROM social_organisations`
	projectSQL  = `SELECT ` + projectCols + ` FROM venture_projects`
	teamSQL     = `SELECT ` + teamCols + ` FROM volunteer_teams`
	pairingSQL  = `SELECT ` + pairingCols + ` FROM pairings`
	// Whether a volunteer's team is a volunteer-police team: a condition on the row, not a join,
	// so a count of volunteers reads only the table (a LEFT JOIN, though removed by the planner,
	// still kept its count from being an index-only scan).
	volunteerPolice = `EXISTS (SELECT 1 FROM volunteer_teams t WHERE t.id = volunteers.team_id AND t.is_volunteer_police)`
	volunteerSQL    = `SELECT ` + volunteerColumns.list("") + ` FROM volunteers`
)

var orgColumns = cols(func(o *SocialOrganisation) []column {
	return []column{
		col("id", &o.ID), col("name", &o.Name), col("has_party_org", &o.HasPartyOrg), col("street_id", &o.StreetID),
		col("registered_on", &o.RegisteredOn), col("ended_on", &o.EndedOn), col("version", &o.Version),
	}
})

func scanOrg(r pgx.Row) (*SocialOrganisation, error) { return orgColumns.scan(r) }

var projectColumns = cols(func(o *VentureProject) []column {
	return []column{
		col("id", &o.ID), col("social_organisation_id", &o.SocialOrganisationID), col("street_id", &o.StreetID),
		col("community_id", &o.CommunityID), col("name", &o.Name), label("theme", &o.Theme),
		col("funding_yuan::float8", &o.FundingYuan), col("started_on", &o.StartedOn), col("ended_on", &o.EndedOn),
		col("version", &o.Version),
	}
})

func scanProject(r pgx.Row) (*VentureProject, error) { return projectColumns.scan(r) }

var teamColumns = cols(func(o *VolunteerTeam) []column {
	return []column{
		col("id", &o.ID), col("name", &o.Name), label("team_type", &o.TeamType), col("unit_id", &o.UnitID),
		col("social_organisation_id", &o.SocialOrganisationID), col("street_id", &o.StreetID),
		col("is_volunteer_police", &o.IsVolunteerPolice), col("founded_on", &o.FoundedOn), col("version", &o.Version),
	}
})

func scanTeam(r pgx.Row) (*VolunteerTeam, error) { return teamColumns.scan(r) }

var volunteerColumns = cols(func(o *Volunteer) []column {
	return []column{
		col("id", &o.ID), col("person_id", &o.PersonID), col("team_id", &o.TeamID), col("street_id", &o.StreetID),
		col("community_id", &o.CommunityID), col("grid_id", &o.GridID), col("registered_on", &o.RegisteredOn),
		col("skills", &o.Skills), col("version", &o.Version), col("person_name", &o.Name),
		col(volunteerPolice, &o.IsVolunteerPolice),
	}
})

func scanVolunteer(r pgx.Row) (*Volunteer, error) { return volunteerColumns.scan(r) }

var pairingColumns = cols(func(o *Pairing) []column {
	return []column{
		col("id", &o.ID), col("unit_id", &o.UnitID), col("street_id", &o.StreetID), col("community_id", &o.CommunityID),
		col("facility_id", &o.FacilityID), label("kind", &o.Kind), col("started_on", &o.StartedOn),
		col("ended_on", &o.EndedOn), col("version", &o.Version),
	}
})

func scanPairing(r pgx.Row) (*Pairing, error) { return pairingColumns.scan(r) }

// SocialOrganisationsByID loads social organisations by id.
var SocialOrganisationsByID = rowsByID("load social organisations", orgSQL, "social_organisations", scanOrg, func(v *SocialOrganisation) int64 { return v.ID })

// VentureProjectsByID loads venture projects by id, within scope.
var VentureProjectsByID = rowsByID("load venture projects", projectSQL, "venture_projects", scanProject, func(v *VentureProject) int64 { return v.ID })

// ProjectsOfOrganisations reads each organisation's venture projects within scope, newest first.
var ProjectsOfOrganisations = children("load venture projects", projectSQL, "venture_projects", "social_organisation_id",
	"started_on DESC, id DESC", scanProject, func(p *VentureProject) int64 { return p.SocialOrganisationID })

// TeamsByID loads volunteer teams by id.
var TeamsByID = rowsByID("load volunteer teams", teamSQL, "volunteer_teams", scanTeam, func(v *VolunteerTeam) int64 { return v.ID })

// TeamSizes counts each team's registered volunteers within scope.
var TeamSizes = &Source[int64, int]{name: "count team members", reads: func(sc auth.Scope, teams []int64, put func(int64, int)) []Read {
	q := &query{}
	q.where("team_id = ANY(?)", teams)
	q.where("deleted_at IS NULL")
	q.scoped(sc, colsFor("volunteers", ""))
	type size struct {
		team int64
		n    int
	}
	return []Read{scanned("count team members", `SELECT team_id, count(*) FROM volunteers`+q.sql()+` GROUP BY team_id`, q.args,
		func(r pgx.Row) (s size, err error) { return s, r.Scan(&s.team, &s.n) }, func(s size) { put(s.team, s.n) })}
}}

// VolunteersByID loads volunteers by id, within scope.
var VolunteersByID = rowsByID("load volunteers", volunteerSQL, "volunteers", scanVolunteer, func(v *Volunteer) int64 { return v.ID })

// PairingsByID loads pairings by id, within scope.
var PairingsByID = rowsByID("load pairings", pairingSQL, "pairings", scanPairing, func(v *Pairing) int64 { return v.ID })

// SocialOrganisations lists social organisations by name.
func (s *Store) SocialOrganisations(ctx context.Context, sc auth.Scope, streetID *int64, search string, p Page) (Conn[*SocialOrganisation], error) {
	q := &query{}
	q.where("deleted_at IS NULL")
	if streetID != nil {
		q.where("street_id = ?", *streetID)
	}
	q.textSearch(search, "name")
	return listPage(ctx, s, "list social organisations", "social_organisations", orgSQL, q, nameKey, false, p, scanOrg,
		func(v *SocialOrganisation) (any, int64) { return v.Name, v.ID })
}

// ProjectFilter narrows the list of venture projects.
type ProjectFilter struct {
	Place                PlaceFilter
	SocialOrganisationID *int64
	Themes               []string
	Search               string
}

// VentureProjects lists venture projects by name.
func (s *Store) VentureProjects(ctx context.Context, sc auth.Scope, f ProjectFilter, p Page) (Conn[*VentureProject], error) {
	q := &query{}
	q.where("deleted_at IS NULL")
	q.scoped(sc, communityPlaceCols)
	f.Place.apply(q, communityPlaceCols)
	if f.SocialOrganisationID != nil {
		q.where("social_organisation_id = ?", *f.SocialOrganisationID)
	}
	if len(f.Themes) > 0 {
		q.where("theme = ANY(?)", f.Themes)
	}
	q.textSearch(f.Search, "name")
	return listPage(ctx, s, "list venture projects", "venture_projects", projectSQL, q, nameKey, false, p, scanProject,
		func(v *VentureProject) (any, int64) { return v.Name, v.ID })
}

// TeamFilter narrows the list of volunteer teams.
type TeamFilter struct {
	Types                []string
	VolunteerPolice      *bool
	UnitID               *int64
	SocialOrganisationID *int64
	StreetID             *int64
	Search               string
}

// Teams lists volunteer teams by name.
func (s *Store) Teams(ctx context.Context, sc auth.Scope, f TeamFilter, p Page) (Conn[*VolunteerTeam], error) {
	q := &query{}
	q.where("deleted_at IS NULL")
	if len(f.Types) > 0 {
		q.where("team_type = ANY(?)", f.Types)
	}
	if f.VolunteerPolice != nil {
		q.where("is_volunteer_police = ?", *f.VolunteerPolice)
	}
	if f.UnitID != nil {
		q.where("unit_id = ?", *f.UnitID)
	}
	if f.SocialOrganisationID != nil {
		q.where("social_organisation_id = ?", *f.SocialOrganisationID)
	}
	if f.StreetID != nil {
		q.where("street_id = ?", *f.StreetID)
	}
	q.textSearch(f.Search, "name")
	return listPage(ctx, s, "list volunteer teams", "volunteer_teams", teamSQL, q, nameKey, false, p, scanTeam,
		func(v *VolunteerTeam) (any, int64) { return v.Name, v.ID })
}

// VolunteerFilter narrows the list of volunteers.
type VolunteerFilter struct {
	Place           PlaceFilter
	TeamID          *int64
	VolunteerPolice *bool
	RegisteredFrom  *time.Time
	RegisteredTo    *time.Time
	Search          string // in the name and skills
}

// Volunteers lists volunteers by name.
func (s *Store) Volunteers(ctx context.Context, sc auth.Scope, f VolunteerFilter, p Page) (Conn[*Volunteer], error) {
	q := &query{}
	q.where("deleted_at IS NULL")
	q.scoped(sc, placeCols)
	f.Place.apply(q, placeCols)
	if f.TeamID != nil {
		q.where("team_id = ?", *f.TeamID)
	}
	if f.VolunteerPolice != nil {
		q.where(volunteerPolice+" = ?", *f.VolunteerPolice)
	}
	q.span("registered_on", f.RegisteredFrom, f.RegisteredTo)
	q.textSearch(f.Search, "person_name", "skills")
	return listPage(ctx, s, "list volunteers", "volunteers", volunteerSQL, q, personNameKey, false, p, scanVolunteer,
		func(v *Volunteer) (any, int64) { return v.Name, v.ID })
}

// PairingFilter narrows the list of pairings.
type PairingFilter struct {
	Place   PlaceFilter
	UnitID  *int64
	Kinds   []string
	Current *bool
}

// Pairings lists pairings, newest first.
func (s *Store) Pairings(ctx context.Context, sc auth.Scope, f PairingFilter, p Page) (Conn[*Pairing], error) {
	q := &query{}
	q.where("deleted_at IS NULL")
	q.scoped(sc, communityPlaceCols)
	f.Place.apply(q, communityPlaceCols)
	if f.UnitID != nil {
		q.where("unit_id = ?", *f.UnitID)
	}
	if len(f.Kinds) > 0 {
		q.where("kind = ANY(?)", f.Kinds)
	}
	if f.Current != nil {
		if *f.Current {
			q.where("(ended_on IS NULL OR ended_on >= current_date)")
		} else {
			q.where("ended_on < current_date")
		}
	}
	return listPage(ctx, s, "list pairings", "pairings", pairingSQL, q, sortKey{name: "STARTED_ON", expr: "started_on", kind: keyDate},
		true, p, scanPairing, func(v *Pairing) (any, int64) { return v.StartedOn.Format(time.DateOnly), v.ID })
}

// TeamInput is what creating or changing a volunteer team carries; on update, nil fields
// keep their value.
type TeamInput struct {
	Name                 *string
	TeamType             *string
	UnitID               *int64
	SocialOrganisationID *int64
	StreetID             *int64
	IsVolunteerPolice    *bool
	FoundedOn            *time.Time
}

// checkTeamOwner makes sure the team's owner matches its type and exists: a municipal-agency
// team belongs to a municipal agency, a social-organisation team to an organisation, a
// town/street team to a street in scope.
func checkTeamOwner(ctx context.Context, tx pgx.Tx, sc auth.Scope, t *VolunteerTeam) error {
	var ok bool
	var err error
	switch t.TeamType {
	case "municipal_agency":
		if t.UnitID == nil || t.SocialOrganisationID != nil || t.StreetID != nil {
			return apperr.Invalid("unitId", "a municipal-agency team (市直机关) names its unit, and nothing else")
		}
		err = tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM units WHERE id = $1 AND kind = 'municipal_agency' AND deleted_at IS NULL)`,
			*t.UnitID).Scan(&ok)
		if err == nil && !ok {
			return apperr.Invalid("unitId", "no such municipal agency")
		}
	case "social_organisation":
		if t.SocialOrganisationID == nil || t.UnitID != nil || t.StreetID != nil {
			return apperr.Invalid("socialOrganisationId", "a social-organisation team (社会组织) names its organisation, and nothing else")
		}
		err = tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM social_organisations WHERE id = $1 AND deleted_at IS NULL)`,
			*t.SocialOrganisationID).Scan(&ok)
		if err == nil && !ok {
			return apperr.Invalid("socialOrganisationId", "no such social organisation")
		}
	case "town_street":
		if t.StreetID == nil || t.UnitID != nil || t.SocialOrganisationID != nil {
			return apperr.Invalid("streetId", "a town/street team (镇街) names its street, and nothing else")
		}
		q := &query{}
		q.where("id = ?", *t.StreetID)
		q.where("deleted_at IS NULL")
		q.scoped(sc, streetCols)
		err = tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM streets`+q.sql()+`)`, q.args...).Scan(&ok)
		if err == nil && !ok {
			return apperr.Invalid("streetId", "no such street")
		}
	default:
		return apperr.Invalid("teamType", "a team type is municipal_agency, social_organisation or town_street")
	}
	return err
}

// CreateTeam founds a volunteer team.
func (s *Store) CreateTeam(ctx context.Context, sc auth.Scope, in TeamInput) (*VolunteerTeam, error) {
	t := &VolunteerTeam{UnitID: in.UnitID, SocialOrganisationID: in.SocialOrganisationID, StreetID: in.StreetID}
	if in.Name != nil {
		t.Name = strings.TrimSpace(*in.Name)
	}
	if t.Name == "" {
		return nil, apperr.Invalid("name", "a team needs a name")
	}
	if in.TeamType != nil {
		t.TeamType = *in.TeamType
	}
	t.IsVolunteerPolice = in.IsVolunteerPolice != nil && *in.IsVolunteerPolice
	t.FoundedOn = today()
	if in.FoundedOn != nil {
		t.FoundedOn = *in.FoundedOn
	}
	var out *VolunteerTeam
	err := s.inTx(ctx, "create volunteer team", func(tx pgx.Tx) error {
		if err := checkTeamOwner(ctx, tx, sc, t); err != nil {
			return err
		}
		var err error
		out, err = scanTeam(tx.QueryRow(ctx, `INSERT INTO volunteer_teams (name, team_type, unit_id, social_organisation_id,
			street_id, is_volunteer_police, founded_on) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING `+teamCols,
			t.Name, t.TeamType, t.UnitID, t.SocialOrganisationID, t.StreetID, t.IsVolunteerPolice, t.FoundedOn))
		return err
	})
	return out, err
}

// UpdateTeam changes a team's name, type and owner, or volunteer-police flag, if nobody
// changed it since the client read expectedVersion. Every cadre reads the directory of teams,
// but only the team's own street (or the city) changes it.
func (s *Store) UpdateTeam(ctx context.Context, sc auth.Scope, id int64, expectedVersion *int64, in TeamInput) (*VolunteerTeam, error) {
	var out *VolunteerTeam
	err := s.inTx(ctx, "update volunteer team", func(tx pgx.Tx) error {
		t, err := current(ctx, tx, teamSQL, id, sc, writeScopes["volunteer_teams"], scanTeam,
			func(v *VolunteerTeam) int64 { return v.Version }, expectedVersion, "volunteer team")
		if err != nil {
			return err
		}
		if in.Name != nil {
			if t.Name = strings.TrimSpace(*in.Name); t.Name == "" {
				return apperr.Invalid("name", "a team needs a name")
			}
		}
		if in.TeamType != nil {
			// A new type needs its owner: the old owner columns go.
			t.TeamType, t.UnitID, t.SocialOrganisationID, t.StreetID = *in.TeamType, nil, nil, nil
		}
		if in.UnitID != nil || in.SocialOrganisationID != nil || in.StreetID != nil {
			t.UnitID, t.SocialOrganisationID, t.StreetID = in.UnitID, in.SocialOrganisationID, in.StreetID
		}
		if in.IsVolunteerPolice != nil {
			t.IsVolunteerPolice = *in.IsVolunteerPolice
		}
		if in.FoundedOn != nil {
			t.FoundedOn = *in.FoundedOn
		}
		if err := checkTeamOwner(ctx, tx, sc, t); err != nil {
			return err
		}
		out, err = scanTeam(tx.QueryRow(ctx, `UPDATE volunteer_teams SET name = $1, team_type = $2, unit_id = $3,
			social_organisation_id = $4, street_id = $5, is_volunteer_police = $6, founded_on = $7
			WHERE id = $8 AND version = $9 RETURNING `+teamCols,
			t.Name, t.TeamType, t.UnitID, t.SocialOrganisationID, t.StreetID, t.IsVolunteerPolice, t.FoundedOn, t.ID, t.Version))
		if isNoRows(err) {
			return errConflict("volunteer team")
		}
		return err
	})
	return out, err
}

// NewVolunteer is a real-name registration.
type NewVolunteer struct {
	PersonID     int64
	TeamID       *int64
	CommunityID  int64
	GridID       *int64
	Skills       string
	RegisteredOn *time.Time
}

// RegisterVolunteer registers a person as a real-name volunteer (实名注册) serving in a
// community (and optionally one of its grids), possibly in a team. A real-name registration
// needs the person's ID number on record; a person registers once.
func (s *Store) RegisterVolunteer(ctx context.Context, sc auth.Scope, in NewVolunteer) (*Volunteer, error) {
	on := today()
	if in.RegisteredOn != nil {
		on = *in.RegisteredOn
	}
	var out *Volunteer
	err := s.inTx(ctx, "register volunteer", func(tx pgx.Tx) error {
		var hasID bool
		err := tx.QueryRow(ctx, `SELECT id_number IS NOT NULL FROM people WHERE id = $1 AND deleted_at IS NULL`, in.PersonID).Scan(&hasID)
		if isNoRows(err) {
			return apperr.Invalid("personId", "no such person")
		}
		if err != nil {
			return err
		}
		if !hasID {
			return apperr.Invalid("personId", "a real-name volunteer needs an ID number on record")
		}
		q := &query{}
		q.where("id = ?", in.CommunityID)
		q.where("deleted_at IS NULL")
		q.scoped(sc, communityCols)
		var street int64
		err = tx.QueryRow(ctx, `SELECT street_id FROM communities`+q.sql(), q.args...).Scan(&street)
		if isNoRows(err) {
			return apperr.Invalid("communityId", "no such community")
		}
		if err != nil {
			return err
		}
		if in.GridID != nil {
			_, community, err := gridPlace(ctx, tx, sc, *in.GridID)
			if err != nil {
				return err
			}
			if community != in.CommunityID {
				return apperr.Invalid("gridId", "the grid is not in that community")
			}
		}
		if in.TeamID != nil {
			var ok bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM volunteer_teams WHERE id = $1 AND deleted_at IS NULL)`,
				*in.TeamID).Scan(&ok); err != nil {
				return err
			}
			if !ok {
				return apperr.Invalid("teamId", "no such volunteer team")
			}
		}
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO volunteers (person_id, team_id, street_id, community_id, grid_id, registered_on, skills)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, in.PersonID, in.TeamID, street, in.CommunityID, in.GridID, on,
			strings.TrimSpace(in.Skills)).Scan(&id); err != nil {
			return err
		}
		out, err = scanVolunteer(tx.QueryRow(ctx, volunteerSQL+` WHERE id = $1`, id))
		return err
	})
	return out, err
}

// PairUnit pairs a unit with a community (结对共建), or with the community's practice station
// when facilityID is given. A unit has one current pairing per community and station.
func (s *Store) PairUnit(ctx context.Context, sc auth.Scope, unitID, communityID int64, facilityID *int64, startedOn time.Time) (*Pairing, error) {
	var out *Pairing
	err := s.inTx(ctx, "pair unit", func(tx pgx.Tx) error {
		var ok bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM units WHERE id = $1 AND deleted_at IS NULL)`, unitID).Scan(&ok); err != nil {
			return err
		}
		if !ok {
			return apperr.Invalid("unitId", "no such unit")
		}
		street, err := communityStreet(ctx, tx, sc, communityID)
		if err != nil {
			return err
		}
		kind := "community"
		if facilityID != nil {
			kind = "practice_station"
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM facilities WHERE id = $1 AND community_id = $2
				AND kind = 'practice_station' AND deleted_at IS NULL)`, *facilityID, communityID).Scan(&ok); err != nil {
				return err
			}
			if !ok {
				return apperr.Invalid("practiceStationId", "no such practice station in that community")
			}
		}
		// Serialise pairings of this unit so two concurrent requests cannot both pass the check.
		if _, err := tx.Exec(ctx, `SELECT 1 FROM units WHERE id = $1 FOR UPDATE`, unitID); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pairings WHERE unit_id = $1 AND community_id = $2
			AND facility_id IS NOT DISTINCT FROM $3 AND (ended_on IS NULL OR ended_on >= $4) AND deleted_at IS NULL)`,
			unitID, communityID, facilityID, startedOn).Scan(&ok); err != nil {
			return err
		}
		if ok {
			return apperr.New(apperr.Conflict, "the unit is already paired with this %s", strings.ReplaceAll(kind, "_", " "))
		}
		out, err = scanPairing(tx.QueryRow(ctx, `INSERT INTO pairings (unit_id, street_id, community_id, facility_id, kind, started_on)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING `+pairingCols, unitID, street, communityID, facilityID, kind, startedOn))
		return err
	})
	return out, err
}

// EndPairing ends a current pairing on the given day, if nobody changed it since the client
// read expectedVersion.
func (s *Store) EndPairing(ctx context.Context, sc auth.Scope, id int64, endedOn time.Time, expectedVersion *int64) (*Pairing, error) {
	var out *Pairing
	err := s.inTx(ctx, "end pairing", func(tx pgx.Tx) error {
		cur, err := current(ctx, tx, pairingSQL, id, sc, communityPlaceCols, scanPairing,
			func(v *Pairing) int64 { return v.Version }, expectedVersion, "pairing")
		if err != nil {
			return err
		}
		if cur.EndedOn != nil {
			return apperr.New(apperr.InvalidTransition, "the pairing already ended on %s", cur.EndedOn.Format(time.DateOnly))
		}
		if endedOn.Before(cur.StartedOn) {
			return apperr.Invalid("endedOn", "a pairing cannot end before it started")
		}
		out, err = scanPairing(tx.QueryRow(ctx, `UPDATE pairings SET ended_on = $1 WHERE id = $2 AND version = $3 RETURNING `+pairingCols,
			endedOn, cur.ID, cur.Version))
		if isNoRows(err) {
			return errConflict("pairing")
		}
		return err
	})
	return out, err
}

// today is the current calendar day, as a date column holds it.
func today() time.Time {
	y, m, d := time.Now().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

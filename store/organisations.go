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

// Social organisations are registered, changed and ended by the street they belong to (a
// city-level one by the city); their party organisations (社会组织党组织) and venture projects
// (公益创投) are kept the same way, a project by the community it serves.

// SocialPartyOrganisation is the party organisation of a social organisation.
type SocialPartyOrganisation struct {
	ID                   int64
	SocialOrganisationID int64
	Name                 string
	Kind                 string
	Secretary            string
	MembersCount         int
	FoundedOn            time.Time
	DissolvedOn          *time.Time
	Version              int64
}

var partyOrgColumns = cols(func(o *SocialPartyOrganisation) []column {
	return []column{
		col("id", &o.ID), col("social_organisation_id", &o.SocialOrganisationID), col("name", &o.Name), label("kind", &o.Kind),
		col("secretary", &o.Secretary), col("members_count", &o.MembersCount), col("founded_on", &o.FoundedOn),
		col("dissolved_on", &o.DissolvedOn), col("version", &o.Version),
	}
})

func scanPartyOrg(r pgx.Row) (*SocialPartyOrganisation, error) { return partyOrgColumns.scan(r) }

var (
	partyOrgCols = partyOrgColumns.list("")
	partyOrgSQL  = `SELECT ` + partyOrgCols + ` FROM social_party_organisations`
)

// PartyOrgsByID loads party organisations of social organisations by id.
var PartyOrgsByID = rowsByID("load party organisations", partyOrgSQL, "social_party_organisations", scanPartyOrg,
	func(v *SocialPartyOrganisation) int64 { return v.ID })

// PartyOrgsOf reads each social organisation's party organisations, current first.
var PartyOrgsOf = children("load party organisations", partyOrgSQL, "social_party_organisations", "social_organisation_id",
	"dissolved_on DESC NULLS FIRST, id DESC", scanPartyOrg, func(v *SocialPartyOrganisation) int64 { return v.SocialOrganisationID })

func noPlace(id int64) (int64, *int64, *int64, *int64) { return id, nil, nil, nil }

var orgs = &register[SocialOrganisation]{
	name: "social_organisation", entity: "social organisation", table: "social_organisations", sql: orgSQL, cols: orgCols,
	scope: writeScopes["social_organisations"], scan: scanOrg, version: func(v *SocialOrganisation) int64 { return v.Version },
	place: func(v *SocialOrganisation) (int64, *int64, *int64, *int64) { return v.ID, v.StreetID, nil, nil },
	ended: func(v *SocialOrganisation) *time.Time { return v.EndedOn }, endColumn: "ended_on",
	started: func(v *SocialOrganisation) time.Time { return v.RegisteredOn },
}

var partyOrgs = &register[SocialPartyOrganisation]{
	name: "social_party_organisation", entity: "party organisation", table: "social_party_organisations", sql: partyOrgSQL,
	cols: partyOrgCols, scope: writeScopes["social_party_organisations"], scan: scanPartyOrg,
	version: func(v *SocialPartyOrganisation) int64 { return v.Version },
	place:   func(v *SocialPartyOrganisation) (int64, *int64, *int64, *int64) { return noPlace(v.ID) },
	ended:   func(v *SocialPartyOrganisation) *time.Time { return v.DissolvedOn }, endColumn: "dissolved_on",
	started: func(v *SocialPartyOrganisation) time.Time { return v.FoundedOn },
}

var projects = &register[VentureProject]{
	name: "venture_project", entity: "venture project", table: "venture_projects", sql: projectSQL, cols: projectCols,
	scope: communityPlaceCols, scan: scanProject, version: func(v *VentureProject) int64 { return v.Version },
	place: func(v *VentureProject) (int64, *int64, *int64, *int64) { return v.ID, &v.StreetID, &v.CommunityID, nil },
	ended: func(v *VentureProject) *time.Time { return v.EndedOn }, endColumn: "ended_on",
	started: func(v *VentureProject) time.Time { return v.StartedOn },
}

// OrgInput is what registering or changing a social organisation carries; on update, nil
// fields keep their value.
type OrgInput struct {
	Name         *string
	StreetID     *int64
	RegisteredOn *time.Time
}

// CreateOrganisation registers a social organisation in a street of the scope, or, for the
// city, in none.
func (s *Store) CreateOrganisation(ctx context.Context, sc auth.Scope, actor auth.Actor, in OrgInput) (*SocialOrganisation, error) {
	name, err := required("name", deref(in.Name), "a name cannot be blank")
	if err != nil {
		return nil, err
	}
	if in.StreetID == nil && (sc.StreetID != 0 || sc.CommunityID != 0 || sc.GridID != 0) {
		return nil, apperr.Invalid("streetId", "only the city registers an organisation of no street")
	}
	on := today()
	if in.RegisteredOn != nil {
		on = *in.RegisteredOn
	}
	var out *SocialOrganisation
	err = s.inTx(ctx, "create social organisation", func(tx pgx.Tx) error {
		out, err = scanOrg(tx.QueryRow(ctx, `INSERT INTO social_organisations (name, street_id, registered_on) VALUES ($1, $2, $3)
			RETURNING `+orgCols, name, in.StreetID, on))
		if err != nil {
			return err
		}
		return orgs.record(ctx, tx, actor, out, workflow.RegisterCreate, "", workflow.RegisterCurrent, "")
	})
	return out, err
}

// UpdateOrganisation changes a current social organisation's name or day of registration.
func (s *Store) UpdateOrganisation(ctx context.Context, sc auth.Scope, actor auth.Actor, id int64, expected *int64, in OrgInput) (*SocialOrganisation, error) {
	var out *SocialOrganisation
	err := s.inTx(ctx, "update social organisation", func(tx pgx.Tx) error {
		o, to, err := orgs.current(ctx, tx, sc, id, expected, workflow.RegisterUpdate)
		if err != nil {
			return err
		}
		if in.Name != nil {
			if o.Name, err = required("name", *in.Name, "a name cannot be blank"); err != nil {
				return err
			}
		}
		if in.RegisteredOn != nil {
			o.RegisteredOn = *in.RegisteredOn
		}
		out, err = orgs.write(ctx, tx, actor, o, workflow.RegisterUpdate, to, "", `name = $1, registered_on = $2`, o.Name, o.RegisteredOn)
		return err
	})
	return out, err
}

// EndOrganisation deregisters a current social organisation on the given day.
func (s *Store) EndOrganisation(ctx context.Context, sc auth.Scope, actor auth.Actor, id int64, expected *int64, on time.Time, note string) (*SocialOrganisation, error) {
	return orgs.end(ctx, s, sc, actor, id, expected, on, note)
}

// currentOrg checks, for a change that names it, that a social organisation is within cols
// (NOT_FOUND at field otherwise, as an absent one) and is current.
func currentOrg(ctx context.Context, tx pgx.Tx, sc auth.Scope, cols scopeCols, id int64, field, change string) error {
	o, err := current(ctx, tx, orgSQL, id, sc, cols, scanOrg, orgs.version, nil, "social organisation")
	if apperr.CodeOf(err) == apperr.NotFound {
		return &apperr.Error{Code: apperr.NotFound, Field: field, Message: "no SocialOrganisation with this id"}
	}
	if err != nil {
		return err
	}
	if o.EndedOn != nil {
		return apperr.New(apperr.InvalidTransition, "cannot %s of a social organisation that is ended", change)
	}
	return nil
}

// PartyOrgInput is what founding or changing a party organisation carries; on update, nil
// fields keep their value.
type PartyOrgInput struct {
	Name         *string
	Kind         *string
	Secretary    *string
	MembersCount *int
	FoundedOn    *time.Time
}

// apply sets the given fields on o.
func (in PartyOrgInput) apply(o *SocialPartyOrganisation) error {
	var err error
	if in.Name != nil {
		if o.Name, err = required("name", *in.Name, "a name cannot be blank"); err != nil {
			return err
		}
	}
	if in.Kind != nil {
		o.Kind = *in.Kind
	}
	if in.Secretary != nil {
		o.Secretary = strings.TrimSpace(*in.Secretary)
	}
	if in.MembersCount != nil {
		if *in.MembersCount < 0 {
			return apperr.Invalid("membersCount", "a number of members cannot be negative")
		}
		o.MembersCount = *in.MembersCount
	}
	if in.FoundedOn != nil {
		o.FoundedOn = *in.FoundedOn
	}
	return nil
}

// FoundPartyOrg registers the party organisation of a current social organisation the caller
// may change; it has one current party organisation at most.
func (s *Store) FoundPartyOrg(ctx context.Context, sc auth.Scope, actor auth.Actor, orgID int64, in PartyOrgInput) (*SocialPartyOrganisation, error) {
	o := &SocialPartyOrganisation{SocialOrganisationID: orgID, FoundedOn: today()}
	if err := in.apply(o); err != nil {
		return nil, err
	}
	var out *SocialPartyOrganisation
	err := s.inTx(ctx, "found party organisation", func(tx pgx.Tx) error {
		if err := currentOrg(ctx, tx, sc, orgs.scope, orgID, "socialOrganisationId", "found a party organisation"); err != nil {
			return err
		}
		var has bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM social_party_organisations WHERE social_organisation_id = $1
			AND dissolved_on IS NULL AND deleted_at IS NULL)`, orgID).Scan(&has); err != nil {
			return err
		}
		if has {
			return apperr.New(apperr.Conflict, "the organisation already has a current party organisation")
		}
		var err error
		out, err = scanPartyOrg(tx.QueryRow(ctx, `INSERT INTO social_party_organisations (social_organisation_id, name, kind, secretary,
			members_count, founded_on) VALUES ($1, $2, $3, $4, $5, $6) RETURNING `+partyOrgCols,
			orgID, o.Name, o.Kind, o.Secretary, o.MembersCount, o.FoundedOn))
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE social_organisations SET has_party_org = true WHERE id = $1 AND NOT has_party_org`, orgID); err != nil {
			return err
		}
		return partyOrgs.record(ctx, tx, actor, out, workflow.RegisterCreate, "", workflow.RegisterCurrent, "")
	})
	return out, err
}

// UpdatePartyOrg changes a current party organisation.
func (s *Store) UpdatePartyOrg(ctx context.Context, sc auth.Scope, actor auth.Actor, id int64, expected *int64, in PartyOrgInput) (*SocialPartyOrganisation, error) {
	var out *SocialPartyOrganisation
	err := s.inTx(ctx, "update party organisation", func(tx pgx.Tx) error {
		o, to, err := partyOrgs.current(ctx, tx, sc, id, expected, workflow.RegisterUpdate)
		if err != nil {
			return err
		}
		if err := in.apply(o); err != nil {
			return err
		}
		out, err = partyOrgs.write(ctx, tx, actor, o, workflow.RegisterUpdate, to, "",
			`name = $1, kind = $2, secretary = $3, members_count = $4`, o.Name, o.Kind, o.Secretary, o.MembersCount)
		return err
	})
	return out, err
}

// DissolvePartyOrg records that a current party organisation was dissolved on the given day.
func (s *Store) DissolvePartyOrg(ctx context.Context, sc auth.Scope, actor auth.Actor, id int64, expected *int64, on time.Time, note string) (*SocialPartyOrganisation, error) {
	return partyOrgs.end(ctx, s, sc, actor, id, expected, on, note)
}

// PartyOrgs lists party organisations of social organisations by name.
func (s *Store) PartyOrgs(ctx context.Context, sc auth.Scope, orgID *int64, cur *bool, p Page) (Conn[*SocialPartyOrganisation], error) {
	q := &query{}
	q.where("deleted_at IS NULL")
	if orgID != nil {
		q.where("social_organisation_id = ?", *orgID)
	}
	if cur != nil {
		q.where("(dissolved_on IS NULL) = ?", *cur)
	}
	return listPage(ctx, s, "list party organisations", "social_party_organisations", partyOrgSQL, q, nameKey, false, p, scanPartyOrg,
		func(v *SocialPartyOrganisation) (any, int64) { return v.Name, v.ID })
}

// ProjectInput is what starting or changing a venture project carries; on update, nil fields
// keep their value.
type ProjectInput struct {
	Name        *string
	Theme       *string
	FundingYuan *float64
	StartedOn   *time.Time
}

// apply sets the given fields on p.
func (in ProjectInput) apply(p *VentureProject) error {
	var err error
	if in.Name != nil {
		if p.Name, err = required("name", *in.Name, "a name cannot be blank"); err != nil {
			return err
		}
	}
	if in.Theme != nil {
		p.Theme = *in.Theme
	}
	if in.FundingYuan != nil {
		if *in.FundingYuan < 0 {
			return apperr.Invalid("fundingYuan", "funding cannot be negative")
		}
		p.FundingYuan = *in.FundingYuan
	}
	if in.StartedOn != nil {
		p.StartedOn = *in.StartedOn
	}
	return nil
}

// CreateProject starts a venture project of a current social organisation (of any street: the
// directory is city-wide) in a community of the scope.
func (s *Store) CreateProject(ctx context.Context, sc auth.Scope, actor auth.Actor, orgID, communityID int64, in ProjectInput) (*VentureProject, error) {
	p := &VentureProject{SocialOrganisationID: orgID, CommunityID: communityID, StartedOn: today()}
	if err := in.apply(p); err != nil {
		return nil, err
	}
	var out *VentureProject
	err := s.inTx(ctx, "create venture project", func(tx pgx.Tx) error {
		if err := currentOrg(ctx, tx, sc, colsFor("social_organisations", ""), orgID, "socialOrganisationId", "start a venture project"); err != nil {
			return err
		}
		q := &query{}
		q.where("id = ?", communityID)
		q.where("deleted_at IS NULL")
		q.scoped(sc, communityCols)
		err := tx.QueryRow(ctx, `SELECT street_id FROM communities`+q.sql(), q.args...).Scan(&p.StreetID)
		if isNoRows(err) {
			return apperr.Invalid("communityId", "no such community")
		}
		if err != nil {
			return err
		}
		out, err = scanProject(tx.QueryRow(ctx, `INSERT INTO venture_projects (social_organisation_id, street_id, community_id, name,
			theme, funding_yuan, started_on) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING `+projectCols,
			orgID, p.StreetID, communityID, p.Name, p.Theme, p.FundingYuan, p.StartedOn))
		if err != nil {
			return err
		}
		return projects.record(ctx, tx, actor, out, workflow.RegisterCreate, "", workflow.RegisterCurrent, "")
	})
	return out, err
}

// UpdateProject changes a current venture project.
func (s *Store) UpdateProject(ctx context.Context, sc auth.Scope, actor auth.Actor, id int64, expected *int64, in ProjectInput) (*VentureProject, error) {
	var out *VentureProject
	err := s.inTx(ctx, "update venture project", func(tx pgx.Tx) error {
		p, to, err := projects.current(ctx, tx, sc, id, expected, workflow.RegisterUpdate)
		if err != nil {
			return err
		}
		if err := in.apply(p); err != nil {
			return err
		}
		out, err = projects.write(ctx, tx, actor, p, workflow.RegisterUpdate, to, "",
			`name = $1, theme = $2, funding_yuan = $3, started_on = $4`, p.Name, p.Theme, p.FundingYuan, p.StartedOn)
		return err
	})
	return out, err
}

// EndProject ends a current venture project on the given day.
func (s *Store) EndProject(ctx context.Context, sc auth.Scope, actor auth.Actor, id int64, expected *int64, on time.Time, note string) (*VentureProject, error) {
	return projects.end(ctx, s, sc, actor, id, expected, on, note)
}

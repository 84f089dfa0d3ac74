package resolvers

import (
	"context"

	"gridgov/graph/model"
	"gridgov/store"
)

// The community registers: red stewards and their patrols, social organisations with their
// party organisations and venture projects, building notices and conventions, and
// volunteer-police duties. Each mutation decodes its input and hands one change to the store,
// which checks it and writes it with its history in the mutation's transaction.

// Reads.

func (r *queryResolver) Patrols(ctx context.Context, filter *model.PatrolFilter, direction *model.SortDirection, first *int, after *string, last *int, before *string) (*model.PatrolConnection, error) {
	var f store.PatrolFilter
	if filter != nil {
		var err error
		if f.Place, err = placeFilter(filter.Place, nil); err != nil {
			return nil, err
		}
		if f.StewardID, err = optID("stewardId", "RedSteward", filter.StewardID); err != nil {
			return nil, err
		}
		if filter.Patrolled != nil {
			f.From, f.To = filter.Patrolled.From, filter.Patrolled.To
		}
	}
	desc := direction == nil || *direction == model.SortDirectionDesc
	c, err := r.Store.Patrols(ctx, scope(ctx), f, desc, page(ctx, first, after, last, before))
	if err != nil {
		return nil, err
	}
	es, pi, n := connection(c, func(cur string, n *store.Patrol) *model.PatrolEdge { return &model.PatrolEdge{Cursor: cur, Node: n} })
	return &model.PatrolConnection{Edges: es, PageInfo: pi, TotalCount: n}, nil
}

func (r *queryResolver) SocialPartyOrganisations(ctx context.Context, socialOrganisationID *string, current *bool, first *int, after *string, last *int, before *string) (*model.SocialPartyOrganisationConnection, error) {
	org, err := optID("socialOrganisationId", "SocialOrganisation", socialOrganisationID)
	if err != nil {
		return nil, err
	}
	c, err := r.Store.PartyOrgs(ctx, scope(ctx), org, current, page(ctx, first, after, last, before))
	if err != nil {
		return nil, err
	}
	es, pi, n := connection(c, func(cur string, n *store.SocialPartyOrganisation) *model.SocialPartyOrganisationEdge {
		return &model.SocialPartyOrganisationEdge{Cursor: cur, Node: n}
	})
	return &model.SocialPartyOrganisationConnection{Edges: es, PageInfo: pi, TotalCount: n}, nil
}

func (r *queryResolver) NoticeOfBuilding(ctx context.Context, buildingID string) (*store.BuildingNotice, error) {
	id, err := idOf("buildingId", "Building", buildingID)
	if err != nil {
		return nil, err
	}
	return r.Store.NoticeOf(ctx, scope(ctx), id)
}

func (r *queryResolver) ConventionOfBuilding(ctx context.Context, buildingID string) (*store.BuildingConvention, error) {
	id, err := idOf("buildingId", "Building", buildingID)
	if err != nil {
		return nil, err
	}
	return r.Store.ConventionOf(ctx, scope(ctx), id)
}

// Mutations.

func (r *mutationResolver) AppointRedSteward(ctx context.Context, in model.AppointRedStewardInput) (*store.RedSteward, error) {
	a, person, err := actingOn(ctx, "personId", "Person", in.PersonID)
	if err != nil {
		return nil, err
	}
	grid, err := idOf("gridId", "Grid", in.GridID)
	if err != nil {
		return nil, err
	}
	return r.Store.AppointRedSteward(ctx, scope(ctx), a, person, grid, dayOr(in.SelectedOn))
}

func (r *mutationResolver) EndRedSteward(ctx context.Context, in model.EndRedStewardInput) (*store.RedSteward, error) {
	a, id, err := actingOn(ctx, "stewardId", "RedSteward", in.StewardID)
	if err != nil {
		return nil, err
	}
	return r.Store.EndRedSteward(ctx, scope(ctx), a, id, version(&in.Version), dayOr(in.EndedOn), str(in.Note))
}

func (r *mutationResolver) LogPatrol(ctx context.Context, in model.LogPatrolInput) (*store.Patrol, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	np := store.NewPatrol{PatrolledAt: in.PatrolledAt, Route: str(in.Route), Notes: str(in.Notes)}
	if np.StewardID, err = idOf("stewardId", "RedSteward", in.StewardID); err != nil {
		return nil, err
	}
	if np.GridID, err = idOf("gridId", "Grid", in.GridID); err != nil {
		return nil, err
	}
	for _, f := range in.Findings {
		np.Findings = append(np.Findings, store.NewFinding{Category: stored(f.Category), Description: f.Description})
	}
	return r.Store.LogPatrol(ctx, scope(ctx), a, np)
}

func (r *mutationResolver) RaisePatrolFinding(ctx context.Context, in model.RaisePatrolFindingInput) (*store.PatrolFinding, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	rf := store.RaisedFinding{ExpectedVersion: version(&in.Version), Title: str(in.Title)}
	if rf.FindingID, err = idOf("findingId", "PatrolFinding", in.FindingID); err != nil {
		return nil, err
	}
	if rf.CategoryID, err = idOf("categoryId", "IssueCategory", in.CategoryID); err != nil {
		return nil, err
	}
	if rf.BuildingID, err = optID("buildingId", "Building", in.BuildingID); err != nil {
		return nil, err
	}
	role, err := reporterRole(a, nil)
	if err != nil {
		return nil, err
	}
	rf.ReporterRole = stored(role)
	return r.Store.RaiseFinding(ctx, scope(ctx), a, rf)
}

func (r *mutationResolver) CreateSocialOrganisation(ctx context.Context, in model.CreateSocialOrganisationInput) (*store.SocialOrganisation, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	street, err := optID("streetId", "Street", in.StreetID)
	if err != nil {
		return nil, err
	}
	return r.Store.CreateOrganisation(ctx, scope(ctx), a, store.OrgInput{Name: &in.Name, StreetID: street, RegisteredOn: in.RegisteredOn})
}

func (r *mutationResolver) UpdateSocialOrganisation(ctx context.Context, in model.UpdateSocialOrganisationInput) (*store.SocialOrganisation, error) {
	a, id, err := actingOn(ctx, "socialOrganisationId", "SocialOrganisation", in.SocialOrganisationID)
	if err != nil {
		return nil, err
	}
	return r.Store.UpdateOrganisation(ctx, scope(ctx), a, id, version(&in.Version), store.OrgInput{Name: in.Name, RegisteredOn: in.RegisteredOn})
}

func (r *mutationResolver) EndSocialOrganisation(ctx context.Context, in model.EndSocialOrganisationInput) (*store.SocialOrganisation, error) {
	a, id, err := actingOn(ctx, "socialOrganisationId", "SocialOrganisation", in.SocialOrganisationID)
	if err != nil {
		return nil, err
	}
	return r.Store.EndOrganisation(ctx, scope(ctx), a, id, version(&in.Version), dayOr(in.EndedOn), str(in.Note))
}

// partyOrgKind is the stored kind of a party organisation, if given.
func partyOrgKind(k *model.PartyOrgKind) *string {
	if k == nil {
		return nil
	}
	s := stored(*k)
	return &s
}

func (r *mutationResolver) FoundSocialPartyOrganisation(ctx context.Context, in model.FoundSocialPartyOrganisationInput) (*store.SocialPartyOrganisation, error) {
	a, org, err := actingOn(ctx, "socialOrganisationId", "SocialOrganisation", in.SocialOrganisationID)
	if err != nil {
		return nil, err
	}
	return r.Store.FoundPartyOrg(ctx, scope(ctx), a, org, store.PartyOrgInput{Name: &in.Name, Kind: partyOrgKind(&in.Kind),
		Secretary: in.Secretary, MembersCount: in.MembersCount, FoundedOn: in.FoundedOn})
}

func (r *mutationResolver) UpdateSocialPartyOrganisation(ctx context.Context, in model.UpdateSocialPartyOrganisationInput) (*store.SocialPartyOrganisation, error) {
	a, id, err := actingOn(ctx, "partyOrganisationId", "SocialPartyOrganisation", in.PartyOrganisationID)
	if err != nil {
		return nil, err
	}
	return r.Store.UpdatePartyOrg(ctx, scope(ctx), a, id, version(&in.Version), store.PartyOrgInput{Name: in.Name,
		Kind: partyOrgKind(in.Kind), Secretary: in.Secretary, MembersCount: in.MembersCount})
}

func (r *mutationResolver) DissolveSocialPartyOrganisation(ctx context.Context, in model.DissolveSocialPartyOrganisationInput) (*store.SocialPartyOrganisation, error) {
	a, id, err := actingOn(ctx, "partyOrganisationId", "SocialPartyOrganisation", in.PartyOrganisationID)
	if err != nil {
		return nil, err
	}
	return r.Store.DissolvePartyOrg(ctx, scope(ctx), a, id, version(&in.Version), dayOr(in.DissolvedOn), str(in.Note))
}

// ventureTheme is the stored theme of a project, if given.
func ventureTheme(t *model.VentureTheme) *string {
	if t == nil {
		return nil
	}
	s := stored(*t)
	return &s
}

func (r *mutationResolver) CreateVentureProject(ctx context.Context, in model.CreateVentureProjectInput) (*store.VentureProject, error) {
	a, org, err := actingOn(ctx, "socialOrganisationId", "SocialOrganisation", in.SocialOrganisationID)
	if err != nil {
		return nil, err
	}
	community, err := idOf("communityId", "Community", in.CommunityID)
	if err != nil {
		return nil, err
	}
	return r.Store.CreateProject(ctx, scope(ctx), a, org, community, store.ProjectInput{Name: &in.Name, Theme: ventureTheme(&in.Theme),
		FundingYuan: &in.FundingYuan, StartedOn: in.StartedOn})
}

func (r *mutationResolver) UpdateVentureProject(ctx context.Context, in model.UpdateVentureProjectInput) (*store.VentureProject, error) {
	a, id, err := actingOn(ctx, "ventureProjectId", "VentureProject", in.VentureProjectID)
	if err != nil {
		return nil, err
	}
	return r.Store.UpdateProject(ctx, scope(ctx), a, id, version(&in.Version), store.ProjectInput{Name: in.Name,
		Theme: ventureTheme(in.Theme), FundingYuan: in.FundingYuan, StartedOn: in.StartedOn})
}

func (r *mutationResolver) EndVentureProject(ctx context.Context, in model.EndVentureProjectInput) (*store.VentureProject, error) {
	a, id, err := actingOn(ctx, "ventureProjectId", "VentureProject", in.VentureProjectID)
	if err != nil {
		return nil, err
	}
	return r.Store.EndProject(ctx, scope(ctx), a, id, version(&in.Version), dayOr(in.EndedOn), str(in.Note))
}

func (r *mutationResolver) PublishBuildingNotice(ctx context.Context, in model.PublishBuildingNoticeInput) (*store.BuildingNotice, error) {
	a, building, err := actingOn(ctx, "buildingId", "Building", in.BuildingID)
	if err != nil {
		return nil, err
	}
	return r.Store.PublishNotice(ctx, scope(ctx), a, building, version(in.Version), store.NoticeInput{LeaderName: in.LeaderName,
		Contact: in.Contact, Duties: in.Duties, Commitments: in.Commitments})
}

func (r *mutationResolver) AdoptBuildingConvention(ctx context.Context, in model.AdoptBuildingConventionInput) (*store.BuildingConvention, error) {
	a, building, err := actingOn(ctx, "buildingId", "Building", in.BuildingID)
	if err != nil {
		return nil, err
	}
	return r.Store.AdoptConvention(ctx, scope(ctx), a, building, version(in.Version), in.Body, dayOr(in.AdoptedOn))
}

// policeKinds are the activity kinds of volunteer-police duties.
var policeKinds = map[model.PoliceDutyKind]string{model.PoliceDutyKindPatrol: "police_patrol", model.PoliceDutyKindTraffic: "police_traffic"}

func (r *mutationResolver) RecordPoliceDuty(ctx context.Context, in model.RecordPoliceDutyInput) (*store.Activity, error) {
	if _, err := actor(ctx); err != nil {
		return nil, err
	}
	d := store.PoliceDuty{Activity: store.NewActivity{Kind: policeKinds[in.Kind], Title: in.Title, StartsAt: in.StartsAt, EndsAt: in.EndsAt}}
	if in.PeopleServed != nil {
		d.Activity.PeopleServed = *in.PeopleServed
	}
	var err error
	for _, id := range []struct {
		field, typ string
		in         *string
		out        **int64
	}{{"teamId", "VolunteerTeam", &in.TeamID, &d.Activity.TeamID}, {"communityId", "Community", &in.CommunityID, &d.Activity.CommunityID},
		{"gridId", "Grid", in.GridID, &d.Activity.GridID}, {"intersectionId", "Intersection", in.IntersectionID, &d.Activity.IntersectionID}} {
		if *id.out, err = optID(id.field, id.typ, id.in); err != nil {
			return nil, err
		}
	}
	for _, p := range in.Participants {
		v, err := idOf("participants", "Volunteer", p.VolunteerID)
		if err != nil {
			return nil, err
		}
		d.VolunteerIDs, d.Hours = append(d.VolunteerIDs, v), append(d.Hours, p.Hours)
	}
	return r.Store.RecordPoliceDuty(ctx, scope(ctx), d)
}

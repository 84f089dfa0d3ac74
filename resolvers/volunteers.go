package resolvers

import (
	"context"
	"time"

	"gridgov/graph/model"
	"gridgov/store"
)

// Reads.

func (r *queryResolver) SocialOrganisations(ctx context.Context, streetID *string, search *string, first *int, after *string, last *int, before *string) (*model.SocialOrganisationConnection, error) {
	street, err := optID("streetId", "Street", streetID)
	if err != nil {
		return nil, err
	}
	c, err := r.Store.SocialOrganisations(ctx, scope(ctx), street, str(search), page(ctx, first, after, last, before))
	if err != nil {
		return nil, err
	}
	es, pi, n := connection(c, func(cur string, n *store.SocialOrganisation) *model.SocialOrganisationEdge {
		return &model.SocialOrganisationEdge{Cursor: cur, Node: n}
	})
	return &model.SocialOrganisationConnection{Edges: es, PageInfo: pi, TotalCount: n}, nil
}

func (r *queryResolver) VentureProjects(ctx context.Context, filter *model.VentureProjectFilter, first *int, after *string, last *int, before *string) (*model.VentureProjectConnection, error) {
	var f store.ProjectFilter
	if filter != nil {
		var err error
		if f.Place, err = placeFilter(filter.Place, nil); err != nil {
			return nil, err
		}
		if f.SocialOrganisationID, err = optID("socialOrganisationId", "SocialOrganisation", filter.SocialOrganisationID); err != nil {
			return nil, err
		}
		f.Themes, f.Search = storedAll(filter.Themes), str(filter.Search)
	}
	c, err := r.Store.VentureProjects(ctx, scope(ctx), f, page(ctx, first, after, last, before))
	if err != nil {
		return nil, err
	}
	es, pi, n := connection(c, func(cur string, n *store.VentureProject) *model.VentureProjectEdge {
		return &model.VentureProjectEdge{Cursor: cur, Node: n}
	})
	return &model.VentureProjectConnection{Edges: es, PageInfo: pi, TotalCount: n}, nil
}

func (r *queryResolver) VolunteerTeams(ctx context.Context, filter *model.VolunteerTeamFilter, first *int, after *string, last *int, before *string) (*model.VolunteerTeamConnection, error) {
	var f store.TeamFilter
	if filter != nil {
		var err error
		if f.UnitID, err = optID("unitId", "Unit", filter.UnitID); err != nil {
			return nil, err
		}
		if f.SocialOrganisationID, err = optID("socialOrganisationId", "SocialOrganisation", filter.SocialOrganisationID); err != nil {
			return nil, err
		}
		if f.StreetID, err = optID("streetId", "Street", filter.StreetID); err != nil {
			return nil, err
		}
		f.Types, f.VolunteerPolice, f.Search = storedAll(filter.Types), filter.VolunteerPolice, str(filter.Search)
	}
	c, err := r.Store.Teams(ctx, scope(ctx), f, page(ctx, first, after, last, before))
	if err != nil {
		return nil, err
	}
	es, pi, n := connection(c, func(cur string, n *store.VolunteerTeam) *model.VolunteerTeamEdge {
		return &model.VolunteerTeamEdge{Cursor: cur, Node: n}
	})
	return &model.VolunteerTeamConnection{Edges: es, PageInfo: pi, TotalCount: n}, nil
}

func (r *queryResolver) Volunteers(ctx context.Context, filter *model.VolunteerFilter, first *int, after *string, last *int, before *string) (*model.VolunteerConnection, error) {
	var f store.VolunteerFilter
	if filter != nil {
		var err error
		if f.Place, err = placeFilter(filter.Place, nil); err != nil {
			return nil, err
		}
		if f.TeamID, err = optID("teamId", "VolunteerTeam", filter.TeamID); err != nil {
			return nil, err
		}
		f.VolunteerPolice, f.Search = filter.VolunteerPolice, str(filter.Search)
		if filter.Registered != nil {
			f.RegisteredFrom, f.RegisteredTo = filter.Registered.From, filter.Registered.To
		}
	}
	return volunteerConn(ctx, f, page(ctx, first, after, last, before))
}

func volunteerConn(ctx context.Context, f store.VolunteerFilter, p store.Page) (*model.VolunteerConnection, error) {
	c, err := storeOf(ctx).Volunteers(ctx, scope(ctx), f, p)
	if err != nil {
		return nil, err
	}
	es, pi, n := connection(c, func(cur string, n *store.Volunteer) *model.VolunteerEdge {
		return &model.VolunteerEdge{Cursor: cur, Node: n}
	})
	return &model.VolunteerConnection{Edges: es, PageInfo: pi, TotalCount: n}, nil
}

func (r *queryResolver) Pairings(ctx context.Context, filter *model.PairingFilter, first *int, after *string, last *int, before *string) (*model.PairingConnection, error) {
	var f store.PairingFilter
	if filter != nil {
		var err error
		if f.Place, err = placeFilter(filter.Place, nil); err != nil {
			return nil, err
		}
		if f.UnitID, err = optID("unitId", "Unit", filter.UnitID); err != nil {
			return nil, err
		}
		f.Kinds, f.Current = storedAll(filter.Kinds), filter.Current
	}
	c, err := r.Store.Pairings(ctx, scope(ctx), f, page(ctx, first, after, last, before))
	if err != nil {
		return nil, err
	}
	es, pi, n := connection(c, func(cur string, n *store.Pairing) *model.PairingEdge { return &model.PairingEdge{Cursor: cur, Node: n} })
	return &model.PairingConnection{Edges: es, PageInfo: pi, TotalCount: n}, nil
}

func (r *queryResolver) Activities(ctx context.Context, filter *model.ActivityFilter, direction *model.SortDirection, first *int, after *string, last *int, before *string) (*model.ActivityConnection, error) {
	var f store.ActivityFilter
	if filter != nil {
		var err error
		if f.Place, err = placeFilter(filter.Place, nil); err != nil {
			return nil, err
		}
		for _, id := range []struct {
			field, typ string
			in         *string
			out        **int64
		}{{"teamId", "VolunteerTeam", filter.TeamID, &f.TeamID}, {"organiserUnitId", "Unit", filter.OrganiserUnitID, &f.OrganiserUnitID},
			{"socialOrganisationId", "SocialOrganisation", filter.SocialOrganisationID, &f.SocialOrganisationID},
			{"ventureProjectId", "VentureProject", filter.VentureProjectID, &f.VentureProjectID}} {
			if *id.out, err = optID(id.field, id.typ, id.in); err != nil {
				return nil, err
			}
		}
		f.Kinds, f.Search = storedAll(filter.Kinds), str(filter.Search)
		if filter.Starts != nil {
			f.StartsFrom, f.StartsTo = filter.Starts.From, filter.Starts.To
		}
	}
	desc := direction == nil || *direction == model.SortDirectionDesc
	c, err := r.Store.Activities(ctx, scope(ctx), f, desc, page(ctx, first, after, last, before))
	if err != nil {
		return nil, err
	}
	es, pi, n := connection(c, func(cur string, n *store.Activity) *model.ActivityEdge {
		return &model.ActivityEdge{Cursor: cur, Node: n}
	})
	return &model.ActivityConnection{Edges: es, PageInfo: pi, TotalCount: n}, nil
}

func (r *queryResolver) JointMeetings(ctx context.Context, filter *model.JointMeetingFilter, first *int, after *string, last *int, before *string) (*model.JointMeetingConnection, error) {
	var f store.MeetingFilter
	if filter != nil {
		var err error
		if f.Place, err = placeFilter(filter.Place, nil); err != nil {
			return nil, err
		}
		f.Search = str(filter.Search)
		if filter.Held != nil {
			f.HeldFrom, f.HeldTo = filter.Held.From, filter.Held.To
		}
		f.States = storedAll(filter.States)
	}
	c, err := r.Store.Meetings(ctx, scope(ctx), f, page(ctx, first, after, last, before))
	if err != nil {
		return nil, err
	}
	es, pi, n := connection(c, func(cur string, n *store.JointMeeting) *model.JointMeetingEdge {
		return &model.JointMeetingEdge{Cursor: cur, Node: n}
	})
	return &model.JointMeetingConnection{Edges: es, PageInfo: pi, TotalCount: n}, nil
}

// Fields.

// Mutations: each decodes its input, checks for an acting person, and hands one change to
// the store, which validates it and writes it in one transaction.

func teamInput(name *string, teamType *model.TeamType, unitID, orgID, streetID *string, police *bool, founded *time.Time) (store.TeamInput, error) {
	in := store.TeamInput{Name: name, IsVolunteerPolice: police, FoundedOn: founded}
	if teamType != nil {
		t := stored(*teamType)
		in.TeamType = &t
	}
	var err error
	if in.UnitID, err = optID("unitId", "Unit", unitID); err != nil {
		return in, err
	}
	if in.SocialOrganisationID, err = optID("socialOrganisationId", "SocialOrganisation", orgID); err != nil {
		return in, err
	}
	in.StreetID, err = optID("streetId", "Street", streetID)
	return in, err
}

func (r *mutationResolver) CreateVolunteerTeam(ctx context.Context, in model.CreateVolunteerTeamInput) (*store.VolunteerTeam, error) {
	if _, err := actor(ctx); err != nil {
		return nil, err
	}
	ti, err := teamInput(&in.Name, &in.TeamType, in.UnitID, in.SocialOrganisationID, in.StreetID, in.IsVolunteerPolice, in.FoundedOn)
	if err != nil {
		return nil, err
	}
	return r.Store.CreateTeam(ctx, scope(ctx), ti)
}

func (r *mutationResolver) UpdateVolunteerTeam(ctx context.Context, in model.UpdateVolunteerTeamInput) (*store.VolunteerTeam, error) {
	if _, err := actor(ctx); err != nil {
		return nil, err
	}
	id, err := idOf("teamId", "VolunteerTeam", in.TeamID)
	if err != nil {
		return nil, err
	}
	ti, err := teamInput(in.Name, in.TeamType, in.UnitID, in.SocialOrganisationID, in.StreetID, in.IsVolunteerPolice, in.FoundedOn)
	if err != nil {
		return nil, err
	}
	return r.Store.UpdateTeam(ctx, scope(ctx), id, version(in.Version), ti)
}

func (r *mutationResolver) RegisterVolunteer(ctx context.Context, in model.RegisterVolunteerInput) (*store.Volunteer, error) {
	if _, err := actor(ctx); err != nil {
		return nil, err
	}
	nv := store.NewVolunteer{Skills: str(in.Skills), RegisteredOn: in.RegisteredOn}
	var err error
	if nv.PersonID, err = idOf("personId", "Person", in.PersonID); err != nil {
		return nil, err
	}
	if nv.CommunityID, err = idOf("communityId", "Community", in.CommunityID); err != nil {
		return nil, err
	}
	if nv.GridID, err = optID("gridId", "Grid", in.GridID); err != nil {
		return nil, err
	}
	if nv.TeamID, err = optID("teamId", "VolunteerTeam", in.TeamID); err != nil {
		return nil, err
	}
	return r.Store.RegisterVolunteer(ctx, scope(ctx), nv)
}

func participants(in []*model.ParticipantInput) ([]store.NewParticipant, error) {
	out := make([]store.NewParticipant, 0, len(in))
	for _, p := range in {
		id, err := idOf("participants", "Person", p.PersonID)
		if err != nil {
			return nil, err
		}
		out = append(out, store.NewParticipant{PersonID: id, Role: stored(p.Role), Hours: p.Hours})
	}
	return out, nil
}

func (r *mutationResolver) RecordActivity(ctx context.Context, in model.RecordActivityInput) (*store.Activity, error) {
	if _, err := actor(ctx); err != nil {
		return nil, err
	}
	na := store.NewActivity{Kind: stored(in.Kind), Title: in.Title, StartsAt: in.StartsAt, EndsAt: in.EndsAt}
	if in.PeopleServed != nil {
		na.PeopleServed = *in.PeopleServed
	}
	var err error
	for _, id := range []struct {
		field, typ string
		in         *string
		out        **int64
	}{{"streetId", "Street", in.StreetID, &na.StreetID}, {"communityId", "Community", in.CommunityID, &na.CommunityID},
		{"gridId", "Grid", in.GridID, &na.GridID}, {"intersectionId", "Intersection", in.IntersectionID, &na.IntersectionID},
		{"organiserUnitId", "Unit", in.OrganiserUnitID, &na.OrganiserUnitID}, {"teamId", "VolunteerTeam", in.TeamID, &na.TeamID},
		{"socialOrganisationId", "SocialOrganisation", in.SocialOrganisationID, &na.SocialOrganisationID},
		{"ventureProjectId", "VentureProject", in.VentureProjectID, &na.VentureProjectID}} {
		if *id.out, err = optID(id.field, id.typ, id.in); err != nil {
			return nil, err
		}
	}
	if na.Participants, err = participants(in.Participants); err != nil {
		return nil, err
	}
	return r.Store.RecordActivity(ctx, scope(ctx), na)
}

func (r *mutationResolver) AddActivityParticipants(ctx context.Context, in model.AddActivityParticipantsInput) (*store.Activity, error) {
	if _, err := actor(ctx); err != nil {
		return nil, err
	}
	id, err := idOf("activityId", "Activity", in.ActivityID)
	if err != nil {
		return nil, err
	}
	ps, err := participants(in.Participants)
	if err != nil {
		return nil, err
	}
	return r.Store.AddParticipants(ctx, scope(ctx), id, version(in.Version), ps)
}

func matter(m *model.MatterInput) store.NewMatter {
	return store.NewMatter{Kind: stored(m.Kind), Title: m.Title, Outcome: stored(m.Outcome)}
}

func (r *mutationResolver) HoldJointMeeting(ctx context.Context, in model.HoldJointMeetingInput) (*store.JointMeeting, error) {
	a, community, err := actingOn(ctx, "communityId", "Community", in.CommunityID)
	if err != nil {
		return nil, err
	}
	nm := store.NewMeeting{CommunityID: community, HeldOn: in.HeldOn, Title: in.Title}
	if in.Attendees != nil {
		nm.Attendees = *in.Attendees
	}
	for _, m := range in.Matters {
		nm.Matters = append(nm.Matters, matter(m))
	}
	return r.Store.HoldMeeting(ctx, scope(ctx), a, nm)
}

func (r *mutationResolver) RecordMeetingMatter(ctx context.Context, in model.RecordMeetingMatterInput) (*store.JointMeeting, error) {
	a, id, err := actingOn(ctx, "meetingId", "JointMeeting", in.MeetingID)
	if err != nil {
		return nil, err
	}
	return r.Store.RecordMatter(ctx, scope(ctx), a, id, version(in.Version), matter(in.Matter))
}

func (r *mutationResolver) SetMatterOutcome(ctx context.Context, in model.SetMatterOutcomeInput) (*store.MeetingMatter, error) {
	a, id, err := actingOn(ctx, "matterId", "MeetingMatter", in.MatterID)
	if err != nil {
		return nil, err
	}
	return r.Store.SetMatterOutcome(ctx, scope(ctx), a, id, stored(in.Outcome), str(in.Note), version(in.Version))
}

func (r *mutationResolver) PairUnit(ctx context.Context, in model.PairUnitInput) (*store.Pairing, error) {
	if _, err := actor(ctx); err != nil {
		return nil, err
	}
	unit, err := idOf("unitId", "Unit", in.UnitID)
	if err != nil {
		return nil, err
	}
	community, err := idOf("communityId", "Community", in.CommunityID)
	if err != nil {
		return nil, err
	}
	station, err := optID("practiceStationId", "Facility", in.PracticeStationID)
	if err != nil {
		return nil, err
	}
	return r.Store.PairUnit(ctx, scope(ctx), unit, community, station, dayOr(in.StartedOn))
}

func (r *mutationResolver) EndPairing(ctx context.Context, in model.EndPairingInput) (*store.Pairing, error) {
	if _, err := actor(ctx); err != nil {
		return nil, err
	}
	id, err := idOf("pairingId", "Pairing", in.PairingID)
	if err != nil {
		return nil, err
	}
	return r.Store.EndPairing(ctx, scope(ctx), id, dayOr(in.EndedOn), version(in.Version))
}

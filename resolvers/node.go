package resolvers

import (
	"context"

	"gridgov/apperr"
	"gridgov/graph"
	"gridgov/store"
)

func (r *Resolver) Query() graph.QueryResolver       { return &queryResolver{r} }
func (r *Resolver) Mutation() graph.MutationResolver { return &mutationResolver{r} }

type queryResolver struct{ *Resolver }
type mutationResolver struct{ *Resolver }

// nodeLoader finds the loader of each Node type by the type named in a global id. Every
// type implementing Node in the SDL has an entry (a test walks the schema to prove it).
func nodeLoader(l *Loaders, typ string) func(ctx context.Context, id int64) (store.Entity, error) {
	switch typ {
	case "City":
		return entity(l.City)
	case "Street":
		return entity(l.Street)
	case "Community":
		return entity(l.Community)
	case "Grid":
		return entity(l.Grid)
	case "Building":
		return entity(l.Building)
	case "Compound":
		return entity(l.Compound)
	case "Facility":
		return entity(l.Facility)
	case "Intersection":
		return entity(l.Intersection)
	case "Person":
		return entity(l.Person)
	case "Unit":
		return entity(l.Unit)
	case "PartyMember":
		return entity(l.Member)
	case "Checkin":
		return entity(l.Checkin)
	case "BuildingAppointment":
		return entity(l.Appointment)
	case "ServiceRecord":
		return entity(l.Record)
	case "YearRating":
		return entity(l.Rating)
	case "Cadre":
		return entity(l.Cadre)
	case "GridAssignment":
		return entity(l.GridAssignment)
	case "RedSteward":
		return entity(l.RedSteward)
	case "GovernanceInstructor":
		return entity(l.GovernanceInstructor)
	case "Partner":
		return entity(l.Partner)
	case "WorkLog":
		return entity(l.WorkLog)
	case "Issue":
		return entity(l.Issue)
	case "IssueCategory":
		return entity(l.IssueCategory)
	case "ServiceOrder":
		return entity(l.Order)
	case "ServiceCategory":
		return entity(l.ServiceCategory)
	case "SocialOrganisation":
		return entity(l.SocialOrganisation)
	case "VentureProject":
		return entity(l.VentureProject)
	case "VolunteerTeam":
		return entity(l.Team)
	case "Volunteer":
		return entity(l.Volunteer)
	case "Pairing":
		return entity(l.Pairing)
	case "Activity":
		return entity(l.Activity)
	case "ActivityParticipant":
		return entity(l.Participant)
	case "JointMeeting":
		return entity(l.Meeting)
	case "MeetingMatter":
		return entity(l.Matter)
	case "AuditRecord":
		return auditEntity(l)
	case "Resident":
		return entity(l.Resident)
	case "DutyShift":
		return entity(l.DutyShift)
	case "MediationRoomMember":
		return entity(l.MediationRoomMember)
	}
	return nil
}

// entity reads one row through a loader, at once, then prefetches what the query selects
// below it.
func entity[V any](l *Loader[int64, *V]) func(ctx context.Context, id int64) (store.Entity, error) {
	return func(ctx context.Context, id int64) (store.Entity, error) {
		v, err := l.LoadNow(ctx, id)
		if err != nil || v == nil {
			return nil, err
		}
		prefetchOne(ctx, v)
		return v, nil
	}
}

// Node finds any object by its global id. A malformed id is BAD_USER_INPUT; an id that
// names nothing the caller can see is NOT_FOUND.
func (r *queryResolver) Node(ctx context.Context, id string) (store.Entity, error) {
	typ, n, ok := parseGlobalID(id)
	if !ok {
		return nil, apperr.Invalid("id", "not a valid id")
	}
	load := nodeLoader(For(ctx), typ)
	if load == nil {
		return nil, apperr.Invalid("id", "no object has an id of this kind")
	}
	v, err := load(ctx, n)
	if err == nil && v == nil {
		return nil, notFound("node")
	}
	return v, err
}

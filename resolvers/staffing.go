package resolvers

import (
	"context"
	"strings"

	"gridgov/apperr"

	"gridgov/graph/model"
	"gridgov/store"
)

// Registers of people on duty: grid staffing, governance instructors, co-building partners,
// duty shifts and residents' records. Each mutation decodes its input and hands one change to
// the store, which checks it and writes it in the mutation's transaction.

// flag reads an optional Boolean, false when absent.
func flag(b *bool) bool { return b != nil && *b }

// optStored gives the stored form of an optional enum value.
func optStored[T ~string](v *T) *string {
	if v == nil {
		return nil
	}
	s := stored(*v)
	return &s
}

func (r *queryResolver) GridAssignments(ctx context.Context, filter *model.GridAssignmentFilter, first *int, after *string, last *int, before *string) (*model.GridAssignmentConnection, error) {
	var f store.GridAssignmentFilter
	if filter != nil {
		var err error
		if f.Place, err = placeFilter(filter.Place, nil); err != nil {
			return nil, err
		}
		if f.CadreID, err = optID("cadreId", "Cadre", filter.CadreID); err != nil {
			return nil, err
		}
		f.Roles, f.IncludeEnded = storedAll(filter.Roles), flag(filter.IncludeEnded)
	}
	c, err := r.Store.GridAssignments(ctx, scope(ctx), f, page(ctx, first, after, last, before))
	if err != nil {
		return nil, err
	}
	es, pi, n := connection(c, func(cur string, n *store.GridAssignment) *model.GridAssignmentEdge {
		return &model.GridAssignmentEdge{Cursor: cur, Node: n}
	})
	return &model.GridAssignmentConnection{Edges: es, PageInfo: pi, TotalCount: n}, nil
}

// Grid staffing.

func (r *mutationResolver) AssignGridStaff(ctx context.Context, in model.AssignGridStaffInput) (*store.GridAssignment, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	na := store.NewGridAssignment{Role: stored(in.Role), StartedOn: dayOr(in.StartedOn)}
	if na.GridID, err = idOf("gridId", "Grid", in.GridID); err != nil {
		return nil, err
	}
	if na.CadreID, err = idOf("cadreId", "Cadre", in.CadreID); err != nil {
		return nil, err
	}
	return r.Store.AssignGridStaff(ctx, scope(ctx), a, na)
}

func (r *mutationResolver) UpdateGridAssignment(ctx context.Context, in model.UpdateGridAssignmentInput) (*store.GridAssignment, error) {
	a, id, err := actingOn(ctx, "assignmentId", "GridAssignment", in.AssignmentID)
	if err != nil {
		return nil, err
	}
	return r.Store.UpdateGridAssignment(ctx, scope(ctx), a, id, version(&in.Version), optStored(in.Role), in.StartedOn)
}

func (r *mutationResolver) EndGridAssignment(ctx context.Context, in model.EndGridAssignmentInput) (*store.GridAssignment, error) {
	a, id, err := actingOn(ctx, "assignmentId", "GridAssignment", in.AssignmentID)
	if err != nil {
		return nil, err
	}
	return r.Store.EndGridAssignment(ctx, scope(ctx), a, id, version(&in.Version), dayOr(in.EndedOn))
}

// Community governance instructors.

func (r *mutationResolver) AppointGovernanceInstructor(ctx context.Context, in model.AppointGovernanceInstructorInput) (*store.GovernanceInstructor, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	gi := store.InstructorInput{FormerPost: in.FormerPost, AppointedOn: in.AppointedOn}
	if gi.PersonID, gi.CommunityID, err = personAndCommunity(in.PersonID, in.CommunityID); err != nil {
		return nil, err
	}
	return r.Store.AppointInstructor(ctx, scope(ctx), a, gi)
}

// personAndCommunity decodes the person and community a role is registered with.
func personAndCommunity(personID, communityID string) (person, community int64, err error) {
	if person, err = idOf("personId", "Person", personID); err != nil {
		return 0, 0, err
	}
	community, err = idOf("communityId", "Community", communityID)
	return person, community, err
}

func (r *mutationResolver) UpdateGovernanceInstructor(ctx context.Context, in model.UpdateGovernanceInstructorInput) (*store.GovernanceInstructor, error) {
	a, id, err := actingOn(ctx, "instructorId", "GovernanceInstructor", in.InstructorID)
	if err != nil {
		return nil, err
	}
	return r.Store.UpdateInstructor(ctx, scope(ctx), a, id, version(&in.Version), store.InstructorInput{FormerPost: in.FormerPost,
		AppointedOn: in.AppointedOn})
}

func (r *mutationResolver) EndGovernanceInstructor(ctx context.Context, in model.EndGovernanceInstructorInput) (*store.GovernanceInstructor, error) {
	a, id, err := actingOn(ctx, "instructorId", "GovernanceInstructor", in.InstructorID)
	if err != nil {
		return nil, err
	}
	return r.Store.EndInstructor(ctx, scope(ctx), a, id, version(&in.Version), dayOr(in.EndedOn))
}

// Co-building partners.

func (r *mutationResolver) RegisterPartner(ctx context.Context, in model.RegisterPartnerInput) (*store.Partner, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	pi := store.PartnerInput{Kind: optStored(&in.Kind), Organisation: in.Organisation, StartedOn: in.StartedOn}
	if pi.PersonID, pi.CommunityID, err = personAndCommunity(in.PersonID, in.CommunityID); err != nil {
		return nil, err
	}
	return r.Store.RegisterPartner(ctx, scope(ctx), a, pi)
}

func (r *mutationResolver) UpdatePartner(ctx context.Context, in model.UpdatePartnerInput) (*store.Partner, error) {
	a, id, err := actingOn(ctx, "partnerId", "Partner", in.PartnerID)
	if err != nil {
		return nil, err
	}
	return r.Store.UpdatePartner(ctx, scope(ctx), a, id, version(&in.Version), store.PartnerInput{Kind: optStored(in.Kind),
		Organisation: in.Organisation, StartedOn: in.StartedOn})
}

func (r *mutationResolver) EndPartner(ctx context.Context, in model.EndPartnerInput) (*store.Partner, error) {
	a, id, err := actingOn(ctx, "partnerId", "Partner", in.PartnerID)
	if err != nil {
		return nil, err
	}
	return r.Store.EndPartner(ctx, scope(ctx), a, id, version(&in.Version), dayOr(in.EndedOn))
}

// Duty shifts.

func (r *mutationResolver) ScheduleDutyShift(ctx context.Context, in model.ScheduleDutyShiftInput) (*store.DutyShift, error) {
	a, facility, err := actingOn(ctx, "facilityId", "Facility", in.FacilityID)
	if err != nil {
		return nil, err
	}
	cadre, err := idOf("cadreId", "Cadre", in.CadreID)
	if err != nil {
		return nil, err
	}
	return r.Store.ScheduleShift(ctx, scope(ctx), a, facility, cadre, in.OnDate)
}

func (r *mutationResolver) UpdateDutyShift(ctx context.Context, in model.UpdateDutyShiftInput) (*store.DutyShift, error) {
	a, id, err := actingOn(ctx, "shiftId", "DutyShift", in.ShiftID)
	if err != nil {
		return nil, err
	}
	cadre, err := optID("cadreId", "Cadre", in.CadreID)
	if err != nil {
		return nil, err
	}
	return r.Store.UpdateShift(ctx, scope(ctx), a, id, version(&in.Version), cadre, in.OnDate)
}

func (r *mutationResolver) CancelDutyShift(ctx context.Context, in model.CancelDutyShiftInput) (*store.DutyShift, error) {
	a, id, err := actingOn(ctx, "shiftId", "DutyShift", in.ShiftID)
	if err != nil {
		return nil, err
	}
	return r.Store.CancelShift(ctx, scope(ctx), a, id, version(&in.Version), in.Reason)
}

// Residents' records.

func (r *mutationResolver) RegisterResident(ctx context.Context, in model.RegisterResidentInput) (*store.Resident, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	ri := store.ResidentInput{HouseholdSize: in.HouseholdSize, IsPartyMember: in.IsPartyMember, MovedInOn: in.MovedInOn}
	if ri.PersonID, ri.NewPerson, err = residentPerson(in); err != nil {
		return nil, err
	}
	building, err := idOf("buildingId", "Building", in.BuildingID)
	if err != nil {
		return nil, err
	}
	ri.BuildingID = &building
	return r.Store.RegisterResident(ctx, scope(ctx), a, ri)
}

func (r *mutationResolver) UpdateResident(ctx context.Context, in model.UpdateResidentInput) (*store.Resident, error) {
	a, id, err := actingOn(ctx, "residentId", "Resident", in.ResidentID)
	if err != nil {
		return nil, err
	}
	ri := store.ResidentInput{HouseholdSize: in.HouseholdSize, IsPartyMember: in.IsPartyMember, MovedInOn: in.MovedInOn}
	if ri.BuildingID, err = optID("buildingId", "Building", in.BuildingID); err != nil {
		return nil, err
	}
	return r.Store.UpdateResident(ctx, scope(ctx), a, id, version(&in.Version), ri)
}

func (r *mutationResolver) MoveOutResident(ctx context.Context, in model.MoveOutResidentInput) (*store.Resident, error) {
	a, id, err := actingOn(ctx, "residentId", "Resident", in.ResidentID)
	if err != nil {
		return nil, err
	}
	return r.Store.MoveOutResident(ctx, scope(ctx), a, id, version(&in.Version), dayOr(in.MovedOutOn))
}

// residentPerson reads who a new residents' record is of: a known person or a new one, one of
// the two.
func residentPerson(in model.RegisterResidentInput) (int64, *store.NewPerson, error) {
	switch p := in.NewPerson; {
	case (in.PersonID == nil) == (p == nil):
		return 0, nil, apperr.Invalid("personId", "give either personId or newPerson")
	case p != nil:
		if strings.TrimSpace(p.Name) == "" {
			return 0, nil, apperr.Invalid("newPerson.name", "a name is needed")
		}
		var gender *string
		if p.Gender != nil {
			g := stored(*p.Gender)
			gender = &g
		}
		return 0, &store.NewPerson{Name: p.Name, Gender: gender, Phone: p.Phone, IDNumber: p.IDNumber, Detail: p.AddressDetail,
			BirthYear: p.BirthYear}, nil
	}
	id, err := idOf("personId", "Person", *in.PersonID)
	return id, nil, err
}

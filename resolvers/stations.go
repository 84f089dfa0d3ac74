package resolvers

import (
	"context"

	"gridgov/graph/model"
	"gridgov/store"
)

func (r *queryResolver) DutyShifts(ctx context.Context, filter *model.DutyShiftFilter, direction *model.SortDirection, first *int, after *string, last *int, before *string) (*model.DutyShiftConnection, error) {
	var f store.DutyShiftFilter
	if filter != nil {
		var err error
		if f.Place, err = placeFilter(filter.Place, nil); err != nil {
			return nil, err
		}
		if f.CadreID, err = optID("cadreId", "Cadre", filter.CadreID); err != nil {
			return nil, err
		}
		if f.FacilityID, err = optID("facilityId", "Facility", filter.FacilityID); err != nil {
			return nil, err
		}
		if filter.On != nil {
			f.From, f.To = filter.On.From, filter.On.To
		}
		f.IncludeCancelled = flag(filter.IncludeCancelled)
	}
	desc := direction == nil || *direction == model.SortDirectionDesc
	c, err := r.Store.DutyShifts(ctx, scope(ctx), f, desc, page(ctx, first, after, last, before))
	if err != nil {
		return nil, err
	}
	es, pi, n := connection(c, func(cur string, n *store.DutyShift) *model.DutyShiftEdge {
		return &model.DutyShiftEdge{Cursor: cur, Node: n}
	})
	return &model.DutyShiftConnection{Edges: es, PageInfo: pi, TotalCount: n}, nil
}

func (r *queryResolver) MediationRoomMembers(ctx context.Context, filter *model.MediationRoomMemberFilter, first *int, after *string, last *int, before *string) (*model.MediationRoomMemberConnection, error) {
	var f store.MediationRoomMemberFilter
	if filter != nil {
		var err error
		if f.Place, err = placeFilter(filter.Place, nil); err != nil {
			return nil, err
		}
		if f.FacilityID, err = optID("facilityId", "Facility", filter.FacilityID); err != nil {
			return nil, err
		}
		if f.UnitID, err = optID("unitId", "Unit", filter.UnitID); err != nil {
			return nil, err
		}
		if filter.Joined != nil {
			f.From, f.To = filter.Joined.From, filter.Joined.To
		}
		f.Search = str(filter.Search)
	}
	c, err := r.Store.MediationRoomMembers(ctx, scope(ctx), f, page(ctx, first, after, last, before))
	if err != nil {
		return nil, err
	}
	es, pi, n := connection(c, func(cur string, n *store.MediationRoomMember) *model.MediationRoomMemberEdge {
		return &model.MediationRoomMemberEdge{Cursor: cur, Node: n}
	})
	return &model.MediationRoomMemberConnection{Edges: es, PageInfo: pi, TotalCount: n}, nil
}

package resolvers

import (
	"context"

	"github.com/vektah/gqlparser/v2/ast"

	"gridgov/graph"
	"gridgov/graph/model"
	"gridgov/store"
)

func (r *Resolver) DutyShift() graph.DutyShiftResolver { return &dutyShiftResolver{r} }
func (r *Resolver) MediationRoomMember() graph.MediationRoomMemberResolver {
	return &mediationMemberResolver{r}
}

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
	}
	desc := direction == nil || *direction == model.SortDirectionDesc
	c, list, err := r.Store.DutyShifts(ctx, scope(ctx), f, desc, page(first, after, last, before))
	if err != nil {
		return nil, err
	}
	es, pi, n, err := connection(ctx, c, list, func(cur string, n *store.DutyShift) *model.DutyShiftEdge {
		return &model.DutyShiftEdge{Cursor: cur, Node: n}
	})
	return &model.DutyShiftConnection{Edges: es, PageInfo: pi, TotalCount: n}, err
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
	c, list, err := r.Store.MediationRoomMembers(ctx, scope(ctx), f, page(first, after, last, before))
	if err != nil {
		return nil, err
	}
	es, pi, n, err := connection(ctx, c, list, func(cur string, n *store.MediationRoomMember) *model.MediationRoomMemberEdge {
		return &model.MediationRoomMemberEdge{Cursor: cur, Node: n}
	})
	return &model.MediationRoomMemberConnection{Edges: es, PageInfo: pi, TotalCount: n}, err
}

type dutyShiftResolver struct{ *Resolver }

func (dutyShiftResolver) Cadre(ctx context.Context, o *store.DutyShift) (*store.Cadre, error) {
	return must(ctx, For(ctx).RelatedCadre, o.CadreID, "cadre")
}
func (dutyShiftResolver) Facility(ctx context.Context, o *store.DutyShift) (*store.Facility, error) {
	return must(ctx, For(ctx).Facility, o.FacilityID, "facility")
}
func (dutyShiftResolver) Community(ctx context.Context, o *store.DutyShift) (*store.Community, error) {
	return must(ctx, For(ctx).Community, o.CommunityID, "community")
}

type mediationMemberResolver struct{ *Resolver }

// Member is null when the member record is out of the caller's scope: the room belongs to a
// community, the member record to the grid the member lives in.
func (mediationMemberResolver) Member(ctx context.Context, o *store.MediationRoomMember) (*store.PartyMember, error) {
	return load(ctx, For(ctx).Member, &o.MemberID)
}
func (mediationMemberResolver) Facility(ctx context.Context, o *store.MediationRoomMember) (*store.Facility, error) {
	return must(ctx, For(ctx).Facility, o.FacilityID, "facility")
}
func (mediationMemberResolver) Community(ctx context.Context, o *store.MediationRoomMember) (*store.Community, error) {
	return must(ctx, For(ctx).Community, o.CommunityID, "community")
}

func (p *planner) dutyShifts(ds []*store.DutyShift, sel ast.SelectionSet) []step {
	var out []step
	for _, f := range p.fields(sel, "DutyShift") {
		switch f.Name {
		case "cadre":
			out = append(out, rel(p.l.RelatedCadre, idsOfObjs(ds, func(o *store.DutyShift) int64 { return o.CadreID }), then(p.cadres, f.Selections)))
		case "facility":
			out = append(out, rel(p.l.Facility, idsOfObjs(ds, func(o *store.DutyShift) int64 { return o.FacilityID }), then(p.facilities, f.Selections)))
		case "community":
			out = append(out, rel(p.l.Community, idsOfObjs(ds, func(o *store.DutyShift) int64 { return o.CommunityID }), then(p.communities, f.Selections)))
		}
	}
	return out
}

func (p *planner) mediationMembers(ms []*store.MediationRoomMember, sel ast.SelectionSet) []step {
	var out []step
	for _, f := range p.fields(sel, "MediationRoomMember") {
		switch f.Name {
		case "member":
			out = append(out, rel(p.l.Member, idsOfObjs(ms, func(o *store.MediationRoomMember) int64 { return o.MemberID }), then(p.members, f.Selections)))
		case "facility":
			out = append(out, rel(p.l.Facility, idsOfObjs(ms, func(o *store.MediationRoomMember) int64 { return o.FacilityID }), then(p.facilities, f.Selections)))
		case "community":
			out = append(out, rel(p.l.Community, idsOfObjs(ms, func(o *store.MediationRoomMember) int64 { return o.CommunityID }), then(p.communities, f.Selections)))
		}
	}
	return out
}

// facilities plans a facility's own relations: its community and compound.
func (p *planner) facilities(fs []*store.Facility, sel ast.SelectionSet) []step {
	var out []step
	for _, f := range p.fields(sel, "Facility") {
		switch f.Name {
		case "community":
			out = append(out, rel(p.l.Community, idsOfObjs(fs, func(o *store.Facility) int64 { return o.CommunityID }), then(p.communities, f.Selections)))
		case "compound":
			out = append(out, rel(p.l.Compound, optIDsOfObjs(fs, func(o *store.Facility) *int64 { return o.CompoundID }), then(p.compounds, f.Selections)))
		}
	}
	return out
}

package resolvers

import (
	"context"
	"time"

	"gridgov/graph/model"
	"gridgov/store"
)

func roleFilter(place *model.PlaceScope, search *string) (store.PersonRoleFilter, error) {
	pf, err := placeFilter(place, nil)
	return store.PersonRoleFilter{Place: pf, Search: str(search)}, err
}

// plainRoleFilter reads a filter of place and search only; nil filters nothing.
func plainRoleFilter(filter *model.RoleFilter) (store.PersonRoleFilter, error) {
	if filter == nil {
		return store.PersonRoleFilter{}, nil
	}
	f, err := roleFilter(filter.Place, filter.Search)
	f.IncludeEnded = flag(filter.IncludeEnded)
	return f, err
}

func (r *queryResolver) Cadres(ctx context.Context, filter *model.CadreFilter, first *int, after *string, last *int, before *string) (*model.CadreConnection, error) {
	var f store.PersonRoleFilter
	if filter != nil {
		var err error
		if f, err = roleFilter(filter.Place, filter.Search); err != nil {
			return nil, err
		}
		f.Kinds = storedAll(filter.Kinds)
	}
	c, err := r.Store.Cadres(ctx, scope(ctx), f, page(ctx, first, after, last, before))
	if err != nil {
		return nil, err
	}
	es, pi, n := connection(c, func(cur string, n *store.Cadre) *model.CadreEdge { return &model.CadreEdge{Cursor: cur, Node: n} })
	return &model.CadreConnection{Edges: es, PageInfo: pi, TotalCount: n}, nil
}

func (r *queryResolver) RedStewards(ctx context.Context, filter *model.RoleFilter, first *int, after *string, last *int, before *string) (*model.RedStewardConnection, error) {
	f, err := plainRoleFilter(filter)
	if err != nil {
		return nil, err
	}
	c, err := r.Store.RedStewards(ctx, scope(ctx), f, page(ctx, first, after, last, before))
	if err != nil {
		return nil, err
	}
	es, pi, n := connection(c, func(cur string, n *store.RedSteward) *model.RedStewardEdge {
		return &model.RedStewardEdge{Cursor: cur, Node: n}
	})
	return &model.RedStewardConnection{Edges: es, PageInfo: pi, TotalCount: n}, nil
}

func (r *queryResolver) GovernanceInstructors(ctx context.Context, filter *model.RoleFilter, first *int, after *string, last *int, before *string) (*model.GovernanceInstructorConnection, error) {
	f, err := plainRoleFilter(filter)
	if err != nil {
		return nil, err
	}
	c, err := r.Store.GovernanceInstructors(ctx, scope(ctx), f, page(ctx, first, after, last, before))
	if err != nil {
		return nil, err
	}
	es, pi, n := connection(c, func(cur string, n *store.GovernanceInstructor) *model.GovernanceInstructorEdge {
		return &model.GovernanceInstructorEdge{Cursor: cur, Node: n}
	})
	return &model.GovernanceInstructorConnection{Edges: es, PageInfo: pi, TotalCount: n}, nil
}

func (r *queryResolver) Partners(ctx context.Context, filter *model.PartnerFilter, first *int, after *string, last *int, before *string) (*model.PartnerConnection, error) {
	var f store.PersonRoleFilter
	if filter != nil {
		var err error
		if f, err = roleFilter(filter.Place, filter.Search); err != nil {
			return nil, err
		}
		f.Kinds, f.IncludeEnded = storedAll(filter.Kinds), flag(filter.IncludeEnded)
	}
	c, err := r.Store.Partners(ctx, scope(ctx), f, page(ctx, first, after, last, before))
	if err != nil {
		return nil, err
	}
	es, pi, n := connection(c, func(cur string, n *store.Partner) *model.PartnerEdge { return &model.PartnerEdge{Cursor: cur, Node: n} })
	return &model.PartnerConnection{Edges: es, PageInfo: pi, TotalCount: n}, nil
}

func (r *queryResolver) WorkLogs(ctx context.Context, filter *model.WorkLogFilter, direction *model.SortDirection, first *int, after *string, last *int, before *string) (*model.WorkLogConnection, error) {
	var f store.WorkLogFilter
	if filter != nil {
		var err error
		if f.Place, err = placeFilter(filter.Place, nil); err != nil {
			return nil, err
		}
		if f.CadreID, err = optID("cadreId", "Cadre", filter.CadreID); err != nil {
			return nil, err
		}
		f.Kinds, f.Search = storedAll(filter.Kinds), str(filter.Search)
		if filter.Logged != nil {
			f.From, f.To = filter.Logged.From, filter.Logged.To
		}
	}
	desc := direction == nil || *direction == model.SortDirectionDesc
	c, err := r.Store.WorkLogs(ctx, scope(ctx), f, desc, page(ctx, first, after, last, before))
	if err != nil {
		return nil, err
	}
	es, pi, n := connection(c, func(cur string, n *store.WorkLog) *model.WorkLogEdge { return &model.WorkLogEdge{Cursor: cur, Node: n} })
	return &model.WorkLogConnection{Edges: es, PageInfo: pi, TotalCount: n}, nil
}

func (r *mutationResolver) LogGridWork(ctx context.Context, in model.LogGridWorkInput) (*store.WorkLog, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	grid, err := idOf("gridId", "Grid", in.GridID)
	if err != nil {
		return nil, err
	}
	nw := store.NewWorkLog{GridID: grid, Kind: stored(in.Kind), LoggedAt: time.Now(), Content: in.Content}
	if in.LoggedAt != nil {
		nw.LoggedAt = *in.LoggedAt
	}
	if in.PeopleServed != nil {
		nw.PeopleServed = *in.PeopleServed
	}
	if in.Hours != nil {
		nw.Hours = *in.Hours
	}
	return r.Store.LogWork(ctx, scope(ctx), a, nw)
}

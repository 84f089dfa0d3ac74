package resolvers

import (
	"context"

	"gridgov/graph/model"
	"gridgov/store"
)

// Residents lists residents' information records (居民信息) in the caller's scope. Personal
// fields are reached only through person, where Person's masking applies.
func (r *queryResolver) Residents(ctx context.Context, filter *model.ResidentFilter, first *int, after *string, last *int, before *string) (*model.ResidentConnection, error) {
	var f store.ResidentFilter
	if filter != nil {
		var err error
		if f.Place, err = placeFilter(filter.Place, nil); err != nil {
			return nil, err
		}
		if f.BuildingID, err = optID("buildingId", "Building", filter.BuildingID); err != nil {
			return nil, err
		}
		if f.CollectedBy, err = optID("collectedById", "Cadre", filter.CollectedByID); err != nil {
			return nil, err
		}
		if filter.Collected != nil {
			f.From, f.To = filter.Collected.From, filter.Collected.To
		}
		f.IsPartyMember, f.Search, f.IncludeMovedOut = filter.IsPartyMember, str(filter.Search), flag(filter.IncludeMovedOut)
	}
	c, err := r.Store.Residents(ctx, scope(ctx), f, page(ctx, first, after, last, before))
	if err != nil {
		return nil, err
	}
	es, pi, n := connection(c, func(cur string, n *store.Resident) *model.ResidentEdge {
		return &model.ResidentEdge{Cursor: cur, Node: n}
	})
	return &model.ResidentConnection{Edges: es, PageInfo: pi, TotalCount: n}, nil
}

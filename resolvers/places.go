package resolvers

import (
	"context"

	"gridgov/graph/model"
	"gridgov/store"
)

func (r *queryResolver) Streets(ctx context.Context, filter *model.PlaceFilter, first *int, after *string, last *int, before *string) (*model.StreetConnection, error) {
	f, err := placeFilterOf(filter)
	if err != nil {
		return nil, err
	}
	c, err := r.Store.Streets(ctx, scope(ctx), f, page(ctx, first, after, last, before))
	if err != nil {
		return nil, err
	}
	es, pi, n := connection(c, func(cur string, n *store.Street) *model.StreetEdge { return &model.StreetEdge{Cursor: cur, Node: n} })
	return &model.StreetConnection{PageInfo: pi, TotalCount: n, Edges: es}, nil
}

func (r *queryResolver) Communities(ctx context.Context, filter *model.PlaceFilter, first *int, after *string, last *int, before *string) (*model.CommunityConnection, error) {
	f, err := placeFilterOf(filter)
	if err != nil {
		return nil, err
	}
	c, err := r.Store.Communities(ctx, scope(ctx), f, page(ctx, first, after, last, before))
	if err != nil {
		return nil, err
	}
	es, pi, n := connection(c, func(cur string, n *store.Community) *model.CommunityEdge {
		return &model.CommunityEdge{Cursor: cur, Node: n}
	})
	return &model.CommunityConnection{PageInfo: pi, TotalCount: n, Edges: es}, nil
}

func (r *queryResolver) Grids(ctx context.Context, filter *model.PlaceFilter, first *int, after *string, last *int, before *string) (*model.GridConnection, error) {
	f, err := placeFilterOf(filter)
	if err != nil {
		return nil, err
	}
	c, err := r.Store.Grids(ctx, scope(ctx), f, page(ctx, first, after, last, before))
	if err != nil {
		return nil, err
	}
	es, pi, n := connection(c, func(cur string, n *store.Grid) *model.GridEdge { return &model.GridEdge{Cursor: cur, Node: n} })
	return &model.GridConnection{PageInfo: pi, TotalCount: n, Edges: es}, nil
}

func (r *queryResolver) Buildings(ctx context.Context, filter *model.PlaceFilter, area *model.AreaFilter, first *int, after *string, last *int, before *string) (*model.BuildingConnection, error) {
	f, err := placeFilterOf(filter)
	if err != nil {
		return nil, err
	}
	if f.Area, err = areaOf("area", area); err != nil {
		return nil, err
	}
	c, err := r.Store.Buildings(ctx, scope(ctx), f, page(ctx, first, after, last, before))
	if err != nil {
		return nil, err
	}
	es, pi, n := connection(c, func(cur string, n *store.Building) *model.BuildingEdge {
		return &model.BuildingEdge{Cursor: cur, Node: n}
	})
	return &model.BuildingConnection{PageInfo: pi, TotalCount: n, Edges: es}, nil
}

func placeFilterOf(f *model.PlaceFilter) (store.PlaceFilter, error) {
	if f == nil {
		return store.PlaceFilter{}, nil
	}
	return placeFilter(f.Place, f.Search)
}

func (r *queryResolver) Compounds(ctx context.Context, filter *model.PlaceFilter, marketManaged *bool, first *int, after *string, last *int, before *string) (*model.CompoundConnection, error) {
	f, err := placeFilterOf(filter)
	if err != nil {
		return nil, err
	}
	c, err := r.Store.Compounds(ctx, scope(ctx), f, marketManaged, page(ctx, first, after, last, before))
	if err != nil {
		return nil, err
	}
	es, pi, n := connection(c, func(cur string, n *store.Compound) *model.CompoundEdge {
		return &model.CompoundEdge{Cursor: cur, Node: n}
	})
	return &model.CompoundConnection{Edges: es, PageInfo: pi, TotalCount: n}, nil
}

func (r *queryResolver) Facilities(ctx context.Context, filter *model.PlaceFilter, kinds []model.FacilityKind, area *model.AreaFilter, first *int, after *string, last *int, before *string) (*model.FacilityConnection, error) {
	f, err := placeFilterOf(filter)
	if err != nil {
		return nil, err
	}
	if f.Area, err = areaOf("area", area); err != nil {
		return nil, err
	}
	c, err := r.Store.Facilities(ctx, scope(ctx), f, storedAll(kinds), page(ctx, first, after, last, before))
	if err != nil {
		return nil, err
	}
	es, pi, n := connection(c, func(cur string, n *store.Facility) *model.FacilityEdge {
		return &model.FacilityEdge{Cursor: cur, Node: n}
	})
	return &model.FacilityConnection{Edges: es, PageInfo: pi, TotalCount: n}, nil
}

func (r *queryResolver) Intersections(ctx context.Context, filter *model.PlaceFilter, first *int, after *string, last *int, before *string) (*model.IntersectionConnection, error) {
	f, err := placeFilterOf(filter)
	if err != nil {
		return nil, err
	}
	c, err := r.Store.Intersections(ctx, scope(ctx), f, page(ctx, first, after, last, before))
	if err != nil {
		return nil, err
	}
	es, pi, n := connection(c, func(cur string, n *store.Intersection) *model.IntersectionEdge {
		return &model.IntersectionEdge{Cursor: cur, Node: n}
	})
	return &model.IntersectionConnection{Edges: es, PageInfo: pi, TotalCount: n}, nil
}

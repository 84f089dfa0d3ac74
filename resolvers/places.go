package resolvers

import (
	"context"

	"gridgov/graph"
	"gridgov/graph/model"
	"gridgov/store"
)

func (r *Resolver) City() graph.CityResolver           { return &cityResolver{r} }
func (r *Resolver) Street() graph.StreetResolver       { return &streetResolver{r} }
func (r *Resolver) Community() graph.CommunityResolver { return &communityResolver{r} }
func (r *Resolver) Grid() graph.GridResolver           { return &gridResolver{r} }
func (r *Resolver) Building() graph.BuildingResolver   { return &buildingResolver{r} }

type cityResolver struct{ *Resolver }

func (cityResolver) ID(_ context.Context, o *store.City) (string, error) {
	return GlobalID("City", o.ID), nil
}

type streetResolver struct{ *Resolver }

func (streetResolver) ID(_ context.Context, o *store.Street) (string, error) {
	return GlobalID("Street", o.ID), nil
}
func (streetResolver) Kind(_ context.Context, o *store.Street) (model.StreetKind, error) {
	return enum[model.StreetKind](o.Kind), nil
}
func (streetResolver) City(ctx context.Context, o *store.Street) (*store.City, error) {
	return must(ctx, For(ctx).City, o.CityID, "city")
}

type communityResolver struct{ *Resolver }

func (communityResolver) ID(_ context.Context, o *store.Community) (string, error) {
	return GlobalID("Community", o.ID), nil
}
func (communityResolver) Street(ctx context.Context, o *store.Community) (*store.Street, error) {
	return must(ctx, For(ctx).Street, o.StreetID, "street")
}

type gridResolver struct{ *Resolver }

func (gridResolver) ID(_ context.Context, o *store.Grid) (string, error) {
	return GlobalID("Grid", o.ID), nil
}
func (gridResolver) Street(ctx context.Context, o *store.Grid) (*store.Street, error) {
	return must(ctx, For(ctx).Street, o.StreetID, "street")
}
func (gridResolver) Community(ctx context.Context, o *store.Grid) (*store.Community, error) {
	return must(ctx, For(ctx).Community, o.CommunityID, "community")
}

type buildingResolver struct{ *Resolver }

func (buildingResolver) ID(_ context.Context, o *store.Building) (string, error) {
	return GlobalID("Building", o.ID), nil
}
func (buildingResolver) Grid(ctx context.Context, o *store.Building) (*store.Grid, error) {
	return must(ctx, For(ctx).Grid, o.GridID, "grid")
}
func (buildingResolver) Community(ctx context.Context, o *store.Building) (*store.Community, error) {
	return must(ctx, For(ctx).Community, o.CommunityID, "community")
}
func (buildingResolver) Appointments(ctx context.Context, o *store.Building) ([]*store.BuildingAppointment, error) {
	return For(ctx).Appointments.Load(ctx, o.ID)
}

func (r *queryResolver) Streets(ctx context.Context, filter *model.PlaceFilter, first *int, after *string, last *int, before *string) (*model.StreetConnection, error) {
	f, err := placeFilterOf(filter)
	if err != nil {
		return nil, err
	}
	c, list, err := r.Store.Streets(ctx, scope(ctx), f, page(first, after, last, before))
	if err != nil {
		return nil, err
	}
	n, err := total(ctx, list)
	return &model.StreetConnection{PageInfo: &c.PageInfo, TotalCount: n,
		Edges: edges(c, func(cur string, n *store.Street) *model.StreetEdge { return &model.StreetEdge{Cursor: cur, Node: n} })}, err
}

func (r *queryResolver) Communities(ctx context.Context, filter *model.PlaceFilter, first *int, after *string, last *int, before *string) (*model.CommunityConnection, error) {
	f, err := placeFilterOf(filter)
	if err != nil {
		return nil, err
	}
	c, list, err := r.Store.Communities(ctx, scope(ctx), f, page(first, after, last, before))
	if err != nil {
		return nil, err
	}
	n, err := total(ctx, list)
	return &model.CommunityConnection{PageInfo: &c.PageInfo, TotalCount: n,
		Edges: edges(c, func(cur string, n *store.Community) *model.CommunityEdge {
			return &model.CommunityEdge{Cursor: cur, Node: n}
		})}, err
}

func (r *queryResolver) Grids(ctx context.Context, filter *model.PlaceFilter, first *int, after *string, last *int, before *string) (*model.GridConnection, error) {
	f, err := placeFilterOf(filter)
	if err != nil {
		return nil, err
	}
	c, list, err := r.Store.Grids(ctx, scope(ctx), f, page(first, after, last, before))
	if err != nil {
		return nil, err
	}
	n, err := total(ctx, list)
	return &model.GridConnection{PageInfo: &c.PageInfo, TotalCount: n,
		Edges: edges(c, func(cur string, n *store.Grid) *model.GridEdge { return &model.GridEdge{Cursor: cur, Node: n} })}, err
}

func (r *queryResolver) Buildings(ctx context.Context, filter *model.PlaceFilter, first *int, after *string, last *int, before *string) (*model.BuildingConnection, error) {
	f, err := placeFilterOf(filter)
	if err != nil {
		return nil, err
	}
	c, list, err := r.Store.Buildings(ctx, scope(ctx), f, page(first, after, last, before))
	if err != nil {
		return nil, err
	}
	n, err := total(ctx, list)
	return &model.BuildingConnection{PageInfo: &c.PageInfo, TotalCount: n,
		Edges: edges(c, func(cur string, n *store.Building) *model.BuildingEdge {
			return &model.BuildingEdge{Cursor: cur, Node: n}
		})}, err
}

func placeFilterOf(f *model.PlaceFilter) (store.PlaceFilter, error) {
	if f == nil {
		return store.PlaceFilter{}, nil
	}
	return placeFilter(f.Place, f.Search)
}

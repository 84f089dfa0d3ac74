package resolvers

import (
	"context"

	"gridgov/graph/model"
	"gridgov/store"
	"gridgov/workflow"
)

func (r *queryResolver) ServiceOrders(ctx context.Context, filter *model.ServiceOrderFilter, direction *model.SortDirection, first *int, after *string, last *int, before *string) (*model.ServiceOrderConnection, error) {
	f, err := orderFilter(filter)
	if err != nil {
		return nil, err
	}
	desc := direction == nil || *direction == model.SortDirectionDesc
	c, err := r.Store.Orders(ctx, scope(ctx), f, desc, page(ctx, first, after, last, before))
	if err != nil {
		return nil, err
	}
	es, pi, n := connection(c, func(cur string, n *store.ServiceOrder) *model.ServiceOrderEdge {
		return &model.ServiceOrderEdge{Cursor: cur, Node: n}
	})
	return &model.ServiceOrderConnection{PageInfo: pi, TotalCount: n, Edges: es}, nil
}

func orderFilter(in *model.ServiceOrderFilter) (store.OrderFilter, error) {
	var f store.OrderFilter
	if in == nil {
		return f, nil
	}
	var err error
	if f.Place, err = placeFilter(in.Place, nil); err != nil {
		return f, err
	}
	if f.CategoryIDs, err = idsOf("categoryIds", "ServiceCategory", in.CategoryIds); err != nil {
		return f, err
	}
	if f.ResidentID, err = optID("residentId", "Person", in.ResidentID); err != nil {
		return f, err
	}
	if f.ClaimedBy, err = optID("claimedById", "PartyMember", in.ClaimedByID); err != nil {
		return f, err
	}
	f.States = storedAll(in.States)
	f.Late = in.Late
	if in.Posted != nil {
		f.PostedFrom, f.PostedTo = in.Posted.From, in.Posted.To
	}
	f.Search = str(in.Search)
	return f, nil
}

func (r *queryResolver) ServiceCategories(ctx context.Context) ([]*store.ServiceCategory, error) {
	return r.Store.ServiceCategories(ctx)
}

func (r *mutationResolver) PostOrder(ctx context.Context, in model.PostOrderInput) (*store.ServiceOrder, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	cat, err := idOf("categoryId", "ServiceCategory", in.CategoryID)
	if err != nil {
		return nil, err
	}
	grid, err := idOf("gridId", "Grid", in.GridID)
	if err != nil {
		return nil, err
	}
	building, err := optID("buildingId", "Building", in.BuildingID)
	if err != nil {
		return nil, err
	}
	return r.Store.PostOrder(ctx, scope(ctx), a, store.NewOrder{CategoryID: cat, GridID: grid, BuildingID: building,
		Title: in.Title, Description: str(in.Description)})
}

// changeOrder runs one order transition for the acting person.
func (r *mutationResolver) changeOrder(ctx context.Context, orderID string, ch store.OrderChange) (*store.ServiceOrder, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	id, err := idOf("orderId", "ServiceOrder", orderID)
	if err != nil {
		return nil, err
	}
	return r.Store.ChangeOrder(ctx, scope(ctx), a, id, ch)
}

func (r *mutationResolver) orderAction(ctx context.Context, in model.OrderActionInput, action workflow.OrderAction) (*store.ServiceOrder, error) {
	return r.changeOrder(ctx, in.OrderID, store.OrderChange{ExpectedVersion: version(in.Version), Note: str(in.Note),
		Step: workflow.OrderStep{Action: action}})
}

func (r *mutationResolver) PublishOrder(ctx context.Context, in model.OrderActionInput) (*store.ServiceOrder, error) {
	return r.orderAction(ctx, in, workflow.OrderPublish)
}
func (r *mutationResolver) ClaimOrder(ctx context.Context, in model.OrderActionInput) (*store.ServiceOrder, error) {
	return r.orderAction(ctx, in, workflow.OrderClaim)
}
func (r *mutationResolver) CancelOrder(ctx context.Context, in model.OrderActionInput) (*store.ServiceOrder, error) {
	return r.orderAction(ctx, in, workflow.OrderCancel)
}
func (r *mutationResolver) CompleteOrder(ctx context.Context, in model.CompleteOrderInput) (*store.ServiceOrder, error) {
	return r.changeOrder(ctx, in.OrderID, store.OrderChange{ExpectedVersion: version(in.Version),
		Step: workflow.OrderStep{Action: workflow.OrderComplete, Hours: in.Hours, Content: in.Content}})
}
func (r *mutationResolver) RateOrder(ctx context.Context, in model.RateOrderInput) (*store.ServiceOrder, error) {
	return r.changeOrder(ctx, in.OrderID, store.OrderChange{ExpectedVersion: version(in.Version), RatingComment: str(in.Comment),
		Step: workflow.OrderStep{Action: workflow.OrderRate, Rating: in.Rating}})
}
func (r *mutationResolver) DeclineOrder(ctx context.Context, in model.DeclineOrderInput) (*store.ServiceOrder, error) {
	return r.changeOrder(ctx, in.OrderID, store.OrderChange{ExpectedVersion: version(in.Version),
		Step: workflow.OrderStep{Action: workflow.OrderDecline, Reason: in.Reason}})
}
func (r *mutationResolver) ReleaseOrder(ctx context.Context, in model.OrderActionInput) (*store.ServiceOrder, error) {
	return r.orderAction(ctx, in, workflow.OrderRelease)
}
func (r *mutationResolver) ReassignOrder(ctx context.Context, in model.ReassignOrderInput) (*store.ServiceOrder, error) {
	member, err := idOf("memberId", "PartyMember", in.MemberID)
	if err != nil {
		return nil, err
	}
	return r.changeOrder(ctx, in.OrderID, store.OrderChange{ExpectedVersion: version(in.Version), Note: str(in.Note),
		MemberID: member, Step: workflow.OrderStep{Action: workflow.OrderReassign}})
}

func (r *mutationResolver) ConfigureServiceCategory(ctx context.Context, in model.ConfigureServiceCategoryInput) (*store.ServiceCategory, error) {
	_, id, err := actingOn(ctx, "categoryId", "ServiceCategory", in.CategoryID)
	if err != nil {
		return nil, err
	}
	return r.Store.ConfigureServiceCategory(ctx, id, store.ServiceCategoryRules{ClaimWithinHours: in.ClaimWithinHours,
		CompleteWithinHours: in.CompleteWithinHours}, version(in.Version))
}

package resolvers

import (
	"context"

	"gridgov/apperr"
	"gridgov/auth"
	"gridgov/warehouse"
)

// IndicatorReader computes governance indicators in the warehouse for a token's scope.
type IndicatorReader interface {
	IndicatorsFor(ctx context.Context, allowed auth.Scope, s warehouse.Scope, p warehouse.Period) (*warehouse.Indicators, error)
}

func (r *queryResolver) Indicators(ctx context.Context, scope string, period warehouse.Period) (*warehouse.Indicators, error) {
	if r.Warehouse == nil {
		return nil, apperr.New(apperr.WarehouseUnavailable, "the warehouse is not configured")
	}
	s, err := warehouse.ParseScope(scope)
	if err != nil {
		return nil, apperr.Invalid("scope", "want \"city\" or the id of a street, community or grid")
	}
	return r.Warehouse.IndicatorsFor(ctx, auth.ScopeFrom(ctx), s, period)
}

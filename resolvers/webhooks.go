package resolvers

import (
	"context"
	"strings"
	"time"

	"gridgov/apperr"
	"gridgov/graph/model"
	"gridgov/store"
	"gridgov/webhook"
)

// Webhook endpoints: registered, rotated, enabled and deleted by city admins (auth.Policy); the worker
// that delivers to them is package webhook.

// defaultOverlap and maxOverlap bound how long a rotated secret keeps signing.
const (
	defaultOverlap = 24 * time.Hour
	maxOverlap     = 7 * 24 * time.Hour
)

func (r *mutationResolver) RegisterWebhook(ctx context.Context, in model.RegisterWebhookInput) (*model.WebhookSecret, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	var sc store.WebhookScope
	places := 0
	for _, p := range []struct {
		field, typ string
		id         *string
		dst        **int64
	}{{"streetId", "Street", in.StreetID, &sc.Street}, {"communityId", "Community", in.CommunityID, &sc.Community},
		{"gridId", "Grid", in.GridID, &sc.Grid}} {
		if *p.dst, err = optID(p.field, p.typ, p.id); err != nil {
			return nil, err
		}
		if *p.dst != nil {
			places++
		}
	}
	if places > 1 {
		return nil, apperr.Invalid("streetId", "name one place at most: a street, a community or a grid")
	}
	if err := r.WebhookGuard.CheckURL(ctx, in.URL); err != nil {
		return nil, apperr.Invalid("url", "%s", err.Error())
	}
	types := make([]string, len(in.EventTypes))
	for i, t := range in.EventTypes {
		types[i] = strings.ToLower(string(t))
	}
	secret := webhook.NewSecret()
	ep, err := r.Store.RegisterWebhook(ctx, a.PersonID, in.URL, types, sc, secret)
	if err != nil {
		return nil, err
	}
	return &model.WebhookSecret{Endpoint: ep, Secret: secret}, nil
}

func (r *mutationResolver) RotateWebhookSecret(ctx context.Context, in model.RotateWebhookSecretInput) (*model.WebhookSecret, error) {
	_, id, err := actingOn(ctx, "endpointId", "WebhookEndpoint", in.EndpointID)
	if err != nil {
		return nil, err
	}
	overlap := defaultOverlap
	if in.OverlapHours != nil {
		overlap = time.Duration(*in.OverlapHours) * time.Hour
		if overlap < 0 || overlap > maxOverlap {
			return nil, apperr.Invalid("overlapHours", "give 0 to 168 hours")
		}
	}
	secret := webhook.NewSecret()
	ep, err := r.Store.RotateWebhookSecret(ctx, id, secret, overlap)
	if err != nil {
		return nil, err
	}
	return &model.WebhookSecret{Endpoint: ep, Secret: secret}, nil
}

func (r *mutationResolver) EnableWebhook(ctx context.Context, in model.EnableWebhookInput) (*store.WebhookEndpoint, error) {
	_, id, err := actingOn(ctx, "endpointId", "WebhookEndpoint", in.EndpointID)
	if err != nil {
		return nil, err
	}
	return r.Store.EnableWebhook(ctx, id)
}

func (r *mutationResolver) DeleteWebhookEndpoint(ctx context.Context, in model.DeleteWebhookEndpointInput) (*store.WebhookEndpoint, error) {
	_, id, err := actingOn(ctx, "endpointId", "WebhookEndpoint", in.EndpointID)
	if err != nil {
		return nil, err
	}
	return r.Store.DeleteWebhookEndpoint(ctx, id)
}

func (r *queryResolver) WebhookEndpoints(ctx context.Context) ([]*store.WebhookEndpoint, error) {
	return r.Store.WebhookEndpoints(ctx)
}

func (r *queryResolver) WebhookDeliveries(ctx context.Context, endpointID string, last *int) ([]*store.WebhookDelivery, error) {
	id, err := idOf("endpointId", "WebhookEndpoint", endpointID)
	if err != nil {
		return nil, err
	}
	n := 20
	if last != nil {
		n = *last
	}
	if n < 1 || n > 100 {
		return nil, apperr.Invalid("last", "give 1 to 100")
	}
	return r.Store.WebhookDeliveries(ctx, id, n)
}

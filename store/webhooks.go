package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"gridgov/apperr"
	"gridgov/gid"
)

// WebhookEndpoint is an endpoint registered for webhooks (schema/postgres/00028); its secret is
// never read back, only given when it is made.
type WebhookEndpoint struct {
	ID                  int64
	URL                 string
	EventTypes          []string // issue, service_order, checkin
	PlaceID             *string  // the global id of its street, community or grid; nil: the city
	State               string   // active, disabled
	Failures            int
	DisabledAt          *time.Time
	DisabledReason      *string
	PreviousSecretUntil *time.Time
	CreatedAt           time.Time
}

// WebhookDelivery is one event's delivery to an endpoint, with its last attempt.
type WebhookDelivery struct {
	EventID       string
	EventType     string
	State         string // PENDING, DELIVERED, FAILED
	Attempts      int
	LastStatus    *int
	LastLatencyMs *int
	LastError     *string
	CreatedAt     time.Time
	DeliveredAt   *time.Time
	AttemptLog    []*WebhookAttempt // oldest first
}

// WebhookAttempt is one attempt to send a delivery (webhook_attempts).
type WebhookAttempt struct {
	At        time.Time `json:"at"`
	Status    *int      `json:"status"`
	LatencyMs int       `json:"latencyMs"`
	Error     *string   `json:"error"`
}

// WebhookScope is the place an endpoint receives the events of: one of the three, or none for
// the city.
type WebhookScope struct{ Street, Community, Grid *int64 }

const webhookColumns = `id, url, event_types, street_id, community_id, grid_id, state, failures, disabled_at, disabled_reason,
	CASE WHEN previous_until > now() THEN previous_until END, created_at`

func scanWebhook(r pgx.Row) (*WebhookEndpoint, error) {
	var w WebhookEndpoint
	var street, community, grid *int64
	if err := r.Scan(&w.ID, &w.URL, &w.EventTypes, &street, &community, &grid, &w.State, &w.Failures, &w.DisabledAt,
		&w.DisabledReason, &w.PreviousSecretUntil, &w.CreatedAt); err != nil {
		return nil, err
	}
	for _, p := range []struct {
		typ string
		id  *int64
	}{{"Grid", grid}, {"Community", community}, {"Street", street}} {
		if p.id != nil && w.PlaceID == nil {
			s := gid.Encode(p.typ, *p.id)
			w.PlaceID = &s
		}
	}
	return &w, nil
}

// RegisterWebhook records an endpoint with its secret; the URL was checked by the caller
// against the address guard. The place ids were resolved in the caller's scope already.
func (s *Store) RegisterWebhook(ctx context.Context, actor int64, url string, types []string, sc WebhookScope, secret string) (*WebhookEndpoint, error) {
	if len(types) == 0 {
		return nil, apperr.Invalid("eventTypes", "name at least one kind of event")
	}
	var out *WebhookEndpoint
	err := s.inTx(ctx, "register webhook", func(tx pgx.Tx) error {
		var err error
		out, err = scanWebhook(tx.QueryRow(ctx, `INSERT INTO webhook_endpoints (url, event_types, street_id, community_id, grid_id, secret, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, nullif($7, 0)) RETURNING `+webhookColumns, url, types, sc.Street, sc.Community, sc.Grid, secret, actor))
		return err
	})
	return out, err
}

// RotateWebhookSecret gives endpoint id a new secret; the old one keeps signing beside it for
// overlap.
func (s *Store) RotateWebhookSecret(ctx context.Context, id int64, secret string, overlap time.Duration) (*WebhookEndpoint, error) {
	return s.changeWebhook(ctx, "rotate webhook secret", `UPDATE webhook_endpoints SET previous_secret = secret,
		previous_until = now() + $2 * interval '1 second', secret = $3, version = version + 1, updated_at = now()
		WHERE id = $1 AND deleted_at IS NULL RETURNING `+webhookColumns, id, int64(overlap.Seconds()), secret)
}

// EnableWebhook turns endpoint id on again, its run of failures forgotten.
func (s *Store) EnableWebhook(ctx context.Context, id int64) (*WebhookEndpoint, error) {
	return s.changeWebhook(ctx, "enable webhook", `UPDATE webhook_endpoints SET state = 'active', failures = 0,
		disabled_at = NULL, disabled_reason = NULL, version = version + 1, updated_at = now()
		WHERE id = $1 AND deleted_at IS NULL RETURNING `+webhookColumns, id)
}

// DeleteWebhookEndpoint deletes endpoint id: no event is queued for it any more, and its pending
// deliveries are given up, so the outbox rows they held may be pruned.
func (s *Store) DeleteWebhookEndpoint(ctx context.Context, id int64) (*WebhookEndpoint, error) {
	return s.changeWebhook(ctx, "delete webhook", `WITH gone AS (
			UPDATE webhook_deliveries SET state = 'failed' WHERE endpoint_id = $1 AND state = 'pending'
				AND EXISTS (SELECT FROM webhook_endpoints WHERE id = $1 AND deleted_at IS NULL))
		UPDATE webhook_endpoints SET deleted_at = now(), version = version + 1, updated_at = now()
		WHERE id = $1 AND deleted_at IS NULL RETURNING `+webhookColumns, id)
}

func (s *Store) changeWebhook(ctx context.Context, op, sql string, args ...any) (*WebhookEndpoint, error) {
	var out *WebhookEndpoint
	err := s.inTx(ctx, op, func(tx pgx.Tx) error {
		var err error
		out, err = scanWebhook(tx.QueryRow(ctx, sql, args...))
		if isNoRows(err) {
			return notFound("webhook endpoint")
		}
		return err
	})
	return out, err
}

// WebhookEndpoints lists the endpoints, newest first.
func (s *Store) WebhookEndpoints(ctx context.Context) ([]*WebhookEndpoint, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+webhookColumns+` FROM webhook_endpoints WHERE deleted_at IS NULL ORDER BY id DESC`)
	if err != nil {
		return nil, MapError("webhook endpoints", err)
	}
	out, err := collect(rows, scanWebhook)
	return out, MapError("webhook endpoints", err)
}

// WebhookDeliveries lists endpoint's latest deliveries, newest first, with their last attempt.
func (s *Store) WebhookDeliveries(ctx context.Context, endpoint int64, last int) ([]*WebhookDelivery, error) {
	rows, err := s.pool.Query(ctx, `SELECT d.outbox_id::text, o.kind || '.' || o.action, upper(d.state), d.attempts,
			a.status, a.latency_ms, nullif(a.error, ''), d.created_at, d.delivered_at,
			(SELECT coalesce(json_agg(json_build_object('at', at, 'status', status, 'latencyMs', latency_ms,
				'error', nullif(error, '')) ORDER BY id), '[]') FROM webhook_attempts WHERE delivery_id = d.id)
		FROM webhook_deliveries d JOIN outbox o ON o.id = d.outbox_id
		LEFT JOIN LATERAL (SELECT status, latency_ms, error FROM webhook_attempts WHERE delivery_id = d.id ORDER BY id DESC LIMIT 1) a ON true
		WHERE d.endpoint_id = $1 ORDER BY d.id DESC LIMIT $2`, endpoint, last)
	if err != nil {
		return nil, MapError("webhook deliveries", err)
	}
	out, err := collect(rows, func(r pgx.Row) (*WebhookDelivery, error) {
		var d WebhookDelivery
		return &d, r.Scan(&d.EventID, &d.EventType, &d.State, &d.Attempts, &d.LastStatus, &d.LastLatencyMs, &d.LastError,
			&d.CreatedAt, &d.DeliveredAt, &d.AttemptLog)
	})
	return out, MapError("webhook deliveries", err)
}

package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"gridgov/apperr"
	"gridgov/auth"
)

// ServiceCategoryRules are a service category's times (nil: no limit).
type ServiceCategoryRules struct {
	ClaimWithinHours    *int
	CompleteWithinHours *int
}

func (r ServiceCategoryRules) check() error {
	for _, h := range []struct {
		field string
		v     *int
	}{{"claimWithinHours", r.ClaimWithinHours}, {"completeWithinHours", r.CompleteWithinHours}} {
		if h.v != nil && (*h.v < 1 || *h.v > 8760) {
			return apperr.Invalid(h.field, "give 1 to 8760 hours, or null for no limit")
		}
	}
	return nil
}

// ConfigureServiceCategory sets the times of a category, checking the version the client saw.
// Orders published or claimed already keep their due times; the new times apply to orders
// published and claimed from now on.
func (s *Store) ConfigureServiceCategory(ctx context.Context, id int64, r ServiceCategoryRules, expectedVersion *int64) (*ServiceCategory, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	var out *ServiceCategory
	err := s.inTx(ctx, "configure service category", func(tx pgx.Tx) error {
		cur, err := current(ctx, tx, serviceCategorySQL, id, auth.Scope{}, colsFor("service_categories", ""), scanServiceCategory,
			func(v *ServiceCategory) int64 { return v.Version }, expectedVersion, "service category")
		if err != nil {
			return err
		}
		out, err = scanServiceCategory(tx.QueryRow(ctx, `UPDATE service_categories SET claim_within_hours = $3,
			complete_within_hours = $4 WHERE id = $1 AND version = $2 RETURNING `+serviceCategoryColumns.list(""),
			cur.ID, cur.Version, r.ClaimWithinHours, r.CompleteWithinHours))
		if isNoRows(err) {
			return errConflict("service category")
		}
		return err
	})
	return out, err
}

// The scheduler's steps of the order cycle: an order still published past its claim due time
// is flagged unclaimed, one still claimed past its completion due time unfinished; each once
// per order, with a history entry (action flag, no actor, role system). Like the issue steps,
// each is one statement that locks the orders it changes and changes them only while unflagged,
// so a step run twice, or by two processes at once, flags an order once.

// flagOrderSQL is the statement of a flag step: state, due column, flag column and note.
func flagOrderSQL(state, due, flag, note string) string {
	return `WITH due AS (
	SELECT o.id FROM service_orders o
	WHERE o.deleted_at IS NULL AND o.state = '` + state + `' AND o.` + due + ` < $1 AND o.` + flag + ` IS NULL
	ORDER BY o.id LIMIT $2 FOR UPDATE OF o SKIP LOCKED
), flagged AS (
	UPDATE service_orders o SET ` + flag + ` = $1 FROM due WHERE o.id = due.id AND o.` + flag + ` IS NULL
	RETURNING o.id, o.street_id, o.community_id, o.grid_id, o.state, o.` + due + ` AS due_at
)
INSERT INTO order_events (order_id, street_id, community_id, grid_id, actor_role, action, from_state, to_state, note, at)
SELECT id, street_id, community_id, grid_id, 'system', 'flag', state, state,
	'` + note + `: due ' || to_char(due_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI'), $1 FROM flagged`
}

var (
	flagUnclaimedSQL  = flagOrderSQL("published", "claim_due_at", "unclaimed_flagged_at", "超时未接单")
	flagUnfinishedSQL = flagOrderSQL("claimed", "complete_due_at", "unfinished_flagged_at", "超时未完成")
)

// FlagUnclaimedOrders flags, at now, the orders not claimed in time; it gives how many.
func (s *Store) FlagUnclaimedOrders(ctx context.Context, now time.Time) (int, error) {
	return s.step(ctx, "flag unclaimed orders", flagUnclaimedSQL, now)
}

// FlagUnfinishedOrders flags, at now, the orders not completed in time; it gives how many.
func (s *Store) FlagUnfinishedOrders(ctx context.Context, now time.Time) (int, error) {
	return s.step(ctx, "flag unfinished orders", flagUnfinishedSQL, now)
}

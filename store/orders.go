package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"gridgov/apperr"
	"gridgov/auth"
	"gridgov/workflow"
)

// ServiceCategory is one of the 13 categories of the service-project list (项目清单).
type ServiceCategory struct {
	ID     int64
	Code   string
	Name   string
	NameZh string
	// Hours within which an order is to be claimed after publishing, and completed after
	// claiming; nil: no limit.
	ClaimWithinHours    *int
	CompleteWithinHours *int
	Version             int64
}

// ServiceOrder is a resident's service need on its way through order, dispatch, accept
// (群众点单、网格下单、党员接单).
type ServiceOrder struct {
	ID            int64
	StreetID      int64
	CommunityID   int64
	GridID        int64
	BuildingID    *int64
	CategoryID    int64
	ResidentID    int64
	Title         string
	Description   string
	State         string
	PostedAt      time.Time
	PublishedAt   *time.Time
	PublishedBy   *int64
	ClaimedBy     *int64
	ClaimedAt     *time.Time
	CompletedAt   *time.Time
	Hours         *float64
	Result        *string
	Rating        *int
	RatingComment *string
	RatedAt       *time.Time
	DeclineReason *string
	// Due times taken from the category when published and claimed, and when the scheduler
	// flagged the order as not claimed or not completed in time.
	ClaimDueAt          *time.Time
	CompleteDueAt       *time.Time
	UnclaimedFlaggedAt  *time.Time
	UnfinishedFlaggedAt *time.Time
	Version             int64
}

// Late says whether at now the order waits past its due time: published and not claimed
// by ClaimDueAt, or claimed and not completed by CompleteDueAt.
func (o *ServiceOrder) Late(now time.Time) bool {
	switch workflow.OrderState(o.State) {
	case workflow.OrderPublished:
		return o.ClaimDueAt != nil && now.After(*o.ClaimDueAt)
	case workflow.OrderClaimed:
		return o.CompleteDueAt != nil && now.After(*o.CompleteDueAt)
	}
	return false
}

// lateSQL is ServiceOrder.Late in SQL, at now().
const lateSQL = `((state = 'published' AND claim_due_at < now()) OR (state = 'claimed' AND complete_due_at < now()))`

// OrderEvent is one entry of an order's immutable history.
type OrderEvent struct {
	ID        int64
	OrderID   int64
	ActorID   *int64
	ActorRole string
	Action    string
	FromState *string
	ToState   string
	Note      string
	At        time.Time
}

var (
	orderCols          = orderColumns.list("")
	orderSQL           = `SELECT ` + orderCols + ` FROM service_orders`
	serviceCategorySQL = `SELECT ` + serviceCategoryColumns.list("") + ` FROM service_categories`
)

var orderColumns = cols(func(o *ServiceOrder) []column {
	return []column{
		col("id", &o.ID), col("street_id", &o.StreetID), col("community_id", &o.CommunityID), col("grid_id", &o.GridID),
		col("building_id", &o.BuildingID), col("category_id", &o.CategoryID), col("resident_id", &o.ResidentID),
		col("title", &o.Title), col("description", &o.Description), label("state", &o.State), col("posted_at", &o.PostedAt),
		col("published_at", &o.PublishedAt), col("published_by", &o.PublishedBy), col("claimed_by", &o.ClaimedBy),
		col("claimed_at", &o.ClaimedAt), col("completed_at", &o.CompletedAt), col("hours::float8", &o.Hours),
		col("result", &o.Result), col("rating", &o.Rating), col("rating_comment", &o.RatingComment),
		col("rated_at", &o.RatedAt), col("decline_reason", &o.DeclineReason), col("claim_due_at", &o.ClaimDueAt),
		col("complete_due_at", &o.CompleteDueAt), col("unclaimed_flagged_at", &o.UnclaimedFlaggedAt),
		col("unfinished_flagged_at", &o.UnfinishedFlaggedAt), col("version", &o.Version),
	}
})

func scanOrder(r pgx.Row) (*ServiceOrder, error) { return orderColumns.scan(r) }

var serviceCategoryColumns = cols(func(o *ServiceCategory) []column {
	return []column{
		col("id", &o.ID), col("code", &o.Code), col("name", &o.Name), col("name_zh", &o.NameZh),
		col("claim_within_hours", &o.ClaimWithinHours), col("complete_within_hours", &o.CompleteWithinHours),
		col("version", &o.Version),
	}
})

func scanServiceCategory(r pgx.Row) (*ServiceCategory, error) { return serviceCategoryColumns.scan(r) }

var orderEventColumns = cols(func(o *OrderEvent) []column {
	return historyColumns("order_id", &o.OrderID, &o.ID, &o.ActorID, &o.ActorRole, &o.Action, &o.FromState, &o.ToState, &o.Note, &o.At)
})

// OrderFilter narrows a list of service orders.
type OrderFilter struct {
	Place       PlaceFilter
	States      []string
	CategoryIDs []int64
	PostedFrom  *time.Time
	PostedTo    *time.Time
	Search      string
	ResidentID  *int64
	ClaimedBy   *int64
	Late        *bool
}

var orderKeys = map[string]sortKey{
	"POSTED_AT": {name: "POSTED_AT", expr: "posted_at", kind: keyTime},
}

// Orders lists service orders by posting time.
func (s *Store) Orders(ctx context.Context, sc auth.Scope, f OrderFilter, desc bool, p Page) (Conn[*ServiceOrder], error) {
	q := &query{}
	q.where("deleted_at IS NULL")
	q.scoped(sc, colsFor("service_orders", ""))
	f.Place.apply(q, placeCols)
	if len(f.States) > 0 {
		q.where("state = ANY(?)", f.States)
	}
	if len(f.CategoryIDs) > 0 {
		q.where("category_id = ANY(?)", f.CategoryIDs)
	}
	q.span("posted_at", f.PostedFrom, f.PostedTo)
	q.gramSearch(f.Search)
	if f.ResidentID != nil {
		q.where("resident_id = ?", *f.ResidentID)
	}
	if f.ClaimedBy != nil {
		q.where("claimed_by = ?", *f.ClaimedBy)
	}
	if f.Late != nil {
		cond := lateSQL
		if !*f.Late {
			cond = "NOT " + cond
		}
		q.where(cond)
	}
	return listPage(ctx, s, "list service orders", "service_orders", orderSQL, q, orderKeys["POSTED_AT"], desc, p, scanOrder,
		func(o *ServiceOrder) (any, int64) { return o.PostedAt, o.ID })
}

// OrdersByID loads orders by id, within scope.
var OrdersByID = rowsByID("load service orders", orderSQL, "service_orders", scanOrder, func(v *ServiceOrder) int64 { return v.ID })

// ServiceCategoriesByID loads service categories by id.
var ServiceCategoriesByID = rowsByID("load service categories", serviceCategorySQL, "service_categories", scanServiceCategory, func(v *ServiceCategory) int64 { return v.ID })

// ServiceCategories lists the service categories by code.
func (s *Store) ServiceCategories(ctx context.Context) ([]*ServiceCategory, error) {
	return referenceList(ctx, s, "list service categories", serviceCategorySQL, scanServiceCategory)
}

// OrderEvents reads, for each key, the last N events of an order, oldest first.
var OrderEvents = lastEvents("load order events", "order_events", "order_id", orderEventColumns, func(e *OrderEvent) int64 { return e.OrderID })

// NewOrder is what a resident's posting carries.
type NewOrder struct {
	CategoryID  int64
	GridID      int64
	BuildingID  *int64
	Title       string
	Description string
}

// PostOrder records a resident's need in state posted, with its first event.
func (s *Store) PostOrder(ctx context.Context, sc auth.Scope, actor auth.Actor, in NewOrder) (*ServiceOrder, error) {
	if in.Title == "" {
		return nil, apperr.Invalid("title", "an order needs a title")
	}
	var out *ServiceOrder
	err := s.inTx(ctx, "post order", func(tx pgx.Tx) error {
		street, community, err := gridPlace(ctx, tx, sc, in.GridID)
		if err != nil {
			return err
		}
		out, err = scanOrder(tx.QueryRow(ctx, `INSERT INTO service_orders (street_id, community_id, grid_id, building_id,
			category_id, resident_id, title, description) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING `+orderCols,
			street, community, in.GridID, in.BuildingID, in.CategoryID, actor.PersonID, in.Title, in.Description))
		if err != nil {
			return err
		}
		return appendOrderEvent(ctx, tx, out, actor, string(workflow.OrderPost), "", out.State, "")
	})
	return out, err
}

func appendOrderEvent(ctx context.Context, tx pgx.Tx, o *ServiceOrder, actor auth.Actor, action, from, to, note string) error {
	return appendEvent(ctx, tx, actor, historyEvent{"order_events", "order_id", o.ID, o.StreetID, o.CommunityID, o.GridID,
		action, from, to, note})
}

// OrderChange is one transition request on an order.
type OrderChange struct {
	Step            workflow.OrderStep
	ExpectedVersion *int64
	RatingComment   string
	Note            string
	MemberID        int64 // reassign: the member who is to serve
}

// dueIn is the due time a category's column of hours gives from now (NULL: no limit).
func dueIn(column string) string {
	return `now() + (SELECT make_interval(hours => c.` + column + `) FROM service_categories c WHERE c.id = category_id)`
}

// ChangeOrder applies one transition to an order in one transaction: state machine check,
// who may do it, a version-checked update (so of concurrent claims exactly one wins), the
// event, and for completion the service-ledger record.
func (s *Store) ChangeOrder(ctx context.Context, sc auth.Scope, actor auth.Actor, id int64, ch OrderChange) (*ServiceOrder, error) {
	var out *ServiceOrder
	err := s.inTx(ctx, "change order", func(tx pgx.Tx) error {
		q := &query{}
		q.where("id = ?", id)
		q.where("deleted_at IS NULL")
		q.scoped(sc, colsFor("service_orders", ""))
		cur, err := scanOrder(tx.QueryRow(ctx, orderSQL+q.sql(), q.args...))
		if isNoRows(err) {
			return notFound("service order")
		}
		if err != nil {
			return err
		}
		if ch.ExpectedVersion != nil && *ch.ExpectedVersion != cur.Version {
			return errConflict("service order")
		}
		to, err := workflow.NextOrder(workflow.OrderState(cur.State), ch.Step)
		if err != nil {
			return err
		}
		u := &query{}
		set, err := orderSet(ctx, tx, actor, cur, &ch, u)
		if err != nil {
			return err
		}
		set = "state = " + u.arg(string(to)) + set
		sql := "UPDATE service_orders SET " + set + " WHERE id = " + u.arg(cur.ID) + " AND version = " + u.arg(cur.Version) +
			" RETURNING " + orderCols
		out, err = scanOrder(tx.QueryRow(ctx, sql, u.args...))
		if isNoRows(err) {
			return errConflict("service order")
		}
		if err != nil {
			return err
		}
		if ch.Step.Action == workflow.OrderComplete {
			// The ledger (服务台账) records the service on the day it was completed.
			if _, err := tx.Exec(ctx, `INSERT INTO service_records (member_id, street_id, community_id, grid_id, order_id,
				served_on, hours, content) VALUES ($1, $2, $3, $4, $5, current_date, $6, $7)`,
				*out.ClaimedBy, out.StreetID, out.CommunityID, out.GridID, out.ID, ch.Step.Hours, ch.Step.Content); err != nil {
				return err
			}
		}
		return appendOrderEvent(ctx, tx, out, actor, string(ch.Step.Action), cur.State, out.State, ch.Note)
	})
	return out, err
}

// orderSet gives what the update of an order sets for the step of ch, besides its state (each
// part starting ", "), once it has checked who may take the step: the resident never serves,
// declines, reassigns or completes their own order; a member releases or completes only what
// they claimed; only the resident rates it, and not the order they served themself.
func orderSet(ctx context.Context, tx pgx.Tx, actor auth.Actor, cur *ServiceOrder, ch *OrderChange, u *query) (string, error) {
	switch ch.Step.Action {
	case workflow.OrderPublish:
		return ", published_at = now(), published_by = " + u.arg(actor.PersonID) +
			", claim_due_at = coalesce(claim_due_at, " + dueIn("claim_within_hours") + ")", nil
	case workflow.OrderClaim:
		if cur.ResidentID == actor.PersonID {
			return "", ownOrder("serve")
		}
		memberID, err := claimant(ctx, tx, actor, cur)
		if err != nil {
			return "", err
		}
		return ", claimed_by = " + u.arg(memberID) + ", claimed_at = now(), complete_due_at = " + dueIn("complete_within_hours"), nil
	case workflow.OrderDecline:
		if cur.ResidentID == actor.PersonID {
			return "", ownOrder("decline")
		}
		ch.Note = ch.Step.Reason
		return ", decline_reason = " + u.arg(ch.Step.Reason), nil
	case workflow.OrderRelease:
		if err := releaser(ctx, tx, actor, cur); err != nil {
			return "", err
		}
		return ", claimed_by = NULL, claimed_at = NULL, complete_due_at = NULL", nil
	case workflow.OrderReassign:
		if err := reassignable(ctx, tx, actor, cur, ch.MemberID); err != nil {
			return "", err
		}
		return ", claimed_by = " + u.arg(ch.MemberID) + ", claimed_at = now(), complete_due_at = " + dueIn("complete_within_hours"), nil
	case workflow.OrderComplete:
		if cur.ResidentID == actor.PersonID {
			return "", ownOrder("complete")
		}
		if err := mustBeClaimant(ctx, tx, actor, cur, "complete"); err != nil {
			return "", err
		}
		return ", completed_at = now(), hours = " + u.arg(ch.Step.Hours) + ", result = " + u.arg(ch.Step.Content), nil
	case workflow.OrderRate:
		if actor.PersonID != cur.ResidentID {
			return "", apperr.New(apperr.Forbidden, "only the resident who posted the order can rate it")
		}
		if cur.ClaimedBy != nil {
			if err := notOwn(ctx, tx, actor, *cur.ClaimedBy, "rates an order they served"); err != nil {
				return "", err
			}
		}
		return ", rating = " + u.arg(ch.Step.Rating) + ", rating_comment = " + u.arg(ch.RatingComment) + ", rated_at = now()", nil
	}
	return "", nil
}

// claimant finds the acting person's party-member record and checks that they are checked
// in to the order's grid: only a grid's own members take its orders.
func claimant(ctx context.Context, tx pgx.Tx, actor auth.Actor, o *ServiceOrder) (int64, error) {
	var memberID int64
	err := tx.QueryRow(ctx, `SELECT id FROM party_members WHERE person_id = $1 AND deleted_at IS NULL`, actor.PersonID).Scan(&memberID)
	if isNoRows(err) {
		return 0, apperr.New(apperr.Forbidden, "only a checked-in party member can claim an order")
	}
	if err != nil {
		return 0, err
	}
	in, err := checkedInTo(ctx, tx, memberID, o.GridID)
	if err != nil {
		return 0, err
	}
	if !in {
		return 0, apperr.New(apperr.Forbidden, "only a party member checked in to the order's grid can claim it")
	}
	return memberID, nil
}

// checkedInTo says whether a member has a verified check-in and is assigned to the grid.
func checkedInTo(ctx context.Context, tx pgx.Tx, memberID, gridID int64) (bool, error) {
	var in bool
	err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM party_members m WHERE m.id = $1 AND m.grid_id = $2
		AND m.deleted_at IS NULL AND EXISTS (SELECT 1 FROM checkins c WHERE c.member_id = m.id AND c.state = 'verified'
		AND c.deleted_at IS NULL))`, memberID, gridID).Scan(&in)
	return in, err
}

// releaser checks who gives a claimed order back to the demand list: a party member only the
// order they claimed; the grid any, but not a request of its own.
func releaser(ctx context.Context, tx pgx.Tx, actor auth.Actor, o *ServiceOrder) error {
	if actor.Role == "party_member" {
		return mustBeClaimant(ctx, tx, actor, o, "release")
	}
	if o.ResidentID == actor.PersonID {
		return ownOrder("release")
	}
	return nil
}

// reassignable checks a reassignment by the grid: not of the caller's own request, to a
// member checked in to the order's grid who is not the resident who posted it nor the
// member who holds it now.
func reassignable(ctx context.Context, tx pgx.Tx, actor auth.Actor, o *ServiceOrder, memberID int64) error {
	if o.ResidentID == actor.PersonID {
		return ownOrder("reassign")
	}
	if o.ClaimedBy != nil && *o.ClaimedBy == memberID {
		return apperr.Invalid("memberId", "the member holds the order already")
	}
	person, err := memberPerson(ctx, tx, memberID)
	if err != nil {
		return err
	}
	if person == o.ResidentID {
		return ownOrder("serve")
	}
	in, err := checkedInTo(ctx, tx, memberID, o.GridID)
	if err != nil {
		return err
	}
	if !in {
		return apperr.Invalid("memberId", "the member is not checked in to the order's grid")
	}
	return nil
}

func mustBeClaimant(ctx context.Context, tx pgx.Tx, actor auth.Actor, o *ServiceOrder, what string) error {
	personID, err := memberPerson(ctx, tx, *o.ClaimedBy)
	if err != nil {
		return err
	}
	if personID != actor.PersonID {
		return apperr.New(apperr.Forbidden, "only the member who claimed the order can %s it", what)
	}
	return nil
}

// memberPerson gives the person a party-member record belongs to.
func memberPerson(ctx context.Context, q querier, memberID int64) (int64, error) {
	var personID int64
	err := q.QueryRow(ctx, `SELECT person_id FROM party_members WHERE id = $1`, memberID).Scan(&personID)
	return personID, err
}

// notOwn refuses, with CONFLICT_OF_INTEREST, a decision about the party member memberID taken
// by that member themself: what a check-in, a rating or a served order says must come from
// someone else.
func notOwn(ctx context.Context, q querier, actor auth.Actor, memberID int64, what string) error {
	person, err := memberPerson(ctx, q, memberID)
	if err != nil {
		return err
	}
	if person == actor.PersonID {
		return apperr.New(apperr.ConflictOfInterest, "no one %s", what)
	}
	return nil
}

// ownOrder refuses to let the resident who posted an order serve or complete it: the service
// ledger would hold hours they gave themselves.
func ownOrder(what string) error {
	return apperr.New(apperr.ConflictOfInterest, "the same person cannot post an order and %s it", what)
}

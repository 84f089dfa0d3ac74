package workflow

import "gridgov/apperr"

// OrderState is where a service order stands.
type OrderState string

// The states of a service order, as stored in service_orders.state.
const (
	OrderPosted    OrderState = "posted"    // 群众点单: a resident asked
	OrderPublished OrderState = "published" // 网格下单: on the grid's demand list
	OrderClaimed   OrderState = "claimed"   // 党员接单: a member took it
	OrderCompleted OrderState = "completed"
	OrderRated     OrderState = "rated"
	OrderCancelled OrderState = "cancelled"
	OrderDeclined  OrderState = "declined" // the grid declined the resident's request, with a reason
)

// OrderAction is something done to an order; order_events.action records it.
type OrderAction string

// The actions of the order cycle. Post creates an order and is not a transition.
const (
	OrderPost     OrderAction = "post"
	OrderPublish  OrderAction = "publish"
	OrderClaim    OrderAction = "claim"
	OrderComplete OrderAction = "complete"
	OrderRate     OrderAction = "rate"
	OrderCancel   OrderAction = "cancel"
	OrderDecline  OrderAction = "decline"  // the grid will not take up a posted request
	OrderRelease  OrderAction = "release"  // a claimed order goes back to the demand list
	OrderReassign OrderAction = "reassign" // the grid gives the order to another member
	// OrderFlag is the scheduler's entry when an order goes unclaimed or unfinished past its
	// category's time; it changes no state and is not in the table.
	OrderFlag OrderAction = "flag"
)

// orderMoves is the order machine: a resident's request is published by the grid (or
// declined, with a reason), claimed by a member or reassigned by the grid to one, released
// back to the demand list, completed and rated. Cancelled, declined and rated are final.
var orderMoves = map[OrderState]map[OrderAction]OrderState{
	OrderPosted:    {OrderPublish: OrderPublished, OrderCancel: OrderCancelled, OrderDecline: OrderDeclined},
	OrderPublished: {OrderClaim: OrderClaimed, OrderCancel: OrderCancelled, OrderReassign: OrderClaimed},
	OrderClaimed:   {OrderComplete: OrderCompleted, OrderRelease: OrderPublished, OrderReassign: OrderClaimed},
	OrderCompleted: {OrderRate: OrderRated},
	OrderRated:     {},
	OrderCancelled: {},
	OrderDeclined:  {},
}

// OrderStep is one requested change with what some actions need.
type OrderStep struct {
	Action  OrderAction
	Hours   float64 // complete
	Content string  // complete
	Rating  int     // rate
	Reason  string  // decline
}

// Valid reports whether s is a known state.
func (s OrderState) Valid() bool { _, ok := orderMoves[s]; return ok }

// NextOrder gives the state an order moves to under step, or an INVALID_TRANSITION error
// naming its current state, or BAD_USER_INPUT when the step lacks what it needs.
func NextOrder(cur OrderState, step OrderStep) (OrderState, error) {
	to, ok := orderMoves[cur][step.Action]
	if !ok {
		return "", refuse("a service order", string(step.Action), string(cur))
	}
	switch step.Action {
	case OrderComplete:
		if !(step.Hours > 0 && step.Hours <= 24) {
			return "", apperr.Invalid("hours", "service hours must be more than 0 and at most 24")
		}
		if step.Content == "" {
			return "", apperr.Invalid("content", "say what was done")
		}
	case OrderDecline:
		if step.Reason == "" {
			return "", apperr.Invalid("reason", "say why the request is declined")
		}
	case OrderRate:
		if step.Rating < 1 || step.Rating > 5 {
			return "", apperr.Invalid("rating", "a rating must be between 1 and 5")
		}
	}
	return to, nil
}

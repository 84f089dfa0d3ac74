// Package workflow holds gridgov's state machines: the issue register (问题交办 → 销号), the
// order/dispatch/accept cycle (群众点单、网格下单、党员接单) and check-in (报到). Each machine
// is a table of allowed transitions and a pure function over it, so the rules live in one
// place, are easy to read against the source report, and can be fuzzed. Stores call these
// functions inside the transaction that writes the change; nothing here touches a database.
package workflow

import (
	"gridgov/apperr"
)

// refuse builds the INVALID_TRANSITION error every machine returns: it names the current
// state, so a client can tell a stale screen from a wrong button.
func refuse(entity, action, state string) error {
	return apperr.New(apperr.InvalidTransition, "cannot %s %s that is %s", action, entity, state)
}

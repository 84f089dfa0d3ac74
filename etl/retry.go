package etl

import (
	"context"
	"errors"

	"gridgov/store"
	"gridgov/warehouse"
)

// retryable says whether err is transient, by the classifier of the database it came from
// (store.Transient for Postgres, warehouse.Transient for ClickHouse): the network, a server
// restarting or overloaded, a serialisation failure. Anything else (a bad row, a schema
// mismatch, a crash injected by a test, a cancelled run, another ETL holding the lock) stops
// the run.
func retryable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, ErrLocked) {
		return false
	}
	return store.Transient(err) || warehouse.Transient(err)
}

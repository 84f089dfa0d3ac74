package warehouse

import (
	"context"
	"errors"
	"io"
	"net"
	"syscall"

	"github.com/ClickHouse/clickhouse-go/v2"

	"gridgov/apperr"
)

// transientCodes are the ClickHouse errors worth retrying: the server is busy, restarting or
// for a moment unable, not refusing the query or the data.
var transientCodes = map[int32]bool{
	CodeUnexpectedEndOfFile:        true,
	CodeTimeoutExceeded:            true,
	CodeReadonly:                   true,
	CodeTooManySimultaneousQueries: true,
	CodeNoFreeConnection:           true,
	CodeSocketTimeout:              true,
	CodeNetworkError:               true,
	CodeAborted:                    true,
	CodeMemoryLimitExceeded:        true,
	CodeTableIsReadOnly:            true,
	CodeTooManyParts:               true,
	CodeTooFewLiveReplicas:         true,
	CodeAllConnectionTriesFailed:   true,
	CodeUnknownStatusOfInsert:      true,
	CodeQueryWasCancelled:          true,
	CodeSystemError:                true,
	CodeKeeperException:            true,
}

// HasCode reports whether err is, or wraps, a ClickHouse exception with code.
func HasCode(err error, code int32) bool {
	var ex *clickhouse.Exception
	return errors.As(err, &ex) && ex.Code == code
}

// Transient reports whether err is worth retrying against ClickHouse: it could not be reached
// (IsUnavailable), or it answered with one of transientCodes. The ETL retries exactly these.
func Transient(err error) bool {
	var ex *clickhouse.Exception
	if errors.As(err, &ex) {
		return transientCodes[ex.Code]
	}
	return IsUnavailable(err)
}

// unreachableCodes are the errors a server reports when it could not reach another: on a
// cluster, no replica of some shard answered, so no complete answer can be given.
var unreachableCodes = map[int32]bool{
	CodeAllConnectionTriesFailed: true,
	CodeNetworkError:             true,
	CodeSocketTimeout:            true,
}

// IsUnavailable tells whether err means ClickHouse could not be reached (refused, reset,
// timed out, no connection to be had; on a cluster, a shard of which no replica answered), as
// opposed to an error ClickHouse reported.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var ex *clickhouse.Exception
	if errors.As(err, &ex) {
		return unreachableCodes[ex.Code]
	}
	if errors.Is(err, context.Canceled) {
		return false
	}
	var ne net.Error
	var oe *net.OpError
	return errors.As(err, &ne) || errors.As(err, &oe) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, clickhouse.ErrAcquireConnTimeout) ||
		errors.Is(err, context.DeadlineExceeded)
}

// Unavailable wraps err as WAREHOUSE_UNAVAILABLE when ClickHouse could not be reached, and
// leaves any other error as it is.
func Unavailable(err error) error {
	if IsUnavailable(err) {
		return apperr.Wrap(err, apperr.WarehouseUnavailable, "the warehouse (ClickHouse) is unavailable; indicators cannot be computed now")
	}
	return err
}

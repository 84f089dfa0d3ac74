// Package apperr holds gridgov's one application error type. Stores and domain rules return
// an *Error with a code a client can act on; anything else is an internal error whose text is
// logged, never shown. The codes are the GraphQL extensions.code values.
package apperr

import (
	"errors"
	"fmt"
)

// Code classifies an error for clients and metrics.
type Code string

// The codes a client can see.
const (
	BadUserInput      Code = "BAD_USER_INPUT"
	NotFound          Code = "NOT_FOUND"
	Unauthenticated   Code = "UNAUTHENTICATED"
	Forbidden         Code = "FORBIDDEN"
	Conflict          Code = "CONFLICT"
	InvalidTransition Code = "INVALID_TRANSITION"
	// ConflictOfInterest: the acting person is a party to what they would decide (their own
	// order, check-in, dispute or rating); someone else must do it.
	ConflictOfInterest Code = "CONFLICT_OF_INTEREST"
	Internal           Code = "INTERNAL"
	// Unavailable: the operational database does not answer for a moment (a restart, a
	// failover); nothing was written, and the same request can be retried.
	Unavailable Code = "UNAVAILABLE"
	// WarehouseUnavailable: ClickHouse does not answer; indicators and analytics fail, the
	// operational API keeps working.
	WarehouseUnavailable Code = "WAREHOUSE_UNAVAILABLE"
)

// Refusals: a request refused by a limit before (or while) it runs; nothing is written.
const (
	// DepthLimit: the operation nests fields deeper than GRIDGOV_MAX_DEPTH.
	DepthLimit Code = "DEPTH_LIMIT"
	// ComplexityLimit: the operation costs more than GRIDGOV_MAX_COMPLEXITY.
	ComplexityLimit Code = "COMPLEXITY_LIMIT"
	// BatchLimit: the request body is a batch (a JSON array); one operation per request.
	BatchLimit Code = "BATCH_LIMIT"
	// BodyLimit: the request body is larger than GRIDGOV_MAX_BODY_BYTES.
	BodyLimit Code = "BODY_LIMIT"
	// Timeout: the request ran longer than GRIDGOV_REQUEST_TIMEOUT; its queries were cancelled.
	Timeout Code = "TIMEOUT"
	// RateLimited: the token made more requests than GRIDGOV_RATE_LIMIT allows; retry later.
	RateLimited Code = "RATE_LIMITED"
	// OperationNotAllowed: allow-list mode, and the operation is not registered.
	OperationNotAllowed Code = "OPERATION_NOT_ALLOWED"
)

// Error is an error meant for a client: a code, a message safe to show, and the input field
// it concerns, if any.
type Error struct {
	Code    Code
	Message string
	Field   string
	cause   error
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s (%s)", e.Code, e.Message, e.Field)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap gives the cause, for logs.
func (e *Error) Unwrap() error { return e.cause }

// New makes an error with a code and a message safe to show.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid makes a BAD_USER_INPUT error about one input field.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Code: BadUserInput, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Wrap keeps cause for the logs behind an error safe to show.
func Wrap(cause error, code Code, message string) *Error {
	return &Error{Code: code, Message: message, cause: cause}
}

// CodeOf gives the code of the first *Error in err's chain, or INTERNAL.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

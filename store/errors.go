package store

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"gridgov/apperr"
)

// constraintMessages says, in words a user understands, what a named constraint protects.
// Constraints not listed get a message built from the kind of violation.
var constraintMessages = map[string]struct{ field, message string }{
	"year_ratings_grade_valid":             {"grade", "a year-end rating must be good, fair, average or poor"},
	"year_ratings_one_per_year":            {"year", "this member already has a rating for that year"},
	"service_records_hours_valid":          {"hours", "service hours must be more than 0 and at most 24"},
	"service_orders_hours_valid":           {"hours", "service hours must be more than 0 and at most 24"},
	"work_logs_hours_valid":                {"hours", "hours must be between 0 and 24"},
	"activity_participants_hours_valid":    {"hours", "hours must be between 0 and 24"},
	"checkins_one_per_member":              {"memberId", "this member has already checked in (or has a check-in waiting for verification)"},
	"checkins_reject_reason":               {"reason", "a rejected check-in needs a reason"},
	"grids_community_fk":                   {"communityId", "the grid's community does not exist in that street"},
	"service_orders_rating_valid":          {"rating", "a rating must be between 1 and 5"},
	"people_phone_valid":                   {"phone", "not a valid phone number"},
	"people_id_number_valid":               {"idNumber", "not a valid 18-character ID number"},
	"people_id_number_unique":              {"idNumber", "a person with this ID number already exists"},
	"building_appointments_one_leader":     {"buildingId", "this building already has a building leader"},
	"volunteer_teams_owner_matches_type":   {"teamType", "a team is of a municipal_agency (with a unit), a social_organisation (with an organisation) or a town_street (with a street)"},
	"volunteers_person_id_key":             {"personId", "this person is already a registered volunteer"},
	"work_logs_kind_valid":                 {"kind", "not a kind of grid work"},
	"work_logs_people_nonnegative":         {"peopleServed", "people served cannot be negative"},
	"activity_participants_once":           {"participants", "a person takes part in an activity once"},
	"activities_times_ordered":             {"endsAt", "an activity ends after it starts"},
	"activities_people_nonnegative":        {"peopleServed", "people served cannot be negative"},
	"joint_meetings_attendees_nonnegative": {"attendees", "attendees cannot be negative"},
	"volunteer_teams_type_valid":           {"teamType", "a team type must be municipal_agency, social_organisation or town_street"},
	"grid_assignments_current":             {"cadreId", "the cadre already holds this role in the grid"},
	"governance_instructors_current":       {"personId", "this person is already a current governance instructor"},
	"partners_current":                     {"personId", "this person is already a current partner"},
	"residents_current":                    {"personId", "this person already has a current resident's record"},
	"duty_shifts_one_a_day":                {"onDate", "the cadre is already on duty at this centre that day"},
	"residents_household_positive":         {"householdSize", "a household has at least one person"},
}

// MapError turns a database error into an application error with a clear message, or wraps
// it as internal. Constraint and driver text never reach the message; they stay in the cause.
func MapError(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return apperr.Wrap(err, apperr.NotFound, "not found")
	}
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return err
	}
	if Unavailable(err) {
		return apperr.Wrap(err, apperr.Unavailable, "the database is unavailable for a moment; nothing was written, try again")
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", op, err)
	}
	if m, ok := constraintMessages[pe.ConstraintName]; ok {
		e := apperr.Wrap(err, codeFor(pe.Code), m.message)
		e.Field = m.field
		return e
	}
	switch pe.Code {
	case "23505":
		return apperr.Wrap(err, apperr.Conflict, "a record with these values already exists")
	case "23503":
		return apperr.Wrap(err, apperr.BadUserInput, "a referenced record does not exist, or is still referenced")
	case "23514", "23502", "22P02", "22003", "22007", "22008", "23P01":
		return apperr.Wrap(err, apperr.BadUserInput, "a value is out of range or missing")
	case "22021", "22P05": // character_not_in_repertoire, untranslatable_character: U+0000 in text
		return apperr.Wrap(err, apperr.BadUserInput, "a text holds a character that cannot be stored (such as U+0000)")
	case stateSerializationFailure, stateDeadlockDetected:
		return apperr.Wrap(err, apperr.Conflict, "the record was changed concurrently; try again")
	}
	return fmt.Errorf("%s: %w", op, err)
}

func codeFor(sqlstate string) apperr.Code {
	if sqlstate == "23505" {
		return apperr.Conflict
	}
	return apperr.BadUserInput
}

// SQLSTATE codes and classes (PostgreSQL's errcodes.txt) by which Unavailable and Transient
// classify an error; MapError answers the first two with CONFLICT.
const (
	classConnectionException   = "08"
	classInsufficientResources = "53"
	classOperatorIntervention  = "57"
	stateSerializationFailure  = "40001"
	stateDeadlockDetected      = "40P01"
	stateQueryCanceled         = "57014"
	stateAdminShutdown         = "57P01"
	stateCrashShutdown         = "57P02"
	stateCannotConnectNow      = "57P03"
)

// Unavailable reports whether err means Postgres could not be reached or went away (a
// restart, a failover), as opposed to refusing the request: such requests can be retried.
func Unavailable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case stateAdminShutdown, stateCrashShutdown, stateCannotConnectNow:
			return true
		}
		return strings.HasPrefix(pe.Code, classConnectionException)
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.As(err, &ne) || pgconn.SafeToRetry(err) || errors.Is(err, io.ErrUnexpectedEOF)
}

// Transient reports whether err is worth retrying against Postgres: it is Unavailable, or it
// refused for a moment (a serialization failure, a deadlock, resources exhausted, an
// operator's intervention other than cancelling the query), or the client timed out.
func Transient(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case stateSerializationFailure, stateDeadlockDetected:
			return true
		case stateQueryCanceled: // cancelled on purpose, by this process or an operator
			return false
		}
		switch pe.Code[:min(2, len(pe.Code))] {
		case classConnectionException, classInsufficientResources, classOperatorIntervention:
			return true
		}
		return false
	}
	return Unavailable(err) || pgconn.Timeout(err)
}

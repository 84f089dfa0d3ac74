package analytics

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"gridgov/apperr"
)

// Saved queries (Postgres: saved_queries, saved_query_runs). A statistician saves a named
// SELECT with typed parameters (see params.go), shares it or not, runs it by name through
// POST /analytics/sql ({"query": "name", "params": {...}, "format": "json"|"csv"|"xlsx"}) and
// reads its runs: who, with what, rows read, rows returned, time taken. Only the owner changes
// a query: another's, shared or not, answers to a change exactly as a missing one (404).
//
//	POST   /analytics/queries               {"name", "sql", "params": [{"name", "type"}], "description", "shared"}: 201, or 409 CONFLICT for a name taken
//	GET    /analytics/queries               the caller's queries and the shared ones, each with its version
//	GET    /analytics/queries/{name}/runs   the last 100 runs of a query the caller sees
//	PATCH  /analytics/queries/{name}        {"version", and any of "sql", "params", "description", "shared"}: 200 with the query at
//	                                        its next version; 409 CONFLICT when it is no longer at version; checked as a new one
//	DELETE /analytics/queries/{name}        204; the query's runs are deleted with it, and the name is free again

// SavedQuery is a saved query as listed.
type SavedQuery struct {
	ID          int64     `json:"-"`
	Name        string    `json:"name"`
	Owner       string    `json:"owner"`
	SQL         string    `json:"sql"`
	Params      []Param   `json:"params"`
	Shared      bool      `json:"shared"`
	Description string    `json:"description"`
	Version     int64     `json:"version"`
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
}

// maxDescription bounds a saved query's description, in characters (as the table does).
const maxDescription = 2000

// Run is one run of a saved query.
type Run struct {
	Runner     string          `json:"runner"`
	Params     json.RawMessage `json:"params"`
	Format     string          `json:"format"`
	StartedAt  time.Time       `json:"startedAt"`
	Seconds    float64         `json:"seconds"`
	RowsRead   int64           `json:"rowsRead"`
	ResultRows int64           `json:"resultRows"`
	ErrorCode  *string         `json:"errorCode"`
}

func fail400(format string, args ...any) Error {
	return fail(http.StatusBadRequest, string(apperr.BadUserInput), format, args...)
}

func (h *handler) unavailable(err error) Error {
	h.o.Log.Error("saved queries", "err", err)
	return fail(http.StatusServiceUnavailable, string(apperr.Unavailable), "the database is unavailable for a moment; try again")
}

// queries serves /analytics/queries and its paths, for a statistician named by subject.
func (h *handler) queries(w http.ResponseWriter, r *http.Request, subject string) {
	if h.o.Pool == nil {
		writeError(w, fail(http.StatusNotFound, string(apperr.NotFound), "saved queries are not configured"))
		return
	}
	rest := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/analytics/queries"), "/")
	var err error
	switch name, runs := strings.CutSuffix(rest, "/runs"); {
	case rest == "" && r.Method == http.MethodPost:
		err = h.save(w, r, subject)
	case rest == "" && r.Method == http.MethodGet:
		var list []SavedQuery
		if list, err = h.visible(r.Context(), subject, ""); err == nil {
			writeJSON(w, http.StatusOK, map[string]any{"queries": list})
		}
	case runs && r.Method == http.MethodGet:
		err = h.runs(w, r, subject, name)
	case rest != "" && !runs && r.Method == http.MethodPatch:
		err = h.update(w, r, subject, rest)
	case rest != "" && !runs && r.Method == http.MethodDelete:
		err = h.remove(w, r, subject, rest)
	default:
		err = fail(http.StatusNotFound, string(apperr.NotFound), "no such path: POST or GET /analytics/queries, GET /analytics/queries/{name}/runs, PATCH or DELETE /analytics/queries/{name}")
	}
	if err != nil {
		var e Error
		if !errors.As(err, &e) {
			e = h.unavailable(err)
		}
		writeError(w, e)
	}
}

// save checks and keeps a new saved query (checkSaved), at version 1.
func (h *handler) save(w http.ResponseWriter, r *http.Request, subject string) error {
	var in struct {
		Name        string  `json:"name"`
		SQL         string  `json:"sql"`
		Params      []Param `json:"params"`
		Description string  `json:"description"`
		Shared      bool    `json:"shared"`
	}
	if err := h.decode(r, &in); err != nil {
		return fail400(`want JSON {"name", "sql", "params": [{"name", "type"}], "description", "shared"}`)
	}
	if !paramName.MatchString(in.Name) {
		return fail400("name: want a lower-case name (a-z, 0-9, _), at most 63 characters")
	}
	if in.Params == nil {
		in.Params = []Param{}
	}
	if err := h.checkSaved(in.SQL, in.Params, in.Description); err != nil {
		return err
	}
	params, _ := json.Marshal(in.Params)
	_, err := h.o.Pool.Exec(r.Context(), `INSERT INTO saved_queries (name, owner, sql, params, description, shared) VALUES ($1, $2, $3, $4, $5, $6)`,
		in.Name, subject, in.SQL, params, in.Description, in.Shared)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.ConstraintName == "saved_queries_name_once" {
		return fail(http.StatusConflict, string(apperr.Conflict), "a query named %s is saved already", in.Name)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"name": in.Name, "params": in.Params, "description": in.Description, "shared": in.Shared, "version": 1})
	return nil
}

// decode reads a JSON body of the saved queries' into v, refusing unknown fields.
func (h *handler) decode(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, h.o.MaxSQL+4096))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// checkSaved checks a saved query as it is saved or updated: its parameters declared and used,
// its SQL, with sample values bound, passing Check, its description not too long.
func (h *handler) checkSaved(sql string, params []Param, description string) error {
	if len([]rune(description)) > maxDescription {
		return fail400("description: longer than %d characters", maxDescription)
	}
	if err := checkParams(sql, params); err != nil {
		return err
	}
	sample, err := bindParams(sql, params, sampleValues(params))
	if err != nil {
		return err
	}
	return Check(sample, h.o.Database)
}

// update changes the caller's own query named name at the version they give: the fields given
// replace the saved ones, the result is checked as a new query is, and the version goes up by
// one. Another's query, shared or not, is NOT_FOUND as a missing one; another version CONFLICT.
func (h *handler) update(w http.ResponseWriter, r *http.Request, subject, name string) error {
	var in struct {
		Version     *int64   `json:"version"`
		SQL         *string  `json:"sql"`
		Params      *[]Param `json:"params"`
		Description *string  `json:"description"`
		Shared      *bool    `json:"shared"`
	}
	if err := h.decode(r, &in); err != nil || in.Version == nil {
		return fail400(`want JSON {"version", and any of "sql", "params": [{"name", "type"}], "description", "shared"}`)
	}
	ctx := r.Context()
	var q SavedQuery
	err := pgx.BeginFunc(ctx, h.o.Pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `SELECT `+savedColumns+` FROM saved_queries WHERE name = $1 AND owner = $2 FOR UPDATE`,
			name, subject).Scan(q.fields()...)
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound(name)
		}
		if err != nil {
			return err
		}
		if q.Version != *in.Version {
			return fail(http.StatusConflict, string(apperr.Conflict), "the query %s is at version %d, not %d: read it again", name, q.Version, *in.Version)
		}
		q.SQL = deref(in.SQL, q.SQL)
		q.Params = deref(in.Params, q.Params)
		q.Description = deref(in.Description, q.Description)
		q.Shared = deref(in.Shared, q.Shared)
		if q.Params == nil {
			q.Params = []Param{}
		}
		if err := h.checkSaved(q.SQL, q.Params, q.Description); err != nil {
			return err
		}
		params, _ := json.Marshal(q.Params)
		return tx.QueryRow(ctx, `UPDATE saved_queries SET sql = $2, params = $3, description = $4, shared = $5, version = version + 1,
			updated_at = now() WHERE id = $1 RETURNING version, updated_at`, q.ID, q.SQL, params, q.Description, q.Shared).Scan(&q.Version, &q.UpdatedAt)
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, q)
	return nil
}

// remove deletes the caller's own query named name, and its runs with it (ON DELETE CASCADE):
// a name free again must not show a former query's runs. Another's is NOT_FOUND as a missing one.
func (h *handler) remove(w http.ResponseWriter, r *http.Request, subject, name string) error {
	tag, err := h.o.Pool.Exec(r.Context(), `DELETE FROM saved_queries WHERE name = $1 AND owner = $2`, name, subject)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return notFound(name)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// deref is *p, or else when p is nil.
func deref[T any](p *T, otherwise T) T {
	if p == nil {
		return otherwise
	}
	return *p
}

// notFound is the answer for a query the caller does not see or may not change, as for one
// that does not exist.
func notFound(name string) Error {
	return fail(http.StatusNotFound, string(apperr.NotFound), "no saved query named %q", name)
}

// savedColumns are the columns SavedQuery.fields scans.
const savedColumns = `id, name, owner, sql, params, description, shared, version, created_at, updated_at`

func (q *SavedQuery) fields() []any {
	return []any{&q.ID, &q.Name, &q.Owner, &q.SQL, &q.Params, &q.Description, &q.Shared, &q.Version, &q.CreatedAt, &q.UpdatedAt}
}

// visible lists the saved queries subject sees (their own and the shared ones), or the one
// named name; a query the caller does not see is absent.
func (h *handler) visible(ctx context.Context, subject, name string) ([]SavedQuery, error) {
	rows, err := h.o.Pool.Query(ctx, `SELECT `+savedColumns+` FROM saved_queries
		WHERE (owner = $1 OR shared) AND ($2 = '' OR name = $2) ORDER BY name`, subject, name)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (q SavedQuery, err error) {
		return q, r.Scan(q.fields()...)
	})
}

// savedNamed is the saved query subject runs by name; NOT_FOUND when they see none so named.
func (h *handler) savedNamed(ctx context.Context, subject, name string) (*SavedQuery, error) {
	if h.o.Pool == nil {
		return nil, fail(http.StatusNotFound, string(apperr.NotFound), "saved queries are not configured")
	}
	found, err := h.visible(ctx, subject, name)
	if err != nil {
		return nil, h.unavailable(err)
	}
	if len(found) == 0 {
		return nil, notFound(name)
	}
	return &found[0], nil
}

// runs answers the last 100 runs of a saved query the caller sees, newest first.
func (h *handler) runs(w http.ResponseWriter, r *http.Request, subject, name string) error {
	q, err := h.savedNamed(r.Context(), subject, name)
	if err != nil {
		return err
	}
	rows, err := h.o.Pool.Query(r.Context(), `SELECT runner, params, format, started_at, seconds, rows_read, result_rows, error_code
		FROM saved_query_runs WHERE query_id = $1 ORDER BY id DESC LIMIT 100`, q.ID)
	if err != nil {
		return err
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (x Run, err error) {
		return x, r.Scan(&x.Runner, &x.Params, &x.Format, &x.StartedAt, &x.Seconds, &x.RowsRead, &x.ResultRows, &x.ErrorCode)
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"name": q.Name, "runs": list})
	return nil
}

// record keeps a run of a saved query, after its answer: a failure to keep it is logged, the
// answer stands.
func (h *handler) record(q *SavedQuery, runner string, params map[string]json.RawMessage, format string, began time.Time, read uint64, rows int, code string) {
	p, _ := json.Marshal(params)
	var errCode *string
	if code != "" {
		errCode = &code
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := h.o.Pool.Exec(ctx, `INSERT INTO saved_query_runs (query_id, runner, params, format, started_at, seconds, rows_read, result_rows, error_code)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, q.ID, runner, p, format, began, time.Since(began).Seconds(), int64(read), rows, errCode); err != nil {
		h.o.Log.Error("saved query run not recorded", "query", q.Name, "err", err)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v) //nolint:errcheck
}

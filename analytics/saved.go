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
// reads its runs: who, with what, rows read, rows returned, time taken.
//
//	POST /analytics/queries               {"name", "sql", "params": [{"name", "type"}], "shared"}: 201, or 409 CONFLICT for a name taken
//	GET  /analytics/queries               the caller's queries and the shared ones
//	GET  /analytics/queries/{name}/runs   the last 100 runs of a query the caller sees

// SavedQuery is a saved query as listed.
type SavedQuery struct {
	ID        int64     `json:"-"`
	Name      string    `json:"name"`
	Owner     string    `json:"owner"`
	SQL       string    `json:"sql"`
	Params    []Param   `json:"params"`
	Shared    bool      `json:"shared"`
	CreatedAt time.Time `json:"createdAt"`
}

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
	default:
		err = fail(http.StatusNotFound, string(apperr.NotFound), "no such path: POST or GET /analytics/queries, GET /analytics/queries/{name}/runs")
	}
	if err != nil {
		var e Error
		if !errors.As(err, &e) {
			e = h.unavailable(err)
		}
		writeError(w, e)
	}
}

// save checks and keeps a new saved query: its parameters declared and used, and its SQL, with
// sample values bound, passing Check.
func (h *handler) save(w http.ResponseWriter, r *http.Request, subject string) error {
	var in struct {
		Name   string  `json:"name"`
		SQL    string  `json:"sql"`
		Params []Param `json:"params"`
		Shared bool    `json:"shared"`
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, h.o.MaxSQL+4096))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return fail400(`want JSON {"name", "sql", "params": [{"name", "type"}], "shared"}`)
	}
	if !paramName.MatchString(in.Name) {
		return fail400("name: want a lower-case name (a-z, 0-9, _), at most 63 characters")
	}
	if in.Params == nil {
		in.Params = []Param{}
	}
	if err := checkParams(in.SQL, in.Params); err != nil {
		return err
	}
	sample, err := bindParams(in.SQL, in.Params, sampleValues(in.Params))
	if err != nil {
		return err
	}
	if err := Check(sample, h.o.Database); err != nil {
		return err
	}
	params, _ := json.Marshal(in.Params)
	_, err = h.o.Pool.Exec(r.Context(), `INSERT INTO saved_queries (name, owner, sql, params, shared) VALUES ($1, $2, $3, $4, $5)`,
		in.Name, subject, in.SQL, params, in.Shared)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.ConstraintName == "saved_queries_name_once" {
		return fail(http.StatusConflict, string(apperr.Conflict), "a query named %s is saved already", in.Name)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"name": in.Name, "params": in.Params, "shared": in.Shared})
	return nil
}

// visible lists the saved queries subject sees (their own and the shared ones), or the one
// named name; a query the caller does not see is absent.
func (h *handler) visible(ctx context.Context, subject, name string) ([]SavedQuery, error) {
	rows, err := h.o.Pool.Query(ctx, `SELECT id, name, owner, sql, params, shared, created_at FROM saved_queries
		WHERE (owner = $1 OR shared) AND ($2 = '' OR name = $2) ORDER BY name`, subject, name)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (q SavedQuery, err error) {
		return q, r.Scan(&q.ID, &q.Name, &q.Owner, &q.SQL, &q.Params, &q.Shared, &q.CreatedAt)
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
		return nil, fail(http.StatusNotFound, string(apperr.NotFound), "no saved query named %q", name)
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

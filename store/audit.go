package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"

	"gridgov/auth"
)

// AuditOp names the mutation a request runs, for the audit log (schema/postgres/00011_audit.sql).
type AuditOp struct {
	Mutation  string
	RequestID string
}

type auditKey struct{}

// WithAudit marks ctx as running a mutation: every transaction the store runs for it records
// each changed row, with the acting person and role of ctx, in the audit log.
func WithAudit(ctx context.Context, op AuditOp) context.Context {
	return context.WithValue(ctx, auditKey{}, op)
}

// auditContext gives the JSON the audit trigger reads, or "" when ctx runs no mutation.
func auditContext(ctx context.Context) string {
	op, ok := ctx.Value(auditKey{}).(AuditOp)
	if !ok || op.Mutation == "" {
		return ""
	}
	a := auth.ActorFrom(ctx)
	if a == nil {
		return ""
	}
	m := map[string]any{"role": a.Role, "mutation": op.Mutation, "request": op.RequestID}
	if a.PersonID != 0 {
		m["person"] = a.PersonID
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// AuditRecord is one changed row in the audit log.
type AuditRecord struct {
	ID          int64
	At          time.Time
	PersonID    *int64
	Role        string
	Mutation    string
	RequestID   string
	TargetTable string
	TargetID    int64
	Action      string
	Before      json.RawMessage
	After       json.RawMessage
}

const auditSQL = `SELECT id, at, person_id, role, mutation, request_id, target_table, target_id, action, before, after FROM audit_log`

func scanAudit(r pgx.Row) (*AuditRecord, error) {
	var a AuditRecord
	var before, after []byte
	err := r.Scan(&a.ID, &a.At, &a.PersonID, &a.Role, &a.Mutation, &a.RequestID, &a.TargetTable, &a.TargetID, &a.Action, &before, &after)
	a.Before, a.After = before, after
	return &a, err
}

// auditScoped: only a city-wide scope reads the audit log (the policy further limits it to
// city admins); every narrower scope sees nothing.
func auditScoped(q *query, sc auth.Scope) {
	if !sc.City() {
		q.where("false")
	}
}

// AuditFilter narrows the audit log.
type AuditFilter struct {
	PersonID    *int64
	Role        string
	Mutation    string
	TargetTable string
	TargetID    *int64
	From, To    *time.Time
}

// AuditRecords lists the audit log, newest first.
func (s *Store) AuditRecords(ctx context.Context, sc auth.Scope, f AuditFilter, p Page) (Conn[*AuditRecord], error) {
	q := &query{}
	auditScoped(q, sc)
	if f.PersonID != nil {
		q.where("person_id = ?", *f.PersonID)
	}
	if f.Role != "" {
		q.where("role = ?", f.Role)
	}
	if f.Mutation != "" {
		q.where("mutation = ?", f.Mutation)
	}
	if f.TargetTable != "" {
		q.where("target_table = ?", f.TargetTable)
	}
	if f.TargetID != nil {
		q.where("target_id = ?", *f.TargetID)
	}
	q.span("at", f.From, f.To)
	return listPage(ctx, s, "list audit log", "audit_log", auditSQL, q, sortKey{name: "AT", expr: "at", kind: keyTime}, true, p, scanAudit,
		func(a *AuditRecord) (any, int64) { return a.At, a.ID })
}

// AuditRecordsByID reads audit records by id (a city-wide scope only).
var AuditRecordsByID = &Source[int64, *AuditRecord]{name: "load audit records", reads: func(sc auth.Scope, ids []int64, put func(int64, *AuditRecord)) []Read {
	q := &query{}
	q.where("id = ANY(?)", ids)
	auditScoped(q, sc)
	return []Read{scanned("load audit records", auditSQL+q.sql(), q.args, scanAudit, func(a *AuditRecord) { put(a.ID, a) })}
}}

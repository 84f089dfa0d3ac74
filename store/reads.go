package store

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"gridgov/auth"
)

// Reads of personal data: every time a request shows a person's unmasked phone, ID number or
// address to someone other than the person, the person and the fields go to
// personal_data_reads. The request notes them as it answers (NoteRead, no I/O) and writes
// them once it has answered, in one INSERT (FlushReads).

// ReadLog gathers the personal fields one request showed, by person.
type ReadLog struct {
	mu     sync.Mutex
	fields map[int64][]string
	order  []int64
}

type readLogKey struct{}

// WithReadLog gives ctx a log of the personal data its request shows.
func WithReadLog(ctx context.Context) (context.Context, *ReadLog) {
	l := &ReadLog{fields: map[int64][]string{}}
	return context.WithValue(ctx, readLogKey{}, l), l
}

// NoteRead records that the request of ctx showed field of person to its caller. The
// person's own fields are theirs to see and are not recorded.
func NoteRead(ctx context.Context, person int64, field string) {
	l, _ := ctx.Value(readLogKey{}).(*ReadLog)
	a := auth.ActorFrom(ctx)
	if l == nil || a == nil || (a.PersonID != 0 && a.PersonID == person) {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	fs, seen := l.fields[person]
	if !seen {
		l.order = append(l.order, person)
	}
	if !slices.Contains(fs, field) {
		l.fields[person] = append(fs, field)
	}
}

// Len is the number of people whose fields the log holds.
func (l *ReadLog) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.order)
}

// FlushReads writes the log of the request of ctx, one row per person, in one statement.
func (s *Store) FlushReads(ctx context.Context, l *ReadLog, requestID string) error {
	a := auth.ActorFrom(ctx)
	if l == nil || a == nil || l.Len() == 0 {
		return nil
	}
	l.mu.Lock()
	people := slices.Clone(l.order)
	fields := make([]string, len(people)) // each person's fields as a Postgres array literal
	for i, p := range people {
		fs := slices.Clone(l.fields[p])
		slices.Sort(fs)
		fields[i] = "{" + strings.Join(fs, ",") + "}"
	}
	l.mu.Unlock()
	var reader *int64
	if a.PersonID != 0 {
		reader = &a.PersonID
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO personal_data_reads (reader_id, role, person_id, fields, request_id)
		SELECT $1, $2, p, f::text[], $4 FROM unnest($3::bigint[], $5::text[]) AS t(p, f)`, reader, a.Role, people, requestID, fields)
	return MapError("record personal data reads", err)
}

// PersonalDataRead is one person's personal fields shown to a reader in one request.
type PersonalDataRead struct {
	ID        int64
	At        time.Time
	ReaderID  *int64
	Role      string
	PersonID  int64
	FieldList string // the fields shown, comma-separated
	RequestID string
}

// Fields are the personal fields shown: phone, idNumber, address.
func (o *PersonalDataRead) Fields() []string { return strings.Split(o.FieldList, ",") }

var readColumns = cols(func(o *PersonalDataRead) []column {
	return []column{
		col("id", &o.ID), col("at", &o.At), col("reader_id", &o.ReaderID), col("role", &o.Role), col("person_id", &o.PersonID),
		col("array_to_string(fields, ',')", &o.FieldList), col("request_id", &o.RequestID),
	}
})

var readSQL = `SELECT ` + readColumns.list("") + ` FROM personal_data_reads`

// PersonalDataReadFilter narrows the log of personal data reads.
type PersonalDataReadFilter struct {
	PersonID, ReaderID *int64
	From, To           *time.Time // at in [From, To)
}

// PersonalDataReads lists the log of personal data reads, newest first; only a city-wide
// scope reads it.
func (s *Store) PersonalDataReads(ctx context.Context, sc auth.Scope, f PersonalDataReadFilter, p Page) (Conn[*PersonalDataRead], error) {
	q := &query{}
	auditScoped(q, sc)
	if f.PersonID != nil {
		q.where("person_id = ?", *f.PersonID)
	}
	if f.ReaderID != nil {
		q.where("reader_id = ?", *f.ReaderID)
	}
	q.span("at", f.From, f.To)
	return listPage(ctx, s, "list personal data reads", "personal_data_reads", readSQL, q, sortKey{name: "AT", expr: "at", kind: keyTime},
		true, p, func(r pgx.Row) (*PersonalDataRead, error) { return readColumns.scan(r) },
		func(v *PersonalDataRead) (any, int64) { return v.At, v.ID })
}

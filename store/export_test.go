package store

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// ReadRows runs sql as every read of the store does: through the pipeline of ctx, if any.
func (s *Store) ReadRows(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return s.query(ctx, sql, args...)
}

package etl

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// sink streams rows of one table into ClickHouse batches of a bounded size. Only rows of a
// batch that ClickHouse acknowledged count as loaded.
type sink struct {
	e       *ETL
	table   string // metric label: the warehouse table
	insert  string
	batch   driver.Batch
	started time.Time
	pending int
	loaded  int64
}

func (e *ETL) newSink(table, insert string) *sink {
	return &sink{e: e, table: table, insert: insert}
}

func (s *sink) add(ctx context.Context, row []any) error {
	if s.batch == nil {
		b, err := s.e.ch.Conn.PrepareBatch(ctx, s.insert)
		if err != nil {
			return fmt.Errorf("load %s: prepare batch: %w", s.table, err)
		}
		s.batch, s.started = b, time.Now()
	}
	if err := s.batch.Append(row...); err != nil {
		return fmt.Errorf("load %s: append: %w", s.table, err)
	}
	s.pending++
	if s.pending >= s.e.opt.BatchSize {
		if err := s.flush(); err != nil {
			return err
		}
		return s.e.hook(AfterBatch, s.table)
	}
	return nil
}

// flush sends the pending batch and waits for ClickHouse's acknowledgement.
func (s *sink) flush() error {
	if s.batch == nil {
		return nil
	}
	b := s.batch
	s.batch = nil
	if err := b.Send(); err != nil {
		return fmt.Errorf("load %s: send batch of %d rows: %w", s.table, s.pending, err)
	}
	if m := s.e.opt.Metrics; m != nil {
		m.BatchDuration.WithLabelValues(s.table).Observe(time.Since(s.started).Seconds())
		m.RowsLoaded.WithLabelValues(s.table).Add(float64(s.pending))
	}
	s.loaded += int64(s.pending)
	s.pending = 0
	return nil
}

// abort drops rows not yet sent, as a crash would.
func (s *sink) abort() {
	if s.batch != nil {
		s.batch.Abort() //nolint:errcheck // nothing to do about it
		s.batch = nil
	}
}

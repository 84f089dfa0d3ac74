package etl

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// sink streams rows of one table into ClickHouse batches of a bounded size. Only rows of a
// batch that ClickHouse acknowledged count as loaded.
//
// Extraction and loading overlap: the extracting goroutine decodes rows into one batch while
// a loader goroutine sends the previous one and waits for ClickHouse's acknowledgement, so
// Postgres producing rows and ClickHouse writing them work at the same time. Two batches
// exist, handed over through an unbuffered channel: memory is bounded by twice the batch
// size, whatever the table size. The loader starts with the table's first row; a table with
// nothing to copy costs no goroutine.
type sink struct {
	e      *ETL
	ctx    context.Context
	p      *plan
	table  string // metric label: the warehouse table
	insert string

	cur  *rowBuf      // being filled by the extractor
	free chan *rowBuf // batches the loader is done with
	work chan *rowBuf // full batches, to the loader
	done chan struct{}

	mu     sync.Mutex
	err    error // the loader's first error
	loaded atomic.Int64
}

// rowBuf is one batch: its columns and how many rows they hold.
type rowBuf struct {
	cols    []colData
	n       int
	started time.Time
	last    bool // the table's final batch
}

func (e *ETL) newSink(ctx context.Context, p *plan, table, insert string) *sink {
	return &sink{e: e, ctx: ctx, p: p, table: table, insert: insert}
}

// buf is the batch the next row goes into.
func (s *sink) buf() *rowBuf {
	if s.cur == nil && s.work == nil {
		s.free = make(chan *rowBuf, 2)
		s.work = make(chan *rowBuf)
		s.done = make(chan struct{})
		for range 2 {
			s.free <- &rowBuf{cols: make([]colData, len(s.p.specs))}
		}
		s.cur = <-s.free
		go s.load()
	}
	return s.cur
}

// rowDone counts the row just put into buf, and hands a full batch to the loader.
func (s *sink) rowDone() error {
	b := s.cur
	if b.n == 0 {
		b.started = time.Now()
	}
	b.n++
	if b.n < s.e.opt.BatchSize {
		return nil
	}
	if err := s.handoff(false); err != nil {
		return err
	}
	s.cur = <-s.free // waits while the loader still sends the previous batch
	return s.loadErr()
}

func (s *sink) handoff(last bool) error {
	if err := s.loadErr(); err != nil {
		return err
	}
	s.cur.last = last
	s.work <- s.cur
	s.cur = nil
	return nil
}

// flush sends the last batch and waits until ClickHouse acknowledged every batch.
func (s *sink) flush() error {
	if s.work == nil {
		return nil
	}
	var err error
	if s.cur != nil && s.cur.n > 0 {
		err = s.handoff(true)
	}
	s.stop()
	if err != nil {
		return err
	}
	return s.loadErr()
}

var errAborted = errors.New("load aborted")

// abort drops rows not yet sent, as a crash would; a batch already being sent completes.
func (s *sink) abort() {
	if s.work == nil {
		return
	}
	s.setErr(errAborted)
	s.stop()
}

func (s *sink) stop() {
	if s.done == nil {
		return
	}
	close(s.work)
	<-s.done
	s.done = nil
}

func (s *sink) loadErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

func (s *sink) setErr(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil {
		s.err = err
	}
}

// load is the loader goroutine: it sends each batch it receives, then gives it back empty.
// After an error it sends nothing more.
func (s *sink) load() {
	defer close(s.done)
	for b := range s.work {
		if s.loadErr() == nil {
			err := s.send(b)
			if err == nil && !b.last {
				err = s.e.hook(AfterBatch, s.table)
			}
			if err != nil {
				s.setErr(err)
			}
		}
		for i := range b.cols {
			b.cols[i].reset()
		}
		b.n, b.last = 0, false
		s.free <- b
	}
}

// send inserts one batch and waits for ClickHouse's acknowledgement.
func (s *sink) send(b *rowBuf) error {
	batch, err := s.e.ch.Conn.PrepareBatch(s.ctx, s.insert)
	if err != nil {
		return fmt.Errorf("load %s: prepare batch: %w", s.table, err)
	}
	for i := range b.cols {
		spec := &s.p.specs[i]
		if n := b.cols[i].len(spec); n != b.n {
			batch.Abort() //nolint:errcheck // failing anyway
			return fmt.Errorf("load %s: internal: column %s has %d values for %d rows", s.table, spec.name, n, b.n)
		}
		if err := b.cols[i].appendTo(spec, batch.Column(i)); err != nil {
			batch.Abort() //nolint:errcheck // failing anyway
			return fmt.Errorf("load %s: column %s: %w", s.table, spec.name, err)
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("load %s: send batch of %d rows: %w", s.table, b.n, err)
	}
	if m := s.e.opt.Metrics; m != nil {
		m.BatchDuration.WithLabelValues(s.table).Observe(time.Since(b.started).Seconds())
		m.RowsLoaded.WithLabelValues(s.table).Add(float64(b.n))
	}
	s.loaded.Add(int64(b.n))
	return nil
}

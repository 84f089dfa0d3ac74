package seed

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// A job fills one table (or one part of it) from a range of entities. Each entity emits zero
// or more rows; entities are committed in chunks.
type job struct {
	name     string // unique; a table filled by several jobs has "table:part" names
	table    string
	columns  []string
	entities int
	emit     func(r *rowRand, i int, row func(values ...any))
}

const chunkEntities = 50_000

func (j job) chunks() int { return (j.entities + chunkEntities - 1) / chunkEntities }

func runJob(ctx context.Context, pool *pgxpool.Pool, j job, seed uint64, done map[string]map[int]int64, p *progress) error {
	p.start(j)
	for c := 0; c < j.chunks(); c++ {
		if n, ok := done[j.name][c]; ok {
			p.resumed += n // written by an earlier, interrupted run
			p.entities.Add(int64(min(chunkEntities, j.entities-c*chunkEntities)))
			continue
		}
		if err := runChunk(ctx, pool, j, seed, c, p); err != nil {
			return err
		}
	}
	p.end()
	return nil
}

func runChunk(ctx context.Context, pool *pgxpool.Pool, j job, seed uint64, c int, p *progress) error {
	lo := c * chunkEntities
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		// The seeded histories are the past: they announce nothing (the outbox, 00027).
		if _, err := tx.Exec(ctx, `SELECT set_config('gridgov.outbox', 'off', true)`); err != nil {
			return err
		}
		src := &entitySource{job: j, r: newRowRand(seed), next: lo, end: min(lo+chunkEntities, j.entities), p: p}
		n, err := tx.CopyFrom(ctx, pgx.Identifier{j.table}, j.columns, src)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO seed_chunks (job, chunk, rows) VALUES ($1, $2, $3)`, j.name, c, n)
		return err
	})
}

// entitySource feeds COPY the rows of entities [next, end), one entity at a time, so memory
// holds one entity's rows however large the table.
type entitySource struct {
	job       job
	r         *rowRand
	next, end int
	rows      [][]any // the current entity's rows
	pos       int     // the row COPY reads now
	p         *progress
}

func (s *entitySource) Next() bool {
	if s.pos+1 < len(s.rows) {
		s.pos++
		s.p.add(1)
		return true
	}
	s.rows, s.pos = s.rows[:0], 0
	for s.next < s.end {
		i := s.next
		s.next++
		s.p.entities.Add(1)
		s.job.emit(s.r.at(s.job.name, i), i, func(values ...any) { s.rows = append(s.rows, values) })
		if len(s.rows) > 0 {
			s.p.add(1)
			return true
		}
	}
	return false
}

func (s *entitySource) Values() ([]any, error) {
	row := s.rows[s.pos]
	if len(row) != len(s.job.columns) {
		return nil, fmt.Errorf("%s: %d values for %d columns", s.job.name, len(row), len(s.job.columns))
	}
	return row, nil
}

func (s *entitySource) Err() error { return nil }

// progress draws one line per job, redrawn at most every 200 ms, and collects the summary.
type progress struct {
	w        io.Writer
	stats    map[string]*TableStat
	order    []string
	job      job
	rows     atomic.Int64
	entities atomic.Int64 // entities of the job generated or found done
	began    time.Time
	drawn    time.Time
	resumed  int64
}

func newProgress(w io.Writer) *progress {
	return &progress{w: w, stats: map[string]*TableStat{}}
}

func (p *progress) start(j job) {
	p.job, p.began = j, time.Now()
	p.rows.Store(0)
	p.entities.Store(0)
	if _, ok := p.stats[j.table]; !ok {
		p.stats[j.table] = &TableStat{Table: j.table}
		p.order = append(p.order, j.table)
	}
}

func (p *progress) add(n int64) {
	rows := p.rows.Add(n)
	if p.w == nil || time.Since(p.drawn) < 200*time.Millisecond {
		return
	}
	p.drawn = time.Now()
	p.draw(rows, false)
}

func (p *progress) draw(rows int64, final bool) {
	secs := time.Since(p.began).Seconds()
	rate := float64(rows) / max(secs, 1e-9)
	end := "\r"
	if final {
		end = "\n"
	}
	done := 1.0
	if p.job.entities > 0 {
		done = float64(p.entities.Load()) / float64(p.job.entities)
	}
	bar := strings.Repeat("#", int(done*20)) + strings.Repeat(".", 20-int(done*20))
	fmt.Fprintf(p.w, "\033[2K  %-24s [%s] %3.0f%% %12s rows %10s rows/s%s", p.job.name, bar, 100*done, group(rows), group(int64(rate)), end)
}

func (p *progress) end() {
	rows := p.rows.Load()
	st := p.stats[p.job.table]
	st.Rows += rows
	st.Elapsed += time.Since(p.began)
	if p.w != nil {
		p.draw(rows, true)
	}
}

func (p *progress) summary(began time.Time) Summary {
	s := Summary{Elapsed: time.Since(began), Resumed: p.resumed}
	for _, t := range p.order {
		s.Tables = append(s.Tables, *p.stats[t])
		s.Rows += p.stats[t].Rows
	}
	return s
}

func (p *progress) report(s Summary) {
	if p.w == nil {
		return
	}
	fmt.Fprintf(p.w, "\n%-24s %12s %10s %12s\n", "table", "rows", "seconds", "rows/s")
	for _, t := range s.Tables {
		fmt.Fprintf(p.w, "%-24s %12s %10.2f %12s\n", t.Table, group(t.Rows), t.Elapsed.Seconds(),
			group(int64(float64(t.Rows)/max(t.Elapsed.Seconds(), 1e-9))))
	}
	fmt.Fprintf(p.w, "%-24s %12s %10.2f %12s\n", "total", group(s.Rows), s.Elapsed.Seconds(),
		group(int64(float64(s.Rows)/max(s.Elapsed.Seconds(), 1e-9))))
	if s.Resumed > 0 {
		fmt.Fprintf(p.w, "resumed: %s rows were already written by an interrupted run\n", group(s.Resumed))
	}
}

// group writes n with thousands separators.
func group(n int64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 && c != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

package etl

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// progress draws a bar for a full load: rows done of the total, and rows per second. It
// redraws at most twice a second so a fast load is not slowed by its own display. On a
// terminal the bar is redrawn in place; elsewhere (a log file, CI) only each table's final
// line is written. Empty tables print nothing.
type progress struct {
	w     io.Writer
	tty   bool
	table string
	total int64
	start time.Time
	last  time.Time
	n     int64
}

func newProgress(w io.Writer, table string, total int64) *progress {
	return &progress{w: w, tty: isTerminal(w), table: table, total: total, start: time.Now()}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func (p *progress) update(n int64) {
	p.n = n
	if !p.tty || p.total == 0 || time.Since(p.last) < 500*time.Millisecond {
		return
	}
	p.last = time.Now()
	p.draw()
}

func (p *progress) draw() {
	const width = 30
	frac := 1.0
	if p.total > 0 {
		frac = min(float64(p.n)/float64(p.total), 1)
	}
	done := int(frac * width)
	prefix := ""
	if p.tty {
		prefix = "\r"
	}
	fmt.Fprintf(p.w, "%s%-26s [%s%s] %3.0f%% %d/%d rows %.0f rows/s", prefix, p.table,
		strings.Repeat("#", done), strings.Repeat(".", width-done), frac*100, p.n, p.total,
		rate(p.n, time.Since(p.start)))
}

func (p *progress) done() {
	if p.total == 0 && p.n == 0 {
		return
	}
	p.draw()
	fmt.Fprintln(p.w)
}

package store

import (
	"encoding/binary"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// rawRow is one row's raw values, as the declared columns' decoder reads them (columns.go);
// bad records that a value was not what the decoder expected, and the row goes through Scan.
type rawRow struct {
	vals [][]byte
	bad  bool
}

func (r *rawRow) int8(i int) int64 {
	v := r.vals[i]
	if len(v) != 8 {
		r.bad = true
		return 0
	}
	return int64(binary.BigEndian.Uint64(v))
}

// optInt8 decodes a nullable bigint into box.
func (r *rawRow) optInt8(i int, box *int64) *int64 {
	if r.vals[i] == nil {
		return nil
	}
	*box = r.int8(i)
	return box
}

func (r *rawRow) text(i int) string {
	if r.vals[i] == nil {
		r.bad = true
	}
	return string(r.vals[i])
}

func (r *rawRow) optText(i int, box *string) *string {
	if r.vals[i] == nil {
		return nil
	}
	*box = string(r.vals[i])
	return box
}

// label decodes a text column with few distinct values (a state, a role) as a shared string.
func (r *rawRow) label(i int) string {
	if r.vals[i] == nil {
		r.bad = true
	}
	return intern(r.vals[i])
}

func (r *rawRow) optLabel(i int, box *string) *string {
	if r.vals[i] == nil {
		return nil
	}
	*box = intern(r.vals[i])
	return box
}

func (r *rawRow) bool(i int) bool {
	v := r.vals[i]
	if len(v) != 1 {
		r.bad = true
		return false
	}
	return v[0] == 1
}

func (r *rawRow) float8(i int) float64 {
	v := r.vals[i]
	if len(v) != 8 {
		r.bad = true
		return 0
	}
	return math.Float64frombits(binary.BigEndian.Uint64(v))
}

func (r *rawRow) optFloat8(i int, box *float64) *float64 {
	v := r.vals[i]
	if v == nil {
		return nil
	}
	if len(v) != 8 {
		r.bad = true
		return nil
	}
	*box = math.Float64frombits(binary.BigEndian.Uint64(v))
	return box
}

// Microseconds from the Unix epoch to 2000-01-01, where Postgres counts timestamps from.
const unixToY2K = 946_684_800 * 1_000_000

// The timestamps decoded here, in microseconds from 2000-01-01: years 1 to 9999. pgx reads a
// wider range (and infinities) in its own way; those rows go through Scan.
var (
	firstTime = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro() - unixToY2K
	endTime   = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro() - unixToY2K
)

// time decodes a timestamptz as pgx does: the instant in the local time zone.
func (r *rawRow) time(i int) time.Time {
	v := r.vals[i]
	if len(v) != 8 {
		r.bad = true
		return time.Time{}
	}
	us := int64(binary.BigEndian.Uint64(v))
	if us < firstTime || us >= endTime {
		r.bad = true
		return time.Time{}
	}
	return time.Unix(unixToY2K/1_000_000+us/1_000_000, (unixToY2K%1_000_000*1_000)+(us%1_000_000*1_000))
}

func (r *rawRow) optTime(i int, box *time.Time) *time.Time {
	if r.vals[i] == nil {
		return nil
	}
	*box = r.time(i)
	return box
}

// The shared strings of label columns: a map replaced, never changed, under a lock on a miss,
// so a hit is one map lookup that allocates nothing. It stops growing at maxLabels; a
// label beyond that, or a long one, is an ordinary string.
var (
	labels   atomic.Pointer[map[string]string]
	labelsMu sync.Mutex
)

const (
	maxLabels   = 1024
	maxLabelLen = 64
)

func intern(b []byte) string {
	if m := labels.Load(); m != nil {
		if s, ok := (*m)[string(b)]; ok {
			return s
		}
	}
	s := string(b)
	if len(b) > maxLabelLen {
		return s
	}
	labelsMu.Lock()
	defer labelsMu.Unlock()
	old := labels.Load()
	if old != nil && len(*old) >= maxLabels {
		return s
	}
	next := make(map[string]string, 1+mapLen(old))
	if old != nil {
		for k, v := range *old {
			next[k] = v
		}
	}
	next[s] = s
	labels.Store(&next)
	return s
}

func mapLen(m *map[string]string) int {
	if m == nil {
		return 0
	}
	return len(*m)
}

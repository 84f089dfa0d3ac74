package etl

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"time"
	"unsafe"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"

	"gridgov/warehouse"
)

// A batch is held column by column, in the Go types clickhouse-go appends a whole column of
// at once, and each Postgres value is decoded straight from the bytes pgx received into its
// column: no row of interface values, no boxing, one allocation per batch and column instead
// of several per value. The common Postgres types (integers, booleans, text, timestamps,
// dates) have a decoder of their own; any other value goes the slow way, through pgx's codec
// and the column's converter (convert.go), which also states the rules both ways follow.

// colKind is how a warehouse column is held in a batch.
type colKind int

const (
	kindInt      colKind = iota // every UInt*/Int* column: the value in ints
	kindKey                     // a pseudonymous key: the keyed hash in ints (as uint64 bits)
	kindString                  // bytes in buf, row i ends at ends[i]
	kindDateTime                // DateTime (seconds): Unix seconds in ints
	kindTime                    // Date, DateTime64: times
	kindDecimal                 // decs
)

// colSpec is what the plan knows of a warehouse column: its ClickHouse type and the rules of
// its values.
type colSpec struct {
	name     string
	base     string // ClickHouse type without Nullable
	nullable bool
	kind     colKind
	unsigned bool
	bits     int
	lo, hi   time.Time // kindTime: the range the type holds, hi excluded
	conv     converter // the slow path, and the reference of the rules
}

func newColSpec(c warehouse.Column, conv converter) (colSpec, error) {
	base, nullable := warehouse.Unwrap(c.Type)
	s := colSpec{name: c.Name, base: base, nullable: nullable, conv: conv}
	switch {
	case warehouse.IsKey(c.Name):
		s.kind, s.unsigned, s.bits = kindKey, true, 64
	case base == "String":
		s.kind = kindString
	case base == "Date":
		s.kind, s.lo, s.hi = kindTime, dateLo, dateHi
	case base == "DateTime" || strings.HasPrefix(base, "DateTime("):
		s.kind, s.lo, s.hi = kindDateTime, dateTimeLo, dateTimeHi
	case strings.HasPrefix(base, "DateTime"):
		s.kind, s.lo, s.hi = kindTime, dateTimeLo, dateTimeHi
	case strings.HasPrefix(base, "Decimal("):
		s.kind = kindDecimal
	case strings.HasPrefix(base, "UInt"), strings.HasPrefix(base, "Int"):
		s.kind = kindInt
		s.unsigned = strings.HasPrefix(base, "UInt")
		bits, err := intBits(base)
		if err != nil {
			return s, err
		}
		s.bits = bits
	default:
		return s, fmt.Errorf("column %s: the ETL does not convert ClickHouse type %s", c.Name, base)
	}
	return s, nil
}

var (
	dateLo, dateHi         = time.Unix(0, 0).UTC(), time.Date(2149, 6, 6, 0, 0, 0, 0, time.UTC)
	dateTimeLo, dateTimeHi = time.Unix(0, 0).UTC(), time.Unix(math.MaxUint32, 0).UTC()
)

// fits checks an integer against the column's type, as the converter does.
func (s *colSpec) fits(n int64) error {
	if s.unsigned {
		if n < 0 || (s.bits < 64 && n >= 1<<s.bits) {
			return fmt.Errorf("%d does not fit %s", n, s.base)
		}
		return nil
	}
	if s.bits < 64 && (n < -(1<<(s.bits-1)) || n >= 1<<(s.bits-1)) {
		return fmt.Errorf("%d does not fit %s", n, s.base)
	}
	return nil
}

func (s *colSpec) timeFits(t time.Time) error {
	if t.Before(s.lo) || !t.Before(s.hi) {
		return fmt.Errorf("%s is outside the warehouse's range %s to %s", t.Format(time.RFC3339), s.lo.Format(time.DateOnly), s.hi.Format(time.DateOnly))
	}
	return nil
}

// colData is one column of a batch being filled.
type colData struct {
	ints  []int64
	times []time.Time
	decs  []decimal.Decimal
	buf   []byte
	ends  []int
	nulls []bool // only for Nullable columns
}

func (d *colData) reset() {
	d.ints, d.times, d.decs = d.ints[:0], d.times[:0], d.decs[:0]
	d.buf, d.ends, d.nulls = d.buf[:0], d.ends[:0], d.nulls[:0]
}

// putNull appends a NULL (and a placeholder value) to a Nullable column.
func (d *colData) putNull(s *colSpec) {
	d.nulls = append(d.nulls, true)
	switch s.kind {
	case kindInt, kindKey, kindDateTime:
		d.ints = append(d.ints, 0)
	case kindString:
		d.ends = append(d.ends, len(d.buf))
	case kindTime:
		d.times = append(d.times, time.Time{})
	case kindDecimal:
		d.decs = append(d.decs, decimal.Decimal{})
	}
}

func (d *colData) notNull(s *colSpec) {
	if s.nullable {
		d.nulls = append(d.nulls, false)
	}
}

// putAny appends a value the converter returned (the slow path, and tombstones).
func (d *colData) putAny(s *colSpec, v any) error {
	if v == nil {
		if !s.nullable {
			return fmt.Errorf("NULL in a column that is not Nullable(%s)", s.base)
		}
		d.putNull(s)
		return nil
	}
	switch s.kind {
	case kindInt, kindKey:
		var n int64
		switch x := v.(type) {
		case uint8:
			n = int64(x)
		case uint16:
			n = int64(x)
		case uint32:
			n = int64(x)
		case uint64:
			n = int64(x) // the bits; appended back as uint64
		case int8:
			n = int64(x)
		case int16:
			n = int64(x)
		case int32:
			n = int64(x)
		case int64:
			n = x
		default:
			return fmt.Errorf("internal: %T for %s", v, s.base)
		}
		d.ints = append(d.ints, n)
	case kindString:
		x, ok := v.(string)
		if !ok {
			return fmt.Errorf("internal: %T for %s", v, s.base)
		}
		d.buf = append(d.buf, x...)
		d.ends = append(d.ends, len(d.buf))
	case kindDateTime:
		x, ok := v.(time.Time)
		if !ok {
			return fmt.Errorf("internal: %T for %s", v, s.base)
		}
		d.ints = append(d.ints, x.Unix())
	case kindTime:
		x, ok := v.(time.Time)
		if !ok {
			return fmt.Errorf("internal: %T for %s", v, s.base)
		}
		d.times = append(d.times, x)
	case kindDecimal:
		x, ok := v.(decimal.Decimal)
		if !ok {
			return fmt.Errorf("internal: %T for %s", v, s.base)
		}
		d.decs = append(d.decs, x)
	}
	d.notNull(s)
	return nil
}

// decoder appends one Postgres value, not NULL, received in the format pgx asked for.
type decoder func(d *colData, raw []byte) error

// Postgres type OIDs with a decoder of their own.
const (
	oidBool        = 16
	oidInt8        = 20
	oidInt2        = 21
	oidInt4        = 23
	oidText        = 25
	oidVarchar     = 1043
	oidDate        = 1082
	oidTimestamp   = 1114
	oidTimestamptz = 1184
)

// pgEpoch is 2000-01-01, where Postgres counts binary dates and timestamps from.
const pgEpochUnix = 946_684_800

// decoderFor chooses how a column decodes a result field of the extraction query: fast when
// the Postgres type and format are ones it knows, else through pgx's codec and the converter.
func decoderFor(s *colSpec, fd pgconn.FieldDescription, m *pgtype.Map, k *keyer) decoder {
	binaryFmt := fd.Format == pgtype.BinaryFormatCode
	switch s.kind {
	case kindInt, kindKey:
		var read func(raw []byte) (int64, bool)
		switch {
		case binaryFmt && fd.DataTypeOID == oidInt8:
			read = func(raw []byte) (int64, bool) { return int64(binary.BigEndian.Uint64(raw)), len(raw) == 8 }
		case binaryFmt && fd.DataTypeOID == oidInt4:
			read = func(raw []byte) (int64, bool) { return int64(int32(binary.BigEndian.Uint32(raw))), len(raw) == 4 }
		case binaryFmt && fd.DataTypeOID == oidInt2:
			read = func(raw []byte) (int64, bool) { return int64(int16(binary.BigEndian.Uint16(raw))), len(raw) == 2 }
		case binaryFmt && fd.DataTypeOID == oidBool:
			read = func(raw []byte) (int64, bool) { return int64(raw[0] & 1), len(raw) == 1 }
		}
		if read == nil {
			break
		}
		if s.kind == kindKey {
			return func(d *colData, raw []byte) error {
				if len(raw) < 1 {
					return fmt.Errorf("bad binary %s value", s.base)
				}
				n, ok := read(raw)
				if !ok {
					return fmt.Errorf("bad binary value of type %d", fd.DataTypeOID)
				}
				d.ints = append(d.ints, int64(k.key(n)))
				d.notNull(s)
				return nil
			}
		}
		return func(d *colData, raw []byte) error {
			if len(raw) < 1 {
				return fmt.Errorf("bad binary %s value", s.base)
			}
			n, ok := read(raw)
			if !ok {
				return fmt.Errorf("bad binary value of type %d", fd.DataTypeOID)
			}
			if err := s.fits(n); err != nil {
				return err
			}
			d.ints = append(d.ints, n)
			d.notNull(s)
			return nil
		}
	case kindString:
		if fd.DataTypeOID == oidText || fd.DataTypeOID == oidVarchar { // the same bytes in both formats
			return func(d *colData, raw []byte) error {
				d.buf = append(d.buf, raw...)
				d.ends = append(d.ends, len(d.buf))
				d.notNull(s)
				return nil
			}
		}
	case kindDateTime:
		// A timestamp into DateTime: whole seconds, as clickhouse-go would keep of a
		// time.Time. (A date goes the slow way: its DateTime depends on the time zone.)
		if binaryFmt && (fd.DataTypeOID == oidTimestamptz || fd.DataTypeOID == oidTimestamp) {
			return func(d *colData, raw []byte) error {
				if len(raw) != 8 {
					return fmt.Errorf("bad binary timestamp")
				}
				us := int64(binary.BigEndian.Uint64(raw))
				if us == math.MaxInt64 || us == math.MinInt64 {
					return fmt.Errorf("an infinite time does not fit %s", s.base)
				}
				sec, frac := us/1e6, us%1e6
				if frac < 0 {
					sec, frac = sec-1, frac+1e6
				}
				sec += pgEpochUnix
				if sec < 0 || sec >= math.MaxUint32 {
					return s.timeFits(time.Unix(sec, frac*1000).UTC())
				}
				d.ints = append(d.ints, sec)
				d.notNull(s)
				return nil
			}
		}
	case kindTime:
		if binaryFmt && fd.DataTypeOID == oidDate && s.base == "Date" {
			return func(d *colData, raw []byte) error {
				if len(raw) != 4 {
					return fmt.Errorf("bad binary date")
				}
				days := int64(int32(binary.BigEndian.Uint32(raw)))
				if days == math.MaxInt32 || days == math.MinInt32 {
					return fmt.Errorf("an infinite date does not fit %s", s.base)
				}
				t := time.Unix(days*86400+pgEpochUnix, 0).UTC()
				if err := s.timeFits(t); err != nil {
					return err
				}
				d.times = append(d.times, t)
				d.notNull(s)
				return nil
			}
		}
	}
	return slowDecoder(s, fd, m)
}

// slowDecoder decodes a value as pgx's rows.Values would, then converts it with the column's
// converter.
func slowDecoder(s *colSpec, fd pgconn.FieldDescription, m *pgtype.Map) decoder {
	typ, known := m.TypeForOID(fd.DataTypeOID)
	return func(d *colData, raw []byte) error {
		var v any
		switch {
		case known:
			var err error
			if v, err = typ.Codec.DecodeValue(m, fd.DataTypeOID, fd.Format, raw); err != nil {
				return err
			}
		case fd.Format == pgtype.TextFormatCode:
			v = string(raw)
		default:
			v = append([]byte(nil), raw...)
		}
		x, err := s.conv(v)
		if err != nil {
			return err
		}
		return d.putAny(s, x)
	}
}

// appendTo appends the column's n values to a batch column.
func (d *colData) appendTo(s *colSpec, bc driver.BatchColumn) error {
	switch s.kind {
	case kindKey:
		return bc.Append(intsAs[uint64](d, s))
	case kindInt:
		switch {
		case s.unsigned && s.bits == 8:
			return bc.Append(intsAs[uint8](d, s))
		case s.unsigned && s.bits == 16:
			return bc.Append(intsAs[uint16](d, s))
		case s.unsigned && s.bits == 32:
			return bc.Append(intsAs[uint32](d, s))
		case s.unsigned:
			return bc.Append(intsAs[uint64](d, s))
		case s.bits == 8:
			return bc.Append(intsAs[int8](d, s))
		case s.bits == 16:
			return bc.Append(intsAs[int16](d, s))
		case s.bits == 32:
			return bc.Append(intsAs[int32](d, s))
		}
		return bc.Append(intsAs[int64](d, s))
	case kindString:
		// The strings point into buf, which stays untouched until the batch is sent:
		// clickhouse-go copies them into its own column.
		strs := make([]string, len(d.ends))
		start := 0
		for i, end := range d.ends {
			if end > start {
				strs[i] = unsafe.String(&d.buf[start], end-start)
			}
			start = end
		}
		return bc.Append(orNull(strs, d, s))
	case kindDateTime:
		return bc.Append(intsAs[int64](d, s)) // clickhouse-go takes []int64 as Unix seconds
	case kindTime:
		return bc.Append(orNull(d.times, d, s))
	case kindDecimal:
		return bc.Append(orNull(d.decs, d, s))
	}
	return fmt.Errorf("internal: column kind %d", s.kind)
}

type intType interface {
	uint8 | uint16 | uint32 | uint64 | int8 | int16 | int32 | int64
}

// intsAs is the column's integers as []T, or []*T when Nullable. (The slices given to
// clickhouse-go are made per batch rather than kept: kept, they would add to the live heap
// that Go's GC target doubles.)
func intsAs[T intType](d *colData, s *colSpec) any {
	if vs, ok := any(d.ints).([]T); ok { // int64: no copy
		return orNull(vs, d, s)
	}
	vs := make([]T, len(d.ints))
	for i, n := range d.ints {
		vs[i] = T(n)
	}
	return orNull(vs, d, s)
}

// orNull is vs itself for a column that is not Nullable, else pointers into vs, nil where
// the value is NULL.
func orNull[T any](vs []T, d *colData, s *colSpec) any {
	if !s.nullable {
		return vs
	}
	ps := make([]*T, len(vs))
	for i := range vs {
		if !d.nulls[i] {
			ps[i] = &vs[i]
		}
	}
	return ps
}

// len is the number of values the column holds.
func (d *colData) len(s *colSpec) int {
	if s.nullable && len(d.nulls) != len(d.ints)+len(d.ends)+len(d.times)+len(d.decs) {
		return -1
	}
	switch s.kind {
	case kindInt, kindKey, kindDateTime:
		return len(d.ints)
	case kindString:
		return len(d.ends)
	case kindTime:
		return len(d.times)
	case kindDecimal:
		return len(d.decs)
	}
	return -1
}

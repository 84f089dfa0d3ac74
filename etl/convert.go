package etl

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"

	"gridgov/warehouse"
)

// converter turns one value decoded by pgx into the Go value clickhouse-go appends to a
// column of a given type. An error names what is wrong with the value; the caller adds the
// table, the row's key and the column.
type converter func(v any) (any, error)

// converterFor builds the converter of a warehouse column from its ClickHouse type.
func converterFor(column, typ string, p *Pseudonymizer) (converter, error) {
	base, nullable := warehouse.Unwrap(typ)
	conv, err := baseConverter(column, base, p)
	if err != nil {
		return nil, err
	}
	if !nullable {
		return func(v any) (any, error) {
			if v == nil {
				return nil, fmt.Errorf("NULL in a column that is not Nullable(%s)", base)
			}
			return conv(v)
		}, nil
	}
	return func(v any) (any, error) {
		if v == nil {
			return nil, nil
		}
		return conv(v)
	}, nil
}

func baseConverter(column, base string, p *Pseudonymizer) (converter, error) {
	if warehouse.IsKey(column) {
		if base != "UInt64" {
			return nil, fmt.Errorf("pseudonymous key %s must be UInt64, is %s", column, base)
		}
		return func(v any) (any, error) {
			id, err := toInt64(v)
			if err != nil {
				return nil, err
			}
			return p.Key(id), nil
		}, nil
	}
	switch {
	case base == "String":
		return func(v any) (any, error) {
			s, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("want text, got %T", v)
			}
			return s, nil
		}, nil
	case base == "Date":
		return timeIn(time.Unix(0, 0).UTC(), time.Date(2149, 6, 6, 0, 0, 0, 0, time.UTC)), nil
	case strings.HasPrefix(base, "DateTime"):
		return timeIn(time.Unix(0, 0).UTC(), time.Unix(math.MaxUint32, 0).UTC()), nil
	case strings.HasPrefix(base, "Decimal("):
		return toDecimal, nil
	case strings.HasPrefix(base, "UInt"), strings.HasPrefix(base, "Int"):
		return integer(base)
	}
	return nil, fmt.Errorf("column %s: the ETL does not convert ClickHouse type %s", column, base)
}

func timeIn(lo, hi time.Time) converter {
	return func(v any) (any, error) {
		t, ok := v.(time.Time)
		if !ok {
			return nil, fmt.Errorf("want a date or time, got %T", v)
		}
		if t.Before(lo) || !t.Before(hi) {
			return nil, fmt.Errorf("%s is outside the warehouse's range %s to %s", t.Format(time.RFC3339), lo.Format(time.DateOnly), hi.Format(time.DateOnly))
		}
		return t, nil
	}
}

func toDecimal(v any) (any, error) {
	n, ok := v.(pgtype.Numeric)
	if !ok {
		return nil, fmt.Errorf("want numeric, got %T", v)
	}
	if !n.Valid || n.NaN || n.InfinityModifier != pgtype.Finite {
		return nil, fmt.Errorf("numeric %v is not a finite number", n)
	}
	return decimal.NewFromBigInt(n.Int, n.Exp), nil
}

// integer converts to the exact Go type clickhouse-go wants for the column, refusing values
// out of range instead of wrapping them.
func integer(base string) (converter, error) {
	unsigned := strings.HasPrefix(base, "UInt")
	bits, err := intBits(base)
	if err != nil {
		return nil, err
	}
	return func(v any) (any, error) {
		n, err := toInt64(v)
		if err != nil {
			return nil, err
		}
		if unsigned {
			if n < 0 || (bits < 64 && n >= 1<<bits) {
				return nil, fmt.Errorf("%d does not fit %s", n, base)
			}
			switch bits {
			case 8:
				return uint8(n), nil
			case 16:
				return uint16(n), nil
			case 32:
				return uint32(n), nil
			}
			return uint64(n), nil
		}
		if bits < 64 && (n < -(1<<(bits-1)) || n >= 1<<(bits-1)) {
			return nil, fmt.Errorf("%d does not fit %s", n, base)
		}
		switch bits {
		case 8:
			return int8(n), nil
		case 16:
			return int16(n), nil
		case 32:
			return int32(n), nil
		}
		return n, nil
	}, nil
}

// intBits is the width of a ClickHouse (U)Int type.
func intBits(base string) (int, error) {
	bits, err := strconv.Atoi(strings.TrimPrefix(strings.TrimPrefix(base, "U"), "Int"))
	if err != nil || bits > 64 || bits < 8 {
		return 0, fmt.Errorf("the ETL does not convert ClickHouse type %s", base)
	}
	return bits, nil
}

func toInt64(v any) (int64, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case int32:
		return int64(x), nil
	case int16:
		return int64(x), nil
	case int8:
		return int64(x), nil
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case pgtype.Numeric:
		if x.Valid && !x.NaN && x.InfinityModifier == pgtype.Finite {
			d := decimal.NewFromBigInt(x.Int, x.Exp)
			if d.IsInteger() && d.BigInt().IsInt64() {
				return d.IntPart(), nil
			}
		}
		return 0, fmt.Errorf("numeric %v is not a 64-bit integer", x)
	}
	return 0, fmt.Errorf("want an integer, got %T", v)
}

// zeroFor is the value of a column in a tombstone row: only the key, version and is_deleted
// mean anything there.
func zeroFor(typ string) any {
	base, nullable := warehouse.Unwrap(typ)
	if nullable {
		return nil
	}
	switch {
	case base == "String":
		return ""
	case base == "Date", strings.HasPrefix(base, "DateTime"):
		return time.Unix(0, 0).UTC()
	case strings.HasPrefix(base, "Decimal("):
		return decimal.Zero
	}
	conv, err := integer(base)
	if err != nil {
		return nil
	}
	z, _ := conv(int64(0))
	return z
}

package warehouse

import (
	"fmt"
	"math/big"
	"strings"
)

// CheckKind is how one column is summarised to compare a warehouse table with its source.
type CheckKind int

// The summaries. Each has the same meaning on both sides, so equal summaries mean equal data
// as far as counts and sums can tell.
const (
	CountRows    CheckKind = iota // number of live rows
	CountNotNull                  // rows where the column is not NULL
	Sum                           // sum of a number (decimals exactly)
	SumLength                     // sum of a string's length in bytes
	SumDays                       // sum of a date as days since 1970-01-01
	SumSeconds                    // sum of a time as whole seconds since 1970-01-01 UTC
	SumKeys                       // sum of pseudonymous UInt64 keys, modulo 2^64
)

// Check is one summary of one column.
type Check struct {
	Kind   CheckKind
	Column Column // zero for CountRows
}

// Label names the check in reports: count(), sum(hours), count(grid_id)...
func (c Check) Label() string {
	switch c.Kind {
	case CountRows:
		return "count()"
	case CountNotNull:
		return "count(" + c.Column.Name + ")"
	case SumLength:
		return "sum(length(" + c.Column.Name + "))"
	default:
		return "sum(" + c.Column.Name + ")"
	}
}

// Checks lists the summaries that reconcile a table with the given columns: the row count,
// then per column its sum (numbers, dates, times, string lengths, keys) and, for a Nullable
// column, its count of non-NULL values. is_deleted is left out: only live rows are compared.
func Checks(cols []Column) []Check {
	out := []Check{{Kind: CountRows}}
	for _, c := range cols {
		if c.Name == "is_deleted" {
			continue
		}
		base, nullable := Unwrap(c.Type)
		if nullable {
			out = append(out, Check{Kind: CountNotNull, Column: c})
		}
		switch {
		case IsKey(c.Name):
			out = append(out, Check{Kind: SumKeys, Column: c})
		case base == "String":
			out = append(out, Check{Kind: SumLength, Column: c})
		case base == "Date":
			out = append(out, Check{Kind: SumDays, Column: c})
		case strings.HasPrefix(base, "DateTime"):
			out = append(out, Check{Kind: SumSeconds, Column: c})
		default:
			out = append(out, Check{Kind: Sum, Column: c})
		}
	}
	return out
}

// IsKey says whether a column holds a pseudonymous person key (person_key, reporter_key...):
// a keyed hash of a Postgres person id, never the id itself.
func IsKey(column string) bool { return strings.HasSuffix(column, "_key") }

// Unwrap strips Nullable(...) (and LowCardinality(...), should a table use it) from a type.
func Unwrap(typ string) (base string, nullable bool) {
	for {
		switch {
		case strings.HasPrefix(typ, "Nullable(") && strings.HasSuffix(typ, ")"):
			typ, nullable = typ[len("Nullable("):len(typ)-1], true
		case strings.HasPrefix(typ, "LowCardinality(") && strings.HasSuffix(typ, ")"):
			typ = typ[len("LowCardinality(") : len(typ)-1]
		default:
			return typ, nullable
		}
	}
}

// ReconcileQuery summarises the live rows of a table after deduplication, one text column per
// check, in order.
func ReconcileQuery(db, table string, checks []Check) string {
	exprs := make([]string, len(checks))
	for i, c := range checks {
		col := Quote(c.Column.Name)
		var e string
		switch c.Kind {
		case CountRows:
			e = "count()"
		case CountNotNull:
			e = "count(" + col + ")"
		case SumLength:
			e = "sum(length(" + col + "))"
		case SumDays, SumSeconds:
			e = "sum(toUInt32(" + col + "))"
		default:
			e = "sum(" + col + ")"
		}
		exprs[i] = "toString(" + e + ")"
	}
	return fmt.Sprintf("SELECT %s FROM %s FINAL WHERE is_deleted = 0", strings.Join(exprs, ", "), Qualified(db, table))
}

// LiveCountArgMaxQuery counts the live rows of a table deduplicated with argMax instead of
// FINAL: the two reads must agree.
func LiveCountArgMaxQuery(db, table, key string) string {
	return fmt.Sprintf("SELECT toString(count()) FROM (SELECT %s, argMax(is_deleted, version) AS deleted FROM %s GROUP BY %s) WHERE deleted = 0",
		Quote(key), Qualified(db, table), Quote(key))
}

// SameNumber compares two summaries as numbers (3.70 equals 3.7; NULL and empty equal 0), or
// as text when either is not a number.
func SameNumber(a, b string) bool {
	ra, oka := number(a)
	rb, okb := number(b)
	if oka && okb {
		return ra.Cmp(rb) == 0
	}
	return a == b
}

func number(s string) (*big.Rat, bool) {
	s = strings.TrimSpace(s)
	if s == "" || s == Null || strings.EqualFold(s, "NULL") {
		s = "0"
	}
	return new(big.Rat).SetString(s)
}

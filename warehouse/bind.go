package warehouse

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Day is a calendar date bound as a ClickHouse Date literal (toDate('2006-01-02')).
type Day struct{ time.Time }

// Bind substitutes each ? of query, outside string literals, with the next argument rendered
// as a ClickHouse literal: integers as numbers, strings quoted by QuoteString, a Day as a
// Date, a time.Time as the DateTime of its Unix second (unambiguous whatever the server's
// time zone), []uint64 as a tuple for IN. It is client-side binding: ClickHouse 18.16 has no
// server-side {name:Type} parameters, and chDB takes only SQL text, so both engines receive
// the same statement. A count mismatch or an unsupported type is an error, never a guess.
func Bind(query string, args ...any) (string, error) {
	var b strings.Builder
	n, quoted := 0, false
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\\' && quoted && i+1 < len(query):
			b.WriteByte(c)
			i++
			b.WriteByte(query[i])
			continue
		case c == '\'':
			quoted = !quoted
		case c == '?' && !quoted:
			if n >= len(args) {
				return "", fmt.Errorf("bind: more placeholders than the %d arguments", len(args))
			}
			lit, err := literalOf(args[n])
			if err != nil {
				return "", fmt.Errorf("bind argument %d: %w", n+1, err)
			}
			b.WriteString(lit)
			n++
			continue
		}
		b.WriteByte(c)
	}
	if n != len(args) {
		return "", fmt.Errorf("bind: %d placeholders, %d arguments", n, len(args))
	}
	return b.String(), nil
}

func literalOf(v any) (string, error) {
	switch x := v.(type) {
	case int:
		return strconv.Itoa(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case uint64:
		return strconv.FormatUint(x, 10), nil
	case uint16:
		return strconv.FormatUint(uint64(x), 10), nil
	case string:
		return QuoteString(x), nil
	case Day:
		return "toDate('" + x.Format(time.DateOnly) + "')", nil
	case time.Time:
		if x.Unix() < 0 || x.Unix() > 4294967295 {
			return "", fmt.Errorf("time %s is outside DateTime's range", x)
		}
		return "toDateTime(" + strconv.FormatInt(x.Unix(), 10) + ")", nil
	case []uint64:
		if len(x) == 0 {
			return "(0)", nil // ids start at 1: matches nothing
		}
		parts := make([]string, len(x))
		for i, id := range x {
			parts[i] = strconv.FormatUint(id, 10)
		}
		return "(" + strings.Join(parts, ", ") + ")", nil
	default:
		return "", fmt.Errorf("unsupported type %T", v)
	}
}

package analytics

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gridgov/warehouse"
)

// A saved query's parameters are written in its SQL as ClickHouse writes server-side
// parameters, {name:Type}, and declared with it. ClickHouse 18.16 has no server-side
// parameters, so they are bound here, never spliced as text: each value is read from JSON into
// a Go value of its declared type (a number must be a number, a date a date), and rendered as
// a ClickHouse literal by warehouse.Bind (strings quoted and escaped by QuoteString). The
// placeholders are found with the lexer, so braces inside a string literal, a quoted
// identifier or a comment are text. The SQL with its values bound then passes Check like any
// other.

// ParamTypes are the types a parameter may have.
var ParamTypes = []string{"Int64", "UInt64", "Float64", "String", "Date", "DateTime"}

// Param is a declared parameter of a saved query.
type Param struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

var paramName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// maxParamText bounds a String parameter's value, in characters.
const maxParamText = 2000

// placeholder is a {name:Type} of a statement: where it is, and what it names.
type placeholder struct {
	from, to  int // byte offsets: sql[from:to] is the placeholder
	name, typ string
}

// placeholders finds the {name:Type} of sql: the tokens {, a word, :, a word, } in a row.
func placeholders(sql string) ([]placeholder, error) {
	toks, err := Lex(sql)
	if err != nil {
		return nil, fail400("%v", err)
	}
	var out []placeholder
	for i := 0; i+4 < len(toks); i++ {
		t := toks[i : i+5]
		if t[0].Text == "{" && t[0].Kind == Punct && t[1].Kind == Word && t[2].Text == ":" && t[3].Kind == Word && t[4].Text == "}" {
			out = append(out, placeholder{from: t[0].Pos, to: t[4].Pos + 1, name: t[1].Text, typ: t[3].Text})
			i += 4
		}
	}
	return out, nil
}

// checkParams checks a saved query's declaration: names and types valid, each declared once,
// every placeholder declared with its type, every declared parameter used.
func checkParams(sql string, params []Param) error {
	declared := map[string]string{}
	for _, p := range params {
		if !paramName.MatchString(p.Name) {
			return fail400("parameter %q: want a lower-case name (a-z, 0-9, _)", p.Name)
		}
		if !validType(p.Type) {
			return fail400("parameter %s: type %q; want one of %s", p.Name, p.Type, strings.Join(ParamTypes, ", "))
		}
		if declared[p.Name] != "" {
			return fail400("parameter %s is declared twice", p.Name)
		}
		declared[p.Name] = p.Type
	}
	found, err := placeholders(sql)
	if err != nil {
		return err
	}
	used := map[string]bool{}
	for _, ph := range found {
		if declared[ph.name] != ph.typ {
			return fail400("{%s:%s} is not a declared parameter of that type", ph.name, ph.typ)
		}
		used[ph.name] = true
	}
	for _, p := range params {
		if !used[p.Name] {
			return fail400("parameter %s is declared but not used as {%s:%s}", p.Name, p.Name, p.Type)
		}
	}
	return nil
}

func validType(t string) bool {
	for _, x := range ParamTypes {
		if t == x {
			return true
		}
	}
	return false
}

// bindParams gives sql with each placeholder replaced by its value's literal; values are JSON
// as the request gave them, each read as its parameter's type. A missing or extra value, or a
// value not of its type, is BAD_USER_INPUT.
func bindParams(sql string, params []Param, values map[string]json.RawMessage) (string, error) {
	typed := map[string]any{}
	for _, p := range params {
		raw, ok := values[p.Name]
		if !ok {
			return "", fail400("parameter %s: no value given", p.Name)
		}
		v, err := readValue(p.Type, raw)
		if err != nil {
			return "", fail400("parameter %s (%s): %v", p.Name, p.Type, err)
		}
		typed[p.Name] = v
	}
	for name := range values {
		if _, ok := typed[name]; !ok {
			return "", fail400("parameter %s is not declared by the query", name)
		}
	}
	found, err := placeholders(sql)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	at := 0
	for _, ph := range found {
		lit, err := literal(typed[ph.name])
		if err != nil {
			return "", fail400("parameter %s: %v", ph.name, err)
		}
		b.WriteString(sql[at:ph.from])
		b.WriteString(lit)
		at = ph.to
	}
	b.WriteString(sql[at:])
	return b.String(), nil
}

// readValue reads a JSON value as a parameter of type typ.
func readValue(typ string, raw json.RawMessage) (any, error) {
	var s string
	var n json.Number
	switch typ {
	case "Int64", "UInt64", "Float64":
		// A JSON number only: json.Number alone would take a string holding one too.
		if err := json.Unmarshal(raw, &n); err != nil || strings.HasPrefix(strings.TrimSpace(string(raw)), `"`) {
			return nil, fmt.Errorf("want a JSON number")
		}
	default:
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("want a JSON string")
		}
	}
	switch typ {
	case "Int64":
		return strconv.ParseInt(n.String(), 10, 64)
	case "UInt64":
		return strconv.ParseUint(n.String(), 10, 64)
	case "Float64":
		f, err := strconv.ParseFloat(n.String(), 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, fmt.Errorf("want a finite number")
		}
		return f, nil
	case "String":
		if len([]rune(s)) > maxParamText {
			return nil, fmt.Errorf("longer than %d characters", maxParamText)
		}
		return s, nil
	case "Date":
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return nil, fmt.Errorf("want YYYY-MM-DD")
		}
		return warehouse.Day{Time: d}, nil
	case "DateTime":
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return nil, fmt.Errorf("want an RFC 3339 time with its offset (2026-10-01T08:00:00+08:00)")
		}
		return t, nil
	}
	return nil, fmt.Errorf("unknown type")
}

// literal renders a typed value as ClickHouse reads it: by warehouse.Bind, floats here (Bind
// takes none), in parentheses so that a negative number stays one operand.
func literal(v any) (string, error) {
	if f, ok := v.(float64); ok {
		return "(" + strconv.FormatFloat(f, 'g', -1, 64) + ")", nil
	}
	lit, err := warehouse.Bind("?", v)
	if err != nil {
		return "", err
	}
	if _, ok := v.(int64); ok {
		return "(" + lit + ")", nil
	}
	return lit, nil
}

// sampleValues are values of each parameter's type that a saved query is checked with.
func sampleValues(params []Param) map[string]json.RawMessage {
	out := map[string]json.RawMessage{}
	for _, p := range params {
		switch p.Type {
		case "Int64", "UInt64", "Float64":
			out[p.Name] = json.RawMessage(`1`)
		case "Date":
			out[p.Name] = json.RawMessage(`"2026-01-01"`)
		case "DateTime":
			out[p.Name] = json.RawMessage(`"2026-01-01T00:00:00+08:00"`)
		default:
			out[p.Name] = json.RawMessage(`""`)
		}
	}
	return out
}

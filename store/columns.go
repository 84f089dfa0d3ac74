package store

import (
	"encoding/binary"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// A table's columns as a Go type holds them, declared once, in select order: each column's
// SQL expression and the field it fills. The select list, pgx's Scan of a row, and the
// decoder of rows read in bulk all come from the declaration, so a new column is one line.
//
// The decoder reads a row's raw values in the binary formats pgx asks for, without pgx's
// per-column scan plans and reflection, and allocates the row once: the object with room for
// its nullable values beside it. A row whose values do not arrive as the columns expect —
// another type, a QueryRow, a value out of range — goes through Scan, so the decoder only
// changes how fast a row is read, never what it reads (columns_test.go compares the two).

// colKind is how a column's value fills its field.
type colKind int

const (
	kInt8 colKind = iota
	kOptInt8
	kInt
	kOptInt
	kText
	kOptText
	kLabel
	kOptLabel
	kBool
	kFloat8
	kOptFloat8
	kTime
	kOptTime
)

// column is one column: its expression, the address of the field it fills, and whether it is
// a text of few distinct values (a state, a role), read as shared strings.
type column struct {
	expr  string
	field any
	label bool
}

// col is a column filling field.
func col(expr string, field any) column { return column{expr: expr, field: field} }

// label is a text column of few distinct values, read as shared strings.
func label(expr string, field any) column { return column{expr: expr, field: field, label: true} }

// columns is a declared table of T.
type columns[T any] struct {
	fields func(o *T) []column
	exprs  []string
	all    string // the select list

	kinds []colKind
	offs  []uintptr    // each column's field, from the start of T
	boxes []uintptr    // each nullable column's box, from the start of the row
	row   reflect.Type // struct{ T; boxes }: one allocation a row
}

// cols declares the columns of T: fields gives them, in select order, for an object o.
func cols[T any](fields func(o *T) []column) *columns[T] {
	c := &columns[T]{fields: fields}
	var probe T
	base := uintptr(unsafe.Pointer(&probe))
	decls := fields(&probe)
	rowFields := []reflect.StructField{{Name: "V", Type: reflect.TypeFor[T]()}}
	c.boxes = make([]uintptr, len(decls))
	boxAt := map[int]int{} // column → field of the row struct
	for i, d := range decls {
		p := reflect.ValueOf(d.field)
		if p.Kind() != reflect.Pointer || p.Pointer() < base || p.Pointer() >= base+unsafe.Sizeof(probe) {
			panic(fmt.Sprintf("store: column %s does not name a field of %T", d.expr, probe))
		}
		k, box := kindOf(p.Type().Elem(), d.label)
		c.exprs = append(c.exprs, d.expr)
		c.kinds = append(c.kinds, k)
		c.offs = append(c.offs, p.Pointer()-base)
		if box != nil {
			boxAt[i] = len(rowFields)
			rowFields = append(rowFields, reflect.StructField{Name: "B" + strconv.Itoa(i), Type: box})
		}
	}
	c.all = strings.Join(c.exprs, ", ")
	c.row = reflect.StructOf(rowFields)
	for i, f := range boxAt {
		c.boxes[i] = c.row.Field(f).Offset
	}
	declared = append(declared, c)
	return c
}

// declared is every table of columns declared: the tests read rows of each both ways.
var declared []readBoth

// readBoth is a table of columns as the tests read it: its kinds, and one row read by the
// decoder (ok false when it left the row to Scan) and by Scan.
type readBoth interface {
	kindsOf() []colKind
	both(rows pgx.Rows) (own any, ok bool, scanned any, err error)
}

func (c *columns[T]) kindsOf() []colKind { return c.kinds }

func (c *columns[T]) both(rows pgx.Rows) (any, bool, any, error) {
	own, ok := c.decode(rows)
	scanned, err := c.scanned(rows)
	return own, ok, scanned, err
}

// kindOf gives how a field of type t is filled, and the type of its box when it is nullable.
func kindOf(t reflect.Type, isLabel bool) (colKind, reflect.Type) {
	text, optText := kText, kOptText
	if isLabel {
		text, optText = kLabel, kOptLabel
	}
	switch t {
	case reflect.TypeFor[int64]():
		return kInt8, nil
	case reflect.TypeFor[*int64]():
		return kOptInt8, t.Elem()
	case reflect.TypeFor[int]():
		return kInt, nil
	case reflect.TypeFor[*int]():
		return kOptInt, t.Elem()
	case reflect.TypeFor[string]():
		return text, nil
	case reflect.TypeFor[*string]():
		return optText, t.Elem()
	case reflect.TypeFor[bool]():
		return kBool, nil
	case reflect.TypeFor[float64]():
		return kFloat8, nil
	case reflect.TypeFor[*float64]():
		return kOptFloat8, t.Elem()
	case reflect.TypeFor[time.Time]():
		return kTime, nil
	case reflect.TypeFor[*time.Time]():
		return kOptTime, t.Elem()
	}
	panic("store: no column kind for " + t.String())
}

// list gives the select list, every column prefixed ("r.") when a prefix is given.
func (c *columns[T]) list(prefix string) string {
	if prefix == "" {
		return c.all
	}
	return prefix + strings.Join(c.exprs, ", "+prefix)
}

// scan reads one row of the columns.
func (c *columns[T]) scan(r pgx.Row) (*T, error) {
	if rows, ok := r.(pgx.Rows); ok {
		if o, ok := c.decode(rows); ok {
			return o, nil
		}
	}
	return c.scanned(r)
}

// scanned reads a row through pgx's Scan.
func (c *columns[T]) scanned(r pgx.Row) (*T, error) {
	o := new(T)
	decls := c.fields(o)
	ptrs := make([]any, len(decls))
	for i, d := range decls {
		ptrs[i] = d.field
	}
	return o, r.Scan(ptrs...)
}

// accepts reports whether a column of kind k reads a value of type oid.
func accepts(k colKind, oid uint32) bool {
	switch k {
	case kInt8, kOptInt8:
		return oid == pgtype.Int8OID
	case kInt, kOptInt:
		return oid == pgtype.Int4OID || oid == pgtype.Int8OID || oid == pgtype.Int2OID
	case kText, kOptText, kLabel, kOptLabel:
		return oid == pgtype.TextOID || oid == pgtype.VarcharOID
	case kBool:
		return oid == pgtype.BoolOID
	case kFloat8, kOptFloat8:
		return oid == pgtype.Float8OID
	default:
		return oid == pgtype.TimestamptzOID || oid == pgtype.DateOID
	}
}

// decode reads the current row of rows from its raw values; ok is false when a value is not
// what the columns expect.
func (c *columns[T]) decode(rows pgx.Rows) (*T, bool) {
	fds := rows.FieldDescriptions()
	vals := rows.RawValues()
	if len(fds) != len(c.kinds) || len(vals) != len(c.kinds) {
		return nil, false
	}
	for i, fd := range fds {
		if !accepts(c.kinds[i], fd.DataTypeOID) || fd.Format != pgx.BinaryFormatCode && fd.DataTypeOID != pgtype.TextOID {
			return nil, false
		}
	}
	base := reflect.New(c.row).UnsafePointer()
	r := rawRow{vals: vals}
	for i, k := range c.kinds {
		p, box := unsafe.Add(base, c.offs[i]), unsafe.Add(base, c.boxes[i])
		switch k {
		case kInt8:
			*(*int64)(p) = r.int8(i)
		case kOptInt8:
			*(**int64)(p) = r.optInt8(i, (*int64)(box))
		case kInt:
			*(*int)(p) = r.int(i)
		case kOptInt:
			if vals[i] != nil {
				*(*int)(box) = r.int(i)
				*(**int)(p) = (*int)(box)
			}
		case kText:
			*(*string)(p) = r.text(i)
		case kOptText:
			*(**string)(p) = r.optText(i, (*string)(box))
		case kLabel:
			*(*string)(p) = r.label(i)
		case kOptLabel:
			*(**string)(p) = r.optLabel(i, (*string)(box))
		case kBool:
			*(*bool)(p) = r.bool(i)
		case kFloat8:
			*(*float64)(p) = r.float8(i)
		case kOptFloat8:
			*(**float64)(p) = r.optFloat8(i, (*float64)(box))
		case kTime:
			*(*time.Time)(p) = r.instant(i, fds[i].DataTypeOID)
		case kOptTime:
			if vals[i] != nil {
				*(*time.Time)(box) = r.instant(i, fds[i].DataTypeOID)
				*(**time.Time)(p) = (*time.Time)(box)
			}
		}
	}
	return (*T)(base), !r.bad
}

// int decodes an int2, int4 or int8 by its length.
func (r *rawRow) int(i int) int {
	switch v := r.vals[i]; len(v) {
	case 2:
		return int(int16(binary.BigEndian.Uint16(v)))
	case 4:
		return int(int32(binary.BigEndian.Uint32(v)))
	case 8:
		return int(int64(binary.BigEndian.Uint64(v)))
	}
	r.bad = true
	return 0
}

// instant decodes a timestamptz, or a date as pgx does (midnight UTC of the day).
func (r *rawRow) instant(i int, oid uint32) time.Time {
	if oid == pgtype.TimestamptzOID {
		return r.time(i)
	}
	v := r.vals[i]
	if len(v) != 4 {
		r.bad = true
		return time.Time{}
	}
	days := int32(binary.BigEndian.Uint32(v))
	if days < -730119 || days > 2921938 { // outside years 1 to 9999, or an infinity: Scan's
		r.bad = true
		return time.Time{}
	}
	return time.Date(2000, 1, 1+int(days), 0, 0, 0, 0, time.UTC)
}

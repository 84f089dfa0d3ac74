package store

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"hash/fnv"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"gridgov/apperr"
)

// FuzzCursor holds the keyset cursor codec to its contract: decoding anything never panics,
// and what it refuses is a BAD_USER_INPUT naming the argument; what it accepts belongs to the
// order asked for, has a positive id and survives encoding again unchanged; a cursor the
// store made (any order, any sort value, a positive id) decodes to exactly itself, and is
// refused by any other order. The corpus under testdata/fuzz/FuzzCursor is replayed by plain
// `go test`; resolvers/FuzzCursorPaging takes cursors through the handler to Postgres.
func FuzzCursor(f *testing.F) {
	f.Add("", "REPORTED_AT_DESC", "2024-05-01T08:30:00Z", int64(7))
	f.Add(encodeCursor(cursor{Order: "NAME", Key: "王 %_\\", ID: 1}), "NAME", "", int64(0))
	f.Add("eyJvIjoiTkFNRSIsImsiOiIiLCJpIjotMX0", "NAME", "\x00", int64(-1))
	f.Fuzz(func(t *testing.T, raw, order, key string, id int64) {
		decoded(t, raw, order)
		c := cursor{Order: order, Key: key, ID: id}
		if b, _ := json.Marshal(c); encodeCursor(c) != base64.RawURLEncoding.EncodeToString(b) {
			t.Fatalf("encodeCursor(%+v) = %s, encoding/json gives %s", c, encodeCursor(c), base64.RawURLEncoding.EncodeToString(b))
		}
		got, err := decodeCursor(encodeCursor(c), order, "before")
		switch {
		case id <= 0:
			refused(t, err, "before")
		case !utf8.ValidString(order) || !utf8.ValidString(key):
			// Sort values come from Postgres text, always UTF-8; JSON would replace the rest.
		case err != nil || got != c:
			t.Fatalf("round trip of %+v: %+v, %v", c, got, err)
		default:
			_, err := decodeCursor(encodeCursor(c), order+"_OTHER", "after")
			refused(t, err, "after")
		}
	})
}

// decoded checks one decoding of an arbitrary string.
func decoded(t *testing.T, raw, order string) {
	t.Helper()
	c, err := decodeCursor(raw, order, "after")
	if err != nil {
		refused(t, err, "after")
		return
	}
	if c.Order != order || c.ID <= 0 {
		t.Fatalf("accepted %q for order %q as %+v", raw, order, c)
	}
	if again, err := decodeCursor(encodeCursor(c), order, "after"); err != nil || again != c {
		t.Fatalf("%q decodes to %+v, which encodes to a cursor that decodes to %+v, %v", raw, c, again, err)
	}
}

// refused checks that err is a BAD_USER_INPUT on field.
func refused(t *testing.T, err error, field string) {
	t.Helper()
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Code != apperr.BadUserInput || ae.Field != field {
		t.Fatalf("want BAD_USER_INPUT on %s, got %v", field, err)
	}
}

// TestListTagsDiffer reads every listPage call of the package and checks that the operation
// names are literals whose list tags differ: two lists sharing a tag would take each other's
// cursors. It also holds listTag to the FNV-1a its comment names.
func TestListTagsDiffer(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	tags := map[string]string{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || !isIdent(call.Fun, "listPage") {
				return true
			}
			lit, ok := call.Args[2].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				t.Fatalf("%s: listPage's operation is not a string literal", fset.Position(call.Pos()))
			}
			op, _ := strconv.Unquote(lit.Value)
			if other, dup := tags[listTag(op)]; dup {
				t.Errorf("%q and %q share the list tag %s", op, other, listTag(op))
			}
			tags[listTag(op)] = op
			return true
		})
	}
	if len(tags) < 20 {
		t.Fatalf("found %d lists, want every listPage call (20 or more)", len(tags))
	}
	h := fnv.New32a()
	h.Write([]byte("list cadres"))
	s := h.Sum32()
	if want := base64.RawURLEncoding.EncodeToString([]byte{byte(s >> 16), byte(s >> 8), byte(s)}); listTag("list cadres") != want {
		t.Fatalf("listTag(list cadres) = %s, FNV-1a gives %s", listTag("list cadres"), want)
	}
}

// isIdent reports whether e is the identifier name (a generic call's instantiation aside).
func isIdent(e ast.Expr, name string) bool {
	if ix, ok := e.(*ast.IndexExpr); ok {
		e = ix.X
	}
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

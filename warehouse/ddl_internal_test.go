package warehouse

import (
	"reflect"
	"strings"
	"testing"
)

// An ALTER file is read into column changes that both engines accept, and applied to the
// columns of its table in order.
func TestAlterFiles(t *testing.T) {
	cols := []Column{{Name: "id", Type: "UInt64", Comment: "id"}, {Name: "born", Type: "Nullable(UInt16)", Comment: "year"},
		{Name: "version", Type: "UInt64", Comment: "v"}}
	for _, c := range []struct {
		name, body string
		want       []string // the columns after, as name type comment; nil when the file is refused
		err        string
	}{
		{"add, comment, drop", "-- why\nALTER TABLE t\n    ADD COLUMN cohort Nullable(UInt16) AFTER id,\n    COMMENT COLUMN cohort 'five years, it\\'s coarse',\n    DROP COLUMN born",
			[]string{"id UInt64 id", "cohort Nullable(UInt16) five years, it's coarse", "version UInt64 v"}, ""},
		{"add at the end", "ALTER TABLE t ADD COLUMN at DateTime('Asia/Shanghai')",
			[]string{"id UInt64 id", "born Nullable(UInt16) year", "version UInt64 v", "at DateTime('Asia/Shanghai') "}, ""},
		{"a mutation", "ALTER TABLE t UPDATE born = intDiv(born, 5) * 5, id = id WHERE born IS NOT NULL",
			[]string{"id UInt64 id", "born Nullable(UInt16) year", "version UInt64 v"}, ""},
		{"a comment inside ADD COLUMN", "ALTER TABLE t ADD COLUMN x UInt8 COMMENT 'x'", nil, "give the type only"},
		{"IF EXISTS", "ALTER TABLE t DROP COLUMN IF EXISTS born", nil, "want ADD COLUMN"},
		{"a column dropped twice", "ALTER TABLE t DROP COLUMN born, DROP COLUMN born", nil, "drops column born, which t does not have"},
		{"a column added twice", "ALTER TABLE t ADD COLUMN born UInt16", nil, "adds column born, which t has"},
		{"after a missing column", "ALTER TABLE t ADD COLUMN x UInt8 AFTER nope", nil, "after nope"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, err := parseMigration("00099_change", c.body)
			var got []Column
			if err == nil {
				got, err = m.apply(cols)
			}
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Errorf("error %v, want one saying %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var after []string
			for _, col := range got {
				after = append(after, col.Name+" "+col.Type+" "+col.Comment)
			}
			if !reflect.DeepEqual(after, c.want) || m.Kind != "alter" || m.Table != "t" {
				t.Errorf("%s %s: columns %q, want %q", m.Kind, m.Table, after, c.want)
			}
			if mutation := strings.Contains(c.body, "UPDATE"); m.Mutation != mutation {
				t.Errorf("mutation %v, want %v", m.Mutation, mutation)
			}
		})
	}
}

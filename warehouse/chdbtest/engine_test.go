package chdbtest

import (
	"context"
	"fmt"
	"strings"

	"github.com/chdb-io/chdb-go/chdb"
)

// engine runs warehouse SQL in an embedded chDB session; it implements warehouse.Engine.
type engine struct{ s *chdb.Session }

func (e engine) Exec(_ context.Context, query string) error {
	r, err := e.s.Query(query, "TabSeparated")
	if err != nil {
		return err
	}
	defer r.Free()
	return r.Error()
}

// Query parses TabSeparated output: one line per row, tab between values, \N for NULL.
func (e engine) Query(_ context.Context, query string) ([][]string, error) {
	r, err := e.s.Query(query, "TabSeparated")
	if err != nil {
		return nil, err
	}
	defer r.Free()
	if err := r.Error(); err != nil {
		return nil, err
	}
	var out [][]string
	for _, line := range strings.Split(strings.TrimSuffix(string(r.Buf()), "\n"), "\n") {
		if line == "" {
			continue
		}
		fields := strings.Split(line, "\t")
		for i, f := range fields {
			if f != `\N` {
				fields[i] = unescapeTSV(f)
			}
		}
		out = append(out, fields)
	}
	return out, nil
}

func unescapeTSV(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	return strings.NewReplacer(`\t`, "\t", `\n`, "\n", `\\`, `\`, `\'`, `'`).Replace(s)
}

func version(e engine) (string, error) {
	rows, err := e.Query(context.Background(), "SELECT version()")
	if err != nil || len(rows) != 1 {
		return "", fmt.Errorf("version: %v %v", rows, err)
	}
	return rows[0][0], nil
}

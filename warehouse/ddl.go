package warehouse

import (
	"fmt"
	"io/fs"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gridgov/schema"
)

// Migration is one embedded DDL file: one statement, applied once, in version order.
type Migration struct {
	Version int
	Name    string // file name without number and extension
	SQL     string // the statement as written, comments included
	// Table is the table the statement creates (Kind "create"), fills (Kind "insert") or
	// alters (Kind "alter").
	Table string
	Kind  string
	// Description is the leading comment of the file, the table's entry in the dictionary.
	Description string
	// Columns are the columns a CREATE declares; from Tables, as the later ALTER files leave them.
	Columns []Column
	// Changes are the column changes of an ALTER, in order.
	Changes []Change
	// Mutation is set for an ALTER ... UPDATE or DELETE: ClickHouse rewrites the rows in the
	// background, and Migrate waits until it is done before the next file.
	Mutation bool
}

// Change is one column change of an ALTER: ADD COLUMN name Type [AFTER column], DROP COLUMN
// name, or COMMENT COLUMN name 'text'.
type Change struct {
	Op     string // "add", "drop" or "comment"
	Column Column // the name; with the type (add) or the comment (comment)
	After  string // add: the column it follows; "" for the end
}

// Column is a column of a warehouse table as declared in its DDL.
type Column struct {
	Name    string
	Type    string
	Comment string
}

var (
	createRe = regexp.MustCompile(`(?m)^CREATE TABLE IF NOT EXISTS (\w+)`)
	viewRe   = regexp.MustCompile(`(?m)^CREATE VIEW IF NOT EXISTS (\w+)`)
	// fromRe finds the tables a view reads, to qualify them with the database.
	fromRe   = regexp.MustCompile(`\b(FROM|JOIN)\s+([a-z_][a-z0-9_]*)\b`)
	insertRe = regexp.MustCompile(`(?m)^INSERT INTO (\w+)`)
	alterRe  = regexp.MustCompile(`(?m)^ALTER TABLE (\w+)`)
	columnRe = regexp.MustCompile(`^\s+(\w+)\s+(.+?)\s+COMMENT\s+'((?:[^'\\]|\\.)*)',?$`)
)

// Migrations lists the embedded warehouse DDL in version order.
func Migrations() ([]Migration, error) {
	files, err := fs.Glob(schema.ClickHouse, "clickhouse/*.sql")
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, f := range files {
		body, err := fs.ReadFile(schema.ClickHouse, f)
		if err != nil {
			return nil, err
		}
		m, err := parseMigration(strings.TrimSuffix(strings.TrimPrefix(f, "clickhouse/"), ".sql"), string(body))
		if err != nil {
			return nil, fmt.Errorf("warehouse ddl %s: %w", f, err)
		}
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i := 1; i < len(out); i++ {
		if out[i].Version == out[i-1].Version {
			return nil, fmt.Errorf("warehouse ddl: two files numbered %d", out[i].Version)
		}
	}
	return out, nil
}

func parseMigration(base, body string) (Migration, error) {
	num, name, ok := strings.Cut(base, "_")
	version, err := strconv.Atoi(num)
	if !ok || err != nil {
		return Migration{}, fmt.Errorf("want NNNNN_name.sql")
	}
	m := Migration{Version: version, Name: name, SQL: body}
	if c := createRe.FindStringSubmatch(body); c != nil {
		m.Kind, m.Table = "create", c[1]
	} else if c := viewRe.FindStringSubmatch(body); c != nil {
		m.Kind, m.Table = "view", c[1]
	} else if c := insertRe.FindStringSubmatch(body); c != nil {
		m.Kind, m.Table = "insert", c[1]
	} else if c := alterRe.FindStringSubmatch(body); c != nil {
		m.Kind, m.Table = "alter", c[1]
	} else {
		return m, fmt.Errorf("want one CREATE TABLE IF NOT EXISTS, CREATE VIEW IF NOT EXISTS, INSERT INTO or ALTER TABLE statement")
	}
	if statementEnds(strings.TrimRight(stripComments(body), " \n;")) > 0 {
		return m, fmt.Errorf("one statement per file: ClickHouse DDL is not transactional")
	}
	var desc []string
	for _, line := range strings.Split(body, "\n") {
		if !strings.HasPrefix(line, "--") {
			break
		}
		desc = append(desc, strings.TrimSpace(strings.TrimPrefix(line, "--")))
	}
	m.Description = strings.Join(desc, " ")
	if m.Kind == "create" {
		for _, line := range strings.Split(body, "\n") {
			if c := columnRe.FindStringSubmatch(line); c != nil {
				m.Columns = append(m.Columns, Column{Name: c[1], Type: c[2], Comment: unescape(c[3])})
			}
		}
		if len(m.Columns) == 0 {
			return m, fmt.Errorf("no columns found: write one `name Type COMMENT '...'` per line")
		}
	}
	if m.Kind == "alter" {
		sql := stripComments(body)
		head := alterRe.FindStringIndex(sql)
		if err := m.parseAlter(strings.TrimSpace(sql[head[1]:])); err != nil {
			return m, err
		}
	}
	return m, nil
}

var (
	addRe     = regexp.MustCompile(`^ADD\s+COLUMN\s+(\w+)\s+(.+?)(?:\s+AFTER\s+(\w+))?$`)
	dropRe    = regexp.MustCompile(`^DROP\s+COLUMN\s+(\w+)$`)
	commentRe = regexp.MustCompile(`^COMMENT\s+COLUMN\s+(\w+)\s+'((?:[^'\\]|\\.)*)'$`)
	// columnClauseRe finds what may follow a type in a column declaration.
	columnClauseRe = regexp.MustCompile(`\s(COMMENT|DEFAULT|MATERIALIZED|ALIAS|CODEC|TTL)\b`)
)

// parseAlter reads the commands of an ALTER: column changes separated by commas, or one
// UPDATE or DELETE (a mutation, alone in its file). Only what both ClickHouse 18.16 and
// current releases accept: no IF [NOT] EXISTS, and no COMMENT inside ADD COLUMN (18.16
// drops it silently), so a new column's comment is a COMMENT COLUMN of its own.
func (m *Migration) parseAlter(commands string) error {
	if strings.HasPrefix(commands, "UPDATE ") || strings.HasPrefix(commands, "DELETE ") {
		m.Mutation = true
		return nil
	}
	for _, cmd := range splitTopLevel(commands) {
		cmd = strings.TrimSpace(cmd)
		switch {
		case addRe.MatchString(cmd):
			c := addRe.FindStringSubmatch(cmd)
			if columnClauseRe.MatchString(c[2]) {
				return fmt.Errorf("ADD COLUMN %s: give the type only, and its comment in a COMMENT COLUMN command", c[1])
			}
			m.Changes = append(m.Changes, Change{Op: "add", Column: Column{Name: c[1], Type: c[2]}, After: c[3]})
		case dropRe.MatchString(cmd):
			m.Changes = append(m.Changes, Change{Op: "drop", Column: Column{Name: dropRe.FindStringSubmatch(cmd)[1]}})
		case commentRe.MatchString(cmd):
			c := commentRe.FindStringSubmatch(cmd)
			m.Changes = append(m.Changes, Change{Op: "comment", Column: Column{Name: c[1], Comment: unescape(c[2])}})
		default:
			return fmt.Errorf("ALTER: want ADD COLUMN, DROP COLUMN, COMMENT COLUMN, or one UPDATE or DELETE; got %q", cmd)
		}
	}
	if len(m.Changes) == 0 {
		return fmt.Errorf("ALTER without commands")
	}
	return nil
}

// splitTopLevel splits at the commas outside parentheses and string literals.
func splitTopLevel(s string) []string {
	var out []string
	depth, quoted, start := 0, false, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && quoted:
			i++
		case c == '\'':
			quoted = !quoted
		case quoted:
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == ',' && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// apply returns cols changed by the ALTER, refusing a change that does not fit them (a column
// added twice, dropped or commented while absent, added after a missing one).
func (m Migration) apply(cols []Column) ([]Column, error) {
	out := append([]Column(nil), cols...)
	find := func(name string) int {
		for i, c := range out {
			if c.Name == name {
				return i
			}
		}
		return -1
	}
	for _, ch := range m.Changes {
		i := find(ch.Column.Name)
		switch {
		case ch.Op == "add" && i >= 0:
			return nil, fmt.Errorf("adds column %s, which %s has", ch.Column.Name, m.Table)
		case ch.Op != "add" && i < 0:
			return nil, fmt.Errorf("%ss column %s, which %s does not have", ch.Op, ch.Column.Name, m.Table)
		case ch.Op == "add":
			at := len(out)
			if ch.After != "" {
				if at = find(ch.After) + 1; at == 0 {
					return nil, fmt.Errorf("adds column %s after %s, which %s does not have", ch.Column.Name, ch.After, m.Table)
				}
			}
			out = append(out[:at], append([]Column{ch.Column}, out[at:]...)...)
		case ch.Op == "drop":
			out = append(out[:i], out[i+1:]...)
		case ch.Op == "comment":
			out[i].Comment = ch.Column.Comment
		}
	}
	return out, nil
}

// statementEnds counts the semicolons outside string literals.
func statementEnds(sql string) int {
	n, quoted := 0, false
	for i := 0; i < len(sql); i++ {
		switch c := sql[i]; {
		case c == '\\' && quoted:
			i++
		case c == '\'':
			quoted = !quoted
		case c == ';' && !quoted:
			n++
		}
	}
	return n
}

func stripComments(sql string) string {
	var b strings.Builder
	for _, line := range strings.Split(sql, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "--") {
			b.WriteString(line)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func unescape(s string) string {
	return strings.NewReplacer(`\'`, `'`, `\\`, `\`).Replace(s)
}

// Topology says how tables are laid out: on one node, or as the local tables of one node of a
// cluster (see Cluster).
type Topology struct {
	// Cluster, when set, renders a CREATE for a node of that cluster: the table replicated
	// (Replicated*MergeTree, coordinated through ZooKeeper) among the replicas of its shard
	// when its rows are spread by street, among every node when each node holds it whole; a
	// summary stays a plain table of the node. Statements are applied node by node
	// (MigrateCluster), not ON CLUSTER: an ALTER of a replicated table reaches the other
	// replicas through ZooKeeper, and the next node finds it done.
	Cluster string
}

// The one place that names the engine of warehouse tables. DDL files say
// `ENGINE = ReplacingMergeTree(...)`; Statement rewrites that for a cluster.
const (
	replacingEngine  = "ReplacingMergeTree"
	summaryEngine    = "MergeTree"
	replicatedPrefix = "Replicated"
)

// replicaPath is the ZooKeeper path and replica name of table in database db: one path per
// shard for a sharded table ({shard} is each node's macro), one for the whole cluster for a
// table every node holds. Names are literal: 18.16 has no {database} and {table} macros.
func replicaPath(db, table string) string {
	shard := "{shard}"
	if _, ok := ShardKey(table); !ok {
		shard = "all"
	}
	return QuoteString("/clickhouse/tables/"+shard+"/"+db+"/"+table) + ", '{replica}'"
}

// Statement renders the migration for database db and topology t: the table name qualified,
// and on a cluster the replicated engine.
func (m Migration) Statement(db string, t Topology) string {
	sql := stripComments(m.SQL)
	target := Qualified(db, m.Table)
	switch m.Kind {
	case "create":
		sql = createRe.ReplaceAllLiteralString(sql, "CREATE TABLE IF NOT EXISTS "+target)
		if t.replicated(m.Table) {
			sql = columnCommentRe.ReplaceAllString(EngineFor(sql, db, m.Table, t), "$1")
		}
	case "view":
		// A view reads its tables by name when queried: each is qualified with db, so the
		// view reads its own database's whatever the reader's current one (on a cluster, the
		// Distributed tables of that name; every node gets the view, as every other statement).
		head := "CREATE VIEW IF NOT EXISTS " + target
		at := viewRe.FindStringIndex(sql)
		body := fromRe.ReplaceAllStringFunc(sql[at[1]:], func(m string) string {
			c := fromRe.FindStringSubmatch(m)
			return c[1] + " " + Qualified(db, c[2])
		})
		sql = head + body
	case "insert":
		sql = insertRe.ReplaceAllLiteralString(sql, "INSERT INTO "+target)
	case "alter":
		head := alterRe.FindStringIndex(sql)
		if t.replicated(m.Table) && !m.Mutation {
			var keep []string
			for _, cmd := range splitTopLevel(sql[head[1]:]) {
				if !commentRe.MatchString(strings.TrimSpace(cmd)) {
					keep = append(keep, strings.TrimSpace(cmd))
				}
			}
			if len(keep) == 0 {
				return "" // comments only: nothing to do on a replicated table
			}
			return "ALTER TABLE " + target + " " + strings.Join(keep, ", ")
		}
		sql = alterRe.ReplaceAllLiteralString(sql, "ALTER TABLE "+target)
	}
	return strings.TrimSpace(sql)
}

// columnCommentRe finds a column's COMMENT in a CREATE.
var columnCommentRe = regexp.MustCompile(`(?m)\s+COMMENT\s+'(?:[^'\\]|\\.)*'(,?)$`)

// replicated says whether table is a Replicated*MergeTree in t. ClickHouse 18.16 refuses to
// create a replicated table whose columns carry comments ("Table structure in ZooKeeper is too
// different from local table structure"), so their comments are left out there: the data
// dictionary (docs/warehouse.md) is generated from the DDL files, not read from a server.
func (t Topology) replicated(table string) bool { return t.Cluster != "" && !IsSummary(table) }

// EngineFor rewrites `ENGINE = ReplacingMergeTree(args)` (and `ENGINE = MergeTree()`) of
// table in database db for the topology.
func EngineFor(sql, db, table string, t Topology) string {
	if t.Cluster == "" {
		return sql
	}
	for _, engine := range []string{replacingEngine, summaryEngine} {
		from := "ENGINE = " + engine + "("
		i := strings.Index(sql, from)
		if i < 0 {
			continue
		}
		rest := sql[i+len(from):]
		args := replicaPath(db, table)
		if !strings.HasPrefix(rest, ")") {
			args += ", "
		}
		return sql[:i] + "ENGINE = " + replicatedPrefix + engine + "(" + args + rest
	}
	return sql
}

// Tables lists the tables the DDL creates, in the order of their CREATE files, with their
// columns as every ALTER file leaves them: the shape of a migrated warehouse.
func Tables() ([]Migration, error) { return TablesAt(math.MaxInt) }

// TablesAt lists the tables as the migrations up to version leave them.
func TablesAt(version int) ([]Migration, error) {
	ms, err := Migrations()
	if err != nil {
		return nil, err
	}
	var out []Migration
	index := map[string]int{}
	for _, m := range ms {
		if m.Version > version {
			break
		}
		switch m.Kind {
		case "create":
			index[m.Table] = len(out)
			out = append(out, m)
		case "alter":
			i, ok := index[m.Table]
			if !ok {
				return nil, fmt.Errorf("warehouse ddl %05d_%s: alters %s, which no earlier file creates", m.Version, m.Name, m.Table)
			}
			if out[i].Columns, err = m.apply(out[i].Columns); err != nil {
				return nil, fmt.Errorf("warehouse ddl %05d_%s: %w", m.Version, m.Name, err)
			}
		}
	}
	return out, nil
}

// Views lists the metric views the DDL creates (Kind "view"), in the order of their files: one
// definition of each metric, read by the indicators and by statisticians alike.
func Views() ([]Migration, error) {
	ms, err := Migrations()
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, m := range ms {
		if m.Kind == "view" {
			out = append(out, m)
		}
	}
	return out, nil
}

// Table returns the DDL of one table.
func Table(name string) (Migration, error) {
	ts, err := Tables()
	if err != nil {
		return Migration{}, err
	}
	for _, t := range ts {
		if t.Table == name {
			return t, nil
		}
	}
	return Migration{}, fmt.Errorf("warehouse has no table %s", name)
}

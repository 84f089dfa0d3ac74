package analytics

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"gridgov/apperr"
)

// Check accepts one SELECT (or WITH … SELECT) statement, a trailing semicolon allowed, that
// reads only the tables of database (the warehouse) and changes nothing of how it runs. It
// works on the tokens of ClickHouse's lexical grammar (Lex), so quotes, escapes and comments
// hide nothing from it. It refuses:
//   - anything but one statement, or a statement that is not a SELECT;
//   - SETTINGS, FORMAT, INTO and OUTFILE as keywords anywhere: limits are the server's, the
//     output format is the endpoint's;
//   - a table of another database, and every table function (remote, url, file, numbers, …),
//     wherever a table is read: FROM and JOIN, the tables of a comma join, subqueries and
//     CTEs, and the right side of IN (operator or function form);
//   - a name qualified by the system or information_schema database anywhere;
//   - functions that read files, the network, dictionaries or tables named in a string
//     (file, joinGet, dictGet, hasColumnInTable, …), wherever they are called.
//
// The returned error is an Error (nil when the statement is accepted).
func Check(sql, database string) error {
	toks, err := Lex(sql)
	if err != nil {
		return fail(http.StatusBadRequest, string(apperr.BadUserInput), "cannot read the SQL %v", err)
	}
	c := checker{db: database, tableParens: map[int]bool{}}
	for _, t := range toks {
		if t.Kind != Whitespace && t.Kind != Comment {
			c.toks = append(c.toks, t)
		}
	}
	return c.check()
}

type checker struct {
	toks        []Token // significant tokens
	db          string
	tableParens map[int]bool // indexes of '(' that open a table expression
}

// frame is what the checker knows of one level of parentheses.
type frame struct {
	call bool // the arguments of a function call (EXTRACT(x FROM d) reads no table)
	from bool // inside a FROM clause: a comma starts another table
}

func (c *checker) check() error {
	if len(c.toks) == 0 {
		return fail(http.StatusBadRequest, string(apperr.BadUserInput), "no SQL: send one SELECT")
	}
	if last := c.toks[len(c.toks)-1]; isPunct(last, ";") {
		c.toks = c.toks[:len(c.toks)-1]
	}
	for _, t := range c.toks {
		if isPunct(t, ";") {
			return fail(http.StatusBadRequest, CodeMultipleStatements, "send one statement at a time (a second one starts at byte %d)", t.Pos)
		}
	}
	if err := c.checkLeading(); err != nil {
		return err
	}
	stack := []frame{{}}
	for i, t := range c.toks {
		top := &stack[len(stack)-1]
		switch {
		case isPunct(t, "("):
			stack = append(stack, c.open(i))
		case isPunct(t, ")"):
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
		case isPunct(t, ","):
			if top.from {
				if err := c.checkTable(i + 1); err != nil {
					return err
				}
			}
		case t.Kind == Word:
			if err := c.checkWord(i, top); err != nil {
				return err
			}
		}
		if isName(t) && inFunctions.MatchString(t.Value) {
			if err := c.checkIn(i); err != nil {
				return err
			}
		}
		if err := c.checkName(i); err != nil {
			return err
		}
	}
	return nil
}

// checkLeading wants SELECT or WITH first, after any opening parentheses.
func (c *checker) checkLeading() error {
	for _, t := range c.toks {
		if isPunct(t, "(") {
			continue
		}
		if isKeyword(t, "SELECT") || isKeyword(t, "WITH") {
			return nil
		}
		return fail(http.StatusForbidden, CodeReadOnly, "the warehouse is read-only: only SELECT (or WITH … SELECT) is accepted, not %s", strings.ToUpper(t.Text))
	}
	return fail(http.StatusBadRequest, string(apperr.BadUserInput), "no statement: send one SELECT")
}

// open classifies the parenthesis at i: a table expression (after FROM or JOIN), a function
// call's arguments, or a subquery or grouping.
func (c *checker) open(i int) frame {
	if c.tableParens[i] {
		return frame{from: true}
	}
	if c.at(i+1, "SELECT") || c.at(i+1, "WITH") {
		return frame{}
	}
	prev := c.tok(i - 1)
	return frame{call: prev.Kind == Word && !clauseWords[strings.ToUpper(prev.Text)] || prev.Kind == QuotedIdent}
}

// Words after which a parenthesis is not a function call's.
var clauseWords = set("FROM", "JOIN", "IN", "AS", "ON", "USING", "WHERE", "PREWHERE", "HAVING", "SELECT",
	"BY", "AND", "OR", "NOT", "WITH", "UNION", "ALL", "DISTINCT", "THEN", "ELSE", "WHEN", "CASE",
	"LIMIT", "OFFSET", "EXCEPT", "INTERSECT", "EXISTS", "ANY", "SOME", "FINAL", "SAMPLE", "GLOBAL")

// Keywords that end a FROM clause at their level.
var afterFrom = set("WHERE", "PREWHERE", "GROUP", "ORDER", "HAVING", "LIMIT", "UNION", "EXCEPT",
	"INTERSECT", "WINDOW", "QUALIFY", "SELECT")

func (c *checker) checkWord(i int, top *frame) error {
	t := c.toks[i]
	word := strings.ToUpper(t.Text)
	switch {
	case word == "SETTINGS":
		return fail(http.StatusForbidden, CodeReadOnly, "SETTINGS at byte %d: a statistician's query runs with the server's limits and cannot change them", t.Pos)
	case word == "FORMAT" && !c.at(i+1, "("), word == "INTO", word == "OUTFILE":
		return fail(http.StatusBadRequest, string(apperr.BadUserInput), "leave out %s (byte %d): ask for CSV with Accept: text/csv or ?format=csv; nothing is written to files", word, t.Pos)
	case word == "SELECT" || word == "WITH":
		top.call = false // a subquery written inside a call's parentheses reads tables
		top.from = false
	case word == "FROM" && !top.call:
		top.from = true
		return c.checkTable(i + 1)
	case word == "JOIN" && !c.at(i-1, "ARRAY"):
		top.from = true
		return c.checkTable(i + 1)
	case word == "ARRAY" && c.at(i+1, "JOIN"), afterFrom[word]:
		top.from = false // ARRAY JOIN a, b lists arrays, not tables
	}
	return nil
}

// checkTable checks the table expression that starts at i (after FROM, JOIN, or a comma of a
// FROM clause): a subquery, a table of the warehouse (qualified or not), never a table
// function or another database's table.
func (c *checker) checkTable(i int) error {
	for isPunct(c.tok(i), "(") {
		c.tableParens[i] = true
		i++
	}
	t := c.tok(i)
	switch {
	case c.at(i, "SELECT") || c.at(i, "WITH"):
		return nil
	case t.Kind != Word && t.Kind != QuotedIdent:
		return fail(http.StatusBadRequest, string(apperr.BadUserInput), "at byte %d: a table of the warehouse or a subquery belongs here", t.Pos)
	case isPunct(c.tok(i+1), "("):
		return tableFunction(t)
	case isPunct(c.tok(i+1), ".") && isName(c.tok(i+2)):
		if err := c.checkDatabase(t, c.tok(i+2)); err != nil {
			return err
		}
		if isPunct(c.tok(i+3), "(") {
			return tableFunction(c.tok(i + 2))
		}
	}
	return nil
}

// checkIn checks the right side of IN (and of its function forms in(), notIn(), …), where a
// name is a table to read: IN db.table, IN (db.table), in(x, db.table).
func (c *checker) checkIn(i int) error {
	if !isPunct(c.tok(i+1), "(") {
		return c.checkQualified(i + 1)
	}
	start, depth := i+2, 1
	for j := start; j < len(c.toks) && depth > 0; j++ {
		switch t := c.toks[j]; {
		case isPunct(t, "("):
			depth++
		case isPunct(t, ")"):
			depth--
		}
		if depth == 0 || depth == 1 && isPunct(c.toks[j], ",") {
			if err := c.checkElement(start, j); err != nil {
				return err
			}
			start = j + 1
		}
	}
	return nil
}

// checkElement checks one element of an IN list, toks[from:to], unwrapping parentheses: a
// qualified name alone is a table.
func (c *checker) checkElement(from, to int) error {
	for to-from >= 2 && isPunct(c.toks[from], "(") && c.closing(from) == to-1 {
		from, to = from+1, to-1
	}
	if to-from == 3 {
		return c.checkQualified(from)
	}
	return nil
}

// checkQualified checks db.table at i, if that is what stands there.
func (c *checker) checkQualified(i int) error {
	if isName(c.tok(i)) && isPunct(c.tok(i+1), ".") && isName(c.tok(i+2)) && !isPunct(c.tok(i+3), "(") {
		return c.checkDatabase(c.tok(i), c.tok(i+2))
	}
	return nil
}

func (c *checker) checkDatabase(db, table Token) error {
	if db.Value == c.db {
		return nil
	}
	return fail(http.StatusForbidden, string(apperr.Forbidden), "%s.%s (byte %d): statisticians read the warehouse database %s only (its tables are described in docs/warehouse.md)", db.Value, table.Value, db.Pos, c.db)
}

// checkName refuses, wherever they stand, names qualified by a system database and the
// functions that read outside the warehouse.
func (c *checker) checkName(i int) error {
	t := c.toks[i]
	if !isName(t) {
		return nil
	}
	if isPunct(c.tok(i+1), ".") && isName(c.tok(i+2)) && systemDatabases[strings.ToLower(t.Value)] {
		return fail(http.StatusForbidden, string(apperr.Forbidden), "%s.%s (byte %d): the %s database is not available to statisticians; the warehouse's tables are described in docs/warehouse.md", t.Value, c.tok(i+2).Value, t.Pos, t.Value)
	}
	if isPunct(c.tok(i+1), "(") && !isPunct(c.tok(i-1), ".") && readsOutside(t.Value) {
		return fail(http.StatusForbidden, string(apperr.Forbidden), "%s() (byte %d) reads outside the warehouse: not available to statisticians", t.Value, t.Pos)
	}
	return nil
}

func tableFunction(t Token) error {
	return fail(http.StatusForbidden, string(apperr.Forbidden), "table function %s (byte %d): statisticians read the warehouse's tables only", t.Value, t.Pos)
}

var systemDatabases = set("system", "information_schema")

// inFunctions are IN and the functions it stands for, whose right side may name a table.
var inFunctions = regexp.MustCompile(`(?i)^(global)?(not)?(null)?in(ignoreset)?$`)

// outsideFunctions read files, the network, other tables or dictionaries (table functions,
// and scalar functions that take a path, a URL, a table or a dictionary name). Table functions
// are refused in FROM and JOIN whatever their name; this list refuses them in expressions too.
var outsideFunctions = set("file", "filecluster", "url", "urlcluster", "remote", "remotesecure",
	"cluster", "clusterallreplicas", "mysql", "postgresql", "odbc", "jdbc", "gcs", "oss", "cosn",
	"input", "numbers", "numbers_mt", "zeros", "zeros_mt", "generaterandom", "generate_series",
	"generateseries", "merge", "executable", "values", "view", "viewifpermitted", "viewexplain",
	"null", "dictionary", "sqlite", "mongodb", "redis", "hive", "loop", "mergetreeindex",
	"mergetreeprojection", "fuzzjson", "fuzzquery", "primes", "arrowflight", "ytsaurus",
	"joinget", "joingetornull", "hascolumnintable", "dicthas", "dictisin", "catboostevaluate",
	"modelevaluate")

var outsidePrefixes = []string{"dictget", "iceberg", "deltalake", "hudi", "s3", "azureblob", "hdfs", "paimon", "timeseries"}

func readsOutside(name string) bool {
	n := strings.ToLower(name)
	if outsideFunctions[n] {
		return true
	}
	for _, p := range outsidePrefixes {
		if strings.HasPrefix(n, p) {
			return true
		}
	}
	return false
}

// tok returns the significant token at i, or a zero Token past either end.
func (c *checker) tok(i int) Token {
	if i < 0 || i >= len(c.toks) {
		return Token{Kind: Whitespace}
	}
	return c.toks[i]
}

// at says whether the token at i is the keyword word.
func (c *checker) at(i int, word string) bool { return isKeyword(c.tok(i), word) }

// closing returns the index of the parenthesis that closes the one at open (len(toks) when
// none does).
func (c *checker) closing(open int) int {
	depth := 0
	for j := open; j < len(c.toks); j++ {
		switch {
		case isPunct(c.toks[j], "("):
			depth++
		case isPunct(c.toks[j], ")"):
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return len(c.toks)
}

func isPunct(t Token, p string) bool { return t.Kind == Punct && t.Text == p }
func isKeyword(t Token, w string) bool {
	return t.Kind == Word && strings.EqualFold(t.Text, w)
}
func isName(t Token) bool { return t.Kind == Word || t.Kind == QuotedIdent }

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// Error is the endpoint's answer to a refused or failed query: an HTTP status, a code of
// extensions.code's vocabulary, and a message for the statistician.
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e Error) Error() string { return e.Code + ": " + e.Message }

func fail(status int, code, format string, args ...any) Error {
	return Error{status, code, fmt.Sprintf(format, args...)}
}

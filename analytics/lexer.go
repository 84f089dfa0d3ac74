package analytics

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Kind is the lexical class of a token.
type Kind int

// The token kinds of ClickHouse SQL that Lex tells apart.
const (
	Whitespace  Kind = iota
	Comment          // -- and // to the end of the line, /* */
	Word             // a bare word: a keyword or an identifier
	QuotedIdent      // "identifier" or `identifier`
	String           // 'literal'
	Number           // 1, 1.5, 1e-3, .5, 0x1F
	Punct            // operators and brackets: ( ) [ ] { } , ; . + - * / % = == != <> < <= > >= ? : :: || -> @ |
)

func (k Kind) String() string {
	return [...]string{"whitespace", "comment", "word", "quoted identifier", "string", "number", "punctuation"}[k]
}

// Token is one token of a statement: Text as written, Value decoded (the name of a quoted
// identifier or the value of a string, escapes applied; the text itself for other kinds).
type Token struct {
	Kind  Kind
	Text  string
	Value string
	Pos   int // byte offset in the statement
}

// LexError says where and why a statement cannot be read.
type LexError struct {
	Pos    int
	Reason string
}

func (e *LexError) Error() string { return fmt.Sprintf("at byte %d: %s", e.Pos, e.Reason) }

// Lex splits a statement into tokens by ClickHouse's lexical grammar, as both Debian's 18.16
// and current releases read it. Where the two read the same text differently, Lex refuses it
// rather than guess which one runs the query: nested block comments (current releases nest,
// 18.16 ends the comment at the first */), '#' comments and '$' (heredoc strings and
// identifier characters in current releases, errors in 18.16), Unicode whitespace, and a
// number run into letters (an identifier in current releases, an error in 18.16). Characters
// outside ASCII are accepted only inside strings, quoted identifiers and comments.
func Lex(sql string) ([]Token, error) {
	l := lexer{src: sql}
	for l.pos < len(sql) {
		t, err := l.next()
		if err != nil {
			return nil, err
		}
		l.toks = append(l.toks, t)
		if t.Kind != Whitespace && t.Kind != Comment {
			l.prev = t
		}
	}
	return l.toks, nil
}

type lexer struct {
	src  string
	pos  int
	toks []Token
	prev Token // the last significant token
}

func (l *lexer) fail(pos int, format string, args ...any) error {
	return &LexError{Pos: pos, Reason: fmt.Sprintf(format, args...)}
}

func (l *lexer) token(kind Kind, start int) Token {
	text := l.src[start:l.pos]
	return Token{Kind: kind, Text: text, Value: text, Pos: start}
}

func (l *lexer) peek(off int) byte {
	if l.pos+off < len(l.src) {
		return l.src[l.pos+off]
	}
	return 0
}

func (l *lexer) next() (Token, error) {
	start := l.pos
	c := l.src[l.pos]
	switch {
	case isSpace(c):
		for l.pos < len(l.src) && isSpace(l.src[l.pos]) {
			l.pos++
		}
		return l.token(Whitespace, start), nil
	case c == '-' && l.peek(1) == '-', c == '/' && l.peek(1) == '/':
		return l.lineComment(start), nil
	case c == '/' && l.peek(1) == '*':
		return l.blockComment(start)
	case c == '\'':
		return l.quoted(start, String, "string literal")
	case c == '"' || c == '`':
		return l.quoted(start, QuotedIdent, "quoted identifier")
	case isDigit(c) || c == '.' && isDigit(l.peek(1)) && !l.afterOperand():
		return l.number(start)
	case isWordStart(c):
		for l.pos < len(l.src) && isWordChar(l.src[l.pos]) {
			l.pos++
		}
		if l.pos < len(l.src) && l.src[l.pos] == '$' {
			return Token{}, l.fail(l.pos, "'$' in a word: current ClickHouse reads it as part of an identifier, 18.16 refuses it")
		}
		return l.token(Word, start), nil
	case c == '#':
		return Token{}, l.fail(start, "'#' starts a comment only in current ClickHouse (18.16 refuses it): use -- or /* */")
	case c == '$':
		return Token{}, l.fail(start, "'$' (a heredoc string in current ClickHouse, refused by 18.16): use a 'string literal'")
	}
	if op := l.operator(); op != "" {
		l.pos += len(op)
		return l.token(Punct, start), nil
	}
	if c >= 0x80 {
		r, _ := utf8.DecodeRuneInString(l.src[start:])
		return Token{}, l.fail(start, "character %U outside quotes (only ASCII is SQL; a look-alike of an ASCII character?)", r)
	}
	return Token{}, l.fail(start, "unexpected character %q", c)
}

// afterOperand says whether a '.' here follows something it can qualify (x.1 is tuple access,
// not x followed by the number .1).
func (l *lexer) afterOperand() bool {
	switch l.prev.Kind {
	case Word, QuotedIdent, Number:
		return true
	case Punct:
		return l.prev.Text == ")" || l.prev.Text == "]"
	}
	return false
}

// The operators ClickHouse's lexer knows, longest first so that "<=" is not read as "<".
var operators = []string{"->", "==", "!=", "<>", "<=", ">=", "::", "||",
	"(", ")", "[", "]", "{", "}", ",", ";", ".", "+", "-", "*", "/", "%", "=", "<", ">", "?", ":", "@", "|"}

func (l *lexer) operator() string {
	for _, op := range operators {
		if strings.HasPrefix(l.src[l.pos:], op) {
			return op
		}
	}
	return ""
}

// lineComment runs to the end of the line; only '\n' ends it, in every version.
func (l *lexer) lineComment(start int) Token {
	end := strings.IndexByte(l.src[l.pos:], '\n')
	if end < 0 {
		l.pos = len(l.src)
	} else {
		l.pos += end
	}
	return l.token(Comment, start)
}

func (l *lexer) blockComment(start int) (Token, error) {
	body := l.src[start+2:]
	end := strings.Index(body, "*/")
	if end < 0 {
		return Token{}, l.fail(start, "comment /* is not closed")
	}
	if nested := strings.Index(body[:end], "/*"); nested >= 0 {
		return Token{}, l.fail(start+2+nested, "/* inside a comment: current ClickHouse nests comments, 18.16 does not, so they disagree on where it ends")
	}
	l.pos = start + 2 + end + 2
	return l.token(Comment, start), nil
}

// quoted reads a string literal or a quoted identifier: the quote doubled or escaped with a
// backslash stands for itself, and backslash escapes are decoded as ClickHouse does.
func (l *lexer) quoted(start int, kind Kind, what string) (Token, error) {
	q := l.src[start]
	var b strings.Builder
	l.pos++
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == q && l.peek(1) == q:
			b.WriteByte(q)
			l.pos += 2
		case c == q:
			l.pos++
			t := l.token(kind, start)
			t.Value = b.String()
			return t, nil
		case c == '\\':
			if l.pos+1 >= len(l.src) {
				return Token{}, l.fail(start, "%s is not closed", what)
			}
			l.pos += unescape(&b, l.src[l.pos+1:]) + 1
		default:
			b.WriteByte(c)
			l.pos++
		}
	}
	return Token{}, l.fail(start, "%s is not closed", what)
}

// unescape decodes the escape sequence after a backslash into b and returns its length:
// \xHH, \N (nothing, ClickHouse's NULL marker), the C escapes, and any other character as
// itself.
func unescape(b *strings.Builder, s string) int {
	switch s[0] {
	case 'x', 'X':
		if len(s) >= 3 && isHex(s[1]) && isHex(s[2]) {
			v, _ := strconv.ParseUint(s[1:3], 16, 8)
			b.WriteByte(byte(v))
			return 3
		}
		b.WriteByte(s[0])
	case 'N':
	case 'a':
		b.WriteByte('\a')
	case 'b':
		b.WriteByte('\b')
	case 'e':
		b.WriteByte(0x1b)
	case 'f':
		b.WriteByte('\f')
	case 'n':
		b.WriteByte('\n')
	case 'r':
		b.WriteByte('\r')
	case 't':
		b.WriteByte('\t')
	case 'v':
		b.WriteByte('\v')
	case '0':
		b.WriteByte(0)
	default:
		b.WriteByte(s[0])
	}
	return 1
}

// number reads a decimal or hexadecimal number. After a '.' that qualifies something (t.1.2)
// only digits belong to it. A number run into letters or '_' (1_000, 0b101, 1FORMAT) is
// refused: current ClickHouse reads some of them as identifiers, 18.16 as errors.
func (l *lexer) number(start int) (Token, error) {
	digits := func(ok func(byte) bool) {
		for l.pos < len(l.src) && ok(l.src[l.pos]) {
			l.pos++
		}
	}
	switch {
	case l.prev.Kind == Punct && l.prev.Text == ".":
		digits(isDigit)
	case l.src[l.pos] == '0' && (l.peek(1) == 'x' || l.peek(1) == 'X') && isHex(l.peek(2)):
		l.pos += 2
		digits(isHex)
	default:
		digits(isDigit)
		if l.pos < len(l.src) && l.src[l.pos] == '.' {
			l.pos++
			digits(isDigit)
		}
		if c := l.peek(0); c == 'e' || c == 'E' {
			exp := 1
			if s := l.peek(1); s == '+' || s == '-' {
				exp = 2
			}
			if isDigit(l.peek(exp)) {
				l.pos += exp
				digits(isDigit)
			}
		}
	}
	if l.pos < len(l.src) && (isWordChar(l.src[l.pos]) || l.src[l.pos] == '$') {
		return Token{}, l.fail(start, "a number run into letters (%q): put a space between them", l.src[start:l.pos+1])
	}
	return l.token(Number, start), nil
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}
func isDigit(c byte) bool     { return c >= '0' && c <= '9' }
func isHex(c byte) bool       { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }
func isWordStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isWordChar(c byte) bool  { return isWordStart(c) || isDigit(c) }

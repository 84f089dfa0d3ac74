package analytics

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// show renders tokens as kind:value, whitespace left out, for comparison.
func show(toks []Token) string {
	var parts []string
	for _, t := range toks {
		if t.Kind == Whitespace {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s:%s", t.Kind, t.Value))
	}
	return strings.Join(parts, " | ")
}

func TestLex(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"SELECT 1", "word:SELECT | number:1"},
		{"select a,b from t;", "word:select | word:a | punctuation:, | word:b | word:from | word:t | punctuation:;"},
		// Strings: a doubled quote and a backslash-escaped one both stand for the quote.
		{`'a''b'`, "string:a'b"},
		{`'a\'b'`, "string:a'b"},
		{`'it''s; not -- a comment'`, "string:it's; not -- a comment"},
		{`'\x41\N\0\t\\\q'`, "string:A\x00\t\\q"},
		{`'巢湖市'`, "string:巢湖市"},
		// Quoted identifiers, with the same escapes, decoded.
		{`"a""b"`, `quoted identifier:a"b`},
		{`"a\"b"`, `quoted identifier:a"b`},
		{"`a``b`", "quoted identifier:a`b"},
		{"`a\\`b`", "quoted identifier:a`b"},
		{`"sys\x74em"`, "quoted identifier:system"},
		{`"a'b" --'`, "quoted identifier:a'b | comment:--'"},
		// Comments: --, // and /* */, each one token; only \n ends a line comment.
		{"SELECT 1 -- ; DROP\n, 2", "word:SELECT | number:1 | comment:-- ; DROP | punctuation:, | number:2"},
		{"SELECT 1 -- c\r, 2", "word:SELECT | number:1 | comment:-- c\r, 2"},
		{"SELECT 4 // 2", "word:SELECT | number:4 | comment:// 2"},
		{"SELECT /* ; */ 1", "word:SELECT | comment:/* ; */ | number:1"},
		{"SELECT /**/1", "word:SELECT | comment:/**/ | number:1"},
		{"SELECT 1 --", "word:SELECT | number:1 | comment:--"},
		// Numbers, and the dot as qualifier or tuple access.
		{"1 1.5 1e3 1E-3 2.5e+10, .5 0x1F 0XfF 1.", "number:1 | number:1.5 | number:1e3 | number:1E-3 | number:2.5e+10 | punctuation:, | number:.5 | number:0x1F | number:0XfF | number:1."},
		// After a number a dot is tuple access, as in ClickHouse: 1 .5 is 1, ., 5.
		{"1 .5", "number:1 | punctuation:. | number:5"},
		{"t.1.2", "word:t | punctuation:. | number:1 | punctuation:. | number:2"},
		{"system . processes", "word:system | punctuation:. | word:processes"},
		{"f(x).1", "word:f | punctuation:( | word:x | punctuation:) | punctuation:. | number:1"},
		// Operators, longest first.
		{"a<=b<>c!=d==e->f::g||h", "word:a | punctuation:<= | word:b | punctuation:<> | word:c | punctuation:!= | word:d | punctuation:== | word:e | punctuation:-> | word:f | punctuation::: | word:g | punctuation:|| | word:h"},
		{"-1", "punctuation:- | number:1"},
		{"a-b", "word:a | punctuation:- | word:b"},
		{"x'41'", "word:x | string:41"},
		{"\t\n\r\f\v", ""},
	} {
		toks, err := Lex(c.in)
		if err != nil {
			t.Errorf("Lex(%q): %v", c.in, err)
			continue
		}
		if got := show(toks); got != c.want {
			t.Errorf("Lex(%q)\n got %s\nwant %s", c.in, got, c.want)
		}
		var joined strings.Builder
		for _, tok := range toks {
			joined.WriteString(tok.Text)
		}
		if joined.String() != c.in {
			t.Errorf("Lex(%q): tokens' text %q does not rebuild the input", c.in, joined.String())
		}
	}
}

// What the two ClickHouse versions read differently, or not at all, is refused, at the byte
// where it starts.
func TestLexRefuses(t *testing.T) {
	for _, c := range []struct {
		in   string
		pos  int
		want string
	}{
		{"SELECT 'abc", 7, "string literal is not closed"},
		{`SELECT 'abc\'`, 7, "string literal is not closed"},
		{`SELECT "abc`, 7, "quoted identifier is not closed"},
		{"SELECT `abc\\", 7, "quoted identifier is not closed"},
		{"SELECT /* abc", 7, "not closed"},
		{"SELECT 1 /* a /* b */ , 2 -- */", 14, "inside a comment"},
		{"SELECT 1 # c", 9, "'#'"},
		{"SELECT 1 #!c", 9, "'#'"},
		{"SELECT $a$ x $a$", 7, "'$'"},
		{"SELECT a$b", 8, "'$'"},
		{"SELECT 1FORMAT JSON", 7, "number run into letters"},
		{"SELECT 1_000", 7, "number run into letters"},
		{"SELECT 0b101", 7, "number run into letters"},
		{"SELECT 1e", 7, "number run into letters"},
		{"SELECT 1,\u00a02", 9, "U+00A0"},
		{"SELECT * FROM ѕystem.processes", 14, "U+0455"},
		{"SELECT 1；", 8, "U+FF1B"},
		{"SELECT 1 \\G", 9, "unexpected character"},
		{"SELECT !a", 7, "unexpected character"},
		{"SELECT 1\x00", 8, "unexpected character"},
		{"SELECT a ^ b", 9, "unexpected character"},
	} {
		_, err := Lex(c.in)
		var le *LexError
		if !errors.As(err, &le) || le.Pos != c.pos || !strings.Contains(le.Reason, c.want) {
			t.Errorf("Lex(%q) = %v; want an error at byte %d containing %q", c.in, err, c.pos, c.want)
		}
	}
}

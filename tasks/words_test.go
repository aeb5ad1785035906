package tasks

import (
	"slices"
	"strings"
	"testing"
)

var testEnv = map[string]string{
	"PORT":  "8080",
	"FLAGS": "-v  -race",
	"EMPTY": "",
	"SPACE": " a b ",
	"QUOTE": `it's "x"`,
}

func TestSplitWords(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"go test ./...", []string{"go", "test", "./..."}},
		{"  a \t b  ", []string{"a", "b"}},
		{"", nil},
		{"'a b' c", []string{"a b", "c"}},
		{`"a b" c`, []string{"a b", "c"}},
		{`a\ b`, []string{"a b"}},
		{`a\'b`, []string{"a'b"}},
		{`'it'\''s'`, []string{"it's"}},
		{`"" ''`, []string{"", ""}},
		{`a""b`, []string{"ab"}},
		{`"a\"b\\c\$d\e"`, []string{`a"b\c$d\e`}},
		{`'a\b$PORT'`, []string{`a\b$PORT`}},
		{"$PORT", []string{"8080"}},
		{"${PORT}", []string{"8080"}},
		{":$PORT/x", []string{":8080/x"}},
		{"${PORT}0", []string{"80800"}},
		{"$PORT0", nil},
		{`"$PORT"`, []string{"8080"}},
		{"go test $FLAGS ./...", []string{"go", "test", "-v", "-race", "./..."}},
		{`go test "$FLAGS"`, []string{"go", "test", "-v  -race"}},
		{"a $EMPTY b", []string{"a", "b"}},
		{`a "$EMPTY" b`, []string{"a", "", "b"}},
		{"a $UNSET b", []string{"a", "b"}},
		{"x$SPACE", []string{"x", "a", "b"}},
		{`"$QUOTE"`, []string{`it's "x"`}},
		{"${UNSET:-3000}", []string{"3000"}},
		{"${EMPTY:-3000}", []string{"3000"}},
		{"${EMPTY-3000}", nil},
		{"${UNSET-3000}", []string{"3000"}},
		{"${PORT:-3000}", []string{"8080"}},
		{"${UNSET:-a b}", []string{"a", "b"}},
		{`"${UNSET:-a b}"`, []string{"a b"}},
		{"$ $/ a$", []string{"$", "$/", "a$"}},
		{"a # comment", []string{"a"}},
		{"a#b", []string{"a#b"}},
		{"a '#b'", []string{"a", "#b"}},
		{"a*b ~/x", []string{"a*b", "~/x"}},
		{"héllo wörld", []string{"héllo", "wörld"}},
		{`\é`, []string{"é"}},
		{"'a|b' \"c;d\" e\\&f", []string{"a|b", "c;d", "e&f"}},
	} {
		got, err := splitWords(tc.in, testEnv)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("splitWords(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestSplitWordsErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"'abc", "unterminated single quote"},
		{`"abc`, "unterminated double quote"},
		{`"abc\"`, "unterminated double quote"},
		{`abc\`, "backslash at end of line"},
		{"a | b", `shell syntax '|' is not supported`},
		{"a && b", `shell syntax '&' is not supported`},
		{"a; b", `shell syntax ';' is not supported`},
		{"a > f", `shell syntax '>' is not supported`},
		{"a < f", `shell syntax '<' is not supported`},
		{"(a)", `shell syntax '(' is not supported`},
		{"`a`", "shell syntax '`' is not supported"},
		{"\"`a`\"", "command substitution (`) is not supported"},
		{"$(a)", "command substitution $( is not supported"},
		{`"$(a)"`, "command substitution $( is not supported"},
		{"$1", "special parameter $1 is not supported"},
		{"$?", "special parameter $? is not supported"},
		{"${PORT", "unterminated ${"},
		{"${}", "bad substitution ${}"},
		{"${1}", "bad substitution ${1}"},
		{"${PORT:=1}", "unsupported expansion ${PORT:=1}"},
		{"${PORT#8}", "unsupported expansion ${PORT#8}"},
		{"${X:-$Y}", "the default must be literal text"},
	} {
		_, err := splitWords(tc.in, testEnv)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("splitWords(%q) error %q, want it to contain %q", tc.in, err, tc.want)
		}
	}
}

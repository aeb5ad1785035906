package tasks

import (
	"errors"
	"fmt"
	"strings"
)

// dollar consumes a '$' and what it expands: $NAME, ${NAME},
// ${NAME:-default} or ${NAME-default}. A '$' that starts no expansion
// ("$", "$/", "$ ") is literal.
func (s *splitter) dollar(unquoted bool) error {
	rest := s.src[s.i+1:]
	switch {
	case rest == "":
		s.add("$")
		s.i++
		return nil
	case rest[0] == '{':
		return s.braced(unquoted)
	case isNameStart(rest[0]):
		name := rest[:nameLen(rest)]
		s.i += 1 + len(name)
		s.addExpansion(s.env[name], unquoted)
		return nil
	case rest[0] == '(':
		return errors.New("command substitution $( is not supported")
	case strings.IndexByte("0123456789?$!#@*-", rest[0]) >= 0:
		return fmt.Errorf("special parameter $%c is not supported", rest[0])
	}
	s.add("$")
	s.i++
	return nil
}

// braced consumes ${...}.
func (s *splitter) braced(unquoted bool) error {
	body, ok := strings.CutPrefix(s.src[s.i:], "${")
	end := strings.IndexByte(body, '}')
	if !ok || end < 0 {
		return errors.New("unterminated ${")
	}
	value, err := s.lookup(body[:end])
	if err != nil {
		return err
	}
	s.i += len("${") + end + len("}")
	s.addExpansion(value, unquoted)
	return nil
}

// lookup evaluates the inside of ${...}: NAME, NAME:-default or
// NAME-default, where default is literal text.
func (s *splitter) lookup(expr string) (string, error) {
	n := nameLen(expr)
	name, op := expr[:n], expr[n:]
	if n == 0 || !isNameStart(name[0]) {
		return "", fmt.Errorf("bad substitution ${%s}", expr)
	}
	value, set := s.env[name]
	switch {
	case op == "":
		return value, nil
	case strings.HasPrefix(op, ":-"):
		return orDefault(value, value != "", op[2:], expr)
	case strings.HasPrefix(op, "-"):
		return orDefault(value, set, op[1:], expr)
	}
	return "", fmt.Errorf("unsupported expansion ${%s}: only ${NAME}, ${NAME:-default} and ${NAME-default}", expr)
}

// orDefault returns value when use is true and the literal def otherwise.
func orDefault(value string, use bool, def, expr string) (string, error) {
	if strings.ContainsAny(def, "$`'\"\\{") {
		return "", fmt.Errorf("unsupported expansion ${%s}: the default must be literal text", expr)
	}
	if use {
		return value, nil
	}
	return def, nil
}

func isNameStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// nameLen is the length of the variable name at the start of s.
func nameLen(s string) int {
	n := 0
	for n < len(s) && (isNameStart(s[n]) || s[n] >= '0' && s[n] <= '9') {
		n++
	}
	return n
}

package tasks

import (
	"errors"
	"fmt"
	"strings"
)

// splitWords splits a command into words as a POSIX shell splits a simple
// command, expanding parameters from env, and runs nothing. The syntax is
// documented on ParseProcfile.
func splitWords(line string, env map[string]string) ([]string, error) {
	s := &splitter{src: line, env: env}
	if err := s.run(); err != nil {
		return nil, err
	}
	return s.words, nil
}

// splitter holds the state of one splitWords call.
type splitter struct {
	src    string
	i      int
	env    map[string]string
	words  []string
	cur    strings.Builder
	inWord bool // cur holds a word, possibly empty ("")
}

// run consumes src, one top-level token at a time.
func (s *splitter) run() error {
	tokenStart := true
	for s.i < len(s.src) {
		c := s.src[s.i]
		if c == ' ' || c == '\t' {
			s.endWord()
			s.i++
			tokenStart = true
			continue
		}
		if c == '#' && tokenStart {
			break
		}
		if err := s.unquoted(c); err != nil {
			return err
		}
		tokenStart = false
	}
	s.endWord()
	return nil
}

// unquoted consumes the token that starts with c outside any quotes.
func (s *splitter) unquoted(c byte) error {
	switch {
	case c == '\\':
		if s.i+1 >= len(s.src) {
			return errors.New("backslash at end of line")
		}
		s.add(s.src[s.i+1 : s.i+2])
		s.i += 2
	case c == '\'':
		return s.singleQuoted()
	case c == '"':
		return s.doubleQuoted()
	case c == '$':
		return s.dollar(true)
	case strings.IndexByte("|&;<>()`\n", c) >= 0:
		return fmt.Errorf("shell syntax %q is not supported: commands run without a shell (quote it, or run sh -c explicitly)", c)
	default:
		s.add(s.src[s.i : s.i+1])
		s.i++
	}
	return nil
}

// singleQuoted consumes '...' literally.
func (s *splitter) singleQuoted() error {
	end := strings.IndexByte(s.src[s.i+1:], '\'')
	if end < 0 {
		return errors.New("unterminated single quote")
	}
	s.add(s.src[s.i+1 : s.i+1+end])
	s.i += end + 2
	return nil
}

// doubleQuoted consumes "...", expanding $ and the four escapes.
func (s *splitter) doubleQuoted() error {
	s.add("")
	for s.i++; s.i < len(s.src); {
		switch c := s.src[s.i]; c {
		case '"':
			s.i++
			return nil
		case '\\':
			s.backslashInDouble()
		case '$':
			if err := s.dollar(false); err != nil {
				return err
			}
		case '`':
			return errors.New("command substitution (`) is not supported")
		default:
			s.add(s.src[s.i : s.i+1])
			s.i++
		}
	}
	return errors.New("unterminated double quote")
}

// backslashInDouble consumes a backslash inside "...": it escapes only
// $ ` " \ and otherwise stays literal. A backslash before the end of line
// stays too; the missing closing quote is reported by the caller.
func (s *splitter) backslashInDouble() {
	if s.i+1 < len(s.src) && strings.IndexByte("$`\"\\", s.src[s.i+1]) >= 0 {
		s.add(s.src[s.i+1 : s.i+2])
		s.i += 2
		return
	}
	s.add(`\`)
	s.i++
}

// add appends literal text to the current word.
func (s *splitter) add(text string) {
	s.cur.WriteString(text)
	s.inWord = true
}

// endWord closes the current word, if there is one.
func (s *splitter) endWord() {
	if s.inWord {
		s.words = append(s.words, s.cur.String())
	}
	s.cur.Reset()
	s.inWord = false
}

// addExpansion appends an expanded value: unquoted, it is split on blanks
// and an empty value adds no word; quoted, it is literal.
func (s *splitter) addExpansion(value string, unquoted bool) {
	if !unquoted {
		s.add(value)
		return
	}
	for i := 0; i < len(value); i++ {
		if strings.IndexByte(" \t\n", value[i]) >= 0 {
			s.endWord()
			continue
		}
		s.add(value[i : i+1])
	}
}

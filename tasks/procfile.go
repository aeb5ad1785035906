package tasks

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/entrypoint/entrypoint/internal/exitcode"
)

// Procfile is a parsed Procfile: the commands a service declares.
type Procfile struct {
	Path    string  // where it was read from, as named in errors
	Entries []Entry // in file order
}

// Entry is one `name: command` line of a Procfile.
type Entry struct {
	Name        string   // canonical name (see Canonical): "web" is "run"
	Description string   // the comment line directly above, without '#'
	Command     string   // the command text as written
	Argv        []string // the command split into words, ${VAR} expanded
	Line        int      // 1-based line number
}

// ParseProcfile reads a Procfile from r; path only names it in errors.
//
// Each line is blank, a comment (first non-blank character '#'), or an
// entry `name: command`. A name is a letter or digit followed by letters,
// digits, '_' and '-', and is stored canonical ("test-unit" is
// "test_unit", "web" is "run"); "release", "prestart", "prestop" and
// "poststop" are ordinary names here. The comment line directly above an
// entry (the last one, if several) is its description.
//
// The command is exec form: it is split into words as a POSIX shell splits
// a simple command, and no shell runs it. Blanks separate words; '...' is
// literal; "..." is literal except for expansions and the escapes \$ \` \"
// \\; a backslash outside quotes makes the next character literal; '#' at
// the start of a word begins a comment. $NAME, ${NAME}, ${NAME:-default}
// and ${NAME-default} (literal default) expand from env, outside quotes and
// inside double quotes, never inside single quotes; an unset variable
// expands to "". As in a shell, an unquoted expansion is split on blanks
// and an empty one adds no word ("$EMPTY" adds an empty word). There is no
// globbing and no tilde expansion. Shell syntax exec form cannot honour
// (| & ; < > ( ) `, $(...), $1, $?, ...) is an error, not a literal.
// An entry whose command expands to no words is kept with an empty Argv.
//
// A malformed line (no colon, empty or bad name, duplicate entry, empty
// command, unterminated quote, unsupported syntax) is an error
// "path:line: entry \"name\": what is wrong" carrying exit status 2; the
// first one found is returned. Failing to read r is an error with status 1.
func ParseProcfile(path string, r io.Reader, env map[string]string) (*Procfile, error) {
	p := &Procfile{Path: path}
	scanner := bufio.NewScanner(r)
	scanner.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	description := ""
	for n := 1; scanner.Scan(); n++ {
		line := strings.TrimSpace(strings.TrimPrefix(scanner.Text(), "\uFEFF"))
		switch {
		case line == "":
			description = ""
		case line[0] == '#':
			description = strings.TrimSpace(strings.TrimLeft(line, "#"))
		default:
			if err := p.add(line, n, description, env); err != nil {
				return nil, exitcode.Wrap(exitcode.Usage, fmt.Errorf("%s:%d: %w", path, n, err))
			}
			description = ""
		}
	}
	if err := scanner.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return p, nil
}

// add parses one entry line and appends it.
func (p *Procfile) add(line string, n int, description string, env map[string]string) error {
	written, command, ok := strings.Cut(line, ":")
	if !ok {
		return fmt.Errorf("no colon: want `name: command`, got %q", line)
	}
	written, command = strings.TrimSpace(written), strings.TrimSpace(command)
	if err := checkName(written); err != nil {
		return err
	}
	entry := Entry{Name: Canonical(written), Description: description, Command: command, Line: n}
	if first, ok := p.Entry(entry.Name); ok {
		return fmt.Errorf("duplicate entry %q (as %q; first on line %d)", written, entry.Name, first.Line)
	}
	if command == "" {
		return fmt.Errorf("entry %q has no command", written)
	}
	argv, err := splitWords(command, env)
	if err != nil {
		return fmt.Errorf("entry %q: %w", written, err)
	}
	entry.Argv = argv
	p.Entries = append(p.Entries, entry)
	return nil
}

// checkName explains why a written entry name is not valid, or returns nil.
func checkName(name string) error {
	if name == "" {
		return fmt.Errorf("empty name before ':'")
	}
	if !validName(name) {
		return fmt.Errorf("bad name %q: use a letter or digit, then letters, digits, '_' and '-'", name)
	}
	return nil
}

// Entry returns the entry with the canonical name, if there is one.
func (p *Procfile) Entry(name string) (Entry, bool) {
	for _, e := range p.Entries {
		if e.Name == name {
			return e, true
		}
	}
	return Entry{}, false
}

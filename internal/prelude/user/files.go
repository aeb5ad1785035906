package user

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
)

// files reads /etc/passwd and /etc/group under root.
type files struct{ root string }

// entry is a line of /etc/passwd or /etc/group.
type entry struct {
	name    string
	id      uint32 // uid or gid
	gid     uint32 // passwd only
	home    string // passwd only
	members []string
}

// userList reads name:password:uid:gid:gecos:home:shell lines. A missing file
// reads as empty unless needed.
func (db files) userList(needed bool) ([]entry, error) {
	return db.read("passwd", needed, func(f []string) (entry, bool) {
		if len(f) < 4 {
			return entry{}, false
		}
		uid, err1 := strconv.ParseUint(f[2], 10, 32)
		gid, err2 := strconv.ParseUint(f[3], 10, 32)
		e := entry{name: f[0], id: uint32(uid), gid: uint32(gid)}
		if len(f) > 5 {
			e.home = f[5]
		}
		return e, err1 == nil && err2 == nil
	})
}

// groupList reads name:password:gid:member,member lines.
func (db files) groupList(needed bool) ([]entry, error) {
	return db.read("group", needed, func(f []string) (entry, bool) {
		if len(f) < 3 {
			return entry{}, false
		}
		gid, err := strconv.ParseUint(f[2], 10, 32)
		e := entry{name: f[0], id: uint32(gid)}
		if len(f) > 3 && f[3] != "" {
			e.members = strings.Split(f[3], ",")
		}
		return e, err == nil
	})
}

// read parses the lines of an /etc file, skipping blank, comment and
// malformed ones (NIS "+" and "-" lines among them).
func (db files) read(name string, needed bool, parse func([]string) (entry, bool)) ([]entry, error) {
	f, err := os.Open(db.path(name))
	if errors.Is(err, fs.ErrNotExist) && !needed {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var entries []entry
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if e, ok := parse(strings.Split(line, ":")); ok && e.name != "" && !strings.ContainsAny(e.name[:1], "+-") {
			entries = append(entries, e)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", db.path(name), err)
	}
	return entries, nil
}

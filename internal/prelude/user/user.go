// Package user resolves who the service runs as — the part of gosu that
// happens before the privilege drop — and prepares the files it must own.
//
// The integrator reads the spec from the --user flag (or its env twin, e.g.
// ENTRYPOINT_USER) and the paths to chown from ENTRYPOINT_CHOWN
// (comma-separated).
//
// Spec: NAME or UID, optionally followed by :GROUP or :GID, as in gosu and
// `docker run --user`: app, 1000, app:staff, 1000:1000, app:50.
//
// Guarantees:
//   - Lookup reads only ROOT/etc/passwd and ROOT/etc/group, where ROOT is its
//     argument, and never changes the process's credentials: it returns
//     them, and the caller drops privileges (syscall.Credential in
//     exec.Cmd.SysProcAttr, or setgroups/setgid/setuid in that order).
//   - Numeric ids need no files, so FROM scratch images work. A numeric uid
//     absent from /etc/passwd gets gid 0 and HOME "/", as with Docker and
//     gosu; give :GID to choose another group.
//   - The supplementary groups are the primary group followed by every group
//     in /etc/group listing the user's name, without duplicates.
//   - An unknown user or group name, or a malformed spec, is an error with
//     exit code 78 (exitcode.Config). CanDrop's error has exit code 1.
//   - Chown never follows symbolic links (it changes the links themselves).
package user

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/entrypoint/entrypoint/internal/exitcode"
)

// User is who the service runs as.
type User struct {
	Name   string   // from /etc/passwd; "" for a numeric uid it does not list
	Uid    uint32   // the user id
	Gid    uint32   // the primary group
	Groups []uint32 // the supplementary groups, the primary first
	Home   string   // from /etc/passwd, "/" when it has none
}

// Credential is u in the form exec.Cmd's SysProcAttr takes.
func (u User) Credential() *syscall.Credential {
	return &syscall.Credential{Uid: u.Uid, Gid: u.Gid, Groups: append([]uint32(nil), u.Groups...)}
}

// Lookup resolves spec against root's /etc/passwd and /etc/group.
func Lookup(spec, root string) (User, error) {
	u, err := lookup(spec, root)
	if err != nil {
		return User{}, exitcode.Wrap(exitcode.Config, fmt.Errorf("user %q: %w", spec, err))
	}
	return u, nil
}

func lookup(spec, root string) (User, error) {
	name, group, hasGroup := strings.Cut(spec, ":")
	if name == "" || (hasGroup && group == "") || strings.Contains(group, ":") {
		return User{}, errors.New("want NAME|UID[:GROUP|:GID]")
	}
	db := files{root: root}
	u, err := db.user(name)
	if err != nil {
		return User{}, err
	}
	if hasGroup {
		if u.Gid, err = db.group(group); err != nil {
			return User{}, err
		}
	}
	u.Groups, err = db.groups(u.Name, u.Gid)
	return u, err
}

// user resolves NAME or UID.
func (db files) user(s string) (User, error) {
	uid, numeric, err := id(s)
	if err != nil {
		return User{}, err
	}
	entries, err := db.userList(!numeric)
	if err != nil {
		return User{}, err
	}
	for _, e := range entries {
		if (numeric && e.id == uid) || (!numeric && e.name == s) {
			return User{Name: e.name, Uid: e.id, Gid: e.gid, Home: or(e.home, "/")}, nil
		}
	}
	if numeric {
		return User{Uid: uid, Home: "/"}, nil
	}
	return User{}, fmt.Errorf("no user %q in %s", s, db.path("passwd"))
}

// group resolves GROUP or GID.
func (db files) group(s string) (uint32, error) {
	gid, numeric, err := id(s)
	if err != nil || numeric {
		return gid, err
	}
	entries, err := db.groupList(true)
	if err != nil {
		return 0, err
	}
	for _, e := range entries {
		if e.name == s {
			return e.id, nil
		}
	}
	return 0, fmt.Errorf("no group %q in %s", s, db.path("group"))
}

// groups is gid followed by the groups that list name.
func (db files) groups(name string, gid uint32) ([]uint32, error) {
	groups := []uint32{gid}
	if name == "" {
		return groups, nil
	}
	entries, err := db.groupList(false)
	for _, e := range entries {
		for _, m := range e.members {
			if m == name && !contains(groups, e.id) {
				groups = append(groups, e.id)
			}
		}
	}
	return groups, err
}

// id parses a numeric id; numeric is false for a name.
func id(s string) (n uint32, numeric bool, err error) {
	if strings.Trim(s, "0123456789") != "" {
		return 0, false, nil
	}
	v, err := strconv.ParseUint(s, 10, 32)
	if err != nil || v == math.MaxUint32 { // -1 means "unchanged" to setuid
		return 0, true, fmt.Errorf("id %s out of range", s)
	}
	return uint32(v), true, nil
}

func contains(ids []uint32, id uint32) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// CanDrop says whether a process running as euid can switch users.
func CanDrop(euid int) error {
	if euid == 0 {
		return nil
	}
	return exitcode.Wrap(exitcode.Failure, fmt.Errorf("--user needs root: entrypoint runs as uid %d", euid))
}

// path is the name of an /etc file under the root, for messages.
func (db files) path(name string) string {
	return filepath.Join(db.root, "etc", name)
}

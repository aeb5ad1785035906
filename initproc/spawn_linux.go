package initproc

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// defaultPath is searched when the child's environment has no PATH, as
// execvp does.
const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// lookPath resolves file against the PATH of the child's environment.
func lookPath(file string, env []string) (string, error) {
	if strings.Contains(file, "/") {
		return file, nil
	}
	path := defaultPath
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			path = v
		}
	}
	var denied error
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, file)
		fi, err := os.Stat(p)
		if err != nil || fi.IsDir() {
			continue
		}
		if fi.Mode()&0o111 != 0 {
			return p, nil
		}
		denied = syscall.EACCES
	}
	if denied != nil {
		return "", denied
	}
	return "", errNotInPath
}

// spawn starts the child in its own process group (or session), with the
// terminal in its foreground when stdin is the init's controlling terminal,
// as Options.Credential says. A warning is logged on log.
func spawn(argv []string, o Options, tty bool, log *slog.Logger) (int, error) {
	path, err := lookPath(argv[0], o.env())
	if err != nil {
		return 0, &StartError{Path: argv[0], Err: err}
	}
	sys := &syscall.SysProcAttr{Setpgid: !o.Setsid, Setsid: o.Setsid}
	if tty {
		sys.Foreground = !o.Setsid
		sys.Setctty = o.Setsid
		sys.Ctty = 0
	}
	attr := &syscall.ProcAttr{Dir: o.Dir, Env: o.env(), Files: o.files(), Sys: sys}
	pid, warning, err := forkExecAs(path, argv, attr, o.Credential)
	if err != nil && tty && !errors.Is(err, syscall.ENOENT) && !errors.Is(err, syscall.EACCES) {
		// The terminal could not be handed over (another session holds
		// it): start the child without it rather than not at all.
		sys.Foreground, sys.Setctty = false, false
		pid, warning, err = forkExecAs(path, argv, attr, o.Credential)
	}
	if warning != nil {
		log.Warn("the child keeps a capability bounding set", "err", warning)
	}
	if err != nil {
		return 0, &StartError{Path: path, Err: err}
	}
	return pid, nil
}

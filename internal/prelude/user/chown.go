package user

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/entrypoint/entrypoint/internal/exitcode"
)

// Chown gives every listed path, and everything below it, to uid:gid,
// changing symbolic links themselves rather than what they point to.
// Missing paths are all reported first, before anything changes, with exit
// code 78; a failure to change an owner has exit code 1.
func Chown(paths []string, uid, gid int) error {
	var missing []error
	for _, p := range paths {
		if _, err := os.Lstat(p); err != nil {
			missing = append(missing, fmt.Errorf("chown %s: %w", p, err))
		}
	}
	if len(missing) > 0 {
		return exitcode.Wrap(exitcode.Config, errors.Join(missing...))
	}
	for _, p := range paths {
		if err := chownTree(p, uid, gid); err != nil {
			return exitcode.Wrap(exitcode.Failure, fmt.Errorf("chown -R %d:%d %s: %w", uid, gid, p, err))
		}
	}
	return nil
}

// chownTree walks root without following links (WalkDir never does).
func chownTree(root string, uid, gid int) error {
	return filepath.WalkDir(root, func(path string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, uid, gid)
	})
}

// Package render renders configuration files from Go text/template files and
// the environment, before the service starts.
//
// The integrator reads the pairs from ENTRYPOINT_TEMPLATE, a comma-separated
// list of TEMPLATE:DESTINATION, for example
//
//	ENTRYPOINT_TEMPLATE=/etc/app/config.tmpl:/etc/app/config.yaml,other.tmpl:other.conf
//
// A TEMPLATE ending in .tmpl may omit :DESTINATION (x.conf.tmpl renders to
// x.conf). Paths can hold neither ',' nor ':'.
//
// Templates see the environment as .Env (a map[string]string) and three
// functions:
//
//	{{ .Env.PORT }}              the variable; an error when unset
//	{{ env "PORT" }}             the same, for names that are not identifiers
//	{{ default "8080" .Env.PORT }}
//	{{ .Env.PORT | default "8080" }}
//	                             the variable, or the default when it is unset
//	                             or empty (default value first, like sprig)
//	{{ required "PORT" }}        the variable; an error when unset or empty
//
// Inside range and with, write $.Env.NAME; default accepts it too.
// A variable used without a default must be set: it never silently renders
// as an empty string. To test an optional variable, use
// {{ if default "" .Env.DEBUG }}.
//
// Guarantees:
//   - The destination is written atomically: rendered in memory, written to
//     a temporary file in the destination's directory with the template
//     file's permission bits, synced, then renamed over the destination. On
//     any failure the old destination is left intact and no temporary file
//     remains. The destination's directory must exist.
//   - Errors carry exit code 78 (exitcode.Config) and name the template, the
//     line and the variable: "render /etc/app/config.tmpl: line 3: PORT is
//     not set". Values never appear in them.
//   - All renders every pair and reports every failure at once.
package render

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/entrypoint/entrypoint/internal/exitcode"
)

// Pair is one template and the file it renders to.
type Pair struct {
	Template, Dest string
}

// Parse reads a comma-separated list of TEMPLATE[:DESTINATION]; spaces
// around items and empty items are ignored.
func Parse(spec string) ([]Pair, error) {
	var pairs []Pair
	var errs []error
	seen := map[string]bool{}
	for _, item := range strings.Split(spec, ",") {
		if item = strings.TrimSpace(item); item == "" {
			continue
		}
		p, err := parsePair(item)
		if err == nil && seen[p.Dest] {
			err = fmt.Errorf("%s is rendered twice", p.Dest)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("bad template item %q: %w", item, err))
			continue
		}
		seen[p.Dest] = true
		pairs = append(pairs, p)
	}
	return pairs, exitcode.Wrap(exitcode.Config, errors.Join(errs...))
}

func parsePair(item string) (Pair, error) {
	src, dst, found := strings.Cut(item, ":")
	src, dst = strings.TrimSpace(src), strings.TrimSpace(dst)
	if !found {
		if dst = strings.TrimSuffix(src, ".tmpl"); dst == src || filepath.Base(dst) == "" {
			return Pair{}, errors.New("want TEMPLATE:DESTINATION (only a TEMPLATE ending in .tmpl may omit the destination)")
		}
	}
	switch {
	case src == "" || dst == "":
		return Pair{}, errors.New("want TEMPLATE:DESTINATION, both non-empty")
	case strings.Contains(dst, ":"):
		return Pair{}, errors.New("more than one ':'")
	}
	return Pair{Template: src, Dest: dst}, nil
}

// All renders every pair and returns every failure, one line each.
func All(pairs []Pair, env []string) error {
	var errs []error
	for _, p := range pairs {
		if err := File(p.Template, p.Dest, env); err != nil {
			errs = append(errs, err)
		}
	}
	return exitcode.Wrap(exitcode.Config, errors.Join(errs...))
}

// File renders the template file src with env (a list of "K=V") into dst.
func File(src, dst string, env []string) error {
	err := file(src, dst, env)
	if err != nil {
		return exitcode.Wrap(exitcode.Config, fmt.Errorf("render %s: %w", src, err))
	}
	return nil
}

func file(src, dst string, env []string) error {
	info, err := os.Stat(src)
	if err != nil {
		return err
	}
	text, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	out, err := execute(string(text), env)
	if err != nil {
		return err
	}
	if err := writeAtomic(dst, out, info.Mode().Perm()); err != nil {
		return fmt.Errorf("write %s: %w", dst, err)
	}
	return nil
}

// writeAtomic replaces dst by data with mode, or leaves it untouched.
func writeAtomic(dst string, data []byte, mode os.FileMode) (err error) {
	f, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Chmod(mode); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), dst)
}

package main

import (
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
)

// sizeResult: the init's executable on disk.
type sizeResult struct {
	err    error
	path   string
	bytes  int64
	static bool // no PT_INTERP: needs no dynamic loader or libc at run time
}

func measureSizes(res []*result) {
	for _, r := range res {
		r.size = binarySize(r.spec.Argv[0])
	}
}

func binarySize(cmd string) *sizeResult {
	path, err := exec.LookPath(cmd)
	if err != nil {
		return &sizeResult{err: err}
	}
	if p, err := filepath.EvalSymlinks(path); err == nil {
		path = p
	}
	st, err := os.Stat(path)
	if err != nil {
		return &sizeResult{err: err}
	}
	f, err := elf.Open(path)
	if err != nil {
		return &sizeResult{err: fmt.Errorf("%s: %w", path, err)}
	}
	defer f.Close()
	static := true
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			static = false
		}
	}
	return &sizeResult{path: path, bytes: st.Size(), static: static}
}

// median of xs (not modified); 0 for none.
func median(xs []float64) float64 { return percentile(xs, 50) }

// percentile p of xs by linear interpolation between closest ranks.
func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	pos := p / 100 * float64(len(s)-1)
	i := int(pos)
	if i+1 >= len(s) {
		return s[len(s)-1]
	}
	return s[i] + (pos-float64(i))*(s[i+1]-s[i])
}

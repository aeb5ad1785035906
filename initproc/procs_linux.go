package initproc

import (
	"bytes"
	"os"
	"strconv"
)

// proc is a live process seen in /proc.
type proc struct {
	pid  int
	comm string
}

// descendants lists every live (not zombie) process below the init: as
// PID 1 that is everything in the PID namespace; otherwise the processes
// whose parent chain reaches the init. ok is false when /proc cannot be
// read.
func descendants() (procs []proc, ok bool) {
	dir, err := os.Open("/proc")
	if err != nil {
		return nil, false
	}
	names, err := dir.Readdirnames(-1)
	dir.Close()
	if err != nil {
		return nil, false
	}
	self := os.Getpid()
	parent := map[int]int{}
	info := map[int]proc{}
	for _, name := range names {
		pid, err := strconv.Atoi(name)
		if err != nil || pid == self {
			continue
		}
		ppid, comm, state, ok := readStat(pid)
		if !ok || state == 'Z' || state == 'X' {
			continue
		}
		parent[pid] = ppid
		info[pid] = proc{pid: pid, comm: comm}
	}
	for pid, p := range info {
		if self == 1 || descends(pid, self, parent) {
			procs = append(procs, p)
		}
	}
	return procs, true
}

func descends(pid, ancestor int, parent map[int]int) bool {
	for i := 0; i < 4096; i++ {
		ppid, ok := parent[pid]
		if !ok {
			return false
		}
		if ppid == ancestor {
			return true
		}
		pid = ppid
	}
	return false
}

// readStat reads the parent, command name and state of pid.
func readStat(pid int) (ppid int, comm string, state byte, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, "", 0, false
	}
	// pid (comm) state ppid ...; comm may hold spaces and parentheses.
	open, end := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
	if open < 0 || end < open || len(b) < end+4 {
		return 0, "", 0, false
	}
	fields := bytes.Fields(b[end+2:])
	if len(fields) < 2 {
		return 0, "", 0, false
	}
	ppid, err = strconv.Atoi(string(fields[1]))
	return ppid, string(b[open+1 : end]), fields[0][0], err == nil
}

// commOf names pid for a log line; "" when it is gone.
func commOf(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
	if err != nil {
		return ""
	}
	return string(bytes.TrimSpace(b))
}

package main

import (
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
)

// personality is what the binary is called as: itself, or a drop-in for
// tini (also as docker-init, for `docker run --init`) or dumb-init.
type personality struct {
	name     string
	flags    []flagDef
	logLevel slog.Level // default level
	peer     bool       // tini or dumb-init: their defaults, not entrypoint's
	toStderr bool       // tini and dumb-init log to stderr
	setsid   bool       // dumb-init's default
	version  func(w io.Writer)
	usage    string
}

func personalityOf(argv0 string) personality {
	switch filepath.Base(argv0) {
	case "tini", "docker-init", "tini-static":
		return personality{
			name: "tini", flags: only(initFlags, "sgepwvh", "version", "stop-timeout"),
			logLevel: slog.LevelWarn, toStderr: true, peer: true,
			version: func(w io.Writer) {
				fmt.Fprintf(w, "tini version 0.19.0 (entrypoint %s) - git.%s\n", version(), revision())
			},
			usage: "tini [OPTIONS] PROGRAM -- [ARGS] | --version",
		}
	case "dumb-init":
		return personality{
			name: "dumb-init", flags: only(initFlags, "crvhV", "stop-timeout", "setsid"),
			logLevel: slog.LevelWarn, toStderr: true, setsid: true, peer: true,
			version: func(w io.Writer) { fmt.Fprintf(w, "dumb-init v1.2.5 (entrypoint %s)\n", version()) },
			usage:   "dumb-init [OPTIONS] COMMAND [ARGS...]",
		}
	}
	return personality{
		name: "entrypoint", flags: entrypointFlags, logLevel: slog.LevelInfo,
		version: func(w io.Writer) { fmt.Fprintf(w, "entrypoint %s (%s)\n", version(), revision()) },
		usage:   "entrypoint [FLAGS] [--] COMMAND [ARGS...]",
	}
}

// only keeps the flags whose short letter is in shorts or whose long name
// is listed.
func only(defs []flagDef, shorts string, longs ...string) []flagDef {
	var kept []flagDef
	for _, d := range defs {
		if (d.short != 0 && strings.IndexByte(shorts, d.short) >= 0) || contains(longs, d.long) {
			kept = append(kept, d)
		}
	}
	return kept
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// applyPeerEnv reads the env twins of tini and dumb-init, with their
// meaning: tini's are switches when set at all, DUMB_INIT_SETSID=0 turns
// setsid mode off and =1 on.
func applyPeerEnv(c *config, lookup func(string) (string, bool)) {
	if _, ok := lookup("TINI_SUBREAPER"); ok {
		c.Subreaper = true
	}
	if _, ok := lookup("TINI_KILL_PROCESS_GROUP"); ok {
		c.KillGroup = true
	}
	if v, ok := lookup("DUMB_INIT_SETSID"); ok {
		c.Setsid = v != "0"
	}
}

// tiniVerbosity maps TINI_VERBOSITY (0..3, default 1) to a level.
func tiniVerbosity(lookup func(string) (string, bool)) (slog.Level, bool) {
	v, ok := lookup("TINI_VERBOSITY")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, false
	}
	switch {
	case n <= 0:
		return slog.LevelError, true
	case n == 1:
		return slog.LevelWarn, true
	case n == 2:
		return slog.LevelInfo, true
	}
	return slog.LevelDebug, true
}

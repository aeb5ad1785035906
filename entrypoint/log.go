package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"syscall"
	"unsafe"

	"github.com/lmittmann/tint"
)

// newLogger builds the init's logger: tint on a terminal unless NO_COLOR
// is set, JSON otherwise, or as format says (auto, json, text).
func newLogger(w io.Writer, format string, level slog.Level, lookup func(string) (string, bool)) (*slog.Logger, error) {
	switch strings.ToLower(format) {
	case "", "auto":
		if _, noColor := lookup("NO_COLOR"); isTerminal(w) && !noColor {
			return slog.New(tint.NewHandler(w, &tint.Options{Level: level, TimeFormat: "15:04:05.000"})), nil
		}
		return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level})), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level})), nil
	case "text":
		_, noColor := lookup("NO_COLOR")
		return slog.New(tint.NewHandler(w, &tint.Options{Level: level, NoColor: noColor || !isTerminal(w), TimeFormat: "15:04:05.000"})), nil
	}
	return nil, fmt.Errorf("invalid log format %q (want auto, json or text)", format)
}

// parseLevel reads debug, info, warn or error, lowered by verbosity steps.
func parseLevel(s string, verbosity int) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("invalid log level %q (want debug, info, warn or error)", s)
	}
	return l - slog.Level(4*verbosity), nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	var t syscall.Termios
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), syscall.TCGETS, uintptr(unsafe.Pointer(&t)))
	return errno == 0
}

package tasks

import (
	"context"
	"log/slog"
	"time"
)

// LogStart logs the line that starts t: its name, source, command and
// working directory. The binary and the mage targets both log through
// LogStart and LogEnd, so a task reads the same whichever started it.
func LogStart(log *slog.Logger, t Task) {
	log.Info("task started", "task", t.Name, "source", string(t.Source), "argv", t.Argv, "dir", t.Dir)
}

// LogEnd logs the line that ends t: its name, source, how long it took and
// the status it ended with.
func LogEnd(log *slog.Logger, t Task, took time.Duration, code int) {
	level := slog.LevelInfo
	if code != 0 {
		level = slog.LevelError
	}
	log.Log(context.Background(), level, "task ended", "task", t.Name, "source", string(t.Source), "duration", took.Round(time.Millisecond).String(), "code", code)
}

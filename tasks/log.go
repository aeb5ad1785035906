package tasks

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/entrypoint/entrypoint/internal/prelude/secrets"
)

// LogStart logs the line that starts t: its name, source, command and
// working directory. The binary and the mage targets both log through
// LogStart and LogEnd, so a task reads the same whichever started it.
//
// Secrets are never logged: where the value of a variable of env whose
// name looks secret (DB_PASSWORD, API_TOKEN; see secrets.LooksSecret)
// appears in the command, as ${DB_PASSWORD} expands, it is logged as
// <redacted>.
func LogStart(log *slog.Logger, t Task, env map[string]string) {
	log.Info("task started", "task", t.Name, "source", string(t.Source), "argv", redactArgv(t.Argv, env), "dir", t.Dir)
}

// redactArgv returns argv with the values of secret-looking variables of
// env replaced, longest first so that no part of one is left.
func redactArgv(argv []string, env map[string]string) []string {
	var values []string
	for name, value := range env {
		if value != "" && secrets.LooksSecret(name) {
			values = append(values, value)
		}
	}
	if len(values) == 0 {
		return argv
	}
	slices.SortFunc(values, func(a, b string) int { return len(b) - len(a) })
	redacted := make([]string, len(argv))
	for i, word := range argv {
		for _, v := range values {
			word = strings.ReplaceAll(word, v, "<redacted>")
		}
		redacted[i] = word
	}
	return redacted
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

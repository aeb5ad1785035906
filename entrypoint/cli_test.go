package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runCLI drives the CLI core in-process, for everything that starts no
// child (the end-to-end tests run the real binary for the rest).
func runCLI(t *testing.T, env []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, env, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestHelpListsEveryFlagWithItsEnvTwin(t *testing.T) {
	code, out, _ := runCLI(t, nil, "entrypoint", "-h")
	require.Equal(t, 0, code)
	for _, d := range entrypointFlags {
		assert.Contains(t, out, "--"+d.long)
		for _, env := range strings.Split(d.env, ", ") {
			assert.Contains(t, out, env)
		}
	}
	assert.Contains(t, out, "Exit status")
}

func TestEveryEnvTwinInTheHelpIsRead(t *testing.T) {
	// Each ENTRYPOINT_ twin named in the usage text is a field of config,
	// so the help cannot drift from what is parsed.
	tags := map[string]bool{}
	collectEnvTags(config{}, tags)
	for _, d := range entrypointFlags {
		for _, env := range strings.Split(d.env, ", ") {
			if strings.HasPrefix(env, "ENTRYPOINT_") {
				assert.True(t, tags[env], "%s is in the help but no config field reads it", env)
			}
		}
	}
}

func TestBadFlagsExit2AndBadEnvExit78WithOneLine(t *testing.T) {
	for _, tc := range []struct {
		env  []string
		args []string
		code int
		want string
	}{
		{nil, []string{"-x", "--", "true"}, 2, "unknown flag -x"},
		{nil, []string{"--nope", "true"}, 2, "unknown flag --nope"},
		{nil, []string{"-e"}, 2, "flag -e needs a value"},
		{nil, []string{"-e", "300", "true"}, 2, "invalid exit code"},
		{nil, []string{"--rewrite", "15", "true"}, 2, "invalid rewrite"},
		{nil, []string{"--rewrite", "TERM:NOPE", "true"}, 2, "unknown signal"},
		{nil, []string{"-p", "SIGFOO", "true"}, 2, "unknown signal"},
		{nil, []string{"-t", "soon", "true"}, 2, "invalid duration"},
		{nil, []string{"--log-level", "loud", "true"}, 2, "invalid log level"},
		{nil, []string{}, 2, "no command to run"},
		{[]string{"ENTRYPOINT_STOP_TIMEOUT=soon"}, []string{"true"}, 78, "ENTRYPOINT_STOP_TIMEOUT"},
		{[]string{"ENTRYPOINT_REWRITE=15"}, []string{"true"}, 78, "invalid rewrite"},
		{[]string{"ENTRYPOINT_LOG_LEVEL=loud"}, []string{"true"}, 78, "invalid log level"},
		{[]string{"ENTRYPOINT_LOG_FORMAT=xml"}, []string{"true"}, 78, "invalid log format"},
	} {
		code, _, errOut := runCLI(t, tc.env, append([]string{"entrypoint"}, tc.args...)...)
		assert.Equal(t, tc.code, code, "%v %v", tc.env, tc.args)
		assert.Contains(t, errOut, tc.want, "%v %v", tc.env, tc.args)
		assert.Equal(t, 1, strings.Count(errOut, "\n"), "one line: %q", errOut)
	}
}

func TestFlagsParseLikeGetopt(t *testing.T) {
	c := &config{}
	rest, err := parseFlags(initFlags, c, []string{"-sgvv", "-e143", "-e", "130", "--rewrite=15:3", "-r", "USR1:0", "--stop-timeout", "3s", "cmd", "-g"})
	require.NoError(t, err)
	assert.Equal(t, []string{"cmd", "-g"}, rest, "flags stop at the first operand")
	assert.True(t, c.Subreaper)
	assert.True(t, c.KillGroup)
	assert.Equal(t, 2, c.verbosity)
	assert.Equal(t, []int{143, 130}, c.ExitZero)
	assert.Equal(t, []string{"15:3", "USR1:0"}, c.Rewrite)
	assert.Equal(t, "3s", c.StopTimeout.String())
	o, err := c.options()
	require.NoError(t, err)
	assert.Len(t, o.Rewrite, 2)
}

func TestPersonalities(t *testing.T) {
	for _, tc := range []struct {
		argv0, flag, want string
	}{
		{"/usr/local/bin/entrypoint", "--version", "entrypoint "},
		{"/sbin/docker-init", "--version", "tini version 0.19.0 (entrypoint "},
		{"tini", "--version", " - git."},
		{"/usr/bin/dumb-init", "--version", "dumb-init v1.2.5 (entrypoint "},
		{"dumb-init", "-V", "dumb-init v1.2.5"},
	} {
		code, out, _ := runCLI(t, nil, tc.argv0, tc.flag)
		assert.Equal(t, 0, code, tc.argv0)
		assert.Contains(t, out, tc.want, tc.argv0)
	}
	// Each personality takes its peer's flags only.
	code, _, errOut := runCLI(t, nil, "tini", "--setsid", "true")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "tini: unknown flag --setsid")
	code, _, _ = runCLI(t, nil, "dumb-init", "-g", "true")
	assert.Equal(t, 2, code)
}

func TestPeerEnvTwins(t *testing.T) {
	for _, tc := range []struct {
		argv0 string
		env   []string
		check func(*config) bool
	}{
		{"tini", []string{"TINI_SUBREAPER="}, func(c *config) bool { return c.Subreaper }},
		{"tini", nil, func(c *config) bool { return !c.Subreaper }},
		{"tini", []string{"TINI_KILL_PROCESS_GROUP=1"}, func(c *config) bool { return c.KillGroup }},
		{"entrypoint", nil, func(c *config) bool { return c.Subreaper && !c.Setsid }},
		{"entrypoint", []string{"ENTRYPOINT_SUBREAPER=false"}, func(c *config) bool { return !c.Subreaper }},
		{"dumb-init", nil, func(c *config) bool { return c.Setsid }},
		{"dumb-init", []string{"DUMB_INIT_SETSID=0"}, func(c *config) bool { return !c.Setsid }},
	} {
		c, _, err := parse(personalityOf(tc.argv0), nil, tc.env)
		require.NoError(t, err)
		assert.True(t, tc.check(c), "%s %v", tc.argv0, tc.env)
	}
	c, _, err := parse(personalityOf("dumb-init"), []string{"-c", "true"}, nil)
	require.NoError(t, err)
	assert.False(t, c.Setsid, "dumb-init -c turns setsid mode off")
}

func TestEveryConfigPartReadsItsEnvTwinsAndFlagsWin(t *testing.T) {
	env := []string{"ENTRYPOINT_DRY_RUN=true", "ENTRYPOINT_WAIT_TIMEOUT=3s", "ENTRYPOINT_STOP_TIMEOUT=4s", "ENTRYPOINT_WAIT=tcp://db:5432"}
	c, _, err := parse(personalityOf("entrypoint"), []string{"--wait-timeout", "7s", "--wait", "file:///ready", "true"}, env)
	require.NoError(t, err)
	assert.True(t, c.DryRun, "the tasks' twins are parsed")
	assert.Equal(t, "4s", c.StopTimeout.String(), "the init's twins are parsed")
	assert.Equal(t, "7s", c.WaitTimeout.String(), "a flag wins over its twin")
	assert.Equal(t, "tcp://db:5432,file:///ready", c.Wait, "list flags add to their twin")
}

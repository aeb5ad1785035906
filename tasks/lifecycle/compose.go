package lifecycle

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/entrypoint/entrypoint/internal/exitcode"
)

// compose drives the compose CLI for one project: one run of
// test_integration, named uniquely so that parallel runs never meet.
type compose struct {
	r       *runner  // runs its commands; its env holds ENTRYPOINT_IMAGE_REF
	cli     []string // docker compose, or docker-compose
	project string   // -p
	file    string   // -f, absolute
	image   string   // ENTRYPOINT_IMAGE_REF: the service image
}

// findCompose returns the compose CLI installed here: `docker compose`
// (the plugin) when `docker compose version` works, else docker-compose
// when it is on PATH. The probe is not printed: it changes nothing and
// its failure is an answer, not an error.
func findCompose(ctx context.Context, r *runner) ([]string, error) {
	if _, err := exec.LookPath("docker"); err == nil {
		probe := exec.CommandContext(ctx, "docker", "compose", "version")
		probe.Env = r.env
		if probe.Run() == nil {
			return []string{"docker", "compose"}, nil
		}
	}
	if _, err := exec.LookPath("docker-compose"); err == nil {
		return []string{"docker-compose"}, nil
	}
	return nil, exitcode.Wrap(exitcode.Config, errors.New("no compose CLI: neither `docker compose` works nor docker-compose is on PATH; install one (Debian: apt-get install docker-compose)"))
}

// projectName is a compose project name of its own for one run of the
// service's integration tests: SERVICE-it-RANDOM, where SERVICE is the
// image's name (ENTRYPOINT_IMAGE, else the service directory), reduced to
// what compose accepts.
func projectName(s Service) (string, error) {
	name := s.Env["ENTRYPOINT_IMAGE"]
	if name == "" {
		name = s.Dir
	}
	service := strings.TrimLeft(strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return -1
	}, filepath.Base(name)), "-_")
	if service == "" {
		service = "service"
	}
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return service[:min(40, len(service))] + "-it-" + hex.EncodeToString(b[:]), nil
}

// argv is the compose command line for args.
func (c compose) argv(args ...string) []string {
	argv := append([]string{}, c.cli...)
	argv = append(argv, "-p", c.project, "-f", c.file)
	return append(argv, args...)
}

// up creates and starts the project's containers in the background.
// docker-compose 1.29 has no --wait: waiting for health is ready's job.
func (c compose) up(ctx context.Context) error {
	return c.r.run(ctx, c.argv("up", "-d")...)
}

// logs prints the tail of every container's logs to stderr.
func (c compose) logs(ctx context.Context) error {
	return c.r.run(ctx, c.argv("logs", "--no-color", "--tail=50")...)
}

// down removes the project's containers, networks and volumes, and any
// container of the project the compose file no longer names.
func (c compose) down(ctx context.Context) error {
	return c.r.run(ctx, c.argv("down", "-v", "--remove-orphans")...)
}

// label is the label compose puts on everything of the project.
func (c compose) label() string { return "label=com.docker.compose.project=" + c.project }

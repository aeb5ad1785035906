package lifecycle

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/entrypoint/entrypoint/internal/environ"
	"github.com/entrypoint/entrypoint/internal/exitcode"
	"github.com/entrypoint/entrypoint/internal/prelude/secrets"
	"github.com/entrypoint/entrypoint/internal/retry"
)

// registryPolicy is how often a registry step (login, push, pull) is
// tried: five attempts, about 0.5s, 1s, 2s and 4s apart.
var registryPolicy = retry.Policy{Attempts: 5, Initial: 500 * time.Millisecond, Max: 8 * time.Second}

// registry is the registry the image goes to, and how to log in to it.
type registry struct {
	host     string
	user     string // "": use the Docker CLI's stored credentials
	password string
	from     string // the shell pipeline head that reads the password, for the printed line
}

// registryOf reads the registry of repo and the credentials for it from
// ENTRYPOINT_REGISTRY_USER and ENTRYPOINT_REGISTRY_PASSWORD (or _FILE).
// It says what to set when something is missing.
func registryOf(repo string, env map[string]string) (registry, error) {
	host, ok := registryHost(repo)
	if !ok {
		return registry{}, fmt.Errorf("%s names no registry to push to: set ENTRYPOINT_REGISTRY (e.g. ghcr.io/acme), or a registry host in ENTRYPOINT_IMAGE", repo)
	}
	reg := registry{host: host, user: env["ENTRYPOINT_REGISTRY_USER"]}
	const name = "ENTRYPOINT_REGISTRY_PASSWORD"
	resolved, fromFile, err := secrets.Resolve([]string{name + "=" + env[name], name + "_FILE=" + env[name+"_FILE"]})
	if err != nil {
		return registry{}, err
	}
	reg.password = environ.Map(resolved)[name]
	reg.from = `printf %s "$` + name + `"`
	if len(fromFile) > 0 {
		reg.from = `cat "$` + name + `_FILE"`
	}
	if (reg.user == "") != (reg.password == "") {
		return registry{}, fmt.Errorf("the credentials for %s are incomplete: set both ENTRYPOINT_REGISTRY_USER and ENTRYPOINT_REGISTRY_PASSWORD (or ENTRYPOINT_REGISTRY_PASSWORD_FILE), or neither to use the Docker CLI's stored login", host)
	}
	return reg, nil
}

// login runs docker login with the password on its standard input,
// when credentials are set; transient failures are retried.
func (reg registry) login(ctx context.Context, r *runner) error {
	if reg.user == "" {
		return nil
	}
	c := command{argv: []string{"docker", "login", "--username", reg.user, "--password-stdin", reg.host}, stdin: reg.password, stdinFrom: reg.from}
	err := r.retry(ctx, "docker login "+reg.host, registryPolicy, transient, func(ctx context.Context) error {
		_, err := r.exec(ctx, c, nil)
		return err
	})
	return reg.explain(ctx, err, "")
}

// push pushes ref, retrying transient failures, and returns the digest
// the registry stored it under, checked against the image's RepoDigests
// (a placeholder under DryRun).
func (reg registry) push(ctx context.Context, r *runner, repo, ref string) (string, error) {
	return reg.transfer(ctx, r, "push", repo, ref)
}

// pull pulls ref, retrying transient failures, and returns its digest in
// the registry, checked against the image's RepoDigests.
func (reg registry) pull(ctx context.Context, r *runner, repo, ref string) (string, error) {
	return reg.transfer(ctx, r, "pull", repo, ref)
}

// transfer runs docker push or pull of ref with retry, showing its
// output on stderr, and returns the digest it reports.
func (reg registry) transfer(ctx context.Context, r *runner, verb, repo, ref string) (string, error) {
	var out bytes.Buffer
	err := r.retry(ctx, "docker "+verb+" "+ref, registryPolicy, transient, func(ctx context.Context) error {
		out.Reset()
		_, err := r.exec(ctx, command{argv: []string{"docker", verb, ref}}, io.MultiWriter(r.stderr, &out))
		return err
	})
	if err != nil {
		return "", reg.explain(ctx, err, ref)
	}
	return repoDigest(ctx, r, repo, ref, out.String())
}

var (
	reportedDigest = pattern(`(?i)\bdigest: (sha256:[0-9a-f]{64})\b`)
	statusCode     = pattern(`\b(401|403|429|50[0-4])\b`)
)

// repoDigest returns the digest docker reported in out for ref, checked
// against `docker inspect` RepoDigests of repo; when out holds none, the
// one RepoDigest of repo.
func repoDigest(ctx context.Context, r *runner, repo, ref, out string) (string, error) {
	inspected, err := r.output(ctx, "docker", "inspect", "--format", "{{json .RepoDigests}}", ref)
	if err != nil || r.dryRun {
		return "<digest of " + ref + ">", interrupted(ctx, err)
	}
	var list []string
	if err := json.Unmarshal([]byte(inspected), &list); err != nil {
		return "", fmt.Errorf("docker inspect %s: RepoDigests %q: %w", ref, inspected, err)
	}
	var digests []string
	for _, d := range list {
		if name, digest, ok := strings.Cut(d, "@"); ok && (name == repo || name == familiar(repo)) {
			digests = append(digests, digest)
		}
	}
	if m := reportedDigest().FindStringSubmatch(out); m != nil {
		for _, d := range digests {
			if d == m[1] {
				return d, nil
			}
		}
		return "", fmt.Errorf("docker reported %s@%s, but docker inspect lists %q for %s", repo, m[1], list, ref)
	}
	if len(digests) != 1 {
		return "", fmt.Errorf("docker reported no digest for %s, and docker inspect lists %q: no single digest of %s", ref, list, repo)
	}
	return digests[0], nil
}

// familiar is repo as Docker shows a Docker Hub name: without docker.io/
// and library/.
func familiar(repo string) string {
	for _, prefix := range []string{"docker.io/", "index.docker.io/"} {
		if rest, ok := strings.CutPrefix(repo, prefix); ok {
			return strings.TrimPrefix(rest, "library/")
		}
	}
	return repo
}

// The failures a registry step can meet, told by the tool's stderr.
var (
	authPhrases      = []string{"no basic auth credentials", "authentication required", "unauthorized", "access denied", "denied:", "forbidden", "401", "403"}
	transientPhrases = []string{"connection refused", "connection reset", "broken pipe", "timeout", "timed out", "eof", "temporary failure", "no route to host", "too many requests", "toomanyrequests", "internal server error", "bad gateway", "service unavailable", "429", "500", "502", "503", "504"}
	notBuiltPhrases  = []string{"tag does not exist", "does not exist locally", "no such image"}
	notFoundPhrases  = []string{"manifest unknown", "not found"}
)

// transient reports whether a registry step's error may pass if tried
// again: a network failure, a timeout, a 5xx or 429 answer. An
// authentication failure never is.
func transient(err error) bool {
	return reason(err, authPhrases) == "" && reason(err, transientPhrases) != ""
}

// reason returns the first of phrases the stderr of err's command holds
// (a status code as a whole word), or "".
func reason(err error, phrases []string) string {
	var ce *CommandError
	if !errors.As(err, &ce) {
		return ""
	}
	text := strings.ToLower(ce.Stderr)
	if strings.Contains(text, "docker daemon") {
		return "" // the engine, not the registry: no access to its socket, or it is down
	}
	codes := statusCode().FindAllString(text, -1)
	for _, p := range phrases {
		if statusCode().MatchString(p) && slices.Contains(codes, p) || !statusCode().MatchString(p) && strings.Contains(text, p) {
			return strings.TrimSuffix(p, ":")
		}
	}
	return ""
}

// explain turns the error of a registry step into one a user can act
// on: refused credentials are a configuration error (78) saying what to
// set, an image not built or not in the registry says what to run; the
// tool's own status stays otherwise.
func (reg registry) explain(ctx context.Context, err error, ref string) error {
	if err == nil || ctx.Err() != nil {
		return interrupted(ctx, err)
	}
	if why := reason(err, authPhrases); why != "" {
		return exitcode.Wrap(exitcode.Config, fmt.Errorf("%s refused the credentials (%s): set ENTRYPOINT_REGISTRY_USER and ENTRYPOINT_REGISTRY_PASSWORD (or _FILE) for it", reg.host, why))
	}
	if reason(err, notBuiltPhrases) != "" {
		return fmt.Errorf("%s was not built here: run build first (%w)", ref, err)
	}
	if reason(err, notFoundPhrases) != "" {
		return fmt.Errorf("%s is not in the registry: publish it first (%w)", ref, err)
	}
	if transient(err) {
		return fmt.Errorf("gave up after %d attempts: %w", registryPolicy.Attempts, err)
	}
	return err
}

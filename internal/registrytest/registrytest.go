// Package registrytest starts a real image registry for tests: Debian's
// docker-registry (the CNCF distribution registry) on loopback, with
// htpasswd authentication and its storage in a temporary directory.
//
// The Docker engine treats 127.0.0.0/8 as an insecure registry, so images
// are pushed to Registry.Addr over plain HTTP without engine settings.
// The registry process is stopped and its storage removed when the test
// ends; on a failed start the test shows its log.
package registrytest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/entrypoint/entrypoint/internal/needs"
)

// StartTimeout bounds how long Start waits for the registry to answer.
const StartTimeout = 30 * time.Second

// Registry is a running registry.
type Registry struct {
	Addr     string // host:port on 127.0.0.1, the prefix of its image references
	User     string // the one user htpasswd knows
	Password string // that user's password
	Dir      string // its configuration, htpasswd file, log and storage
}

// Start starts a registry that requires User and Password, and returns it
// once it answers on /v2/. It needs docker-registry and htpasswd
// (apache2-utils) on PATH and skips or fails as package needs says.
func Start(t testing.TB) *Registry {
	t.Helper()
	bin := needs.Command(t, "docker-registry")
	htpasswd := needs.Command(t, "htpasswd")
	r := &Registry{User: "ci", Password: "s3cret-" + fmt.Sprint(time.Now().UnixNano()%100000), Dir: t.TempDir()}
	out, err := exec.Command(htpasswd, "-Bbn", r.User, r.Password).Output()
	if err != nil {
		t.Fatalf("registrytest: htpasswd: %v", err)
	}
	writeFile(t, filepath.Join(r.Dir, "htpasswd"), string(out))
	r.Addr = freeAddr(t)
	config := filepath.Join(r.Dir, "config.yml")
	writeFile(t, config, fmt.Sprintf(`version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: %s
  delete:
    enabled: true
http:
  addr: %s
auth:
  htpasswd:
    realm: registrytest
    path: %s
`, filepath.Join(r.Dir, "data"), r.Addr, filepath.Join(r.Dir, "htpasswd")))
	logPath := filepath.Join(r.Dir, "registry.log")
	log, err := os.Create(logPath)
	if err != nil {
		t.Fatalf("registrytest: %v", err)
	}
	defer log.Close()
	cmd := exec.Command(bin, "serve", config)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		t.Fatalf("registrytest: start %s: %v", bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	if err := r.wait(exited); err != nil {
		data, _ := os.ReadFile(logPath)
		t.Fatalf("registrytest: registry on %s: %v; log:\n%s", r.Addr, err, data)
	}
	return r
}

// wait polls /v2/ until the registry asks for credentials (401), it
// exits, or StartTimeout passes.
func (r *Registry) wait(exited <-chan error) error {
	ctx, cancel := context.WithTimeout(context.Background(), StartTimeout)
	defer cancel()
	client := &http.Client{Timeout: time.Second}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		resp, err := client.Get("http://" + r.Addr + "/v2/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusUnauthorized {
				return nil
			}
			err = fmt.Errorf("GET /v2/: %s, want 401", resp.Status)
		}
		select {
		case werr := <-exited:
			return fmt.Errorf("exited: %v", werr)
		case <-ctx.Done():
			return fmt.Errorf("no answer within %s: %v", StartTimeout, err)
		case <-tick.C:
		}
	}
}

// Ref returns the reference of repository name (with :tag or @digest)
// in this registry: ADDR/name.
func (r *Registry) Ref(name string) string { return r.Addr + "/" + name }

// Login logs the Docker CLI whose config directory is dockerConfig into
// the registry (docker login --password-stdin), for setting up a test.
func (r *Registry) Login(t testing.TB, dockerConfig string) {
	t.Helper()
	cmd := exec.Command("docker", "--config", dockerConfig, "login", "--username", r.User, "--password-stdin", r.Addr)
	cmd.Stdin = strings.NewReader(r.Password)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("registrytest: docker login %s: %v\n%s", r.Addr, err, out)
	}
}

func freeAddr(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("registrytest: %v", err)
	}
	defer l.Close()
	return l.Addr().String()
}

func writeFile(t testing.TB, path, content string) {
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatalf("registrytest: %v", err)
	}
}

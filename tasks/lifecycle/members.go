package lifecycle

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
)

// member is one container of the compose project: what test_integration
// reads of it from `docker inspect`.
type member struct {
	Name   string
	Config struct {
		Labels map[string]string
	}
	State struct {
		Status   string // created, running, restarting, paused, exited, dead
		ExitCode int
		Health   *struct {
			Status string // starting, healthy, unhealthy
			Log    []struct{ Output string }
		}
	}
	NetworkSettings struct {
		Ports map[string][]struct{ HostIp, HostPort string } // "8080/tcp"
	}
}

// containers lists the containers of the project, one-off ones (compose
// run) left out, by their labels: the same on every compose version,
// stopped ones included.
func (c compose) containers(ctx context.Context, r *runner) ([]member, error) {
	ids, err := r.query(ctx, "docker", "ps", "--all", "--quiet", "--no-trunc", "--filter", c.label(), "--filter", "label=com.docker.compose.oneoff=False")
	if err != nil || ids == "" {
		return nil, err
	}
	out, err := r.query(ctx, append([]string{"docker", "inspect"}, strings.Fields(ids)...)...)
	if err != nil {
		return nil, err
	}
	var all []member
	if err := json.Unmarshal([]byte(out), &all); err != nil {
		return nil, fmt.Errorf("docker inspect: %w", err)
	}
	slices.SortFunc(all, func(a, b member) int { return strings.Compare(a.Name, b.Name) })
	return all, nil
}

// name is the container's name, without docker's leading slash.
func (c member) name() string { return strings.TrimPrefix(c.Name, "/") }

// service is the compose service the container belongs to.
func (c member) service() string { return c.Config.Labels["com.docker.compose.service"] }

// readiness says whether the container is ready: healthy when it has a
// healthcheck, running when it has none, or a job that completed (exit
// 0). failed is set, with why, when it will never be: it exited with
// another status, died, or its healthcheck says unhealthy; otherwise why
// says what it is waiting for.
func (c member) readiness() (ready, failed bool, why string) {
	st := c.State
	switch {
	case st.Status == "exited" && st.ExitCode == 0:
		return true, false, ""
	case st.Status == "exited" || st.Status == "dead":
		return false, true, fmt.Sprintf("%s %s with status %d", c.name(), st.Status, st.ExitCode)
	case st.Status != "running":
		return false, false, c.name() + " " + st.Status
	case st.Health == nil || st.Health.Status == "healthy":
		return true, false, ""
	}
	why = c.name() + " " + st.Health.Status
	if n := len(st.Health.Log); n > 0 {
		if out := lastLine(st.Health.Log[n-1].Output); out != "" {
			why += " (last check: " + out + ")"
		}
	}
	return false, st.Health.Status == "unhealthy", why
}

// published is the host address of the container's lowest TCP port that
// is published on the host, as 127.0.0.1:PORT; "" when none is.
func (c member) published() string {
	best := -1
	addr := ""
	for port, bindings := range c.NetworkSettings.Ports {
		num, proto, _ := strings.Cut(port, "/")
		n, err := strconv.Atoi(num)
		if err != nil || proto != "tcp" || (best >= 0 && n >= best) {
			continue
		}
		for _, b := range bindings {
			if b.HostPort != "" {
				best, addr = n, net.JoinHostPort("127.0.0.1", b.HostPort)
				break
			}
		}
	}
	return addr
}

// addresses are the variables that tell the tests where each service
// listens: SERVICE_ADDR=127.0.0.1:PORT and SERVICE_URL=http://127.0.0.1:PORT
// for every service with a published TCP port (its first container's
// lowest one), SERVICE upper-cased with - and . turned into _.
func addresses(all []member) map[string]string {
	env := map[string]string{}
	for _, c := range all {
		addr := c.published()
		key := serviceVar(c.service())
		if addr == "" || key == "" {
			continue
		}
		if _, seen := env[key+"_ADDR"]; !seen {
			env[key+"_ADDR"], env[key+"_URL"] = addr, "http://"+addr
		}
	}
	return env
}

// serviceVar is the variable name prefix of a compose service: web-api.v2
// is WEB_API_V2.
func serviceVar(service string) string {
	return strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(service))
}

package lifecycle

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"

	cmdpkg "github.com/entrypoint/entrypoint/internal/command"
)

// containers lists the containers of the project, one-off ones (compose
// run) left out, by their labels: the same on every compose version,
// stopped ones included.
func (c compose) containers(ctx context.Context, r *runner) ([]container, error) {
	all, err := labelled(ctx, r, c.label(), "label=com.docker.compose.oneoff=False")
	slices.SortFunc(all, func(a, b container) int { return strings.Compare(a.Name, b.Name) })
	return all, err
}

// service is the compose service the container belongs to.
func (c container) service() string { return c.Config.Labels["com.docker.compose.service"] }

// readiness says whether the container is ready: healthy when it has a
// healthcheck, running when it has none, or a job that completed (exit
// 0). failed is set, with why, when it will never be: it exited with
// another status, died, or its healthcheck says unhealthy; otherwise why
// says what it is waiting for.
func (c container) readiness() (ready, failed bool, why string) {
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
		if out := cmdpkg.LastLine(st.Health.Log[n-1].Output); out != "" {
			why += " (last check: " + out + ")"
		}
	}
	return false, st.Health.Status == "unhealthy", why
}

// published is the host address of the container's lowest TCP port that
// is published on the host, as 127.0.0.1:PORT; "" when none is.
func (c container) published() string {
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
func addresses(all []container) map[string]string {
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

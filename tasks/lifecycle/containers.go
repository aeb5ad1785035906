package lifecycle

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// container is what the lifecycle tasks read of a container from
// `docker container inspect`: deploy its state, health and stop timeout,
// test_integration also its compose labels and published ports.
type container struct {
	Name  string // without docker's leading slash, once inspectContainers read it
	State struct {
		Status     string // created, running, restarting, paused, exited, dead
		Running    bool
		Restarting bool
		ExitCode   int
		Health     *struct {
			Status string // starting, healthy, unhealthy
			Log    []struct {
				ExitCode int
				Output   string
			}
		}
	}
	RestartCount int
	Config       struct {
		Labels      map[string]string
		StopTimeout *int
		Entrypoint  []string
	}
	NetworkSettings struct {
		Ports map[string][]struct{ HostIp, HostPort string } // "8080/tcp"
	}
}

// name is the container's name, without docker's leading slash.
func (c container) name() string { return strings.TrimPrefix(c.Name, "/") }

// labelled lists the containers, stopped ones included, that match every
// filter (docker ps --filter, e.g. label=NAME=VALUE).
func labelled(ctx context.Context, r *runner, filters ...string) ([]container, error) {
	argv := []string{"docker", "ps", "--all", "--quiet", "--no-trunc"}
	for _, f := range filters {
		argv = append(argv, "--filter", f)
	}
	ids, err := r.query(ctx, argv...)
	if err != nil || ids == "" {
		return nil, err
	}
	return inspectContainers(ctx, r, strings.Fields(ids)...)
}

// inspectContainers reads the named containers.
func inspectContainers(ctx context.Context, r *runner, names ...string) ([]container, error) {
	out, err := r.query(ctx, append([]string{"docker", "container", "inspect"}, names...)...)
	if err != nil {
		return nil, err
	}
	var list []container
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		return nil, fmt.Errorf("docker container inspect: %w", err)
	}
	for i := range list {
		list[i].Name = list[i].name()
	}
	return list, nil
}

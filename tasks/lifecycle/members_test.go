package lifecycle

import (
	"encoding/json"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// inspected reads one container from JSON shaped as `docker inspect` prints it.
func inspected(t *testing.T, js string) container {
	t.Helper()
	var m container
	require.NoError(t, json.Unmarshal([]byte(js), &m))
	return m
}

func TestMemberReadiness(t *testing.T) {
	for _, tc := range []struct {
		name          string
		inspect       string
		ready, failed bool
		why           string
	}{
		{"running, no healthcheck", `{"Name":"/p_db_1","State":{"Status":"running"}}`, true, false, ""},
		{"healthy", `{"Name":"/p_web_1","State":{"Status":"running","Health":{"Status":"healthy"}}}`, true, false, ""},
		{"a job that completed", `{"Name":"/p_migrate_1","State":{"Status":"exited","ExitCode":0}}`, true, false, ""},
		{"created", `{"Name":"/p_web_1","State":{"Status":"created"}}`, false, false, "p_web_1 created"},
		{"restarting", `{"Name":"/p_web_1","State":{"Status":"restarting"}}`, false, false, "p_web_1 restarting"},
		{"starting, not checked yet", `{"Name":"/p_web_1","State":{"Status":"running","Health":{"Status":"starting"}}}`, false, false, "p_web_1 starting"},
		{"starting, a check failed", `{"Name":"/p_web_1","State":{"Status":"running","Health":{"Status":"starting","Log":[{"Output":"first"},{"Output":"wget: can't connect\nConnection refused\n"}]}}}`, false, false, "p_web_1 starting (last check: Connection refused)"},
		{"unhealthy", `{"Name":"/p_web_1","State":{"Status":"running","Health":{"Status":"unhealthy","Log":[{"Output":"status 503"}]}}}`, false, true, "p_web_1 unhealthy (last check: status 503)"},
		{"exited", `{"Name":"/p_db_1","State":{"Status":"exited","ExitCode":2}}`, false, true, "p_db_1 exited with status 2"},
		{"dead", `{"Name":"/p_db_1","State":{"Status":"dead","ExitCode":137}}`, false, true, "p_db_1 dead with status 137"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ready, failed, why := inspected(t, tc.inspect).readiness()
			assert.Equal(t, tc.ready, ready, "ready")
			assert.Equal(t, tc.failed, failed, "failed")
			assert.Equal(t, tc.why, why)
		})
	}
}

func TestAddresses(t *testing.T) {
	var all []container
	for _, js := range []string{
		// the lowest published TCP port; UDP and unpublished ports do not count
		`{"Name":"/p-web-1","Config":{"Labels":{"com.docker.compose.service":"web"}},"NetworkSettings":{"Ports":{
			"9090/tcp":[{"HostIp":"127.0.0.1","HostPort":"32001"}],
			"8080/tcp":[{"HostIp":"0.0.0.0","HostPort":"32000"},{"HostIp":"::","HostPort":"32000"}],
			"53/udp":[{"HostIp":"127.0.0.1","HostPort":"32002"}],
			"22/tcp":null}}}`,
		// a second container of web: the first one's address stands
		`{"Name":"/p-web-2","Config":{"Labels":{"com.docker.compose.service":"web"}},"NetworkSettings":{"Ports":{"8080/tcp":[{"HostIp":"127.0.0.1","HostPort":"32100"}]}}}`,
		`{"Name":"/p-user-db.v2-1","Config":{"Labels":{"com.docker.compose.service":"user-db.v2"}},"NetworkSettings":{"Ports":{"5432/tcp":[{"HostIp":"127.0.0.1","HostPort":"32003"}]}}}`,
		// nothing published
		`{"Name":"/p-worker-1","Config":{"Labels":{"com.docker.compose.service":"worker"}},"NetworkSettings":{"Ports":{"8080/tcp":null}}}`,
	} {
		all = append(all, inspected(t, js))
	}
	assert.Equal(t, map[string]string{
		"WEB_ADDR":        "127.0.0.1:32000",
		"WEB_URL":         "http://127.0.0.1:32000",
		"USER_DB_V2_ADDR": "127.0.0.1:32003",
		"USER_DB_V2_URL":  "http://127.0.0.1:32003",
	}, addresses(all))
}

func TestProjectName(t *testing.T) {
	valid := regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*-it-[0-9a-f]{8}$`)
	for _, tc := range []struct {
		dir, image, prefix string
	}{
		{"/src/api", "", "api-it-"},
		{"/src/My.Service", "", "myservice-it-"},
		{"/src/x", "registry.example.com/team/Billing_API", "billing_api-it-"},
		{"/src/--odd", "", "odd-it-"},
		{"/", "", "service-it-"},
	} {
		first, err := projectName(Service{Dir: tc.dir, Env: map[string]string{"ENTRYPOINT_IMAGE": tc.image}})
		require.NoError(t, err)
		second, err := projectName(Service{Dir: tc.dir, Env: map[string]string{"ENTRYPOINT_IMAGE": tc.image}})
		require.NoError(t, err)
		assert.Regexp(t, valid, first)
		assert.Equal(t, tc.prefix, first[:len(first)-8])
		assert.NotEqual(t, first, second, "every run has a project of its own")
	}
}

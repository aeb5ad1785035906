package lifecycle

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The fields the Kubernetes API requires of the objects deploy applies,
// or that deploy promises (probes, digest, labels), decoded from the JSON
// it sends, whatever Go types made it.

type k8sObject struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name   string            `json:"name"`
		Labels map[string]string `json:"labels"`
	} `json:"metadata"`
	Spec       json.RawMessage   `json:"spec"`
	StringData map[string]string `json:"stringData"`
}

type k8sProbe struct {
	Exec *struct {
		Command []string `json:"command"`
	} `json:"exec"`
	HTTPGet          json.RawMessage `json:"httpGet"`
	TCPSocket        json.RawMessage `json:"tcpSocket"`
	PeriodSeconds    int             `json:"periodSeconds"`
	TimeoutSeconds   int             `json:"timeoutSeconds"`
	FailureThreshold int             `json:"failureThreshold"`
}

type k8sDeploymentSpec struct {
	Replicas *int `json:"replicas"`
	Selector *struct {
		MatchLabels map[string]string `json:"matchLabels"`
	} `json:"selector"`
	Template struct {
		Metadata struct {
			Labels map[string]string `json:"labels"`
		} `json:"metadata"`
		Spec struct {
			SecurityContext struct {
				RunAsNonRoot *bool `json:"runAsNonRoot"`
			} `json:"securityContext"`
			Containers []struct {
				Name  string `json:"name"`
				Image string `json:"image"`
				Ports []struct {
					Name          string `json:"name"`
					ContainerPort int    `json:"containerPort"`
				} `json:"ports"`
				Env []struct {
					Name  string  `json:"name"`
					Value *string `json:"value"`
				} `json:"env"`
				EnvFrom []struct {
					SecretRef struct {
						Name string `json:"name"`
					} `json:"secretRef"`
				} `json:"envFrom"`
				StartupProbe   *k8sProbe `json:"startupProbe"`
				ReadinessProbe *k8sProbe `json:"readinessProbe"`
				LivenessProbe  *k8sProbe `json:"livenessProbe"`
			} `json:"containers"`
		} `json:"spec"`
	} `json:"template"`
}

type k8sServiceSpec struct {
	Selector map[string]string `json:"selector"`
	Ports    []struct {
		Port       int    `json:"port"`
		TargetPort string `json:"targetPort"`
	} `json:"ports"`
}

var (
	dnsLabel   = pattern(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)
	labelValid = pattern(`^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$`)
	byDigest   = pattern(`@sha256:[0-9a-f]{64}$`)
)

// decodeDocuments splits a YAML stream of JSON documents.
func decodeDocuments(t *testing.T, stream string) []k8sObject {
	t.Helper()
	var objects []k8sObject
	for _, doc := range strings.Split(stream, "---\n") {
		var o k8sObject
		dec := json.NewDecoder(strings.NewReader(doc))
		require.NoError(t, dec.Decode(&o), doc)
		require.False(t, dec.More(), "one object per document")
		objects = append(objects, o)
	}
	return objects
}

func TestKubernetesManifestsHaveTheFieldsTheAPIRequires(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  []string
	}{
		{"plain", nil},
		{"with env", []string{"DB_URL", "API_KEY"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := deployment{
				cfg:     deploySettings{Target: "kubernetes", Timeout: time.Minute, Replicas: 2, Port: 8080, Env: tc.env},
				env:     map[string]string{"DB_URL": "postgres://u:p@db/x", "API_KEY": "k"},
				name:    "shop-api",
				ref:     reference{Repo: "r.io/shop-api", Digest: digestA},
				version: "0123456789ab-dirty",
			}
			m := d.manifests()
			objects := []any{&m.deployment, &m.service}
			if m.secret != nil {
				objects = append([]any{m.secret}, objects...)
			}
			docs := decodeDocuments(t, documents(false, objects...))
			require.Len(t, docs, len(objects))
			secrets := map[string]k8sObject{}
			for _, o := range docs {
				require.NotEmpty(t, o.APIVersion)
				require.NotEmpty(t, o.Kind)
				require.Regexp(t, dnsLabel(), o.Metadata.Name, "metadata.name")
				for k, v := range o.Metadata.Labels {
					require.Regexp(t, labelValid(), v, "label %s", k)
				}
				if o.Kind == "Secret" {
					require.Equal(t, "v1", o.APIVersion)
					secrets[o.Metadata.Name] = o
				}
			}
			dep, svc := docs[len(docs)-2], docs[len(docs)-1]

			require.Equal(t, "apps/v1", dep.APIVersion)
			require.Equal(t, "Deployment", dep.Kind)
			var ds k8sDeploymentSpec
			require.NoError(t, json.Unmarshal(dep.Spec, &ds))
			require.NotNil(t, ds.Replicas)
			require.Equal(t, 2, *ds.Replicas)
			require.NotNil(t, ds.Selector, "spec.selector is required in apps/v1")
			require.NotEmpty(t, ds.Selector.MatchLabels)
			for k, v := range ds.Selector.MatchLabels {
				require.Equal(t, v, ds.Template.Metadata.Labels[k], "selector ⊆ template labels")
			}
			assert.Equal(t, "0123456789ab-dirty", ds.Template.Metadata.Labels["app.kubernetes.io/version"])
			require.NotNil(t, ds.Template.Spec.SecurityContext.RunAsNonRoot)
			require.True(t, *ds.Template.Spec.SecurityContext.RunAsNonRoot)
			require.Len(t, ds.Template.Spec.Containers, 1)
			c := ds.Template.Spec.Containers[0]
			require.Regexp(t, dnsLabel(), c.Name)
			require.Regexp(t, byDigest(), c.Image, "the image by digest")
			require.Len(t, c.Ports, 1)
			require.Equal(t, 8080, c.Ports[0].ContainerPort)
			for _, p := range []*k8sProbe{c.StartupProbe, c.ReadinessProbe, c.LivenessProbe} {
				require.NotNil(t, p)
				require.NotNil(t, p.Exec, "one handler: exec")
				require.Nil(t, p.HTTPGet)
				require.Nil(t, p.TCPSocket)
				require.Equal(t, []string{"/usr/local/bin/entrypoint", "healthcheck"}, p.Exec.Command)
				require.Positive(t, p.PeriodSeconds)
				require.Positive(t, p.TimeoutSeconds)
				require.Positive(t, p.FailureThreshold)
			}
			assert.Equal(t, 30, c.StartupProbe.PeriodSeconds*c.StartupProbe.FailureThreshold/2, "the startup probe allows the deploy's timeout")
			for _, e := range c.Env {
				require.NotEmpty(t, e.Name)
				require.NotNil(t, e.Value)
			}
			require.Len(t, c.EnvFrom, len(secrets))
			for _, from := range c.EnvFrom {
				s, ok := secrets[from.SecretRef.Name]
				require.True(t, ok, "envFrom names the Secret applied")
				assert.Equal(t, map[string]string{"DB_URL": "postgres://u:p@db/x", "API_KEY": "k"}, s.StringData)
			}

			require.Equal(t, "v1", svc.APIVersion)
			require.Equal(t, "Service", svc.Kind)
			var ss k8sServiceSpec
			require.NoError(t, json.Unmarshal(svc.Spec, &ss))
			require.NotEmpty(t, ss.Selector)
			for k, v := range ss.Selector {
				require.Equal(t, v, ds.Template.Metadata.Labels[k], "the Service selects the Deployment's pods")
			}
			require.Len(t, ss.Ports, 1)
			require.Equal(t, 8080, ss.Ports[0].Port)
			require.Equal(t, c.Ports[0].Name, ss.Ports[0].TargetPort)
		})
	}
}

func TestKubernetesSecretFollowsItsValues(t *testing.T) {
	d := deployment{cfg: deploySettings{Env: []string{"A", "B"}}, env: map[string]string{"A": "1", "B": "2"}, name: "api"}
	first := d.secret(nil).Metadata.Name
	assert.Regexp(t, `^api-env-[0-9a-f]{10}$`, first)
	d.cfg.Env = []string{"B", "A"}
	assert.Equal(t, first, d.secret(nil).Metadata.Name, "the order of the names does not matter")
	d.env = map[string]string{"A": "1", "B": "3"}
	assert.NotEqual(t, first, d.secret(nil).Metadata.Name, "a new value, a new Secret")
	assert.Nil(t, deployment{}.secret(nil))
	shown := documents(true, d.secret(nil))
	assert.Contains(t, shown, `"A": "<the value of $A>"`)
	assert.NotContains(t, shown, `"3"`)
}

func TestLabelValueAndReleasePodName(t *testing.T) {
	assert.Equal(t, "v1.2_rc-1", labelValue("v1.2_rc-1"))
	assert.Equal(t, "feature-x", labelValue("-feature/x."))
	assert.Len(t, labelValue(strings.Repeat("a", 100)), 63)
	assert.Equal(t, "api-release-aaaaaaaa", releasePodName("api", "aaaaaaaaaaaa"))
	long := releasePodName(strings.Repeat("a", 60)+"-b", "aaaaaaaaaaaa")
	assert.Regexp(t, dnsLabel(), long)
}

// TestKubernetesDryRun is the exact command sequence of a kubernetes
// deploy with a release entry and configuration: the Secret, the release
// pod, the Deployment and Service, the rollout and, marked, its undo.
func TestKubernetesDryRun(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Procfile"), []byte("release: ./migrate up\n"), 0o644))
	env := map[string]string{
		"ENTRYPOINT_DEPLOY_TARGET":  "kubernetes",
		"ENTRYPOINT_KUBE_CONTEXT":   "prod",
		"ENTRYPOINT_KUBE_NAMESPACE": "shop",
		"ENTRYPOINT_DEPLOY_ENV":     "DB_URL",
		"ENTRYPOINT_DEPLOY_TIMEOUT": "90s",
		"DB_URL":                    "postgres://u:secret@db/x",
	}
	out, err := deployWith(t, dir, env, "r.io/shop/api@"+digestA)
	require.NoError(t, err)
	assert.NotContains(t, out, "secret@db", "no value of ENTRYPOINT_DEPLOY_ENV is printed")

	var commands []string
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "kubectl ") || strings.HasPrefix(line, "#") {
			commands = append(commands, line)
		}
	}
	kubectl := "kubectl --context prod --namespace shop "
	secret := decodeDocuments(t, between(t, out, 0))[0].Metadata.Name
	assert.Equal(t, []string{
		kubectl + "apply -f - <<'EOF'",
		kubectl + "run api-release-aaaaaaaa --image=r.io/shop/api@" + digestA + " --restart=Never --rm --attach --quiet --pod-running-timeout=1m30s" +
			" --labels=app.kubernetes.io/part-of=api,app.kubernetes.io/component=release --env=PORT=8080 --override-type=strategic" +
			` '--overrides={"spec":{"securityContext":{"runAsNonRoot":true},"containers":[{"name":"api-release-aaaaaaaa","envFrom":[{"secretRef":{"name":"` + secret + `"}}]}]}}' -- release`,
		kubectl + "apply -f - <<'EOF'",
		kubectl + "rollout status deployment/api --timeout=1m30s",
		"# if the rollout fails: " + kubectl + "rollout undo deployment/api",
	}, commands)
	objects := decodeDocuments(t, between(t, out, 1))
	require.Len(t, objects, 2)
	assert.Equal(t, []string{"Deployment", "Service"}, []string{objects[0].Kind, objects[1].Kind})
}

// between returns the n-th here-document of a dry run.
func between(t *testing.T, out string, n int) string {
	t.Helper()
	docs := regexp.MustCompile(`(?s)<<'EOF'\n(.*?)EOF\n`).FindAllStringSubmatch(out, -1)
	require.Greater(t, len(docs), n, out)
	return docs[n][1]
}

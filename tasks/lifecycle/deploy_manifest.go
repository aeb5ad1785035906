package lifecycle

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The Kubernetes objects the kubernetes target applies, as JSON (which
// kubectl reads as YAML): only the fields deploy sets.

type objectMeta struct {
	Name   string            `json:"name,omitempty"`
	Labels map[string]string `json:"labels,omitempty"`
}

type secretManifest struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Metadata   objectMeta        `json:"metadata"`
	Type       string            `json:"type"`
	Immutable  bool              `json:"immutable"`
	StringData map[string]string `json:"stringData"`
}

type deploymentManifest struct {
	APIVersion string         `json:"apiVersion"`
	Kind       string         `json:"kind"`
	Metadata   objectMeta     `json:"metadata"`
	Spec       deploymentSpec `json:"spec"`
}

type deploymentSpec struct {
	Replicas int `json:"replicas"`
	Selector struct {
		MatchLabels map[string]string `json:"matchLabels"`
	} `json:"selector"`
	Strategy struct {
		Type          string `json:"type"`
		RollingUpdate struct {
			MaxUnavailable int `json:"maxUnavailable"`
			MaxSurge       int `json:"maxSurge"`
		} `json:"rollingUpdate"`
	} `json:"strategy"`
	Template struct {
		Metadata objectMeta `json:"metadata"`
		Spec     podSpec    `json:"spec"`
	} `json:"template"`
}

type podSpec struct {
	SecurityContext struct {
		RunAsNonRoot bool `json:"runAsNonRoot"`
	} `json:"securityContext"`
	Containers []containerSpec `json:"containers"`
}

type containerSpec struct {
	Name           string          `json:"name"`
	Image          string          `json:"image"`
	Ports          []containerPort `json:"ports"`
	Env            []envVar        `json:"env,omitempty"`
	EnvFrom        []envFrom       `json:"envFrom,omitempty"`
	StartupProbe   probe           `json:"startupProbe"`
	ReadinessProbe probe           `json:"readinessProbe"`
	LivenessProbe  probe           `json:"livenessProbe"`
}

type containerPort struct {
	Name          string `json:"name"`
	ContainerPort int    `json:"containerPort"`
}

type envVar struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type envFrom struct {
	SecretRef struct {
		Name string `json:"name"`
	} `json:"secretRef"`
}

type probe struct {
	Exec struct {
		Command []string `json:"command"`
	} `json:"exec"`
	PeriodSeconds    int `json:"periodSeconds"`
	TimeoutSeconds   int `json:"timeoutSeconds"`
	FailureThreshold int `json:"failureThreshold"`
}

type serviceManifest struct {
	APIVersion string     `json:"apiVersion"`
	Kind       string     `json:"kind"`
	Metadata   objectMeta `json:"metadata"`
	Spec       struct {
		Selector map[string]string `json:"selector"`
		Ports    []servicePort     `json:"ports"`
	} `json:"spec"`
}

type servicePort struct {
	Name       string `json:"name"`
	Port       int    `json:"port"`
	TargetPort string `json:"targetPort"`
}

// healthcheck is the probe's command: the binary in the image.
var healthcheck = []string{"/usr/local/bin/entrypoint", "healthcheck"}

// Label keys (the recommended app.kubernetes.io ones).
const (
	nameLabel    = "app.kubernetes.io/name"
	versionLabel = "app.kubernetes.io/version"
	managedLabel = "app.kubernetes.io/managed-by"
)

// kubeManifests are the objects of one deploy: the Secret holding the
// ENTRYPOINT_DEPLOY_ENV values (nil when there are none), then the
// Deployment and its Service.
type kubeManifests struct {
	secret     *secretManifest
	deployment deploymentManifest
	service    serviceManifest
}

// manifests builds the objects of d. The Secret is named after a hash of
// its content and is immutable: a change of a value makes a new Secret
// and a new pod template, and a rollback returns to the old pair.
func (d deployment) manifests() kubeManifests {
	labels := map[string]string{nameLabel: d.name, versionLabel: labelValue(d.version), managedLabel: "entrypoint"}
	selector := map[string]string{nameLabel: d.name}
	var m kubeManifests
	c := containerSpec{Name: d.name, Image: d.ref.pinned(), Ports: []containerPort{{"http", d.cfg.Port}}}
	if !slices.Contains(d.cfg.Env, "PORT") {
		c.Env = []envVar{{Name: "PORT", Value: strconv.Itoa(d.cfg.Port)}}
	}
	if secret := d.secret(labels); secret != nil {
		m.secret = secret
		var from envFrom
		from.SecretRef.Name = secret.Metadata.Name
		c.EnvFrom = []envFrom{from}
	}
	c.StartupProbe = newProbe(2, max(1, int(d.cfg.Timeout/(2*time.Second))))
	c.ReadinessProbe = newProbe(5, 3)
	c.LivenessProbe = newProbe(10, 3)

	dep := &m.deployment
	dep.APIVersion, dep.Kind, dep.Metadata = "apps/v1", "Deployment", objectMeta{Name: d.name, Labels: labels}
	dep.Spec.Replicas = d.cfg.Replicas
	dep.Spec.Selector.MatchLabels = selector
	dep.Spec.Strategy.Type = "RollingUpdate"
	dep.Spec.Strategy.RollingUpdate.MaxSurge = 1 // one new pod ready before an old one goes
	dep.Spec.Template.Metadata = objectMeta{Labels: labels}
	dep.Spec.Template.Spec.SecurityContext.RunAsNonRoot = true
	dep.Spec.Template.Spec.Containers = []containerSpec{c}

	svc := &m.service
	svc.APIVersion, svc.Kind, svc.Metadata = "v1", "Service", objectMeta{Name: d.name, Labels: labels}
	svc.Spec.Selector = selector
	svc.Spec.Ports = []servicePort{{"http", d.cfg.Port, "http"}}
	return m
}

// secret is the Secret of the ENTRYPOINT_DEPLOY_ENV values, nil when
// there are none.
func (d deployment) secret(labels map[string]string) *secretManifest {
	if len(d.cfg.Env) == 0 {
		return nil
	}
	data := map[string]string{}
	sum := sha256.New()
	for _, name := range d.cfg.Env {
		data[name] = d.env[name]
	}
	for _, name := range slices.Sorted(maps.Keys(data)) {
		sum.Write([]byte(name + "=" + data[name] + "\x00"))
	}
	name := d.name + "-env-" + hex.EncodeToString(sum.Sum(nil))[:10]
	return &secretManifest{APIVersion: "v1", Kind: "Secret", Metadata: objectMeta{Name: name, Labels: labels}, Type: "Opaque", Immutable: true, StringData: data}
}

func newProbe(period, failures int) probe {
	var p probe
	p.Exec.Command = healthcheck
	p.PeriodSeconds, p.TimeoutSeconds, p.FailureThreshold = period, 6, failures // entrypoint healthcheck gives up after 5s
	return p
}

// documents renders objects as a YAML stream of JSON documents. With
// redact, a Secret's values are shown as placeholders naming their
// variable.
func documents(redact bool, objects ...any) string {
	var b strings.Builder
	for i, o := range objects {
		if s, ok := o.(*secretManifest); ok && redact {
			shown := *s
			shown.StringData = map[string]string{}
			for name := range s.StringData {
				shown.StringData[name] = "<the value of $" + name + ">"
			}
			o = &shown
		}
		if i > 0 {
			b.WriteString("---\n")
		}
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		_ = enc.Encode(o) // plain structs: cannot fail
	}
	return b.String()
}

var unsafeLabel = pattern(`[^A-Za-z0-9_.-]+`)

// labelValue makes s a valid label value: at most 63 of [A-Za-z0-9_.-],
// starting and ending with a letter or digit.
func labelValue(s string) string {
	s = unsafeLabel().ReplaceAllString(s, "-")
	s = s[:min(63, len(s))]
	return strings.Trim(s, "_.-")
}

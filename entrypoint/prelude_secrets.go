package main

import (
	"slices"
	"strings"

	"github.com/entrypoint/entrypoint/internal/prelude/secrets"
)

// notSecretFiles are *_FILE variables that base images and toolchains set
// to name ordinary files (CA bundles, tool configs): resolving them would
// silently change what the service reads, so they are left alone unless
// ENTRYPOINT_SECRETS names them.
var notSecretFiles = []string{
	"SSL_CERT_FILE", "NIX_SSL_CERT_FILE", "CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE",
	"TF_CLI_CONFIG_FILE", "BASH_ENV_FILE", "DOCKER_CONFIG_FILE",
	"COMPOSE_FILE", // the compose CLI's, which test_integration sets
}

// resolveSecretFiles resolves the NAME_FILE variables ENTRYPOINT_SECRETS
// selects: "*" (the default) every one but notSecretFiles; "-" none; else
// the listed NAMEs. The others stay in the environment unchanged.
func resolveSecretFiles(env []string, spec string) (resolved, fromFiles []string, err error) {
	selected := func(name string) bool {
		switch strings.TrimSpace(spec) {
		case "", "*":
			return !slices.Contains(notSecretFiles, name+"_FILE")
		case "-":
			return false
		}
		return slices.Contains(splitList(spec), name)
	}
	var keep, pass []string
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if name, ok := strings.CutSuffix(k, "_FILE"); ok && name != "" && !selected(name) {
			keep = append(keep, kv)
			continue
		}
		pass = append(pass, kv)
	}
	resolved, fromFiles, err = secrets.Resolve(pass)
	return append(resolved, keep...), fromFiles, err
}

// hasSecretFiles says whether env holds a NAME_FILE that spec selects.
func hasSecretFiles(env []string, spec string) bool {
	_, fromFiles, err := resolveSecretFiles(env, spec)
	return len(fromFiles) > 0 || err != nil
}

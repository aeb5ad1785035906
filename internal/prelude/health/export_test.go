package health

import (
	"crypto/tls"
	"crypto/x509"
)

// WithRoots makes t verify TLS against roots instead of the system's.
func (t Target) WithRoots(roots *x509.CertPool) Target {
	t.tls = &tls.Config{RootCAs: roots}
	return t
}

package secrets

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// secretWords are the name parts that make a variable look secret.
var secretWords = map[string]bool{
	"PASSWORD": true, "PASSWORDS": true, "PASSWD": true, "PASS": true, "PASSPHRASE": true,
	"SECRET": true, "SECRETS": true, "TOKEN": true, "TOKENS": true,
	"KEY": true, "KEYS": true, "APIKEY": true, "ACCESSKEY": true, "SECRETKEY": true, "PRIVATEKEY": true,
	"CREDENTIAL": true, "CREDENTIALS": true, "CREDS": true,
	"PRIVATE": true, "AUTH": true, "AUTHORIZATION": true, "AUTHTOKEN": true,
	"SALT": true, "COOKIE": true,
}

// LooksSecret reports whether a variable name looks like it holds a secret:
// one of its parts — split at anything that is not a letter or digit, and
// case-insensitively — is a word like PASSWORD, PASSWD, SECRET, TOKEN, KEY,
// CREDENTIAL, PRIVATE or AUTH. DB_PASSWORD, github_token and
// AWS_SECRET_ACCESS_KEY look secret; KEYBOARD_LAYOUT and PWD do not.
func LooksSecret(name string) bool {
	parts := strings.FieldsFunc(name, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	return slices.ContainsFunc(parts, func(p string) bool {
		return secretWords[strings.ToUpper(p)]
	})
}

// Redact renders kv ("NAME=VALUE") for printing: "NAME=<redacted, N bytes>"
// when NAME looks secret or is one of also (for instance the names Resolve
// read from files), kv unchanged otherwise.
func Redact(kv string, also ...string) string {
	name, value, _ := strings.Cut(kv, "=")
	if !LooksSecret(name) && !slices.Contains(also, name) {
		return kv
	}
	return fmt.Sprintf("%s=<redacted, %d bytes>", name, len(value))
}

#!/usr/bin/env bash
# Builds the base images from this checkout with the docker CLI:
#
#   REPO/entrypoint:TAG  FROM scratch + /entrypoint, to COPY --from into any image
#   REPO/static:TAG      FROM scratch: the binary, CA certificates, the non-root
#                        user app; ONBUILD copies the service's dist/
#   REPO/python:TAG      FROM $BASE: the binary, the non-root user app; ONBUILD
#                        installs the dependencies and copies the service
#
# Usage: bash baseimages/build.sh [TAG]        (TAG defaults to latest)
#
# Environment:
#   BASE            the python image's base (default python:3.12-slim; pin it
#                   by digest: python:3.12-slim@sha256:...)
#   REPO            the repository prefix (default entrypoint)
#   ENTRYPOINT_BIN  a static entrypoint binary to put in the images (default:
#                   build one from this checkout: CGO_ENABLED=0, -trimpath)
#   CA_BUNDLE       the static image's CA certificates (default the host's
#                   /etc/ssl/certs/ca-certificates.crt: apt-get install
#                   ca-certificates)
#
# Prints the three references on stdout, one per line; what go and docker
# print goes to stderr. The builds run with --network none: they need
# nothing from the network but BASE, which the engine pulls when missing.
# Each image is labelled org.opencontainers.image.title, .version (TAG) and
# .revision (this checkout's commit); the ONBUILD images' children replace
# them with their own (docs/baseimages.md).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
tag=${1:-latest}
repo=${REPO:-entrypoint}
base=${BASE:-python:3.12-slim}
ca=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
revision=$(git -C "$root" rev-parse HEAD 2>/dev/null || true)

ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT

# build NAME CONTEXT [docker build options...]: builds REPO/NAME:TAG and
# prints its reference.
build() {
	local name=$repo/$1 dir=$2
	shift 2
	docker build --network none --tag "$name:$tag" \
		--label "org.opencontainers.image.title=$name" \
		--label "org.opencontainers.image.version=$tag" \
		--label "org.opencontainers.image.revision=$revision" \
		"$@" "$dir" >&2
	echo "$name:$tag"
}

# The binary, static: the images have no C library.
mkdir -p "$ctx/entrypoint"
if [[ -n ${ENTRYPOINT_BIN:-} ]]; then
	cp "$ENTRYPOINT_BIN" "$ctx/entrypoint/entrypoint"
else
	(cd "$root" && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$ctx/entrypoint/entrypoint" ./entrypoint) >&2
fi
if ! go version -m "$ctx/entrypoint/entrypoint" | grep -q 'CGO_ENABLED=0'; then
	echo "build.sh: ${ENTRYPOINT_BIN:-the binary} is not a static build (CGO_ENABLED=0 go build ./entrypoint)" >&2
	exit 1
fi
cp "$here/entrypoint/Dockerfile" "$ctx/entrypoint/"
binary=$(build entrypoint "$ctx/entrypoint")
echo "$binary"

# The static image's root: passwd and group from here, the CA bundle, /tmp.
[[ -r $ca ]] || { echo "build.sh: no CA bundle at $ca (apt-get install ca-certificates, or set CA_BUNDLE)" >&2; exit 1; }
cp -R "$here/static" "$ctx/static"
mkdir -p "$ctx/static/rootfs/etc/ssl/certs"
cp "$ca" "$ctx/static/rootfs/etc/ssl/certs/ca-certificates.crt"
chmod 0644 "$ctx/static/rootfs/etc/passwd" "$ctx/static/rootfs/etc/group" "$ctx/static/rootfs/etc/ssl/certs/ca-certificates.crt"
install -d -m 1777 "$ctx/static/rootfs/tmp"
build static "$ctx/static" --build-arg "ENTRYPOINT_IMAGE=$binary"

build python "$here/python" --build-arg "ENTRYPOINT_IMAGE=$binary" --build-arg "BASE=$base"

#!/usr/bin/env bash
# pid1.sh — run the same workloads through several PID-1 inits in one run and
# print each figure with its ratio to tini: startup overhead, RSS, binary size,
# orphan reaping throughput, SIGTERM forwarding latency (see bench/pid1/main.go).
#
#   bash bench/pid1.sh                    # every installed init, all figures
#   PID1_ONLY="entrypoint tini" bash bench/pid1.sh
#   bash bench/pid1.sh -signals 2000 -only forward,rss   # flags go to the harness
#
# Builds static binaries (the harness, and entrypoint from ./entrypoint) into a
# temporary directory; needs root for the PID-namespace figure (reaping).
# Never installs anything: a missing init is skipped with the apt-get line.
set -euo pipefail

# The inits to compare: "NAME=COMMAND PREFIX" (the child's command follows).
# Subreaper flags where an init has one, so that outside a PID namespace they
# all behave alike (catatonit becomes a subreaper by itself; dumb-init has no
# such flag). @BUILT@ is the directory of the binaries built below.
INITS=(
	"entrypoint=@BUILT@/entrypoint -s --"
	"tini=tini -s --"
	"tini-static=tini-static -s --"
	"dumb-init=dumb-init"
	"catatonit=catatonit --"
)
BASELINE=tini

# Debian package of each command, for the message when it is missing.
declare -A PACKAGE=([tini]=tini [tini-static]=tini [dumb-init]=dumb-init [catatonit]=catatonit [hyperfine]=hyperfine [unshare]=util-linux)

cd "$(dirname "${BASH_SOURCE[0]}")/.."
tmp=$(mktemp -d /tmp/pid1-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

say() { printf '%s\n' "$*" >&2; }

build() { # build OUTPUT PACKAGE
	CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$1" "$2"
}

say "building the harness (bench/pid1)"
build "$tmp/pid1" ./bench/pid1

have_entrypoint=0
if build "$tmp/entrypoint" ./entrypoint 2>"$tmp/entrypoint-build.log"; then
	have_entrypoint=1
	say "built entrypoint from ./entrypoint ($(stat -c %s "$tmp/entrypoint") bytes)"
else
	say "SKIP entrypoint: ./entrypoint does not build yet:"
	sed -n '1,5s/^/    /p' "$tmp/entrypoint-build.log" >&2
fi

args=()
for spec in "${INITS[@]}"; do
	name=${spec%%=*}
	cmd=${spec#*=}
	cmd=${cmd//@BUILT@/$tmp}
	if [[ -n ${PID1_ONLY:-} && " $PID1_ONLY " != *" $name "* ]]; then
		continue
	fi
	if [[ $name == entrypoint && $have_entrypoint == 0 ]]; then
		continue
	fi
	exe=${cmd%% *}
	if ! command -v "$exe" >/dev/null; then
		say "SKIP $name: $exe not installed (apt-get install ${PACKAGE[$name]:-$name})"
		continue
	fi
	args+=(-init "$name=$cmd")
done
if ((${#args[@]} == 0)); then
	say "no init to measure"
	exit 1
fi

if ! command -v hyperfine >/dev/null; then
	say "hyperfine not installed (apt-get install hyperfine): startup is timed by the harness's own fork/exec/wait4 loop"
	args+=(-startup-method loop)
fi
if [[ $(id -u) != 0 ]]; then
	say "not root: the reaping figure (PID namespace) will be skipped"
elif ! command -v unshare >/dev/null; then
	say "unshare not installed (apt-get install util-linux): the reaping figure will be skipped"
fi

# Every workload inside has its own deadline; this bounds the whole run.
timeout --foreground 600 "$tmp/pid1" -baseline "$BASELINE" "${args[@]}" "$@"

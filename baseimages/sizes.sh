#!/usr/bin/env bash
# Prints, as a Markdown table, the sizes (docker image inspect .Size) of
# the base images, of the examples built on them, and of the setup
# entrypoint/python replaces: BASE with Debian's tini and gosu installed
# the usual way (apt-get install tini gosu, apt-get clean, no lists).
#
# Usage: bash baseimages/sizes.sh
#
# Environment:
#   BASE  the Python base (default python:3.12-slim). Where no registry is
#         reachable, the Debian root the tests make will do:
#         BASE=entrypoint-e2e/python:bookworm-... (docker images entrypoint-e2e/python)
#
# It builds everything under the tag sizes-PID (baseimages/build.sh, the
# examples' own Dockerfiles, helloworld-go's compile entry first) and
# removes it on exit. The service builds run on the host's network (pip
# may need the index); the tini + gosu image needs the Debian mirror.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
base=${BASE:-python:3.12-slim}
tag=sizes-$$
made=()
trap 'if ((${#made[@]})); then docker rmi --force "${made[@]}" >/dev/null 2>&1 || true; fi' EXIT

size() { docker image inspect --format '{{.Size}}' "$1"; }
mib() { awk -v b="$1" 'BEGIN { if (b < 1048576) printf "%.0f KiB", b / 1024; else printf "%.1f MiB", b / 1048576 }'; }
row() { printf '| %s | %s | %s |\n' "$1" "$(mib "$2")" "$3"; }
plus() { echo "+$(mib $(($1 - $2)))"; }

mapfile -t bases < <(BASE=$base bash "$here/build.sh" "$tag")
made+=("${bases[@]}")
binary=${bases[0]} static=${bases[1]} python=${bases[2]}

(cd "$root" && go run ./entrypoint --dir examples/helloworld-go compile) >&2
for example in helloworld-go:"$static" helloworld-python:"$python"; do
	name=${example%%:*} from=${example#*:}
	docker build --network host --file - --tag "entrypoint-sizes/$name:$tag" "$root/examples/$name" <<<"FROM $from" >&2
	made+=("entrypoint-sizes/$name:$tag")
done

replaced="entrypoint-sizes/tini-gosu:$tag"
if docker build --network host --tag "$replaced" - >&2 <<EOF; then
FROM $base
RUN apt-get update && apt-get install -y --no-install-recommends tini gosu \\
	&& apt-get clean && rm -rf /var/lib/apt/lists/*
EOF
	made+=("$replaced")
else
	replaced=
fi

b=$(size "$base")
echo "| image | size | over its base |"
echo "|---|---|---|"
row "\`$base\` (BASE)" "$b" "—"
if [[ -n $replaced ]]; then
	row "BASE + tini + gosu (\`apt-get install tini gosu\`: the setup replaced)" "$(size "$replaced")" "$(plus "$(size "$replaced")" "$b")"
fi
row "\`entrypoint/python\` (FROM BASE)" "$(size "$python")" "$(plus "$(size "$python")" "$b")"
row "helloworld-python (FROM entrypoint/python)" "$(size "entrypoint-sizes/helloworld-python:$tag")" \
	"$(plus "$(size "entrypoint-sizes/helloworld-python:$tag")" "$(size "$python")")"
row "\`entrypoint/entrypoint\` (FROM scratch: the binary)" "$(size "$binary")" "—"
row "\`entrypoint/static\` (FROM scratch)" "$(size "$static")" "—"
row "helloworld-go (FROM entrypoint/static)" "$(size "entrypoint-sizes/helloworld-go:$tag")" \
	"$(plus "$(size "entrypoint-sizes/helloworld-go:$tag")" "$(size "$static")")"
echo
echo "The entrypoint binary: $(size "$binary") bytes ($(mib "$(size "$binary")"))."

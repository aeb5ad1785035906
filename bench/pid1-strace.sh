#!/usr/bin/env bash
# pid1-strace.sh — where an init's time goes: strace -c -f of the init alone
# for each workload of bench/pid1.sh. Diagnosis, not measurement: strace
# slows every syscall down, only the counts per event mean something.
#
#   bash bench/pid1-strace.sh                        # entrypoint (built from ./entrypoint)
#   bash bench/pid1-strace.sh tini -s --             # any init command prefix
#
# Needs strace; root for the reaping part (PID namespace). Attaching takes a
# moment, so this script pauses (sleep) before sending work: fine for
# counting syscalls, never for timing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v strace >/dev/null || { echo "strace not installed (apt-get install strace)" >&2; exit 1; }
tmp=$(mktemp -d /tmp/pid1-strace.XXXXXX)
trap 'exec 3>&- 4>&- 2>/dev/null || true; rm -rf "$tmp"' EXIT
build() { CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$1" "$2"; }
build "$tmp/pid1" ./bench/pid1
if (($# == 0)); then
	build "$tmp/entrypoint" ./entrypoint
	set -- "$tmp/entrypoint" -s --
fi
init=("$@")
N=20000
SIGNALS=200

echo "== startup: strace -c -f ${init[*]} true (init and true together)"
strace -c -f -o "$tmp/startup.txt" "${init[@]}" "$(command -v true)" >/dev/null
sed -n '1,14p' "$tmp/startup.txt"

echo
echo "== forwarding: the init alone while it forwards $SIGNALS SIGTERMs"
mkfifo "$tmp/in"
"${init[@]}" "$tmp/pid1" child forward-latency <"$tmp/in" >"$tmp/fwd.out" &
ipid=$!
exec 3>"$tmp/in"
sleep 0.5
strace -c -f -o "$tmp/fwd.txt" -p "$ipid" 2>/dev/null &
spid=$!
sleep 1
for ((i = 0; i < SIGNALS; i++)); do
	kill -TERM "$ipid"
	sleep 0.005
done
sleep 0.3
kill -INT "$spid"
wait "$spid" || true
exec 3>&-
wait "$ipid" || true
echo "(child saw $(grep -c '^pid1: [0-9]' "$tmp/fwd.out") of $SIGNALS)"
sed -n '1,14p' "$tmp/fwd.txt"

echo
if [[ $(id -u) != 0 ]]; then
	echo "== reaping: skipped (a PID namespace needs root)"
	exit 0
fi
echo "== reaping: the init alone (PID 1 of a PID namespace) while it reaps $N zombies"
mkfifo "$tmp/go"
unshare --pid --fork --kill-child --mount-proc "${init[@]}" "$tmp/pid1" child spawn-zombies-on-input "$N" <"$tmp/go" >"$tmp/reap.out" &
upid=$!
exec 4>"$tmp/go"
sleep 0.5
ipid=$(awk '{print $1}' "/proc/$upid/task/$upid/children")
strace -c -f -o "$tmp/reap.txt" -p "$ipid" 2>/dev/null &
spid=$!
sleep 1
echo go >&4
wait "$upid" || echo "(the init exited non-zero)"
sleep 0.3
kill -INT "$spid" 2>/dev/null || true
wait "$spid" || true
sed -n '1,14p' "$tmp/reap.txt"

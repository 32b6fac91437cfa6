#!/usr/bin/env bash
# How long a fresh server takes to answer its first POST /jobs: starts `squall serve` on a free port
# and its own SQLite file (the default store), polls /healthz until it answers, then times one
# POST /jobs with curl; RUNS fresh servers one after the other. Also counts blocked-thread lines in
# each server's log. Only 127.0.0.1 is targeted; only the servers started here are stopped.
#   bench/scripts/first-request.sh
#   SQUALL_JAR=/path/to/other/squall.jar RUNS=5 bench/scripts/first-request.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/scripts/find-jdk.sh"
squall_find_jdk >/dev/null
jar=${SQUALL_JAR:-$root/app/target/squall.jar}
[ -f "$jar" ] || { echo "first-request: no $jar (run ./squall --help once to build it)" >&2; exit 1; }
for run in $(seq 1 "${RUNS:-3}"); do
    dir=$(mktemp -d)
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "$JAVA_HOME/bin/java" -jar "$jar" serve --port "$port" --store "sqlite:$dir/first.db" >"$dir/log" 2>&1 &
    pid=$!
    for _ in $(seq 1 200); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.05; done
    t=$(curl -s -o /dev/null -w '%{time_total}' -X POST -H 'Content-Type: application/json' \
        -d '{"kind": "sleep", "payload": {"sleep_ms": 200}}' "http://127.0.0.1:$port/jobs")
    kill "$pid"; wait "$pid" 2>/dev/null || true
    echo "run $run: first POST /jobs $(awk -v t="$t" 'BEGIN { printf "%.1f", t * 1000 }') ms, blocked-thread lines: $(grep -ci 'blocked' "$dir/log" || true)"
    rm -rf "$dir"
done

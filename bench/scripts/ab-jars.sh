#!/usr/bin/env bash
# Two builds of Squall side by side on the seed route: both servers up at once, taking turns under
# the same wrk command, so that the host's slow drifts cancel. Prints each round's 2xx/s and the
# ratio B/A. Use it to tell whether a change costs intake:
#   git worktree add /tmp/before <commit> && (cd /tmp/before && ./mvnw -q -DskipTests package)
#   bench/scripts/ab-jars.sh /tmp/before/app/target/squall.jar app/target/squall.jar
#   B_FLAGS="--request-timeout 0" bench/scripts/ab-jars.sh A.jar B.jar     # flags for B only
#   STORE=sqlite bench/scripts/ab-jars.sh A.jar B.jar                         # each on its own SQLite file (fsync)
#   LUA=bench/scripts/post_jobs.lua bench/scripts/ab-jars.sh A.jar B.jar      # POST /jobs instead of the seed route
#   B_JVM_OPTS=-XX:+UseParallelGC bench/scripts/ab-jars.sh J.jar J.jar       # one build, JVM flags for B only (A_JVM_OPTS for A)
#   H2=1 bench/scripts/ab-jars.sh A.jar B.jar      # POST /jobs over HTTP/2 (TLS, a throwaway certificate) with h2load
#                                                  # (-c16 -m16; apt-get install nghttp2-client) instead of wrk
# Only 127.0.0.1 is targeted; every wrk run is bounded by -d; only the servers started here are stopped.
set -euo pipefail
a=${1:?first jar}
b=${2:?second jar}
rounds=${ROUNDS:-4}
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/scripts/find-jdk.sh"
squall_find_jdk >/dev/null
command -v wrk >/dev/null || { echo "ab-jars: needs wrk (apt-get install wrk)" >&2; exit 1; }
flags="serve --stage queue --sleep 0 --access-log off --queue-capacity 50000000 --io-threads 1"
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
pa=$(port); pb=$(port)
log=$(mktemp -d)
scheme=http
if [ "${H2:-0}" = 1 ]; then
    command -v h2load >/dev/null || { echo "ab-jars: H2=1 needs h2load (apt-get install nghttp2-client)" >&2; exit 1; }
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$log/key.pem" -out "$log/cert.pem" -days 1 -subj /CN=localhost >/dev/null 2>&1
    chmod 600 "$log/key.pem"
    flags="$flags --tls-cert $log/cert.pem --tls-key $log/key.pem"
    printf '{"kind": "echo", "payload": {}}' > "$log/job.json"
    scheme=https
fi
store() { if [ "${STORE:-memory}" = sqlite ]; then echo "sqlite:$log/$1.db"; else echo memory; fi; }
"$JAVA_HOME/bin/java" -Xms512m -Xmx2g ${A_JVM_OPTS:-} -jar "$a" $flags --store "$(store a)" ${A_FLAGS:-} --port "$pa" >"$log/a.log" 2>&1 & A=$!
"$JAVA_HOME/bin/java" -Xms512m -Xmx2g ${B_JVM_OPTS:-} -jar "$b" $flags --store "$(store b)" ${B_FLAGS:-} --port "$pb" >"$log/b.log" 2>&1 & B=$!
# The servers' status after the kill is not the script's: it ends with what came before.
trap 'status=$?; kill $A $B 2>/dev/null; wait $A $B 2>/dev/null || true; rm -rf "$log"; exit $status' EXIT
for p in "$pa" "$pb"; do
    for _ in $(seq 1 100); do curl -kfs "$scheme://127.0.0.1:$p/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
done
lua="${LUA:-$root/bench/scripts/unique_json.lua}"
if [ "$scheme" = https ]; then
    # Only 2xx answers count; h2load's own req/s counts every answer.
    rate() { h2load -D 10 -c 16 -m 16 -d "$log/job.json" -H 'Content-Type: application/json' "https://127.0.0.1:$1/jobs" \
        | awk '/^status codes:/ { ok = $3 } END { printf "%.0f", ok / 10 }'; }
else
    rate() { wrk -t1 -c64 -d10s -s "$lua" "http://127.0.0.1:$1/" | awk '/Requests\/sec/ {print $2}'; }
fi
rate "$pa" >/dev/null; rate "$pb" >/dev/null   # warm-up, not counted
for r in $(seq 1 "$rounds"); do
    ra=$(rate "$pa"); rb=$(rate "$pb")
    awk -v r="$r" -v a="$ra" -v b="$rb" 'BEGIN { printf "round %d: A %.0f req/s, B %.0f req/s, B/A %.3f\n", r, a, b, b / a }'
done

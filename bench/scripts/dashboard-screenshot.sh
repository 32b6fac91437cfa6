#!/usr/bin/env bash
# The README's picture of the dashboard (docs/dashboard.png): a memory-store server on a free port,
# a minute of mixed jobs (short sleeps, some that fail and are retried, some that die), then a
# screenshot in the headless Chromium the browser tests use. Needs a build with test classes
# (./mvnw -q -DskipTests install) and chromium + chromium-driver. Only 127.0.0.1 is used; every
# loop is bounded; only the server started here is stopped.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/scripts/find-jdk.sh"
squall_find_jdk >/dev/null
out=${1:-$root/docs/dashboard.png}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$JAVA_HOME/bin/java" -jar "$root/app/target/squall.jar" serve --store memory --port "$port" --access-log off \
    --retry-backoff 2s --collect-every 200ms >/dev/null 2>&1 & S=$!
trap 'status=$?; kill $S 2>/dev/null; wait $S 2>/dev/null || true; exit $status' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
post() { curl -s -o /dev/null -X POST -H 'Content-Type: application/json' -d "$1" "http://127.0.0.1:$port/jobs"; }
for t in $(seq 1 60); do
    for i in $(seq 1 $(( (t % 7) * 3 + 4 ))); do post '{"kind":"sleep","queue":"mail","payload":{"sleep_ms":150}}'; done
    [ $((t % 3)) = 0 ] && post '{"kind":"fail","payload":{"fail_attempts":1,"sleep_ms":50}}'
    [ $((t % 10)) = 0 ] && post '{"kind":"fail","max_attempts":1,"queue":"reports"}'
    [ $((t % 4)) = 0 ] && post '{"kind":"echo","delay":"10m","queue":"reports"}'
    sleep 0.8
done
cp=$(cd "$root" && ./mvnw -q -o dependency:build-classpath -pl server -Dmdep.includeScope=test -Dmdep.outputFile=/dev/stdout)
"$JAVA_HOME/bin/java" -cp "$root/server/target/test-classes:$root/server/target/classes:$cp" \
    dev.squall.server.ui.DashboardScreenshot "http://127.0.0.1:$port" "$out"

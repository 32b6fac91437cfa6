#!/usr/bin/env bash
# How much CPU an idle server burns: starts ./squall serve on a free port with the given store, lets
# it settle, then reads the process's CPU time (utime + stime from /proc/PID/stat) over a window with
# no traffic at all. The target (issue 8): under 1% of a core on any store.
#   bench/scripts/idle-cpu.sh                    # sqlite (the default store) and memory, 10 s each
#   WINDOW=20 bench/scripts/idle-cpu.sh memory
#   SQUALL_JAR=/path/to/other/squall.jar bench/scripts/idle-cpu.sh    # another build, for a side-by-side figure
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
window=${WINDOW:-10}
stores=("${@:-sqlite memory}")
tick=$(getconf CLK_TCK)
for store in ${stores[@]}; do
    dir=$(mktemp -d)
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    if [ "$store" = memory ]; then arg=memory; else arg="sqlite:$dir/idle.db"; fi
    if [ -n "${SQUALL_JAR:-}" ]; then
        . "$root/scripts/find-jdk.sh" && squall_find_jdk >/dev/null
        "$JAVA_HOME/bin/java" -jar "$SQUALL_JAR" serve --port "$port" --store "$arg" --access-log off >"$dir/log" 2>&1 &
    else
        "$root/squall" serve --port "$port" --store "$arg" --access-log off >"$dir/log" 2>&1 &
    fi
    pid=$!
    for _ in $(seq 1 100); do
        curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
        sleep 0.1
    done
    jpid=$(pgrep -P "$pid" java || echo "$pid")   # ./squall execs java: the same pid
    sleep 3                                        # let start-up work (JIT, first collection) settle
    cpu() { awk '{print $14 + $15}' "/proc/$jpid/stat"; }
    before=$(cpu)
    sleep "$window"
    after=$(cpu)
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    ms=$(( (after - before) * 1000 / tick ))
    awk -v ms="$ms" -v w="$window" -v s="$store" 'BEGIN { printf "%-7s idle: %d ms of CPU in %d s = %.2f%% of a core\n", s, ms, w, ms / (w * 10) }'
    rm -rf "$dir"
done

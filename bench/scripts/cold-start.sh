#!/usr/bin/env bash
# A fresh server meeting a burst (issue 11): launches `squall serve` (tokens on, STORE=memory by
# default), times the launch until /healthz answers, then runs wrk -t1 -c32 POST /jobs for three
# windows of 5 s back to back: the first 5 s, the next 5 s, and 10-15 s (the warm rate). Each run
# alternates a launch without and with the launcher's ahead-of-time cache (app/target/squall.aot,
# which ./squall builds once with `squall train`; built here if missing), so both meet the same host.
#   bench/scripts/cold-start.sh                  # 3 launches of each
#   RUNS=5 STORE=sqlite bench/scripts/cold-start.sh
#   BENCH_JVM_OPTS=-XX:+UseParallelGC bench/scripts/cold-start.sh   # JVM flags for both kinds of launch
#   AOT_OPTS="-XX:+UnlockExperimentalVMOptions -XX:+AOTCompileEagerly" bench/scripts/cold-start.sh   # for the cached launch only
#   LAUNCHER=1 STORE=sqlite bench/scripts/cold-start.sh   # through ./squall serve (SQUALL_AOT=off, then on), as users start it
# Prints, per launch: ms to /healthz, requests/s in each window, and first-5-s / warm; then the CPU
# the JIT compilers (C1 and C2 threads) and the event loop had during the first 5 s (from /proc; a
# compiler thread the JVM retires within the window takes its CPU with it, so the JIT's is a floor).
# Only 127.0.0.1 is targeted; every wrk run is bounded; only the servers started here are stopped.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_setup
aot=$(squall_aot_cache "$BENCH_ROOT" "$JAR")
[ -n "$aot" ] || { echo "cold-start: no AOT cache (it needs JDK 25 or later)" >&2; exit 1; }
dir=$(mktemp -d)
token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$token" > "$dir/tokens"; chmod 600 "$dir/tokens"
export SQUALL_TOKEN=$token
post=$BENCH_ROOT/bench/scripts/post_sleep.lua
pid=
trap '[ -n "$pid" ] && stop_pid "$pid"; rm -rf "$dir"' EXIT
hz=$(getconf CLK_TCK)
# thread_ms PID REGEX: CPU milliseconds of the process's threads whose name matches REGEX
thread_ms() {
    local t sum=0
    for t in /proc/"$1"/task/*; do
        grep -Eq "$2" "$t/comm" 2>/dev/null && sum=$((sum + $(awk '{print $14 + $15}' "$t/stat" 2>/dev/null || echo 0)))
    done
    echo $((sum * 1000 / hz))
}
rate() { timeout 30 wrk -t1 -c32 -d5s -s "$post" "http://127.0.0.1:$1/" | awk '/Requests\/sec/{printf "%.0f", $2}'; }
: > "$dir/results"
for run in $(seq 1 "${RUNS:-3}"); do
    for mode in plain aot; do
        PORT=$((PORT + 1))
        store=memory; [ "${STORE:-memory}" = sqlite ] && store="sqlite:$dir/cold-$run-$mode.db"
        # shellcheck disable=SC2206
        flags=(--enable-native-access=ALL-UNNAMED ${BENCH_JVM_OPTS:-})
        [ "$mode" = aot ] && flags+=(-XX:AOTCache="$aot" ${AOT_OPTS:-})
        args=(serve --port "$PORT" --store "$store" --token-file "$dir/tokens" --access-log off --sleep 0)
        t0=$(date +%s%N)
        if [ -n "${LAUNCHER:-}" ]; then  # as users start it: ./squall, which adds the cache itself (or not, SQUALL_AOT=off)
            if [ "$mode" = aot ]; then SQUALL_AOT=on "$BENCH_ROOT/squall" "${args[@]}" > "$dir/log-$run-$mode" 2>&1 &
            else SQUALL_AOT=off "$BENCH_ROOT/squall" "${args[@]}" > "$dir/log-$run-$mode" 2>&1 &
            fi
        else
            "$JAVA" "${flags[@]}" -jar "$JAR" "${args[@]}" > "$dir/log-$run-$mode" 2>&1 &
        fi
        pid=$!
        ready=
        for _ in $(seq 1 1500); do
            if curl -fs -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null; then ready=$(( ($(date +%s%N) - t0) / 1000000 )); break; fi
            sleep 0.005
        done
        [ -n "$ready" ] || { echo "cold-start: the server did not answer (see its log)" >&2; cat "$dir/log-$run-$mode" >&2; exit 1; }
        jit0=$(thread_ms "$pid" '^C[12] CompilerThre'); loop0=$(thread_ms "$pid" '^vert.x-eventloo')
        a=$(rate "$PORT")
        jit=$(( $(thread_ms "$pid" '^C[12] CompilerThre') - jit0 )); loop=$(( $(thread_ms "$pid" '^vert.x-eventloo') - loop0 ))
        b=$(rate "$PORT"); c=$(rate "$PORT")
        stop_pid "$pid"; pid=
        echo "$mode $ready $a $b $c" >> "$dir/results"
        awk -v m="$mode" -v r="$run" -v t="$ready" -v a="$a" -v b="$b" -v c="$c" -v j="$jit" -v l="$loop" 'BEGIN {
            printf "run %d %-5s: /healthz after %4d ms; POST /jobs %6d req/s first 5 s, %6d next 5 s, %6d warm (10-15 s); first/warm %.2f; first 5 s CPU: JIT %d ms, event loop %d ms\n", r, m, t, a, b, c, a / c, j, l }'
    done
done
awk '{ t[$1] = t[$1] " " $2; f[$1] = f[$1] " " ($3 / $5) }
     END { for (m in t) { n = split(t[m], x, " "); asort(x); split(f[m], y, " "); asort(y)
           printf "median %-5s: /healthz after %d ms, first 5 s at %.2f of warm\n", m, x[int((n + 1) / 2)], y[int((n + 1) / 2)] } }' "$dir/results"

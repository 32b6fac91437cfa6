#!/usr/bin/env bash
# A database that stalls under load (issue 9): one node on a fresh database of the local PostgreSQL
# (or PG_ADMIN_URL's) with --request-timeout TIMEOUT (default 2s); a session of psql holds
# LOCK TABLE squall_job for LOCK seconds (default 8), so that every insert waits, while wrk sends
# POST /jobs with a new id each from CONNS connections (default 200) for DURATION (default 5s).
# Prints what wrk got (every answer should be a 503 at about the timeout), how many jobs were stored
# and succeeded once the lock went (the 503s' jobs and those wrk left unanswered when it stopped:
# none is lost, none is stored twice), the node's squall_http_late_answers_total, and how many
# lines the node logged about it (one every 10 s at most).
#
#   bench/scripts/late-answers.sh
#   CONNS=1000 LOCK=15 TIMEOUT=5s bench/scripts/late-answers.sh
#
# Only 127.0.0.1 is used; the node started here is stopped and the database dropped at the end.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_setup
command -v psql >/dev/null 2>&1 || { echo "late-answers: psql is needed (apt-get install postgresql-client)" >&2; exit 1; }
TIMEOUT=${TIMEOUT:-2s}
LOCK=${LOCK:-8}
CONNS=${CONNS:-200}
DURATION=${DURATION:-5s}
ADMIN=${PG_ADMIN_URL:-postgresql://postgres@127.0.0.1:5432/postgres}
name="squall_late_$$_$RANDOM"
DB="${ADMIN%/*}/$name"
psql "$ADMIN" -qc "CREATE DATABASE $name" >/dev/null
spid=""
lpid=""
cleanup() {
    [ -n "$lpid" ] && kill "$lpid" 2>/dev/null || true
    [ -n "$spid" ] && stop_pid "$spid"
    psql "$ADMIN" -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT
start_squall "$OUT/late.node.log" --store "$DB" --access-log off --request-timeout "$TIMEOUT" || exit 1
spid=$SPID
timeout $((LOCK + 30)) psql "$DB" -qc "BEGIN; LOCK TABLE squall_job IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep($LOCK); COMMIT;" \
    > "$OUT/late.lock.log" 2>&1 &
lpid=$!
sleep 0.5
timeout 120 wrk -t1 -c"$CONNS" -d"$DURATION" --timeout 60s --latency -s "$BENCH_ROOT/bench/scripts/post_jobs.lua" \
    "http://127.0.0.1:$SPORT/" > "$OUT/late.wrk.txt" 2>&1
wait "$lpid" || true
lpid=""
# Bounded: 60 s for every stored job to run.
for _ in $(seq 600); do
    [ "$(psql "$DB" -Atc "SELECT count(*) FROM squall_job WHERE state <> 'succeeded'")" = 0 ] && break
    sleep 0.1
done
answers=$(total_requests "$OUT/late.wrk.txt")
non2xx=$(awk '/Non-2xx/ { print $NF }' "$OUT/late.wrk.txt")
p50=$(awk '/ 50%/ { print $2 }' "$OUT/late.wrk.txt")
p99=$(awk '/ 99%/ { print $2 }' "$OUT/late.wrk.txt")
stored=$(psql "$DB" -Atc "SELECT count(*) FROM squall_job")
succeeded=$(psql "$DB" -Atc "SELECT count(*) FROM squall_job WHERE state = 'succeeded' AND attempt = 1")
late=$(curl -s "http://127.0.0.1:$SPORT/metrics" | awk '/^squall_http_late_answers_total/ { printf "%.0f", $2 }')
lines=$(grep -c "RequestDeadlines" "$OUT/late.node.log" || true)
echo "LATE ANSWERS, job table locked ${LOCK} s, --request-timeout $TIMEOUT, wrk -c$CONNS -d$DURATION: $answers answers, ${non2xx:-0} of them not 2xx, p50 $p50 p99 $p99; then $stored jobs stored, $succeeded succeeded on their first attempt; squall_http_late_answers_total $late; $lines log lines about it"

#!/usr/bin/env bash
# What a listing of jobs by state costs on PostgreSQL with a long history: a fresh database of the
# local server (or PG_ADMIN_URL's), one node, HISTORY finished jobs (default 500,000) and WAITING
# queued ones (default 10) put in with SQL, VACUUM ANALYZE; then ROUNDS (default 20) of
# GET /jobs?state=queued&limit=50 (read from the ready table: the waiting jobs only), of
# GET /jobs?state=running&limit=50 (read by the leases' index: the running jobs only) and of
# GET /jobs?state=dead&limit=50 (by the index of dead and cancelled jobs, schema version 6; before
# it, the job table was read in id order to its end, as every listing by state was before
# 2026-12-02), and the median time of each (curl's time_total). Then it rebuilds that index in place
# (REINDEX: what the version 6 migration does once, while the nodes' writes wait) and prints how long
# it took. Last, GET /jobs?kind=rare&limit=50, a filter that matches none of them: a page reads at
# most 100,000 rows of the job table and ends there, with a "next" (it read them all before
# 2026-12-02, fifth session). PgJobsTableTest counts the rows each
# reads (a node's statistics reach pg_stat_user_tables too late to count them here).
#
#   bench/scripts/pg-listing.sh
#   HISTORY=2000000 bench/scripts/pg-listing.sh
#
# Only 127.0.0.1 is used; the node started here is stopped and the database dropped at the end.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_setup
HISTORY=${HISTORY:-500000}
WAITING=${WAITING:-10}
ROUNDS=${ROUNDS:-20}
ADMIN=${PG_ADMIN_URL:-postgresql://postgres@127.0.0.1:5432/postgres}
name="squall_listing_$$_$RANDOM"
DB="${ADMIN%/*}/$name"
psql "$ADMIN" -qc "CREATE DATABASE $name" >/dev/null
spid=""
cleanup() {
    [ -n "$spid" ] && stop_pid "$spid"
    psql "$ADMIN" -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT
start_squall "$OUT/listing.node.log" --store "$DB" --access-log off --log-level warn || exit 1
spid=$SPID
psql "$DB" -q \
    -c "INSERT INTO squall_job (id, kind, payload, state, attempt, max_attempts, created_at, run_at, started_at, finished_at, result, owner)
        SELECT 'done-' || lpad(g::text, 9, '0'), 'echo', '{}', 'succeeded', 1, 3, 0, 0, 1, 2, '{}', 'n' FROM generate_series(1, $HISTORY) g" \
    -c "INSERT INTO squall_job (id, kind, payload, state, attempt, max_attempts, created_at, run_at)
        SELECT 'wait-' || g, 'echo', '{}', 'queued', 0, 3, 0, (extract(epoch FROM now()) * 1000)::bigint + 86400000
        FROM generate_series(1, $WAITING) g" \
    -c "INSERT INTO squall_ready (id, queue, priority, run_at) SELECT id, queue, priority, run_at FROM squall_job WHERE state = 'queued'" \
    -c "VACUUM ANALYZE squall_job, squall_ready" >/dev/null
median_ms() {  # median_ms QUERY: ROUNDS listings, the median of curl's time_total in ms
    local i
    for i in $(seq "$ROUNDS"); do
        curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$SPORT/jobs?$1&limit=50"
    done | sort -n | awk '{ t[NR] = $1 } END { printf "%.1f", t[int((NR + 1) / 2)] * 1000 }'
}
q=$(median_ms state=queued); r=$(median_ms state=running); d=$(median_ms state=dead); k=$(median_ms kind=rare)
# What schema version 6's migration does once, while the nodes' writes wait: build the index of dead
# and cancelled jobs by reading the job table (here rebuilt in place, the same work).
ix=$(psql "$DB" -At -c '\timing on' -c "REINDEX INDEX squall_job_given_up" | awk '/^Time:/ { print $2 }')
echo "LISTING with $HISTORY finished and $WAITING queued jobs: GET /jobs?state=queued median $q ms; state=running median $r ms; state=dead median $d ms; the index of dead and cancelled jobs built in $ix ms; kind=rare (no match) median $k ms a page"

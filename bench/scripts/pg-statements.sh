#!/usr/bin/env bash
# What PostgreSQL spends its time on under a part of bench/postgres-bench.sh: starts a PostgreSQL of
# its own (this machine's binaries, /usr/lib/postgresql/VERSION/bin, a fresh cluster in a temporary
# folder on a free port of 127.0.0.1) with pg_stat_statements preloaded, runs the part against it,
# and prints the statements by total execution time: calls, total ms, mean ms, rows, the statement.
#
#   bench/scripts/pg-statements.sh                      # PART=latency
#   PART=e2e bench/scripts/pg-statements.sh
#   TOP=40 RATE=3000 bench/scripts/pg-statements.sh     # anything postgres-bench.sh reads passes through
#
# The machine's own server is not touched (it does not preload pg_stat_statements). Only 127.0.0.1
# is used; the server started here is stopped, and its folder removed, at the end.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bin" ] && [ -x "$bin/initdb" ] || { echo "pg-statements: PostgreSQL's server binaries are needed (apt-get install postgresql)" >&2; exit 1; }
dir=$(mktemp -d /tmp/squall-pgss.XXXXXX)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$dir"
stop() {
    as_pg "'$bin/pg_ctl' -D '$dir/data' -m fast -w stop" >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap stop EXIT
as_pg "'$bin/initdb' -D '$dir/data' -U postgres -A trust --no-sync -E UTF8" >/dev/null
as_pg "'$bin/pg_ctl' -D '$dir/data' -l '$dir/log' -w -o \"-p $port -k '$dir' -c listen_addresses=127.0.0.1 \
    -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all\" start" >/dev/null
admin="postgresql://postgres@127.0.0.1:$port/postgres"
psql "$admin" -qc "CREATE EXTENSION pg_stat_statements" -c "SELECT pg_stat_statements_reset()" >/dev/null
PART=${PART:-latency} PG_ADMIN_URL=$admin "$here/../postgres-bench.sh"
echo "## PostgreSQL's statements during PART=${PART:-latency}, by total execution time"
psql "$admin" -P pager=off -c "SELECT calls, round(total_exec_time::numeric) AS total_ms,
    round(mean_exec_time::numeric, 3) AS mean_ms, rows, left(regexp_replace(query, '\s+', ' ', 'g'), 100) AS statement
    FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%' AND dbid <> (SELECT oid FROM pg_database WHERE datname = 'postgres')
    ORDER BY total_exec_time DESC LIMIT ${TOP:-20}"

#!/usr/bin/env bash
# How often PostgreSQL's backends grow or give back their heap under load: runs
# `E2E_NODES=2 PART=e2e bench/postgres-bench.sh` (anything it reads passes through), and AFTER seconds
# into it (default 40: inside the warm-up's traffic) traces every backend of the benchmark's database
# with `strace -e trace=brk,mmap,munmap` for SECONDS (default 3), then prints each backend's
# application and last statement with its calls per second. A backend that grows and gives back its
# heap at every statement makes two `brk` calls per statement; on a virtual machine each give-back
# flushes the other cores' TLBs by interrupt (docs/benchmarks.md, "A batch's arrays, and
# PostgreSQL's heap").
#
#   bench/scripts/pg-heap-calls.sh
#   AFTER=70 SECONDS_TRACED=5 bench/scripts/pg-heap-calls.sh
#
# Needs strace (apt-get install strace) and the right to trace the server's processes (root, or the
# server's user). Only the processes of the benchmark's database are traced; the trace ends by itself.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
command -v strace >/dev/null 2>&1 || { echo "pg-heap-calls: strace is needed (apt-get install strace)" >&2; exit 1; }
AFTER=${AFTER:-40}
TRACED=${SECONDS_TRACED:-3}
ADMIN=${PG_ADMIN_URL:-postgresql://postgres@127.0.0.1:5432/postgres}
out=$(mktemp -d /tmp/squall-heap.XXXXXX)
trap 'rm -rf "$out"' EXIT
E2E_NODES=${E2E_NODES:-2} PART=e2e "$here/../postgres-bench.sh" > "$out/bench.txt" 2>&1 &
bench=$!
sleep "$AFTER"
db=$(psql "$ADMIN" -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'squall_bench_%' ORDER BY oid DESC LIMIT 1")
[ -n "$db" ] || { echo "pg-heap-calls: no benchmark database after $AFTER s" >&2; wait "$bench"; exit 1; }
psql "$ADMIN" -AtF ' ' -c "SELECT pid, application_name, left(regexp_replace(query, '\s+', ' ', 'g'), 40)
    FROM pg_stat_activity WHERE datname = '$db' AND backend_type = 'client backend'" > "$out/backends.txt"
while read -r pid _; do
    timeout "$TRACED" strace -e trace=brk,mmap,munmap -p "$pid" -o "$out/trace.$pid" >/dev/null 2>&1 &
done < "$out/backends.txt"
sleep "$((TRACED + 1))"
echo "## backends of $db, $TRACED s traced $AFTER s into the run: brk, mmap, munmap calls per second"
while read -r pid app query; do
    f="$out/trace.$pid"
    [ -f "$f" ] || continue
    b=$(grep -c '^brk' "$f" || true); m=$(grep -c '^mmap' "$f" || true); u=$(grep -c '^munmap' "$f" || true)
    awk -v a="$app" -v b="$b" -v m="$m" -v u="$u" -v t="$TRACED" -v q="$query" \
        'BEGIN { printf "%-22s brk %6.0f/s  mmap %4.0f/s  munmap %4.0f/s  %s\n", a, b / t, m / t, u / t, q }'
done < "$out/backends.txt"
wait "$bench" || true
grep -E '^E2E' "$out/bench.txt" || true

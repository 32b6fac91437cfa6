#!/usr/bin/env bash
# The PostgreSQL benchmark (issue: "More than one machine").
#
#   bench/postgres-bench.sh                       # all parts, on a fresh database of the local server
#   PG_ADMIN_URL=postgresql://USER@HOST:PORT/DB bench/postgres-bench.sh   # another server (a database is created there)
#   PART=intake|e2e|latency bench/postgres-bench.sh
#   DURATION=10s E2E_DURATION=30s WORKERS=20 bench/postgres-bench.sh
#   NODE_ARGS="--collect-every 200ms" bench/postgres-bench.sh   # more flags for every node
#   PART=history HISTORY=1000000 bench/postgres-bench.sh   # does a day of finished jobs slow claims?
#   BENCH_AOT=off bench/postgres-bench.sh          # nodes without the launcher's ahead-of-time cache
#   BENCH_CLIENT_JAR=/path/squall.jar PART=latency bench/postgres-bench.sh   # the load generator of another build
#
# Every part runs on a fresh database, dropped at the end; PostgreSQL, the nodes and the load
# generator share this machine's cores.
# Part 1, intake: the queue stage on PostgreSQL (--sleep 0, one node) against the bare Vert.x hello
#   server, taking turns: wrk -t1 -c64 -d10s, the article's GET with a new job id each request. Only
#   2xx count. Printed as 2xx/s and the ratio to bare hello.
# Part 2, e2e: no-op jobs (POST /jobs, kind echo) from submit over HTTP to succeeded, with one node
#   and with two: wrk (one per node, -c32) submits for E2E_DURATION (default 30s; 10s before
#   2026-12-02's seventh session: a node records results every 2 s, and the last of them fell inside a
#   10 s window's clock, a sixth of it), then the clock runs until every
#   accepted job has succeeded. jobs/s = succeeded / (first submit .. last success). Also prints,
#   per node, how long its two group-commit writers (new jobs; results) were committing and how many
#   writes a commit carried,
#   and the CPU per job of PostgreSQL (every process of the server) and of the nodes over the same
#   window, with how busy the machine was: a figure that moves less than jobs/s on a shared host.
#   Before the run, E2E_WARMUP (default 60s) of the same traffic through every node at once, then the
#   table is emptied: the figure is that of nodes that have run for a minute, as servers do. A node's
#   JIT is busy for its first half-minute under this load (async-profiler, 35 s in: the C2 compiler
#   thread took 40% of a node's CPU; at 80 s it made 20 small compilations in 10 s):
#   E2E_WARMUP=3s measures cold nodes (docs/benchmarks.md).
#   Target: >= 10,000 jobs/s with two nodes. E2E_NODES="2" runs only the two-node case (default "1 2").
#   Then the host's speed in the same run: the bare Vert.x hello server's req/s (the intake part's
#   figure, or 10 s of wrk when that part did not run), and jobs/s as a ratio of it
#   (docs/benchmarks.md, "Two nodes against the host's speed").
# Part 3, latency: two nodes, an open loop at RATE jobs/s (default 5,000: half the target) with
#   `squall bench --rate`: LAT_WARMUP (default 60s, as E2E_WARMUP) of warm-up, then DURATION measured; p50/p99 of
#   submit -> start (started_at - created_at, both taken by the node, in the database), of every job
#   and of the jobs after the warm-up (the target's figure: p99 <= 50 ms); how many jobs waited in
#   squall_ready for a claim instead of being stored claimed by the node that accepted them; and the
#   p99 after the warm-up of the jobs run by the node that took them in and of those the other node
#   ran (those always went through squall_ready and a claim). LAT_CSV=1 also writes every job's
#   times to lat.jobs.csv in the results folder (bench/scripts/lat-bursts.py reads it, and
#   bench/scripts/cpu-timeline.py shows what ran in a burst's second). squall bench's warm-up runs
#   into its measured part on the same connections, without a pause (docs/benchmarks.md).
#   LAT_PROBE=1 also samples the disk's own fsync during the run (bench/scripts/fsync-probe.py: p99
#   after the warm-up, and the seconds of the slow ones, on the per-second line's clock).
#   LAT_SYNC_COMMIT=off, a diagnostic and never the target's figure: the bench database's commits
#   do not wait for the WAL flush (a PostgreSQL crash can lose acknowledged jobs), which shows how
#   much of submit -> start is the flush (docs/benchmarks.md).
#   The warm-up is the same traffic: a node's JIT compiles the two-node paths (news, claims of the
#   other node's jobs) only under it; 5-10 s into a run warmed up with wrk on one node at a time,
#   each node's C2 compiler still took a fifth of a core (perf).
# Part 4 (not in "all"), history: engine throughput in process (dev.squall.bench.EngineThroughput,
#   50,000 no-op jobs) on an empty table, then again after HISTORY finished jobs were added to
#   squall_job (and VACUUM ANALYZE). Claims scan only squall_ready, so the two should match.
set -u
. "$(dirname "$0")/scripts/lib.sh"
bench_setup
PART=${PART:-all}
DURATION=${DURATION:-10s}
E2E_DURATION=${E2E_DURATION:-30s}
RATE=${RATE:-5000}
LAT_WARMUP=${LAT_WARMUP:-60s}
E2E_WARMUP=${E2E_WARMUP:-60s}
WORKERS=${WORKERS:-20}
ADMIN=${PG_ADMIN_URL:-postgresql://postgres@127.0.0.1:5432/postgres}
SUMMARY="$OUT/summary.txt"
say() { echo "$*" | tee -a "$SUMMARY"; }
command -v psql >/dev/null 2>&1 || { echo "bench: psql is needed (apt-get install postgresql-client)" >&2; exit 1; }
say "# postgres-bench $(date -u +%FT%TZ) nproc=$(nproc) loops=$LOOPS java=$("$JAVA" -version 2>&1 | head -1)"
say "# PostgreSQL: $(psql "$ADMIN" -Atc 'show server_version' 2>&1), synchronous_commit=$(psql "$ADMIN" -Atc 'show synchronous_commit' 2>&1)"

DB=""
fresh_db() {  # fresh_db: creates squall_bench_<n>, sets DB (its URL)
    local name="squall_bench_$$_$RANDOM"
    psql "$ADMIN" -qc "CREATE DATABASE $name" >/dev/null || exit 1
    DB="${ADMIN%/*}/$name"
    DBS+=("$name")
}
DBS=()
cleanup() { local d; for d in "${DBS[@]}"; do psql "$ADMIN" -qc "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1; done; }
trap cleanup EXIT

# The nodes start as `./squall serve` starts them: from the launcher's ahead-of-time cache, which
# brings the JIT's profiles of the hot paths (BENCH_AOT=off: without it).
NODE_JVM_OPTS=""
if [ "${BENCH_AOT:-on}" != off ]; then
    AOT=$(squall_aot_cache "$BENCH_ROOT" "$JAR")
    [ -n "$AOT" ] && NODE_JVM_OPTS="-XX:AOTCache=$AOT -Xlog:aot=error,cds=error"
fi
say "# nodes: ${NODE_JVM_OPTS:-no AOT cache} ${BENCH_JVM_OPTS:-}"

start_node() {  # start_node LOG NODE_ID ARGS...
    local log=$1 id=$2; shift 2
    # shellcheck disable=SC2086 # NODE_ARGS: more flags for every node, split on spaces
    BENCH_JVM_OPTS="$NODE_JVM_OPTS ${BENCH_JVM_OPTS:-}" start_squall "$log" --stage queue --store "$DB" --node-id "$id" --access-log off --log-level warn --workers "$WORKERS" "$@" ${NODE_ARGS:-}
}

# commits PORT WRITER: a node's squall_store_commit_seconds_sum, commits and writes so far (from
# /metrics) of one of its writers: "jobs" (new jobs) or "results"
commits() {
    curl -s "http://127.0.0.1:$1/metrics" | awk -v l="{writer=\"$2\"}" '
        $1 == "squall_store_commit_seconds_sum" l {s=$2} $1 == "squall_store_commit_jobs_count" l {c=$2}
        $1 == "squall_store_commit_jobs_sum" l {w=$2} END { printf "%s %d %d\n", s + 0, c + 0, w + 0 }'
}
# writer_figures S0 C0 W0 S1 C1 W1 [WHAT]: "S s committing, N commits, W WHAT per commit" between two
# readings (WHAT: writes; a results writer's write is a collection's whole batch)
writer_figures() {
    awk -v s0="$1" -v c0="$2" -v w0="$3" -v s1="$4" -v c1="$5" -v w1="$6" -v what="${7:-writes}" 'BEGIN {
        printf "%.1f s committing, %d commits, %.1f %s per commit", s1 - s0, c1 - c0, (c1 > c0) ? (w1 - w0) / (c1 - c0) : 0, what }'
}
succeeded() { psql "$DB" -Atc "SELECT count(*) FROM squall_job WHERE state = 'succeeded'"; }
# cpu_ticks PID...: CPU used so far (clock ticks, user + system) by every process of this machine's
# PostgreSQL server (comm "postgres": its backends and its own workers, for every database it serves)
# and by the PIDs given (the nodes), then the machine's busy and total ticks (/proc/stat)
cpu_ticks() {
    local nodes=" $* "
    { cat /proc/[0-9]*/stat 2>/dev/null; echo "machine"; head -1 /proc/stat; } | awk -v nodes="$nodes" '
        $1 == "machine" { m = 1; next }
        m && $1 == "cpu" { for (i = 2; i <= NF; i++) all += $i; busy = all - $5 - $6; next }
        { t = $14 + $15 }
        $2 == "(postgres)" { pg += t }
        index(nodes, " " $1 " ") { n += t }
        END { printf "%d %d %d %d\n", pg, n, busy, all }'
}
# cpu_per_job BEFORE AFTER JOBS: "PostgreSQL P us, nodes N us of CPU per job; the machine B% busy"
cpu_per_job() {
    awk -v a="$1" -v b="$2" -v j="$3" -v hz="$(getconf CLK_TCK)" 'BEGIN {
        split(a, x, " "); split(b, y, " ");
        printf "PostgreSQL %.0f us, nodes %.0f us of CPU per job; the machine %.0f%% busy",
            (y[1] - x[1]) / hz * 1e6 / j, (y[2] - x[2]) / hz * 1e6 / j, 100 * (y[3] - x[3]) / (y[4] - x[4]) }'
}

pending() { psql "$DB" -Atc "SELECT count(*) FROM squall_job WHERE state <> 'succeeded'"; }
# updates_per_job: the job table's row updates per inserted job over the whole part, warm-up included
# (1 is the finish alone; what is above it is mostly lease renewals). Read once the nodes are
# stopped: a backend reports its counts at most every second, and at exit.
updates_per_job() {
    psql "$DB" -Atc "SELECT round(n_tup_upd::numeric / greatest(n_tup_ins, 1), 3) FROM pg_stat_user_tables WHERE relname = 'squall_job'"
}

intake() {
    say "## intake: wrk -t1 -c64 -d10s, a new job id per request; only 2xx counted"
    fresh_db
    start_hello "$OUT/hello.log" || exit 1; local hp=$SPORT hpid=$SPID
    start_node "$OUT/intake.log" intake --sleep 0 --queue-capacity 50000000 || exit 1; local sp=$SPORT spid=$SPID
    for p in $hp $sp; do SPORT=$p; run_wrk "$OUT/wrk.warmup.$p.txt" -t1 -c64 -d10s; done
    SPORT=$hp; run_wrk "$OUT/wrk.hello.txt" -t1 -c64 -d10s; local h; h=$(ok_rate "$OUT/wrk.hello.txt")
    SPORT=$sp; run_wrk "$OUT/wrk.pg.txt" -t1 -c64 -d10s; local s; s=$(ok_rate "$OUT/wrk.pg.txt")
    stop_pid "$hpid"; stop_pid "$spid"
    say "INTAKE: bare hello $h req/s; postgresql $s 2xx/s, ratio $(ratio "$s" "$h") (p99 $(p99 "$OUT/wrk.pg.txt"))"
    HELLO=$h
}

# The host's speed in this run: the bare Vert.x hello server's req/s (wrk -t1 -c64 -d10s after a
# 5 s warm-up), taken once; the intake part's figure when it ran. These shared hosts differ by up to
# 2x from one day, or hour, to the next (80,524, 61,098 and 45,018 req/s), and the e2e figures with them.
HELLO=""
host_speed() {
    [ -n "$HELLO" ] && return
    start_hello "$OUT/hello.e2e.log" || exit 1; local hpid=$SPID
    run_wrk "$OUT/wrk.hello.e2e.warmup.txt" -t1 -c64 -d5s
    run_wrk "$OUT/wrk.hello.e2e.txt" -t1 -c64 -d10s; HELLO=$(ok_rate "$OUT/wrk.hello.e2e.txt")
    stop_pid "$hpid"
}

# e2e N: N nodes; prints jobs/s from the first submit to the last success
e2e() {
    local n=$1 i ports=() pids=() t0 t1 total done_at
    fresh_db
    for i in $(seq "$n"); do
        start_node "$OUT/e2e$n.node$i.log" "e2e-$i" --queue-capacity 50000000 || exit 1
        ports+=("$SPORT"); pids+=("$SPID")
    done
    # warm-up: E2E_WARMUP of the measured traffic through every node at once, then a clean table
    # (vacuumed, so that autovacuum does not clean up the warm-up during the run)
    local warms=()
    for i in $(seq "$n"); do
        WRK_LANE=$((i + 6)) timeout 200 wrk -t1 -c"${CONNS:-32}" -d"$E2E_WARMUP" -s "$BENCH_ROOT/bench/scripts/post_jobs.lua" \
            "http://127.0.0.1:${ports[$((i-1))]}/" > /dev/null 2>&1 &
        warms+=($!)
    done
    wait "${warms[@]}"
    for i in $(seq 300); do [ "$(pending)" = 0 ] && break; sleep 0.2; done # bounded: 60 s
    psql "$DB" -qc "DELETE FROM squall_job" -c "DELETE FROM squall_attempt" -c "VACUUM squall_job, squall_ready" >/dev/null
    local before=()
    for i in $(seq "$n"); do before+=("$(commits "${ports[$((i-1))]}" jobs) $(commits "${ports[$((i-1))]}" results)"); done
    local ticks0; ticks0=$(cpu_ticks "${pids[@]}")
    t0=$(date +%s.%N)
    local wrks=()
    for i in $(seq "$n"); do
        WRK_LANE=$i timeout 120 wrk -t1 -c"${CONNS:-32}" -d"$E2E_DURATION" --latency -s "$BENCH_ROOT/bench/scripts/post_jobs.lua" \
            "http://127.0.0.1:${ports[$((i-1))]}/" > "$OUT/wrk.e2e$n.$i.txt" 2>&1 &
        wrks+=($!)
    done
    wait "${wrks[@]}"
    local tail_from; tail_from=$(awk -v b="$t0" -v c="$(date +%s.%N)" 'BEGIN { printf "%.1f", c - b }')
    local unfinished; unfinished=$(pending)
    for i in $(seq 1200); do [ "$(pending)" = 0 ] && break; sleep 0.05; done # bounded: 60 s
    t1=$(date +%s.%N)
    local ticks1; ticks1=$(cpu_ticks "${pids[@]}")
    total=$(succeeded)
    [ "$(pending)" = 0 ] || { say "  not finished: $(psql "$DB" -Atc "SELECT state || ' ' || coalesce(owner, '-') || ' ' || count(*) FROM squall_job WHERE state <> 'succeeded' GROUP BY state, owner" | tr '\n' ';') ready: $(psql "$DB" -Atc 'SELECT count(*) FROM squall_ready')"; for i in $(seq "$n"); do say "  node $i: $(curl -s "http://127.0.0.1:${ports[$((i-1))]}/healthz")"; done; }
    # Each node's two group-commit writers over the measured run, from its own metrics
    # (squall_store_commit_*{writer}): how long each was committing, and how many writes a commit
    # carried; they commit side by side, so the two times may add up to more than the clock's.
    local s0 c0 w0 rs0 rc0 rw0 s1 c1 w1 rs1 rc1 rw1
    for i in $(seq "$n"); do
        read -r s0 c0 w0 rs0 rc0 rw0 <<< "${before[$((i-1))]}"
        read -r s1 c1 w1 rs1 rc1 rw1 <<< "$(commits "${ports[$((i-1))]}" jobs) $(commits "${ports[$((i-1))]}" results)"
        say "  node $i over $(awk -v b="$t0" -v c="$t1" 'BEGIN { printf "%.1f", c - b }') s: new jobs' writer $(writer_figures "$s0" "$c0" "$w0" "$s1" "$c1" "$w1"); results' writer $(writer_figures "$rs0" "$rc0" "$rw0" "$rs1" "$rc1" "$rw1" "batches of results")"
    done
    for i in $(seq "$n"); do stop_pid "${pids[$((i-1))]}"; done
    sleep 0.5
    say "  job table: $(updates_per_job) row updates per inserted job (the finish is 1; renewals add to it)"
    local rate; rate=$(awk -v a="$total" -v b="$t0" -v c="$t1" 'BEGIN { printf "%.0f", a / (c - b) }')
    say "  the submits ended after $tail_from s with $unfinished accepted jobs not finished yet"
    say "  $(cpu_per_job "$ticks0" "$ticks1" "$total") (wrk's own not counted)"
    say "E2E $n node(s): $total jobs succeeded in $(awk -v b="$t0" -v c="$t1" 'BEGIN { printf "%.1f", c - b }') s = $rate jobs/s end to end (still pending: $(pending))"
    host_speed
    say "  against this host's bare hello ($HELLO req/s): $(ratio "$rate" "$HELLO") jobs/s per req/s (the target, 10,000 jobs/s with two nodes, is 0.124 of 80,524 req/s: docs/benchmarks.md)"
    E2E_RATE=$rate
}

latency() {
    local ports=() pids=() i
    fresh_db
    # Diagnostic only, never the target's figure: commits that do not wait for the WAL flush (an
    # acknowledged job can be lost if PostgreSQL crashes). Set before the nodes connect.
    [ "${LAT_SYNC_COMMIT:-on}" = off ] && psql "$DB" -qc "ALTER DATABASE ${DBS[-1]} SET synchronous_commit = off"
    for i in 1 2; do
        start_node "$OUT/lat.node$i.log" "lat-$i" --queue-capacity 50000000 || exit 1
        ports+=("$SPORT"); pids+=("$SPID")
    done
    local half=$((RATE / 2)) ready0 probe=""
    ready0=$(psql "$DB" -Atc "SELECT n_tup_ins FROM pg_stat_user_tables WHERE relname = 'squall_ready'")
    for i in 1 2; do
        "$JAVA" --enable-native-access=ALL-UNNAMED -jar "${BENCH_CLIENT_JAR:-$JAR}" bench "http://127.0.0.1:${ports[$((i-1))]}/jobs" -m POST \
            -b "{\"id\": \"lat$i-{seq}\", \"kind\": \"echo\", \"payload\": {}}" --rate "$half" -c 256 -d "$DURATION" \
            --warmup "$LAT_WARMUP" --timeout 5s > "$OUT/lat.bench$i.txt" 2>&1 &
        pids+=($!)
    done
    if [ "${LAT_PROBE:-0}" = 1 ]; then  # the disk's own flush, beside the jobs' (bench/scripts/fsync-probe.py)
        python3 "$BENCH_ROOT/bench/scripts/fsync-probe.py" record "$OUT" $(( ${LAT_WARMUP%s} + ${DURATION%s} + 5 )) "$OUT/lat.fsync.txt" &
        probe=$!
    fi
    wait "${pids[@]:2}"
    [ -n "$probe" ] && wait "$probe"
    for i in $(seq 600); do [ "$(pending)" = 0 ] && break; sleep 0.1; done
    local q w
    q=$(psql "$DB" -Atc "SELECT count(*), percentile_disc(0.5) WITHIN GROUP (ORDER BY started_at - created_at),
        percentile_disc(0.99) WITHIN GROUP (ORDER BY started_at - created_at), max(started_at - created_at)
        FROM squall_job WHERE state = 'succeeded' AND started_at > 0")
    # The same once warm: the jobs created after squall bench's warm-up (it sends during it too).
    local warm_ms=$(( ${LAT_WARMUP%s} * 1000 ))
    w=$(psql "$DB" -Atc "SELECT count(*), percentile_disc(0.5) WITHIN GROUP (ORDER BY started_at - created_at),
        percentile_disc(0.99) WITHIN GROUP (ORDER BY started_at - created_at), max(started_at - created_at)
        FROM squall_job WHERE state = 'succeeded' AND started_at > 0
        AND created_at >= (SELECT min(created_at) FROM squall_job) + $warm_ms")
    # Where the tail is: the p99 of the jobs created in each second of the run.
    local by
    by=$(psql "$DB" -Atc "SELECT string_agg(s || ':' || p, ' ' ORDER BY s) FROM (SELECT (created_at - m) / 1000 AS s,
        percentile_disc(0.99) WITHIN GROUP (ORDER BY started_at - created_at) AS p
        FROM squall_job, (SELECT min(created_at) AS m FROM squall_job) f WHERE state = 'succeeded' AND started_at > 0 GROUP BY 1) x")
    # Which path the slow jobs took: run by the node that took them in (mostly stored claimed by
    # it) or by the other node (always through squall_ready and a claim).
    local paths
    paths=$(psql "$DB" -Atc "SELECT string_agg(p || ' ' || n || ' jobs p99 ' || q || ' ms', '; ') FROM (SELECT
        CASE WHEN replace(owner, '-', '') = split_part(id, '-', 1) THEN 'own node' ELSE 'other node' END AS p, count(*) AS n,
        percentile_disc(0.99) WITHIN GROUP (ORDER BY started_at - created_at) AS q FROM squall_job
        WHERE state = 'succeeded' AND started_at > 0 AND created_at >= (SELECT min(created_at) FROM squall_job) + $warm_ms GROUP BY 1) x")
    # Every job's times, for a look at where the tail is (LAT_CSV=1): id, owner, created_at, started_at, finished_at.
    [ "${LAT_CSV:-0}" = 1 ] && psql "$DB" -qc "\\copy (SELECT id, owner, created_at, started_at, finished_at FROM squall_job
        WHERE state = 'succeeded' ORDER BY created_at) TO '$OUT/lat.jobs.csv' CSV"
    # Read once the nodes are stopped: a backend reports its counts at most every second, and at exit.
    stop_pid "${pids[0]}"; stop_pid "${pids[1]}"
    sleep 0.5
    local via
    via=$(psql "$DB" -Atc "SELECT n_tup_ins - $ready0 FROM pg_stat_user_tables WHERE relname = 'squall_ready'")
    say "  p99 ms of the jobs created in each second (second:p99): $by"
    say "  after the warm-up, by the node that ran them: $paths"
    say "  jobs that waited in squall_ready for a claim (not stored claimed by the node that took them in): $via of ${q%%|*}"
    say "  job table: $(updates_per_job) row updates per inserted job (the finish is 1; renewals add to it)"
    [ -n "$probe" ] && say "  the disk's fsync (8 KiB, every 20 ms, LAT_PROBE=1) after the warm-up: $(python3 "$BENCH_ROOT/bench/scripts/fsync-probe.py" show "$OUT/lat.fsync.txt" \
        "$(psql "$DB" -Atc 'SELECT min(created_at) FROM squall_job')" "${LAT_WARMUP%s}")"
    [ "${LAT_SYNC_COMMIT:-on}" = off ] && say "  DIAGNOSTIC: synchronous_commit = off on the nodes' connections (LAT_SYNC_COMMIT=off): not a target figure"
    say "LATENCY two nodes at $RATE jobs/s offered: jobs|p50 ms|p99 ms|max ms submit->start = $q (every job); $w (after the $LAT_WARMUP warm-up) [target p99 <= 50 ms]"
    say "  squall bench: $(grep -h 'Requests/sec\|req/s' "$OUT"/lat.bench*.txt | head -2 | tr '\n' ' ')"
}

history() {
    local n=${HISTORY:-1000000} a b
    fresh_db
    a=$("$JAVA" --enable-native-access=ALL-UNNAMED -cp "$JAR" dev.squall.bench.EngineThroughput postgresql 50000 "$DB" 2>/dev/null | grep -o '[0-9]* jobs/s$')
    psql "$DB" -qc "INSERT INTO squall_job (id, kind, payload, state, attempt, max_attempts, created_at, run_at, started_at, finished_at, result)
        SELECT 'h' || g, 'echo', '{}', 'succeeded', 1, 3, 0, 0, 1, (extract(epoch FROM now()) * 1000)::bigint, '{}'
        FROM generate_series(1, $n) g" -c "VACUUM ANALYZE" >/dev/null
    b=$("$JAVA" --enable-native-access=ALL-UNNAMED -cp "$JAR" dev.squall.bench.EngineThroughput postgresql 50000 "$DB" 2>/dev/null | grep -o '[0-9]* jobs/s$')
    say "HISTORY: engine throughput (in process, 50,000 no-op jobs) on an empty table ${a:-?}; with $n finished jobs in squall_job ${b:-?}; ratio $(ratio "${b%% *}" "${a%% *}")"
}

case "$PART" in
    history) history ;;
    intake) intake ;;
    e2e) for n in ${E2E_NODES:-1 2}; do e2e "$n"; done ;;
    latency) latency ;;
    all) intake; e2e 1; e2e 2; latency ;;
    *) echo "PART must be intake, e2e, latency, history or all" >&2; exit 2 ;;
esac
say "# results in $OUT"

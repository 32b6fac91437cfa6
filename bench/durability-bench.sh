#!/usr/bin/env bash
# The durability benchmark (issue: "A job engine that loses nothing").
#
#   bench/durability-bench.sh             # all three parts, 3 rounds of the intake part
#   ROUNDS=1 bench/durability-bench.sh    # quicker
#   PART=intake|engine|crash bench/durability-bench.sh
#   CRASH_ARGS="--collect-every 100ms" PART=crash bench/durability-bench.sh   # extra serve flags for the crash part
#   SQLITE_DURABILITY=none PART=intake bench/durability-bench.sh            # the SQLite server without fsync
#
# Part 1, intake: the queue stage with --sleep 0 on SQLite (fsync, a fresh file) and on memory,
#   against the bare Vert.x hello server: all three up at once, each warmed 10 s, then ROUNDS
#   rounds of `wrk -t1 -c64 -d10s` on each in turn (GET / with {"job_id": N}, a new N every request:
#   bench/scripts/unique_json.lua). Only 2xx count: a job refused (429) is not intake.
#   Targets: sqlite >= 0.60 of bare hello, memory >= 0.85.
# Part 2, engine: end-to-end throughput of no-op jobs from submit to succeeded, in process (no HTTP),
#   20 worker threads (dev.squall.bench.EngineThroughput). Targets: memory >= 100,000 jobs/s,
#   sqlite (fsync) >= 30,000 jobs/s.
# Part 3, crash: a squall serve on SQLite takes jobs from `squall bench` (POST /jobs) and is killed
#   with SIGKILL once it has accepted ~2,000; restarted on the same file, it must finish every acknowledged job.
#   Prints acknowledged / on disk / running at the kill / succeeded after the restart.
set -u
. "$(dirname "$0")/scripts/lib.sh"
bench_setup
ROUNDS=${ROUNDS:-3}
PART=${PART:-all}
SQLITE_DURABILITY=${SQLITE_DURABILITY:-fsync} # none: is the disk the limit? (the target is for fsync)
WARMUP=${WARMUP:-10s}
SUMMARY="$OUT/summary.txt"
say() { echo "$*" | tee -a "$SUMMARY"; }
say "# durability-bench $(date -u +%FT%TZ) nproc=$(nproc) loops=$LOOPS java=$("$JAVA" -version 2>&1 | head -1)"

intake() {
    local r h q s hr=() qr=() sr=() rq=() rs=()
    say "## intake: wrk -t1 -c64 -d10s, a new job id per request; only 2xx counted"
    start_hello "$OUT/hello.log" || exit 1; local hp=$SPORT hpid=$SPID
    start_squall "$OUT/memory.log" --stage queue --store memory --sleep 0 --access-log off --queue-capacity 50000000 || exit 1
    local mp=$SPORT mpid=$SPID
    rm -f "$OUT/intake.db"*
    start_squall "$OUT/sqlite.log" --stage queue --store "sqlite:$OUT/intake.db" --durability "$SQLITE_DURABILITY" --sleep 0 --access-log off \
        --queue-capacity 50000000 || exit 1
    local sp=$SPORT spid=$SPID
    for p in $hp $mp $sp; do SPORT=$p; run_wrk "$OUT/wrk.warmup.$p.txt" -t1 -c64 -d"$WARMUP"; done
    for r in $(seq "$ROUNDS"); do
        SPORT=$hp; run_wrk "$OUT/wrk.hello.r$r.txt" -t1 -c64 -d10s; h=$(ok_rate "$OUT/wrk.hello.r$r.txt")
        SPORT=$mp; run_wrk "$OUT/wrk.memory.r$r.txt" -t1 -c64 -d10s; q=$(ok_rate "$OUT/wrk.memory.r$r.txt")
        SPORT=$sp; run_wrk "$OUT/wrk.sqlite.r$r.txt" -t1 -c64 -d10s; s=$(ok_rate "$OUT/wrk.sqlite.r$r.txt")
        hr+=("$h"); qr+=("$q"); sr+=("$s"); rq+=("$(ratio "$q" "$h")"); rs+=("$(ratio "$s" "$h")")
        say "round $r: bare hello $h req/s; memory $q 2xx/s (ratio ${rq[-1]}); sqlite $SQLITE_DURABILITY $s 2xx/s (ratio ${rs[-1]})"
    done
    say "memory after the runs: $(curl -s "http://127.0.0.1:$mp/healthz")"
    say "sqlite after the runs: $(curl -s "http://127.0.0.1:$sp/healthz")"
    stop_pid "$hpid"; stop_pid "$mpid"; stop_pid "$spid"
    say "INTAKE median: bare hello $(printf '%s\n' "${hr[@]}" | median) req/s; memory $(printf '%s\n' "${qr[@]}" | median) 2xx/s, ratio $(printf '%s\n' "${rq[@]}" | median) [target >= 0.85]; sqlite $(printf '%s\n' "${sr[@]}" | median) 2xx/s, ratio $(printf '%s\n' "${rs[@]}" | median) [target >= 0.60]"
}

engine() {
    say "## engine: no-op jobs, submit to succeeded, in process, 20 worker threads"
    say "$("$JAVA" --enable-native-access=ALL-UNNAMED -cp "$JAR" dev.squall.bench.EngineThroughput memory 1000000 2>/dev/null | grep throughput)  [target >= 100000 jobs/s]"
    say "$("$JAVA" --enable-native-access=ALL-UNNAMED -cp "$JAR" dev.squall.bench.EngineThroughput sqlite 300000 "$OUT/engine.db" 2>/dev/null | grep throughput)  [target >= 30000 jobs/s]"
}

num() { echo "$1" | grep -o "\"$2\":[0-9]*" | cut -d: -f2; } # num JSON FIELD

crash() {
    say "## crash: SIGKILL mid-run, restart on the same file"
    local db="$OUT/crash.db" port
    rm -f "$db"*
    start_squall "$OUT/crash.1.log" --stage queue --store "sqlite:$db" --sleep 5ms --access-log off --log-level warn ${CRASH_ARGS:-} || exit 1
    port=$SPORT
    # 10,000 jobs from 32 callers; the kill comes mid-way (below).
    "$JAVA" --enable-native-access=ALL-UNNAMED -jar "$JAR" bench "http://127.0.0.1:$port/jobs" -m POST \
        -b '{"id": "crash-{seq}", "kind": "sleep", "payload": {"sleep_ms": 5}}' -n 10000 -c 32 --timeout 10s \
        --json "$OUT/crash.bench.json" > "$OUT/crash.bench.txt" 2>&1 &
    local bench=$! i n
    # Kill mid-way: once the server has accepted ~2,000 jobs (bounded: at most 30 s of waiting).
    for i in $(seq 300); do
        n=$(curl -s "http://127.0.0.1:$port/healthz" | grep -o '"accepted":[0-9]*' | cut -d: -f2)
        [ "${n:-0}" -ge 2000 ] && break
        sleep 0.1
    done
    kill -9 "$SPID"; wait "$SPID" 2>/dev/null
    wait "$bench"
    local acked
    acked=$(grep -o '"202" : [0-9]*' "$OUT/crash.bench.json" | awk '{print $3}')
    say "killed mid-run: squall bench got 202 (acknowledged) for ${acked:-0} of 10000 jobs: $(sed -n 3p "$OUT/crash.bench.txt")"
    PORT=$((port - 1)) # start_squall takes the next port: the same one again
    start_squall "$OUT/crash.2.log" --stage queue --store "sqlite:$db" --sleep 5ms --access-log off --log-level info ${CRASH_ARGS:-} || exit 1
    grep -o "[0-9]* jobs were left running by a previous process" "$OUT/crash.2.log" | head -1 | sed 's/^/restart: /' | tee -a "$SUMMARY"
    local i h
    for i in $(seq 600); do
        h=$(curl -s "http://127.0.0.1:$SPORT/healthz")
        # Done when nothing waits or runs and every started attempt has been recorded.
        case "$h" in *'"queued":0,'*'"running":0,'*)
            [ "$(num "$h" started)" -le "$(( $(num "$h" succeeded) + $(num "$h" retried) + $(num "$h" dead) ))" ] && break ;;
        esac
        sleep 0.2
    done
    stop_pid "$SPID"
    say "after the restart: $h"
    say "CRASH: acknowledged ${acked:-0}; in the file after the restart: $("$JAVA" --enable-native-access=ALL-UNNAMED -cp "$JAR" dev.squall.bench.CountStates "$db" 2>/dev/null)"
}

case "$PART" in
    intake) intake ;;
    engine) engine ;;
    crash) crash ;;
    all) intake; engine; crash ;;
    *) echo "PART must be intake, engine, crash or all" >&2; exit 2 ;;
esac
say "# results in $OUT"

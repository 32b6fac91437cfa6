#!/usr/bin/env bash
# The stages benchmark (issue: "Squall serves every stage of the article").
#
#   bench/stages-bench.sh            # both parts, 5 alternating rounds of the intake part
#   ROUNDS=1 bench/stages-bench.sh   # quicker
#   PART=intake|c3000 bench/stages-bench.sh
#   SQUALL_ARGS="--request-timeout 0" PART=intake bench/stages-bench.sh   # extra flags for Squall in the intake part
#
# Part 1, intake: `squall serve --stage queue --sleep 0 --access-log off` against the bare Vert.x
#   hello server (bench/src/.../BareHelloServer.java), same wrk command (wrk -t1 -c64 -d10s, GET
#   with {"job_id": N}, a new N each request: bench/scripts/unique_json.lua), the memory store (what
#   this issue measured; bench/durability-bench.sh measures SQLite), both servers up at once and taking turns (ROUNDS alternations), both with
#   Squall's default event-loop count (LOOPS, half the cores). Only 2xx answers count. Each server
#   first gets WARMUP (10 s) of wrk that is not counted: the JIT is still compiling before that.
#   Prints the median of the per-round ratios. Target: >= 0.85.
# Part 2, 3000 connections: --stage coroutine and --stage virtual (1 s jobs) under
#   wrk -t1 -c3000 -d10s --timeout 3s. The ideal is 3000 req/s at p99 1.0 s.
#   Targets: >= 2500 req/s, p99 <= 1.5 s, timeouts <= 1%. Each server first gets WARMUP of
#   wrk -c300 (not counted).
set -u
. "$(dirname "$0")/scripts/lib.sh"
bench_setup
ROUNDS=${ROUNDS:-5}
PART=${PART:-all}
WRK_INTAKE=${WRK_INTAKE:-"-t1 -c64 -d10s"}
WARMUP=${WARMUP:-10s}
WRK_C3000=${WRK_C3000:-"-t1 -c3000 -d10s --timeout 3s"}
SUMMARY="$OUT/summary.txt"
say() { echo "$*" | tee -a "$SUMMARY"; }

say "# stages-bench $(date -u +%FT%TZ) nproc=$(nproc) java=$("$JAVA" -version 2>&1 | head -1)"

intake() {
    local r hello_rps squall_rps ratios=() hellos=() squalls=() hello_port squall_port hello_pid squall_pid
    say "## intake: wrk $WRK_INTAKE, GET / {\"job_id\": N}, a new N each request; only 2xx counted; $LOOPS event loop(s) each"
    # Both servers stay up for the whole part and take turns, so slow drifts of this shared machine
    # hit both alike; each first gets a warm-up that is not counted.
    start_hello "$OUT/hello.log" || exit 1
    hello_port=$SPORT; hello_pid=$SPID
    start_squall "$OUT/squall-queue.log" --stage queue --store memory --sleep 0 --access-log off --queue-capacity 50000000 ${SQUALL_ARGS:-} || exit 1
    squall_port=$SPORT; squall_pid=$SPID
    SPORT=$hello_port; run_wrk "$OUT/wrk.hello.warmup.txt" -t1 -c64 -d"$WARMUP"
    SPORT=$squall_port; run_wrk "$OUT/wrk.queue.warmup.txt" -t1 -c64 -d"$WARMUP"
    for r in $(seq "$ROUNDS"); do
        SPORT=$hello_port
        # shellcheck disable=SC2086
        run_wrk "$OUT/wrk.hello.r$r.txt" $WRK_INTAKE
        hello_rps=$(ok_rate "$OUT/wrk.hello.r$r.txt")
        SPORT=$squall_port
        # shellcheck disable=SC2086
        run_wrk "$OUT/wrk.queue.r$r.txt" $WRK_INTAKE
        squall_rps=$(ok_rate "$OUT/wrk.queue.r$r.txt")
        hellos+=("$hello_rps"); squalls+=("$squall_rps")
        ratios+=("$(ratio "$squall_rps" "$hello_rps")")
        say "round $r: bare hello $hello_rps req/s; squall queue $squall_rps 2xx/s (non-2xx: $(awk '/Non-2xx/ {print $5}' "$OUT/wrk.queue.r$r.txt" | grep . || echo 0)); ratio ${ratios[-1]}"
    done
    say "squall after the runs: $(curl -s "http://127.0.0.1:$squall_port/healthz")"
    stop_pid "$hello_pid"; stop_pid "$squall_pid"
    say "INTAKE median: bare hello $(printf '%s\n' "${hellos[@]}" | median) req/s, squall queue $(printf '%s\n' "${squalls[@]}" | median) 2xx/s, ratio (median of rounds) $(printf '%s\n' "${ratios[@]}" | median)  [target >= 0.85]"
}

c3000() {
    local stage
    say "## 3000 connections: wrk $WRK_C3000, 1 s jobs"
    for stage in coroutine virtual; do
        start_squall "$OUT/squall-$stage.log" --stage "$stage" --sleep 1s --access-log off --log-level warn || exit 1
        run_wrk "$OUT/wrk.$stage.warmup.txt" -t1 -c300 -d"$WARMUP" --timeout 3s
        # shellcheck disable=SC2086
        run_wrk "$OUT/wrk.$stage.c3000.txt" $WRK_C3000
        stop_pid "$SPID"
        local f="$OUT/wrk.$stage.c3000.txt" n t
        n=$(total_requests "$f"); t=$(timeouts "$f")
        say "$stage: $(ok_rate "$f") 2xx/s, p50 $(p50 "$f"), p99 $(p99 "$f"), timeouts $t of $n ($(awk -v t="$t" -v n="$n" 'BEGIN { if (n > 0) printf "%.2f", 100 * t / (n + t); else print "n/a" }')%)  [target >= 2500 req/s, p99 <= 1.5s, timeouts <= 1%]"
    done
}

case "$PART" in
    intake) intake ;;
    c3000) c3000 ;;
    all) intake; c3000 ;;
    *) echo "PART must be intake, c3000 or all" >&2; exit 2 ;;
esac
say "# results in $OUT"

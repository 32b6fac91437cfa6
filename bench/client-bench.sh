#!/usr/bin/env bash
# squall bench versus wrk (issue: "squall bench and squall lab").
#
#   bench/client-bench.sh             # 3 alternating rounds
#   ROUNDS=1 bench/client-bench.sh
#
# One bare Vert.x hello server (bench/src/.../BareHelloServer.java) stays up; wrk warms it for 10 s;
# then, alternating, `wrk -t1 -c64 -d10s` (GET / with {"job_id": 1}) and
# `squall bench -c 64 --duration 10s --warmup 10s` (its default body {"job_id": {seq}}, the same requests as wrk's, closed loop,
# keep-alive; its own 10 s warm-up is left out of its figures, as wrk needs none: it is C).
# Prints requests/s of each and the median ratio squall bench / wrk. Target: >= 0.90.
set -u
. "$(dirname "$0")/scripts/lib.sh"
bench_setup
ROUNDS=${ROUNDS:-3}
SUMMARY="$OUT/summary.txt"
say() { echo "$*" | tee -a "$SUMMARY"; }

say "# client-bench $(date -u +%FT%TZ) nproc=$(nproc) server loops=$LOOPS"
start_hello "$OUT/hello.log" || exit 1
run_wrk "$OUT/wrk.warmup.txt" -t1 -c64 -d10s
ratios=(); wrks=(); squalls=()
for r in $(seq "$ROUNDS"); do
    run_wrk "$OUT/wrk.r$r.txt" -t1 -c64 -d10s
    w=$(ok_rate "$OUT/wrk.r$r.txt")
    timeout 120 "$JAVA" --enable-native-access=ALL-UNNAMED -jar "$JAR" bench "http://127.0.0.1:$SPORT/" \
        -c 64 --duration 10s --warmup 10s --json "$OUT/squall-bench.r$r.json" > "$OUT/squall-bench.r$r.txt" 2>&1
    s=$(grep -o '"throughput_rps" : [0-9.]*' "$OUT/squall-bench.r$r.json" | awk '{printf "%.0f", $3}')
    wrks+=("$w"); squalls+=("$s"); ratios+=("$(ratio "$s" "$w")")
    say "round $r: wrk $w req/s; squall bench $s req/s ($(head -1 "$OUT/squall-bench.r$r.txt")); ratio ${ratios[-1]}"
done
stop_pid "$SPID"
say "CLIENT median: wrk $(printf '%s\n' "${wrks[@]}" | median) req/s, squall bench $(printf '%s\n' "${squalls[@]}" | median) req/s, ratio (median of rounds) $(printf '%s\n' "${ratios[@]}" | median)  [target >= 0.90]"
say "# results in $OUT"

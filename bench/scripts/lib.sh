# Shared by the benchmark scripts: start/stop servers we own (by PID), run wrk, read its figures.
# BENCH_JVM_OPTS adds JVM flags to every server started (e.g. -XX:AOTCache=app/target/squall.aot).
# Only 127.0.0.1 is ever targeted; every wrk run is bounded by its -d and by `timeout`.

BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
JAR="$BENCH_ROOT/app/target/squall.jar"
# Every request carries a new job id: Squall creates one job per id, so a constant body would
# measure only the duplicate check after the first request.
LUA=${LUA:-$BENCH_ROOT/bench/scripts/unique_json.lua}

bench_setup() {
    . "$BENCH_ROOT/scripts/find-jdk.sh"
    . "$BENCH_ROOT/scripts/aot-cache.sh" # squall_aot_cache: the launcher's start-up cache
    squall_find_jdk || exit 1
    JAVA="$JAVA_HOME/bin/java"
    if ! command -v wrk >/dev/null 2>&1; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
            echo "bench: installing wrk (Debian package) ..." >&2
            apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq wrk >/dev/null 2>&1; }
        fi
        command -v wrk >/dev/null 2>&1 || { echo "bench: wrk is needed: sudo apt-get install wrk" >&2; exit 1; }
    fi
    # The launcher builds the jar when sources changed.
    "$BENCH_ROOT/squall" --version >/dev/null
    ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
    OUT=${OUT:-$BENCH_ROOT/results/$(date +%Y%m%d-%H%M%S)}
    mkdir -p "$OUT"
    PORT=${BASE_PORT:-19100}
}

wait_http() {  # wait_http PORT: until the port answers HTTP (bounded: 60 s)
    local i
    for i in $(seq 600); do
        curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$1/" && return 0
        sleep 0.1
    done
    return 1
}

# start_java LOG ARGS... -> sets SPID; the server listens on $SPORT (a fresh port)
start_java() {
    local log=$1; shift
    PORT=$((PORT + 1)); SPORT=$PORT
    # shellcheck disable=SC2086
    "$JAVA" --enable-native-access=ALL-UNNAMED -Xms512m -Xmx2g ${BENCH_JVM_OPTS:-} "$@" > "$log" 2>&1 &
    SPID=$!
    if ! wait_http "$SPORT"; then
        echo "bench: server did not start (see $log)" >&2; stop_pid "$SPID"; return 1
    fi
    if ! kill -0 "$SPID" 2>/dev/null; then  # something else answers on that port (a server left running?)
        echo "bench: the server exited; is port $SPORT taken? (see $log)" >&2; return 1
    fi
}

# Squall's default event-loop count (half the cores, at least 1); the bare server gets the same.
LOOPS=${LOOPS:-$(( $(nproc) / 2 > 0 ? $(nproc) / 2 : 1 ))}
start_hello() { start_java "$1" -cp "$JAR" dev.squall.bench.BareHelloServer "$((PORT + 1))" "$LOOPS"; }
start_post_floor() { start_java "$1" -cp "$JAR" dev.squall.bench.BarePostServer "$((PORT + 1))" "$LOOPS"; }
start_squall() { local log=$1; shift; start_java "$log" -jar "$JAR" serve --port "$((PORT + 1))" --io-threads "$LOOPS" "$@"; }

stop_pid() {  # TERM, wait up to 15 s, then KILL: only the PID we started
    # Every step may "fail" (the process is gone, wait reports its signal): under set -e that must
    # not end a caller's EXIT trap before it has stopped the other servers.
    local pid=$1 i
    kill "$pid" 2>/dev/null || true
    for i in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    return 0
}

# run_wrk OUTFILE WRK_ARGS... : runs wrk against $SPORT with the article's GET + JSON body
run_wrk() {
    local out=$1; shift
    timeout 120 wrk "$@" --latency -s "$LUA" "http://127.0.0.1:$SPORT/" > "$out" 2>&1
}

# ok_rate WRKFILE: 2xx answers per second ((requests - non-2xx) / seconds)
ok_rate() {
    awk '
        / requests in / { n = $1; d = $4; sub(/,$/, "", d);
                          if (d ~ /ms$/) { sub(/ms$/, "", d); d /= 1000 } else if (d ~ /m$/) { sub(/m$/, "", d); d *= 60 } else { sub(/s$/, "", d) } }
        /Non-2xx or 3xx responses:/ { bad = $5 }
        END { if (d > 0) printf "%.0f", (n - bad) / d; else print 0 }' "$1"
}

timeouts() { awk '/Socket errors:/ { for (i = 1; i <= NF; i++) if ($i == "timeout") { v = $(i - 1) } } END { print v + 0 }' "$1"; }
total_requests() { awk '/ requests in / { print $1 }' "$1"; }
p99() { awk '$1 == "99%" { print $2 }' "$1"; }
p50() { awk '$1 == "50%" { print $2 }' "$1"; }

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print 0; else print a[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "n/a" }'; }

#!/usr/bin/env bash
# CPU per request of a server we started: runs one bounded wrk (-t1 -c64 -d8s, the intake benchmark's
# Lua script) against 127.0.0.1:PORT and reads the process's and each thread's CPU time from /proc.
#
#   bench/scripts/cpu-per-request.sh PID PORT [LUA]
#
# Prints req/s, the server's CPU (percent of one core) and CPU microseconds per request, then every
# thread that used more than 200 ms. Linux only (/proc); the clock tick is taken from getconf.
set -u
pid=${1:?PID of the server}; port=${2:?port}; lua=${3:-$(dirname "$0")/unique_json.lua}
[ -d "/proc/$pid" ] || { echo "no process $pid" >&2; exit 2; }
hz=$(getconf CLK_TCK); secs=8
ticks() { awk '{print $14 + $15}' "$1"; }   # utime + stime, in clock ticks
declare -A before
for t in /proc/"$pid"/task/*; do before[${t##*/}]=$(ticks "$t/stat"); done
a=$(ticks "/proc/$pid/stat")
r=$(timeout $((secs + 20)) wrk -t1 -c64 -d${secs}s -s "$lua" "http://127.0.0.1:$port/" | awk '/Requests\/sec/{print $2}')
b=$(ticks "/proc/$pid/stat")
awk -v t=$((b - a)) -v hz="$hz" -v s=$secs -v r="${r:-0}" 'BEGIN {
    printf "req/s %.0f  server cpu %.0f%%  cpu us/request %.1f\n", r, 100 * t / hz / s, (r > 0 ? 1e6 * t / hz / (r * s) : 0) }'
for t in /proc/"$pid"/task/*; do
    d=$(( $(ticks "$t/stat") - ${before[${t##*/}]:-0} ))
    [ $((d * 1000 / hz)) -gt 200 ] && echo "   $(cat "$t/comm"): $((d * 1000 / hz)) ms"
done
exit 0

#!/usr/bin/env python3
"""How busy this machine is over a window, as a run of a benchmark sees it.

    python3 bench/scripts/host-busy.py SECONDS [PID]

Prints the machine's CPU by kind over the window (/proc/stat: user, system, softirq, idle, steal, ...),
the longest gaps a thread that only sleeps 1 ms at a time saw (how long a runnable thread waits for
a core), and with PID the CPU time of each of that process's threads that used more than 100 ms
(/proc/PID/task/*/stat; numbered pools are listed one by one). Linux only; reads only /proc.
"""
import os
import sys
import time


def cpu_times():
    with open("/proc/stat") as f:
        return [int(v) for v in f.readline().split()[1:9]]


def thread_ticks(pid):
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                s = f.read()
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                name = f.read().strip()
        except OSError:
            continue
        fields = s[s.rindex(")") + 2:].split()
        out[tid] = (name, int(fields[11]) + int(fields[12]))
    return out


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    seconds = float(sys.argv[1])
    pid = sys.argv[2] if len(sys.argv) > 2 else None
    hz = os.sysconf("SC_CLK_TCK")
    before, threads = cpu_times(), (thread_ticks(pid) if pid else {})
    gaps, last, end = [], time.monotonic(), time.monotonic() + seconds
    while last < end:
        time.sleep(0.001)
        now = time.monotonic()
        gaps.append(now - last)
        last = now
    after = cpu_times()
    d = [b - a for a, b in zip(before, after)]
    total = sum(d) or 1
    kinds = ["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"]
    print("cpu over %.0f s: " % seconds + "  ".join(f"{k} {100 * v / total:.0f}%" for k, v in zip(kinds, d)))
    gaps.sort(reverse=True)
    print("a 1 ms sleeper's longest gaps (ms): " + " ".join(str(round(g * 1000)) for g in gaps[:8])
          + f"; over 20 ms: {sum(1 for g in gaps if g > 0.02)}")
    if pid:
        now_threads = thread_ticks(pid)
        used = [(t - threads.get(tid, (name, 0))[1], name) for tid, (name, t) in now_threads.items()]
        for ticks, name in sorted(used, reverse=True):
            if ticks * 1000 / hz > 100:
                print(f"  {name}: {ticks * 1000 // hz} ms")


if __name__ == "__main__":
    main()

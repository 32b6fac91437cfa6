#!/usr/bin/env python3
"""Who used the machine's CPU, 100 ms at a time: for a stall in a latency run, what ran then.

    python3 bench/scripts/cpu-timeline.py record FILE SECONDS      # in the background, during a run
    python3 bench/scripts/cpu-timeline.py show FILE FROM TO [CSV]  # FROM/TO: seconds

record samples /proc/stat (the machine: idle, iowait, steal) and /proc/PID/stat of every process
every 100 ms for SECONDS into FILE. show prints, for each sample between FROM and TO, the machine's
idle, iowait and steal ticks (10 ms each, 2 cores: 20 a sample) and the processes that used the most
CPU in it. FROM and TO count from the first job of lat.jobs.csv when CSV is given (LAT_CSV=1
PART=latency bench/postgres-bench.sh writes it; bench/scripts/lat-bursts.py gives the bursts'
seconds on the same clock), else from the first sample. Linux only; reads only /proc.
"""
import csv
import os
import sys
import time


def record(path, seconds):
    end = time.time() + seconds
    with open(path, "w") as out:
        while time.time() < end:
            t = time.time()
            procs = []
            for pid in os.listdir("/proc"):
                if not pid.isdigit():
                    continue
                try:
                    with open(f"/proc/{pid}/stat") as f:
                        s = f.read()
                except OSError:
                    continue
                r = s.rfind(")")
                name = s[s.find("(") + 1:r].replace(" ", "_")
                fields = s[r + 2:].split()
                ticks = int(fields[11]) + int(fields[12])
                if ticks > 0:
                    procs.append(f"{pid}:{name}:{ticks}")
            with open("/proc/stat") as f:
                machine = f.readline().split()[1:9]
            out.write(f"{t:.3f} {' '.join(machine)} | {' '.join(procs)}\n")
            time.sleep(0.1)


def show(path, lo, hi, jobs_csv):
    t0 = None
    if jobs_csv:
        t0 = min(int(row[2]) for row in csv.reader(open(jobs_csv))) / 1000
    prev = None
    for line in open(path):
        head, tail = line.split(" | ")
        head = head.split()
        t = float(head[0])
        machine = [int(v) for v in head[1:]]
        procs = {}
        for item in tail.split():
            pid, name, ticks = item.rsplit(":", 2)
            procs[pid] = (name, int(ticks))
        if t0 is None:
            t0 = t
        if prev and lo <= t - t0 <= hi:
            d = [a - b for a, b in zip(machine, prev[1])]
            used = sorted(((ticks - prev[2].get(pid, (name, ticks))[1], f"{name[:14]}/{pid}")
                           for pid, (name, ticks) in procs.items()), reverse=True)[:6]
            # /proc/stat: user nice system idle iowait irq softirq steal
            print(f"{t - t0:7.2f} s  idle {d[3]:2d} iowait {d[4]:2d} steal {d[7]:2d}  "
                  + " ".join(f"{n}={c}" for c, n in used if c > 0))
        prev = (t, machine, procs)


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "record":
        record(sys.argv[2], float(sys.argv[3]))
    elif len(sys.argv) >= 5 and sys.argv[1] == "show":
        show(sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), sys.argv[5] if len(sys.argv) > 5 else None)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()

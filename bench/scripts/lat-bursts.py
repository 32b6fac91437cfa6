#!/usr/bin/env python3
"""When the slow jobs of a latency run started, by node: bursts show what held them.

    LAT_CSV=1 PART=latency bench/postgres-bench.sh
    python3 bench/scripts/lat-bursts.py results/STAMP/lat.jobs.csv [SLOW_MS [AFTER_S]]

Reads lat.jobs.csv (id, owner, created_at, started_at, finished_at; epoch ms) and prints, for the
jobs created AFTER_S seconds (default 20: the warm-up) after the first one whose submit -> start took
more than SLOW_MS (default 150), how many started in each 50 ms, by node, with the second of the run.
Slow jobs of both nodes starting in the same 50 ms point to something they share (the database, the
machine), not to one node.
"""
import collections
import csv
import sys


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    slow_ms = int(sys.argv[2]) if len(sys.argv) > 2 else 150
    after_ms = int(float(sys.argv[3]) * 1000) if len(sys.argv) > 3 else 20_000
    rows = [(owner, int(created), int(started)) for _, owner, created, started, _ in csv.reader(open(sys.argv[1]))]
    t0 = min(created for _, created, _ in rows)
    late = [(owner, started - t0) for owner, created, started in rows
            if created - t0 >= after_ms and started - created > slow_ms]
    total = sum(1 for _, created, _ in rows if created - t0 >= after_ms)
    print(f"{len(late)} of {total} jobs created after {after_ms / 1000:.0f} s took over {slow_ms} ms from submit to start")
    bursts = collections.Counter((at // 50 * 50, owner) for owner, at in late)
    for (at, owner), n in sorted(bursts.items()):
        print(f"  started at {at / 1000:6.2f} s  {owner:12s} {n:5d} jobs")


if __name__ == "__main__":
    main()

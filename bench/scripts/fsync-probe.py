#!/usr/bin/env python3
"""How long this machine's disk takes to make 8 KiB durable, sampled while a benchmark runs.

    python3 bench/scripts/fsync-probe.py record DIR SECONDS OUT   # writes "epoch_ms fsync_ms" lines to OUT
    python3 bench/scripts/fsync-probe.py show OUT [ZERO_MS [FROM_S]]  # p50/p99/max, and the slow ones

record rewrites one 8 KiB block of a file in DIR and fdatasync()s it every 20 ms for SECONDS (as
PostgreSQL's commit flushes its WAL page), then deletes the file. show summarizes OUT: p50, p99 and
max in ms of the fsyncs from FROM_S seconds after ZERO_MS on (default: all), then every fsync of OUT
over 50 ms with its second counted from ZERO_MS (epoch ms; the latency part of
bench/postgres-bench.sh passes its first job's created_at and its warm-up, so the seconds match its
per-second p99s).

Why: a job is acknowledged only after its commit is flushed, so submit -> start cannot be faster than
the disk's flush. On a shared VM that flush stalls now and then, under this very load: the probe says
when, beside the jobs' own figures (docs/benchmarks.md). It adds 50 fsyncs a second to PostgreSQL's
~1,300 at 5,000 jobs/s; LAT_PROBE=1 turns it on, off by default. Linux only.
"""
import os
import sys
import time


def record(directory, seconds, out):
    path = os.path.join(directory, f"fsync-probe-{os.getpid()}.tmp")
    block = b"\0" * 8192
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    end = time.time() + seconds
    try:
        with open(out, "w") as sink:
            while time.time() < end:
                start = time.time()
                os.pwrite(fd, block, 0)
                os.fdatasync(fd)
                sink.write(f"{int(start * 1000)} {(time.time() - start) * 1000:.3f}\n")
                time.sleep(0.02)
    finally:
        os.close(fd)
        os.unlink(path)


def show(out, zero_ms, from_s):
    samples = []
    with open(out) as f:
        for line in f:
            at, ms = line.split()
            samples.append((int(at), float(ms)))
    if not samples:
        print("no samples")
        return
    zero = zero_ms if zero_ms is not None else samples[0][0]
    ordered = sorted(ms for at, ms in samples if at - zero >= from_s * 1000)
    n = len(ordered)
    if not n:
        print(f"no samples {from_s} s after the start")
        return
    slow = " ".join(f"{(at - zero) / 1000:.1f}:{ms:.0f}" for at, ms in samples if ms > 50)
    print(f"{n} fsyncs from {from_s:g} s: p50 {ordered[n // 2]:.2f} ms p99 {ordered[min(n - 1, n * 99 // 100)]:.1f} ms"
          f" max {ordered[-1]:.1f} ms; every one over 50 ms (second:ms): {slow or 'none'}")


def main():
    if len(sys.argv) >= 5 and sys.argv[1] == "record":
        record(sys.argv[2], float(sys.argv[3]), sys.argv[4])
    elif len(sys.argv) >= 3 and sys.argv[1] == "show":
        show(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else None, float(sys.argv[4]) if len(sys.argv) > 4 else 0)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()

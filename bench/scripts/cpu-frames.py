#!/usr/bin/env python3
"""CPU microseconds per request, by thread and by where on the event loop, from async-profiler's
collapsed stacks (`asprof -e cpu -i 1ms -t -o collapsed`, as bench/scripts/profile-cpu.sh records).

    python3 bench/scripts/cpu-frames.py STACKS REQUESTS_PER_SECOND SECONDS [INTERVAL_MS]

Each sample stands for INTERVAL_MS (default 1) of one thread's CPU. Threads are folded by name
(numbered pools as one). The event loop's samples are put in one bucket each, the first that fits:
the kernel writing the answers (the send/writev system calls, which on loopback also deliver them
to the client's socket), the kernel reading requests, waiting in epoll, else the deepest Squall frame
on the stack (the Squall code that was running, with the library code it called), else
"Netty/Vert.x" (no Squall frame: HTTP decoding, encoding, the pipeline).
"""
import collections
import re
import sys


def bucket(frames):
    joined = ";".join(frames)
    if "writevAddresses" in joined or "sendAddress" in joined or "writeAddress" in joined:
        return "kernel: writing answers (send/writev)"
    if "readAddress" in joined or "doReadBytes" in joined:
        return "kernel: reading requests"
    if "epollWait" in joined or "epoll_wait" in joined:
        return "epoll wait"
    squall = [f for f in frames if f.startswith("dev/squall/")]
    if squall:
        f = squall[-1]
        f = re.sub(r"\$\$Lambda[^.]*", "", f)
        return f.replace("dev/squall/", "").replace("/", ".")
    return "Netty/Vert.x (no Squall frame)"


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    path, rate, seconds = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    interval_us = 1000.0 * (float(sys.argv[4]) if len(sys.argv) > 4 else 1.0)
    per_request = interval_us / (rate * seconds)
    threads, loop = collections.Counter(), collections.Counter()
    for line in open(path):
        stack, _, n = line.rstrip("\n").rpartition(" ")
        frames = [re.sub(r"\(.*", "", f) for f in stack.split(";")]
        name = re.sub(r"\s*tid=\d+\]$", "]", frames[0])
        name = re.sub(r"\d+(?=\]$)", "N", name).strip("[]")
        threads[name] += int(n)
        if "eventloop" in name:
            loop[bucket(frames[1:])] += int(n)
    total = sum(threads.values())
    print(f"  CPU per request: {total * per_request:.2f} us, by thread:")
    for name, n in threads.most_common(8):
        print(f"    {n * per_request:6.2f} us  {name}")
    mine = sum(loop.values())
    print(f"  the event loop's {mine * per_request:.2f} us, by where:")
    for where, n in loop.most_common(14):
        print(f"    {n * per_request:6.2f} us  {where}")


if __name__ == "__main__":
    main()

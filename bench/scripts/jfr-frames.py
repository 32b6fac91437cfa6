#!/usr/bin/env python3
"""Where a JFR recording's Java samples were, by thread and by the first Squall frame on the stack.

    KEEP=/tmp/intake.jfr bench/scripts/profile-intake.sh    # record one
    python3 bench/scripts/jfr-frames.py /tmp/intake.jfr [THREAD]

Prints each thread's share of the samples (numbered pools folded: vert.x-eventloop-thread-N), then,
for the threads whose name contains THREAD (default: eventloop), the share of their samples under
each first dev.squall frame from the top of the stack ("netty/vert.x" when there is none). Needs the
JDK's `jfr` tool (JAVA_HOME, else on PATH).
"""
import collections
import json
import os
import re
import shutil
import subprocess
import sys


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    rec, want = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else "eventloop")
    jfr = os.path.join(os.environ["JAVA_HOME"], "bin", "jfr") if os.environ.get("JAVA_HOME") else shutil.which("jfr")
    if not jfr or not os.path.exists(jfr):
        sys.exit("jfr-frames: the JDK's jfr tool was not found (set JAVA_HOME)")
    out = subprocess.run([jfr, "print", "--json", "--events", "jdk.ExecutionSample", "--stack-depth", "30", rec],
                         check=True, capture_output=True, text=True).stdout
    events = json.loads(out)["recording"]["events"]
    threads, frames = collections.Counter(), collections.Counter()
    for e in events:
        t = e["values"]["sampledThread"]
        name = re.sub(r"\d+$", "N", t.get("javaName") or t.get("osName") or "?")
        threads[name] += 1
        if want in name:
            stack = e["values"]["stackTrace"]["frames"]
            first = next((f["method"]["type"]["name"].split("/")[-1] + "." + f["method"]["name"]
                          for f in stack if "/squall/" in f["method"]["type"]["name"]), "netty/vert.x")
            frames[first] += 1
    total = sum(threads.values())
    print(f"{total} Java samples")
    for name, n in threads.most_common(10):
        print(f"  {100 * n / total:5.1f}%  {name}")
    mine = sum(frames.values())
    print(f"{mine} samples on threads named *{want}*, by their first Squall frame:")
    for frame, n in frames.most_common(15):
        print(f"  {100 * n / max(mine, 1):5.1f}%  {frame}")


if __name__ == "__main__":
    main()

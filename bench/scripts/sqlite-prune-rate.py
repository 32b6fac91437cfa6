#!/usr/bin/env python3
"""How fast housekeeping can delete finished jobs from a Squall SQLite file.

    python3 bench/scripts/sqlite-prune-rate.py FILE [SLICES]

FILE is a store with many finished jobs, e.g. the one `PART=intake bench/durability-bench.sh`
leaves in $OUT/intake.db (stop its server first). The file is copied (FILE and its -wal) to a
temporary folder and left as it was. On the copy, SLICES (default 200) runs of the store's own
prune statement, 1,000 rows each, one transaction and fsync each, as the writer does them.
Prints rows deleted, milliseconds per slice and rows per second.
"""
import os
import shutil
import sqlite3
import sys
import tempfile
import time

src = sys.argv[1]
slices = int(sys.argv[2]) if len(sys.argv) > 2 else 200
tmp = tempfile.mkdtemp(prefix="squall-prune-")
copy = os.path.join(tmp, "copy.db")
try:
    shutil.copyfile(src, copy)
    if os.path.exists(src + "-wal"):
        shutil.copyfile(src + "-wal", copy + "-wal")
    c = sqlite3.connect(copy, isolation_level=None)
    c.execute("PRAGMA journal_mode=WAL")
    c.execute("PRAGMA synchronous=FULL")
    # The statement GroupCommitWriter.prune runs: finished jobs older than the cutoff (here: all).
    prune = ("DELETE FROM jobs WHERE rowid IN (SELECT rowid FROM jobs WHERE finished_at > 0 AND finished_at < ? "
             "AND state IN ('succeeded', 'dead', 'cancelled') LIMIT ?)")
    deleted = 0
    start = time.time()
    for _ in range(slices):
        c.execute("BEGIN")
        n = c.execute(prune, (2 ** 62, 1000)).rowcount
        c.execute("COMMIT")
        deleted += n
        if n < 1000:
            break
    took = time.time() - start
    print("deleted %d jobs in %.2f s: %.1f ms per slice of 1,000, %.0f jobs/s"
          % (deleted, took, took / max(1, -(-deleted // 1000)) * 1000, deleted / took if took else 0))
finally:
    shutil.rmtree(tmp, ignore_errors=True)

#!/usr/bin/env python3
"""What SQLite itself costs per job, without Java, JDBC or HTTP: the floor under the SQLite intake.

    python3 bench/scripts/sqlite-floor.py [FILE]      # default: a fresh /tmp/squall-floor.db

Squall's schema (version 1), WAL; for each batch of 32 jobs (about what 64 callers give one
commit): insert them as claimed (the hand-off) and record the previous batch as succeeded, one
transaction, synchronous=FULL (fsync per commit). Prepared statements through Python's sqlite3
(C); the Python loop itself adds a little. Prints CPU and wall microseconds per job.
"""
import os
import sqlite3
import sys
import time

path = sys.argv[1] if len(sys.argv) > 1 else "/tmp/squall-floor.db"
for suffix in ("", "-wal", "-shm"):
    if os.path.exists(path + suffix):
        os.remove(path + suffix)
c = sqlite3.connect(path, isolation_level=None)
c.executescript("""
CREATE TABLE jobs (id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, payload TEXT NOT NULL, state TEXT NOT NULL,
  attempt INTEGER NOT NULL, max_attempts INTEGER NOT NULL, created_at INTEGER NOT NULL, run_at INTEGER NOT NULL,
  started_at INTEGER NOT NULL DEFAULT 0, finished_at INTEGER NOT NULL DEFAULT 0, result TEXT, last_error TEXT);
CREATE INDEX jobs_due ON jobs(run_at) WHERE state IN ('queued', 'failed');
CREATE INDEX jobs_finished ON jobs(finished_at) WHERE finished_at > 0;
PRAGMA journal_mode=WAL;
""")
INSERT = ("INSERT INTO jobs (id, kind, payload, state, attempt, max_attempts, created_at, run_at, started_at) "
          "VALUES (?, ?, ?, 'running', 1, 3, ?, ?, ?) ON CONFLICT(id) DO NOTHING")
SUCCEED = ("UPDATE jobs SET state = 'succeeded', finished_at = ?, result = ?, last_error = NULL "
           "WHERE id = ? AND state = 'running' AND attempt = 1")
BATCH, JOBS, T = 32, 200_000, 1_700_000_000_000
for sync, succeed in (("FULL", False), ("FULL", True), ("OFF", True)):
    c.execute("PRAGMA synchronous=" + sync)
    base = int(time.time() * 1000) * 1000
    cpu, wall = time.process_time(), time.time()
    for b in range(0, JOBS, BATCH):
        c.execute("BEGIN")
        c.executemany(INSERT, [(str(base + i), "sleep", '{"job_id": %d}' % (base + i), T + i, T + i, T + i)
                               for i in range(b, b + BATCH)])
        if succeed and b >= BATCH:
            c.executemany(SUCCEED, [(T + i, '{"slept_ms":0}', str(base + i)) for i in range(b - BATCH, b)])
        c.execute("COMMIT")
    what = "insert + success" if succeed else "insert only"
    print("%-16s synchronous=%-4s  cpu %.1f us/job  wall %.1f us/job" % (
        what, sync, (time.process_time() - cpu) / JOBS * 1e6, (time.time() - wall) / JOBS * 1e6))

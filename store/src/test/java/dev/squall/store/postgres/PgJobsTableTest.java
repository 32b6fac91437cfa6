package dev.squall.store.postgres;

import dev.squall.core.Job;
import dev.squall.core.JobStore;
import dev.squall.store.testing.TestPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The PostgreSQL store's claim reads the jobs it takes, not the jobs that wait for later, in every
 * queue or in the queues a node serves; counted by PostgreSQL itself (the transaction's rows read
 * from {@code squall_ready}, {@code pg_stat_xact_user_tables}), which does not depend on the machine's speed.
 */
class PgJobsTableTest {
    private static final long NOW = 1_764_504_020_000L;
    private static final long HOUR = 3_600_000L;
    private static final int LATER = 50_000;

    private TestPostgres.Database db;
    private Connection c;

    @BeforeEach
    void open() throws SQLException {
        db = TestPostgres.database();
        c = TestPostgres.connect(db.url());
        PgSchema.migrate(c);
        c.setAutoCommit(false);
    }

    @AfterEach
    void close() throws SQLException {
        c.close();
        db.close();
    }

    /** Jobs {@code prefix0..}: {@code count} of them in {@code queue}, priority {@code i % priorities}, due at {@code runAt + i}. */
    private void jobs(String prefix, int count, String queue, int priorities, long runAt) throws SQLException {
        try (PreparedStatement job = c.prepareStatement("INSERT INTO squall_job (id, queue, priority, kind, payload, state, attempt, "
                + "max_attempts, created_at, run_at) SELECT ? || g, ?, g % ?, 'sleep', '{}', 'queued', 0, 3, ?, ? + g "
                + "FROM generate_series(0, ? - 1) g");
             PreparedStatement ready = c.prepareStatement("INSERT INTO squall_ready (id, queue, priority, run_at) "
                     + "SELECT id, queue, priority, run_at FROM squall_job WHERE id LIKE ? || '%' AND state = 'queued'")) {
            job.setString(1, prefix);
            job.setString(2, queue);
            job.setInt(3, priorities);
            job.setLong(4, NOW - HOUR);
            job.setLong(5, runAt);
            job.setInt(6, count);
            job.executeUpdate();
            ready.setString(1, prefix);
            ready.executeUpdate();
        }
        c.commit();
        try (Statement s = c.createStatement()) {
            s.execute("ANALYZE squall_ready");
        }
        c.commit();
    }

    /** Rows of squall_ready this transaction read so far, by sequential and by index scans. */
    private long readyRowsRead() throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) "
                     + "FROM pg_stat_xact_user_tables WHERE relname = 'squall_ready'")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    private JobStore.Claim claim(int max, long now, String... queues) throws SQLException {
        return PgJobsTable.claim(c, max, now, "node-1", 30_000, queues.length == 0 ? null : queues);
    }

    @Test
    void aClaimTakesTheDueJobsByPriorityWithoutReadingTheJobsDueLater() throws SQLException {
        jobs("later-", LATER, "default", 2, NOW + HOUR);
        jobs("due-", 4, "default", 4, NOW - 10_000);   // due-0 (p0), due-1 (p1), due-2 (p2), due-3 (p3)
        jobs("mail-due-", 2, "mail", 1, NOW - 50_000); // p0, older than due-0

        long before = readyRowsRead();
        JobStore.Claim all = claim(64, NOW);
        long read = readyRowsRead() - before;
        c.commit();
        assertThat(all.jobs()).extracting(Job::id).containsExactly("mail-due-0", "mail-due-1", "due-0", "due-1", "due-2", "due-3");
        assertThat(all.nextDueMillis()).as("the earliest job due later").isEqualTo(NOW + HOUR);
        assertThat(read).as("rows of squall_ready read by the claim").isLessThan(200);
        assertThat(all.jobs()).allSatisfy(j -> assertThat(j.attempt()).isEqualTo(1));
    }

    @Test
    void aClaimForSomeQueuesTakesOnlyTheirsWithoutReadingTheJobsDueLater() throws SQLException {
        jobs("later-", LATER, "mail", 2, NOW + HOUR);
        jobs("mail-due-", 3, "mail", 3, NOW - 10_000);
        jobs("other-due-", 3, "other", 1, NOW - 50_000);

        long before = readyRowsRead();
        JobStore.Claim mail = claim(64, NOW, "mail");
        long read = readyRowsRead() - before;
        c.commit();
        assertThat(mail.jobs()).extracting(Job::id).containsExactly("mail-due-0", "mail-due-1", "mail-due-2");
        assertThat(mail.nextDueMillis()).isEqualTo(NOW + HOUR);
        assertThat(read).as("rows of squall_ready read by the claim").isLessThan(200);
        assertThat(claim(64, NOW, "other", "nothing-here").jobs()).extracting(Job::id)
                .containsExactly("other-due-0", "other-due-1", "other-due-2");
        assertThat(claim(64, NOW).jobs()).isEmpty();
    }

    /** What a step on a writer's connection answered, and the rows of squall_job its transaction read. */
    private record OnWriter<T>(T answer, long jobRowsRead) {
    }

    private interface WriterStep<T> {
        T run(Connection w) throws SQLException;
    }

    /** Runs {@code step} in a transaction of a fresh writer's connection, counts the job rows it read, commits. */
    private <T> OnWriter<T> onWriter(WriterStep<T> step) throws SQLException {
        try (Connection w = writerConnection()) {
            T answer = step.run(w);
            long read = jobRowsRead(w);
            w.commit();
            return new OnWriter<>(answer, read);
        }
    }

    /** A connection as the store's writer has one: its session options, sequential scans off. */
    private Connection writerConnection() throws SQLException {
        PostgresUrl u = PostgresUrl.parse(db.url(), System.getenv("PGPASSWORD"));
        java.util.Properties p = u.properties();
        p.setProperty("options", PostgresJobStore.writeSessionOptions(null));
        Connection w = java.sql.DriverManager.getConnection(u.jdbcUrl(), p);
        w.setAutoCommit(false);
        return w;
    }

    /**
     * A batch of a few rows, as the writer sends hundreds a second, must not make its PostgreSQL
     * backend take more heap and give it back each time. A batch given as a multi-argument
     * {@code unnest(a, b, ...)} in {@code FROM} had PostgreSQL materialize each array in a
     * tuplestore of its own; with the new jobs' notification in the same statement, that took the
     * backend's heap past glibc's trim threshold, so each statement grew the heap and shrank it
     * again at its end (two {@code brk} calls per batch of new jobs under strace, 828 in 400 rounds
     * of this test; 9 after). On a virtual machine every shrink flushes the other cores' TLBs by
     * interrupt: 12-29% of the writers' backends' CPU in {@code perf} during PART=e2e of
     * bench/postgres-bench.sh (docs/benchmarks.md). Seen here as the backend's data segment
     * ({@code VmData} in /proc/PID/status; the server runs on this machine) shrinking while the
     * batches run, watched by a thread of its own.
     */
    @Test
    void smallBatchesOfNewJobsResultsAndRenewalsDoNotMakeTheBackendGiveBackItsHeapEachTime() throws Exception {
        try (Connection w = writerConnection()) {
            long pid;
            try (Statement s = w.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                pid = rs.getLong(1);
            }
            w.commit();
            java.nio.file.Path status = java.nio.file.Path.of("/proc/" + pid + "/status");
            assertThat(status).as("the test's PostgreSQL runs on this machine (embedded, or SQUALL_TEST_PG_URL on 127.0.0.1)")
                    .exists();
            int warmUp = 20, rounds = 200;
            java.util.concurrent.atomic.AtomicBoolean watching = new java.util.concurrent.atomic.AtomicBoolean(true);
            java.util.concurrent.atomic.AtomicLong shrinks = new java.util.concurrent.atomic.AtomicLong();
            java.util.concurrent.atomic.AtomicLong looks = new java.util.concurrent.atomic.AtomicLong();
            Thread watcher = Thread.ofPlatform().name("vmdata-watcher").unstarted(() -> {
                long last = -1;
                while (watching.get()) {
                    long now = dataSegmentKb(status);
                    looks.incrementAndGet();
                    if (last >= 0 && now < last) {
                        shrinks.incrementAndGet();
                    }
                    last = now;
                }
            });
            for (int round = 0; round < warmUp + rounds; round++) {
                if (round == warmUp) {
                    watcher.start();
                }
                List<PgJobsTable.NewRow> rows = new ArrayList<>();
                Map<String, Integer> held = new java.util.TreeMap<>();
                List<JobStore.Finish> finishes = new ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    String id = "b" + round + "-" + i;
                    rows.add(new PgJobsTable.NewRow(dev.squall.core.JobRecord.queued(id, "echo", "{\"n\":" + i + "}", 3, NOW, NOW),
                            "default", 0, "node-1", NOW));
                    held.put(id, 1);
                    finishes.add(new JobStore.Finish(id, 1, dev.squall.core.JobState.SUCCEEDED, 0, NOW + 1, "{}", null, NOW));
                }
                // as the writer stores a batch of new jobs: claimed by this node, the notification in the statement
                assertThat(PgJobsTable.insert(w, rows, 30_000, "node-1", NOW)).hasSize(16);
                w.commit();
                assertThat(PgJobsTable.renew(w, "node-1", held, 30_000)).hasSize(16);
                w.commit();
                assertThat(PgJobsTable.finish(w, finishes, "node-1").applied()).isEqualTo(16);
                w.commit();
            }
            watching.set(false);
            watcher.join();
            assertThat(looks.get()).as("looks at the backend's data segment").isPositive();
            assertThat(shrinks.get()).as("times the backend's data segment shrank in %d looks over %d rounds of a batch of 16 "
                    + "new jobs, their renewal and their results", looks.get(), rounds)
                    .isLessThan(10);
        }
    }

    /** A process's data segment in kB ({@code VmData} in /proc/PID/status); -1 once it is gone. */
    private static long dataSegmentKb(java.nio.file.Path status) {
        try {
            for (String line : java.nio.file.Files.readAllLines(status)) {
                if (line.startsWith("VmData:")) {
                    return Long.parseLong(line.substring(7).trim().split("\\s+")[0]);
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    @Test
    void theWritersClaimRemovesTheRowsItTookWithoutScanningTheReadyTableWhenItsStatisticsAreStale() throws SQLException {
        jobs("due-", 4, "default", 1, NOW - 10_000); // analysed at 4 rows: the planner takes the table for tiny
        try (PreparedStatement ready = c.prepareStatement("INSERT INTO squall_ready (id, queue, priority, run_at) "
                + "SELECT 'later-' || g, 'default', 0, ? + g FROM generate_series(0, 2999) g")) {
            ready.setLong(1, NOW + HOUR);
            ready.executeUpdate(); // not analysed: 3,000 rows it does not know of, as under load between two ANALYZEs
        }
        c.commit();

        JobStore.Claim claim;
        long read;
        try (Connection w = writerConnection()) {
            Connection mine = c;
            c = w; // readyRowsRead() counts in the claim's own transaction
            try {
                long before = readyRowsRead();
                claim = claim(64, NOW);
                read = readyRowsRead() - before;
                w.commit();
            } finally {
                c = mine;
            }
        }
        assertThat(claim.jobs()).extracting(Job::id).containsExactly("due-0", "due-1", "due-2", "due-3");
        assertThat(read).as("rows of squall_ready read by the claim").isLessThan(200);
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM squall_ready WHERE id LIKE 'due-%'")) {
            rs.next();
            assertThat(rs.getInt(1)).as("the claimed rows left the ready table").isZero();
        }
    }

    @Test
    void theWriterRecordsALargeBatchOfResultsWithoutReadingTheWholeJobTable() throws SQLException {
        // 40,000 jobs, 4,000 of them running on this node, and statistics taken when the table held
        // 2,000: a collector's early batch against a table that grew fast since its last ANALYZE.
        // Left to itself the planner hashed the batch and read the whole table (a sequential scan per
        // batch, 243 ms for 4,100 results under load); with sequential scans off, it read the whole
        // table through its primary key instead (1,006 ms for 3,966 results at ~120,000 jobs, in
        // auto_explain's log of PART=e2e E2E_WARMUP=20s bench/postgres-bench.sh), and each slower
        // batch left more jobs running for the next one to read.
        jobsGrownSinceAnalyze();
        List<JobStore.Finish> finishes = new ArrayList<>();
        for (int i = 1; i <= 4000; i++) {
            finishes.add(new JobStore.Finish("run-" + i, 1, dev.squall.core.JobState.SUCCEEDED, 0, NOW, "{}", null, NOW - 5));
        }
        long read = onWriter(w -> PgJobsTable.finish(w, finishes, "node-1")).jobRowsRead();
        assertThat(read).as("rows of squall_job read by sequential and index scans to record 4,000 results of 40,000 "
                + "jobs: one index lookup each, joined to the fenced update, never the whole table")
                .isBetween(4000L, 4100L);
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM squall_job WHERE id LIKE 'run-%' AND state = 'succeeded'")) {
            rs.next();
            assertThat(rs.getInt(1)).as("every result recorded").isEqualTo(4000);
        }
    }

    @Test
    void theLeasesAreRenewedWithoutReadingTheWholeJobTable() throws SQLException {
        jobsGrownSinceAnalyze();
        Map<String, Integer> held = new java.util.TreeMap<>();
        for (int i = 1; i <= 4000; i++) {
            held.put("run-" + i, 1);
        }
        held.put("done-7", 1); // finished: not this node's any more
        // a session without the writers' settings, as the lease keeper's (in a transaction here, so
        // that this transaction's counts can be read before it commits)
        Map<String, Integer> renewed = PgJobsTable.renew(c, "node-1", held, 60_000);
        long read = jobRowsRead();
        c.commit();
        assertThat(renewed).hasSize(4000).doesNotContainKey("done-7");
        assertThat(read).as("rows of squall_job read by sequential and index scans to renew 4,000 leases of 40,000 jobs: "
                + "one index lookup each")
                .isBetween(4000L, 4100L);
    }

    /**
     * The statistics of a job table that was emptied (a prune, or a DELETE) and analysed before
     * VACUUM could give its pages back say "no rows" for pages that exist, and PostgreSQL then
     * takes the table for empty (1 row) however much it grows until the next ANALYZE. A join of
     * a batch to the job table was then planned with the job table outside, read whole through
     * its primary key, and the batch read again for each of its rows: 50 s to renew 4,000 leases
     * of 40,000 jobs in psql (the statement timeout is 15 s); 1,013 ms for 938 leases and 1,424 ms
     * for a batch of results in auto_explain's log of two-node runs of bench/postgres-bench.sh.
     * Each write below reaches its 100 rows by key whatever these statistics say.
     */
    @Test
    void resultsAreRecordedByKeyWhenTheStatisticsTakeTheJobTableForEmpty() throws SQLException {
        jobsAfterTheTableWasEmptied();
        List<JobStore.Finish> finishes = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            finishes.add(new JobStore.Finish("run-" + i, 1, dev.squall.core.JobState.SUCCEEDED, 0, NOW, "{}", null, NOW - 5));
        }
        OnWriter<PgJobsTable.Finished> done = onWriter(w -> PgJobsTable.finish(w, finishes, "node-1"));
        assertThat(done.answer().applied()).isEqualTo(100);
        assertThat(done.jobRowsRead()).as("rows of squall_job read to record 100 results of 40,000 jobs").isBetween(100L, 110L);
    }

    @Test
    void leasesAreRenewedByKeyWhenTheStatisticsTakeTheJobTableForEmpty() throws SQLException {
        jobsAfterTheTableWasEmptied();
        Map<String, Integer> held = new java.util.TreeMap<>();
        for (int i = 1; i <= 100; i++) {
            held.put("run-" + i, 1);
        }
        long before = jobRowsRead(); // this session's counts not yet reported include its setup's
        Map<String, Integer> renewed = PgJobsTable.renew(c, "node-1", held, 60_000);
        long read = jobRowsRead() - before;
        c.commit();
        assertThat(renewed).hasSize(100);
        assertThat(read).as("rows of squall_job read to renew 100 leases of 40,000 jobs").isBetween(100L, 110L);
    }

    @Test
    void runsAreGivenBackByKeyWhenTheStatisticsTakeTheJobTableForEmpty() throws SQLException {
        jobsAfterTheTableWasEmptied();
        List<Job> runs = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            runs.add(new Job("run-" + i, "echo", "{}", 1, 3, 0, "default", 0));
        }
        OnWriter<Integer> released = onWriter(w -> PgJobsTable.release(w, runs, "node-1"));
        assertThat(released.answer()).isEqualTo(100);
        assertThat(released.jobRowsRead()).as("rows of squall_job read to give back 100 runs of 40,000 jobs").isBetween(100L, 110L);
    }

    @Test
    void aClaimTakesItsJobsByKeyWhenTheStatisticsTakeTheJobTableForEmpty() throws SQLException {
        jobsAfterTheTableWasEmptied();
        jobs("due-", 100, "default", 1, NOW - 10_000);
        OnWriter<JobStore.Claim> claim = onWriter(w -> PgJobsTable.claim(w, 100, NOW, "node-1", 30_000, null));
        assertThat(claim.answer().jobs()).hasSize(100);
        assertThat(claim.jobRowsRead()).as("rows of squall_job read to claim 100 of 40,100 jobs").isBetween(100L, 110L);
    }

    @Test
    void aWaitingJobIsCancelledByKeyWhenTheStatisticsTakeTheJobTableForEmpty() throws SQLException {
        jobsAfterTheTableWasEmptied();
        jobs("due-", 1, "default", 1, NOW - 10_000);
        OnWriter<dev.squall.core.JobRecord> cancelled = onWriter(w -> PgJobsTable.cancel(w, "due-0", NOW));
        assertThat(cancelled.answer()).isNotNull();
        assertThat(cancelled.jobRowsRead()).as("rows of squall_job read to cancel one of 40,001 jobs").isBetween(1L, 5L);
    }

    @Test
    void theLeaseKeepersLookForExpiredLeasesReadsOnlyThemWhenTheStatisticsTakeTheJobTableForEmpty() throws SQLException {
        jobsAfterTheTableWasEmptied();
        try (Statement s = c.createStatement()) {
            s.execute("UPDATE squall_job SET lease_until = now() - interval '1 second' WHERE id IN ('run-1', 'run-2', 'run-3')");
        }
        c.commit();
        long before = jobRowsRead(); // this session's counts not yet reported include its setup's
        int rescued = PgJobsTable.rescue(c, NOW, null, PgLeases.RESCUE_SLICE); // a pooled session, as the lease keeper's
        long read = jobRowsRead() - before;
        c.commit();
        assertThat(rescued).as("the three expired leases").isEqualTo(3);
        assertThat(read).as("rows of squall_job read to queue again 3 expired of 4,000 leases among 40,000 jobs").isBetween(3L, 10L);
    }

    @Test
    void aSliceOfFinishedJobsIsPrunedByKeyWhenTheStatisticsTakeTheJobTableForEmpty() throws SQLException {
        jobsAfterTheTableWasEmptied();
        OnWriter<Integer> pruned = onWriter(w -> PgJobsTable.prune(w, NOW, 500));
        assertThat(pruned.answer()).isEqualTo(500);
        assertThat(pruned.jobRowsRead()).as("rows of squall_job read to prune 500 of 36,000 finished jobs: found by their "
                + "finish time, then deleted by key").isBetween(500L, 1100L);
    }

    @Test
    void theCountOfUnfinishedJobsReadsOnlyTheRunningOnesWhenTheStatisticsTakeTheJobTableForEmpty() throws SQLException {
        jobsAfterTheTableWasEmptied();
        long before = jobRowsRead(); // this session's counts not yet reported include its setup's
        JobStore.Census census = PgJobsTable.censusOfUnfinished(c); // every second, on every node
        long read = jobRowsRead() - before;
        c.commit();
        assertThat(census.rows()).extracting(JobStore.Census.Row::count).containsExactly(4000L);
        assertThat(read).as("rows of squall_job read to count 4,000 running of 40,000 jobs").isBetween(4000L, 4100L);
    }

    /**
     * The fence is tested on the row as it is when the write gets its lock: a result that waited
     * for this node's own lease renewal to commit is recorded (a write that found its row by place,
     * {@code ctid}, would have lost it: the renewal moved the row), and one that waited for another
     * node's takeover is refused.
     */
    @Test
    void aResultThatWaitedForARenewalIsRecordedAndOneThatWaitedForATakeoverIsRefused() throws Exception {
        jobsAfterTheTableWasEmptied();
        try (Connection other = TestPostgres.connect(db.url()); Connection w = writerConnection()) {
            other.setAutoCommit(false);
            try (Statement s = other.createStatement()) {
                s.executeUpdate("UPDATE squall_job SET lease_until = now() + interval '5 minutes' WHERE id = 'run-1'");
                s.executeUpdate("UPDATE squall_job SET attempt = 2, owner = 'node-2' WHERE id = 'run-2'");
            }
            var finishing = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    PgJobsTable.Finished f = PgJobsTable.finish(w, List.of(
                            new JobStore.Finish("run-1", 1, dev.squall.core.JobState.SUCCEEDED, 0, NOW, "{}", null, NOW - 5),
                            new JobStore.Finish("run-2", 1, dev.squall.core.JobState.SUCCEEDED, 0, NOW, "{}", null, NOW - 5),
                            new JobStore.Finish("run-3", 1, dev.squall.core.JobState.SUCCEEDED, 0, NOW, "{}", null, NOW - 5)),
                            "node-1");
                    w.commit();
                    return f;
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() -> {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()")) {
                    rs.next();
                    return rs.getInt(1) > 0;
                }
            });
            assertThat(finishing).as("the results wait for the other transaction's row locks").isNotDone();
            other.commit();
            PgJobsTable.Finished done = finishing.get(20, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(done.appliedIds()).containsExactlyInAnyOrder("run-1", "run-3");
        }
    }

    /**
     * A listing of the waiting jobs reads them, not the history: the ready table in id order, each
     * row looked up by key, a page at a time; with fresh statistics and with those of an emptied
     * table alike. It read every job kept before (a sequential scan of 500,000 finished jobs to
     * find 10 queued ones; bench/scripts/pg-listing.sh times the listing over HTTP).
     */
    @Test
    void aListingOfWaitingJobsReadsThemAndNotTheHistory() throws SQLException {
        withFreshThenEmptiedStatistics(statistics -> {
            jobs("wait-", 70, "default", 1, NOW + HOUR);
            long before = jobRowsRead();
            JobStore.Page first = PgJobsTable.list(c, new JobStore.JobQuery(dev.squall.core.JobState.QUEUED, null, 50, null));
            long read = jobRowsRead() - before;
            assertThat(first.jobs()).hasSize(50).allMatch(j -> j.state() == dev.squall.core.JobState.QUEUED);
            assertThat(first.jobs().stream().map(dev.squall.core.JobRecord::id).toList()).isSorted();
            assertThat(read).as("rows of squall_job read for a page of 50 of 70 queued jobs among 40,070 (statistics of an %s table)",
                    statistics).isBetween(50L, 60L);
            JobStore.Page rest = PgJobsTable.list(c, new JobStore.JobQuery(dev.squall.core.JobState.QUEUED, null, 50,
                    first.jobs().get(49).id()));
            assertThat(rest.jobs()).hasSize(20);
            assertThat(rest.jobs().get(0).id()).isGreaterThan(first.jobs().get(49).id());
            assertThat(PgJobsTable.list(c, new JobStore.JobQuery(dev.squall.core.JobState.FAILED, null, 50, null)).jobs())
                    .as("no failed job waits").isEmpty();
        });
    }

    @Test
    void aListingOfRunningJobsReadsThemAndNotTheHistory() throws SQLException {
        withFreshThenEmptiedStatistics(statistics -> {
            // 36,000 finished jobs (done-N) come first in id order, then 4,000 running ones (run-N)
            long before = jobRowsRead();
            JobStore.Page first = PgJobsTable.list(c, new JobStore.JobQuery(dev.squall.core.JobState.RUNNING, null, 50, null));
            long read = jobRowsRead() - before;
            assertThat(first.jobs()).hasSize(50).allMatch(j -> j.state() == dev.squall.core.JobState.RUNNING);
            List<String> ids = first.jobs().stream().map(dev.squall.core.JobRecord::id).toList();
            assertThat(ids).isSorted().startsWith("run-1", "run-10", "run-100", "run-1000");
            assertThat(read).as("rows of squall_job read for a page of 50 of 4,000 running jobs among 40,000 (statistics of an %s table)",
                    statistics).isBetween(50L, 8_100L);
            JobStore.Page next = PgJobsTable.list(c, new JobStore.JobQuery(dev.squall.core.JobState.RUNNING, null, 50, ids.get(49)));
            assertThat(next.jobs()).hasSize(50);
            assertThat(next.jobs().get(0).id()).isGreaterThan(ids.get(49));
            JobStore.Page mine = PgJobsTable.list(c, new JobStore.JobQuery(dev.squall.core.JobState.RUNNING, null, 10, null,
                    Long.MAX_VALUE, "other"));
            assertThat(mine.jobs()).as("a filter of the query still applies").isEmpty();
        });
    }

    @Test
    void aListingOfDeadOrCancelledJobsReadsThemAndNotTheHistory() throws SQLException {
        withFreshThenEmptiedStatistics(statistics -> {
            // after 36,000 finished and 4,000 running jobs in id order: 30 dead, 5 cancelled
            try (Statement s = c.createStatement()) {
                s.execute("INSERT INTO squall_job (id, kind, payload, state, attempt, max_attempts, created_at, run_at, started_at, "
                        + "finished_at, last_error) SELECT 'x-dead-' || lpad(g::text, 2, '0'), 'echo', '{}', 'dead', 3, 3, 0, 0, 1, 2, "
                        + "'boom' FROM generate_series(1, 30) g");
                s.execute("INSERT INTO squall_job (id, kind, payload, state, attempt, max_attempts, created_at, run_at, finished_at) "
                        + "SELECT 'x-off-' || g, 'echo', '{}', 'cancelled', 0, 3, 0, 0, 2 FROM generate_series(1, 5) g");
            }
            c.commit();
            long before = jobRowsRead();
            JobStore.Page first = PgJobsTable.list(c, new JobStore.JobQuery(dev.squall.core.JobState.DEAD, null, 20, null));
            long read = jobRowsRead() - before;
            assertThat(first.jobs()).hasSize(20).allMatch(j -> j.state() == dev.squall.core.JobState.DEAD);
            assertThat(first.jobs().stream().map(dev.squall.core.JobRecord::id).toList()).isSorted().startsWith("x-dead-01");
            assertThat(read).as("rows of squall_job read for a page of 20 of 30 dead jobs among 40,035 (statistics of an %s table)",
                    statistics).isBetween(20L, 40L);
            JobStore.Page rest = PgJobsTable.list(c, new JobStore.JobQuery(dev.squall.core.JobState.DEAD, null, 20,
                    first.jobs().get(19).id()));
            assertThat(rest.jobs()).hasSize(10).allMatch(j -> j.id().compareTo("x-dead-20") > 0);
            assertThat(PgJobsTable.list(c, new JobStore.JobQuery(dev.squall.core.JobState.CANCELLED, null, 20, null)).jobs())
                    .extracting(dev.squall.core.JobRecord::id).containsExactly("x-off-1", "x-off-2", "x-off-3", "x-off-4", "x-off-5");
        });
    }

    /**
     * A filter that no index serves (a kind, over every state) reads the history in id order: a page
     * reads at most so many rows ({@link PgJobsTable#LISTING_SCAN}; 10,000 here), ends there shorter than asked, and its
     * {@code next} goes on after the last row read, so that following {@code next} finds every match once.
     */
    @Test
    void aFilteredListingOfTheHistoryReadsABoundedNumberOfRowsAPageAndGoesOnWhereItStopped() throws SQLException {
        withFreshThenEmptiedStatistics(statistics -> {
            try (Statement s = c.createStatement()) {
                s.execute("UPDATE squall_job SET kind = 'rare', payload = '{\"big\":true}' WHERE id IN ('done-5', 'done-20000', 'run-7')");
            }
            c.commit();
            List<String> found = new ArrayList<>();
            List<Long> readPerPage = new ArrayList<>();
            String after = null;
            for (int pages = 0; pages < 20; pages++) {
                long before = jobRowsRead();
                JobStore.Page page = PgJobsTable.list(c, new JobStore.JobQuery(null, "rare", 50, after), 10_000);
                readPerPage.add(jobRowsRead() - before);
                page.jobs().forEach(j -> {
                    assertThat(j.kind()).isEqualTo("rare");
                    assertThat(j.payloadJson()).as("a match comes with its body").isEqualTo("{\"big\":true}");
                    found.add(j.id());
                });
                after = page.next();
                if (after == null) {
                    break;
                }
            }
            assertThat(after).as("the last page says so").isNull();
            assertThat(found).as("every match once, in id order (statistics of an %s table)", statistics)
                    .containsExactly("done-20000", "done-5", "run-7");
            assertThat(readPerPage).as("rows of squall_job read by each page, then where they ended (40,000 in one page before)")
                    .allMatch(n -> n <= 2 * 10_000 + 10).hasSizeGreaterThanOrEqualTo(4);

            long before = jobRowsRead();
            JobStore.Page common = PgJobsTable.list(c, new JobStore.JobQuery(dev.squall.core.JobState.SUCCEEDED, "echo", 20, null), 10_000);
            assertThat(common.jobs()).hasSize(20).allMatch(j -> j.state() == dev.squall.core.JobState.SUCCEEDED);
            assertThat(common.next()).isEqualTo(common.jobs().get(19).id());
            assertThat(jobRowsRead() - before).as("a filter that matches at once stops at once").isLessThan(300);
        });
    }

    @Test
    void aListingOfWaitingJobsKeepsEveryFilterOfTheQuery() throws SQLException {
        jobs("a-", 5, "q1", 1, NOW);
        jobs("b-", 5, "q2", 1, NOW);
        try (Statement s = c.createStatement()) {
            s.execute("UPDATE squall_job SET kind = 'mail', payload = '{\"to\":\"x\"}' WHERE id IN ('b-1', 'b-3')");
            s.execute("INSERT INTO squall_job (id, queue, kind, payload, state, attempt, max_attempts, created_at, run_at, last_error) "
                    + "VALUES ('c-0', 'q2', 'mail', '{}', 'failed', 1, 3, 0, 0, 'boom')");
            s.execute("INSERT INTO squall_ready (id, queue, priority, run_at, failed) VALUES ('c-0', 'q2', 0, 0, true)");
            s.execute("INSERT INTO squall_job (id, queue, kind, payload, state, attempt, max_attempts, created_at, run_at, "
                    + "finished_at, result) VALUES ('b-9', 'q2', 'mail', '{\"to\":\"x\"}', 'succeeded', 1, 3, 0, 0, 1, '{}')");
        }
        c.commit();
        dev.squall.core.JobState queued = dev.squall.core.JobState.QUEUED;
        assertThat(ids(new JobStore.JobQuery(queued, null, 50, null))).hasSize(10).isSorted();
        assertThat(ids(new JobStore.JobQuery(queued, null, 50, null, Long.MAX_VALUE, "q2"))).containsExactly("b-0", "b-1", "b-2", "b-3", "b-4");
        assertThat(ids(new JobStore.JobQuery(queued, "mail", 50, null, Long.MAX_VALUE, "q2", null, null))).containsExactly("b-1", "b-3");
        assertThat(ids(new JobStore.JobQuery(queued, null, 50, null, Long.MAX_VALUE, null, "b-", "\"to\""))).containsExactly("b-1", "b-3");
        assertThat(ids(new JobStore.JobQuery(queued, null, 50, "b-1", Long.MAX_VALUE, "q2", null, null))).containsExactly("b-2", "b-3", "b-4");
        assertThat(ids(new JobStore.JobQuery(dev.squall.core.JobState.FAILED, null, 50, null))).containsExactly("c-0");
        assertThat(ids(new JobStore.JobQuery(dev.squall.core.JobState.SUCCEEDED, "mail", 50, null))).as("not waiting: the job table")
                .containsExactly("b-9");
    }

    private List<String> ids(JobStore.JobQuery q) throws SQLException {
        return PgJobsTable.list(c, q).jobs().stream().map(dev.squall.core.JobRecord::id).toList();
    }

    /**
     * {@link #jobsGrownSinceAnalyze}'s 40,000 jobs, in a table whose statistics were taken after
     * all its earlier rows were deleted: no rows on pages that are still there.
     */
    private void jobsAfterTheTableWasEmptied() throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("INSERT INTO squall_job (id, kind, payload, state, attempt, max_attempts, created_at, run_at, started_at, "
                    + "finished_at, result, owner) SELECT 'gone-' || g, 'echo', '{}', 'succeeded', 1, 3, 0, 0, 1, 2, '{}', 'node-0' "
                    + "FROM generate_series(1, 2000) g");
            c.commit();
            s.execute("DELETE FROM squall_job");
            c.commit();
            s.execute("ANALYZE squall_job");
            c.commit();
            try (ResultSet rs = s.executeQuery("SELECT reltuples, relpages FROM pg_class WHERE relname = 'squall_job'")) {
                rs.next();
                assertThat(rs.getDouble(1)).as("rows by the statistics").isZero();
                assertThat(rs.getInt(2)).as("pages by the statistics").isPositive();
            }
        }
        c.commit();
        insertJobs(36_000);
    }

    /**
     * 40,000 jobs, 4,000 of them running on node-1 under a lease, and statistics taken when the table
     * held 2,000 finished ones: a table that grew fast since its last ANALYZE.
     */
    private void jobsGrownSinceAnalyze() throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("INSERT INTO squall_job (id, kind, payload, state, attempt, max_attempts, created_at, run_at, started_at, "
                    + "finished_at, result, owner) SELECT 'done-' || g, 'echo', '{}', 'succeeded', 1, 3, 0, 0, 1, 2, '{}', 'node-0' "
                    + "FROM generate_series(1, 2000) g");
            s.execute("ANALYZE squall_job");
        }
        c.commit();
        insertJobs(34_000);
    }

    /** {@code done} more finished jobs after those there ({@code done-N}), then 4,000 running on node-1 ({@code run-N}). */
    private void insertJobs(int done) throws SQLException {
        try (Statement s = c.createStatement()) {
            try (PreparedStatement p = c.prepareStatement("INSERT INTO squall_job (id, kind, payload, state, attempt, max_attempts, "
                    + "created_at, run_at, started_at, finished_at, result, owner) SELECT 'done-' || g, 'echo', '{}', 'succeeded', "
                    + "1, 3, 0, 0, 1, 2, '{}', 'node-0' FROM generate_series(36001 - ?, 36000) g")) {
                p.setInt(1, done);
                p.executeUpdate();
            }
            s.execute("INSERT INTO squall_job (id, kind, payload, state, attempt, max_attempts, created_at, run_at, started_at, "
                    + "owner, lease_until) SELECT 'run-' || g, 'echo', '{}', 'running', 1, 3, 0, 0, 1, 'node-1', now() + interval '1 minute' "
                    + "FROM generate_series(1, 4000) g");
        }
        c.commit();
    }

    /** A check run once per state of the job table's statistics ("analysed", "emptied"). */
    private interface StatisticsCheck {
        void run(String statistics) throws SQLException;
    }

    /**
     * Runs {@code check} over {@link #jobsGrownSinceAnalyze}'s jobs with fresh statistics, then over
     * {@link #jobsAfterTheTableWasEmptied}'s (the ready table emptied too).
     */
    private void withFreshThenEmptiedStatistics(StatisticsCheck check) throws SQLException {
        jobsGrownSinceAnalyze();
        try (Statement s = c.createStatement()) {
            s.execute("ANALYZE squall_job");
        }
        c.commit();
        check.run("analysed");
        try (Statement s = c.createStatement()) {
            s.execute("DELETE FROM squall_ready");
            s.execute("DELETE FROM squall_job");
        }
        c.commit();
        jobsAfterTheTableWasEmptied();
        check.run("emptied");
    }

    /** Rows of squall_job this transaction read so far, by sequential and by index scans. */
    private long jobRowsRead() throws SQLException {
        return jobRowsRead(c);
    }

    /** Rows of squall_job the transaction of {@code on} read so far, by sequential and by index scans. */
    private static long jobRowsRead(Connection on) throws SQLException {
        try (Statement s = on.createStatement();
             ResultSet rs = s.executeQuery("SELECT coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) "
                     + "FROM pg_stat_xact_user_tables WHERE relname = 'squall_job'")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    @Test
    void theHistoryTablesThatAutovacuumLeavesAloneAreNamed() throws SQLException {
        assertThat(PgSchema.notAutovacuumedByTheirOwnSetting(c)).isEmpty();
        try (Statement s = c.createStatement()) {
            s.execute("ALTER TABLE squall_attempt SET (autovacuum_enabled = off)");
        }
        assertThat(PgSchema.notAutovacuumedByTheirOwnSetting(c)).containsExactly("squall_attempt");
        boolean serverVacuums;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW autovacuum")) {
            rs.next();
            serverVacuums = rs.getString(1).equals("on");
        }
        // the server's setting comes first: off there (as on some CI images), both tables are left alone
        assertThat(PgSchema.notAutovacuumed(c)).containsExactlyElementsOf(
                serverVacuums ? List.of("squall_attempt") : List.of("squall_job", "squall_attempt"));
        try (Statement s = c.createStatement()) {
            s.execute("ALTER TABLE squall_attempt SET (autovacuum_enabled = on)");
        }
        assertThat(PgSchema.notAutovacuumedByTheirOwnSetting(c)).isEmpty();
        c.commit();
    }

    @Test
    void theJobsNotFinishedYetAreCountedWithoutReadingTheFinishedOnes() throws SQLException {
        // 26 jobs waiting in two queues, 8 of them claimed; of those 3 fail (they wait out a backoff),
        // 2 succeed and 3 still run; and 5,000 jobs of history.
        jobs("w", 20, "default", 1, NOW - 1000);
        jobs("m", 6, "mail", 1, NOW - 1000);
        List<Job> running = claim(8, NOW).jobs();
        c.commit();
        assertThat(running).hasSize(8);
        List<JobStore.Finish> finishes = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Job j = running.get(i);
            finishes.add(i < 3
                    ? new JobStore.Finish(j.id(), j.attempt(), dev.squall.core.JobState.FAILED, NOW + HOUR + i, NOW, null, "boom", NOW - 5)
                    : new JobStore.Finish(j.id(), j.attempt(), dev.squall.core.JobState.SUCCEEDED, 0, NOW, "{}", null, NOW - 5));
        }
        assertThat(PgJobsTable.finish(c, finishes, "node-1").applied()).isEqualTo(5);
        try (Statement s = c.createStatement()) {
            s.execute("INSERT INTO squall_job (id, kind, payload, state, attempt, max_attempts, created_at, run_at, started_at, "
                    + "finished_at, result, owner) SELECT 'done-' || g, 'echo', '{}', 'succeeded', 1, 3, 0, 0, 1, 2, '{}', 'node-0' "
                    + "FROM generate_series(1, 5000) g");
        }
        c.commit();
        try (Statement s = c.createStatement()) {
            s.execute("ANALYZE squall_job");
        }
        c.commit();

        long before = jobRowsRead();
        JobStore.Census unfinished = PgJobsTable.censusOfUnfinished(c);
        long read = jobRowsRead() - before;
        c.commit();
        assertThat(read).as("rows of squall_job read: the running ones, not the history").isLessThanOrEqualTo(3);

        JobStore.Census all = PgJobsTable.census(c);
        c.commit();
        assertThat(unfinished.rows()).as("the same rows as the whole census, for the states not finished")
                .containsExactlyInAnyOrderElementsOf(all.rows().stream().filter(r -> !r.state().terminal()).toList());
        assertThat(unfinished.count(dev.squall.core.JobState.QUEUED)).isEqualTo(18);
        assertThat(unfinished.count(dev.squall.core.JobState.FAILED)).isEqualTo(3);
        assertThat(unfinished.count(dev.squall.core.JobState.RUNNING)).isEqualTo(3);
        assertThat(all.count(dev.squall.core.JobState.SUCCEEDED)).isEqualTo(5002);
    }

    /** The dead rows of squall_ready as PostgreSQL's statistics count them (a new transaction each time: they are reported at its end). */
    private long deadReadyRows(Connection on) throws SQLException {
        try (Statement s = on.createStatement();
             ResultSet rs = s.executeQuery("SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 'squall_ready'")) {
            long n = rs.next() ? rs.getLong(1) : 0;
            on.commit();
            return n;
        }
    }

    /** Leaves {@code n} dead rows in squall_ready, as claims do (inserted, then deleted), and waits until PostgreSQL counts them. */
    private void leaveDeadReadyRows(String prefix, long n) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("INSERT INTO squall_ready (id, queue, priority, run_at) SELECT '" + prefix + "' || g, 'default', 0, g "
                    + "FROM generate_series(1, " + n + ") g");
        }
        c.commit();
        try (Statement s = c.createStatement()) {
            s.execute("DELETE FROM squall_ready WHERE id LIKE '" + prefix + "%'");
        }
        c.commit();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(15)).until(() -> deadReadyRows(c) >= n);
    }

    @Test
    void theReadyTableIsVacuumedOnceClaimsLeftManyDeadRowsInIt() throws SQLException {
        leaveDeadReadyRows("r-", 500); // not worth a VACUUM
        c.setAutoCommit(true);
        assertThat(PgJobsTable.vacuumReadyIfDead(c)).as("500 dead rows").isFalse();

        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("INSERT INTO squall_ready (id, queue, priority, run_at) VALUES ('live', 'default', 0, 0)");
        }
        c.commit();
        leaveDeadReadyRows("d-", PgJobsTable.READY_DEAD_LIMIT);
        c.setAutoCommit(true);
        assertThat(PgJobsTable.vacuumReadyIfDead(c)).isTrue();
        assertThat(c.getAutoCommit()).as("the connection as it was").isTrue();
        c.setAutoCommit(false);
        assertThat(deadReadyRows(c)).as("dead rows after the VACUUM").isLessThan(PgJobsTable.READY_DEAD_LIMIT);
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id FROM squall_ready")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).as("the waiting job is still there").isEqualTo("live");
        }
        c.commit();

        // With 60,000 jobs waiting, the same dead rows are not yet a fifth of the live ones: a VACUUM
        // reads the indexes whole, so it waits for more (its cost per claimed job stays the same).
        try (Statement s = c.createStatement()) {
            s.execute("INSERT INTO squall_ready (id, queue, priority, run_at) SELECT 'w-' || g, 'default', 0, g "
                    + "FROM generate_series(1, 60000) g");
        }
        c.commit();
        leaveDeadReadyRows("e-", PgJobsTable.READY_DEAD_LIMIT);
        c.setAutoCommit(true);
        assertThat(PgJobsTable.vacuumReadyIfDead(c)).as("10,000 dead rows beside 60,000 live ones").isFalse();
        c.setAutoCommit(false);
    }

    @Test
    void theStatisticsAreNotRefreshedWhileAVacuumHoldsTheJobTableButOnTheNextTick() throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute("INSERT INTO squall_job (id, kind, payload, state, attempt, max_attempts, created_at, run_at) "
                    + "SELECT 'j-' || g, 'echo', '{}', 'queued', 0, 3, 0, 0 FROM generate_series(1, 3000) g");
        }
        c.commit();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(15)).until(() -> modsSinceAnalyze("squall_job") >= 3000);
        try (Connection holder = TestPostgres.connect(db.url())) {
            holder.setAutoCommit(false);
            try (Statement s = holder.createStatement()) {
                s.execute("LOCK TABLE squall_job IN SHARE UPDATE EXCLUSIVE MODE"); // as a VACUUM of it holds
            }
            java.util.concurrent.CompletableFuture<List<String>> tick = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return PgJobsTable.analyzeIfStale(c);
                } catch (SQLException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            try {
                assertThat(tick).as("the lease keeper's tick does not wait behind the VACUUM")
                        .succeedsWithin(java.time.Duration.ofSeconds(5)).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST)
                        .doesNotContain("squall_job");
            } finally {
                holder.rollback();
            }
        }
        assertThat(PgJobsTable.analyzeIfStale(c)).as("the next tick, the VACUUM done").contains("squall_job");
    }

    /** n_mod_since_analyze of a table, as the statistics collector last reported it. */
    private long modsSinceAnalyze(String table) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT coalesce(n_mod_since_analyze, 0) FROM pg_stat_user_tables WHERE relname = '" + table + "'")) {
            long n = rs.next() ? rs.getLong(1) : 0;
            c.commit(); // a new snapshot of the statistics next time
            return n;
        }
    }

    @Test
    void aVacuumThatTimesOutIsSkippedButALostConnectionIsTheDatabasesTrouble() throws Exception {
        leaveDeadReadyRows("d-", PgJobsTable.READY_DEAD_LIMIT);
        try (Connection holder = TestPostgres.connect(db.url()); Connection victim = TestPostgres.connect(db.url())) {
            holder.setAutoCommit(false);
            try (Statement s = holder.createStatement()) {
                s.execute("LOCK TABLE squall_ready IN SHARE UPDATE EXCLUSIVE MODE"); // what VACUUM needs: it waits
            }
            c.setAutoCommit(true);
            try (Statement s = c.createStatement()) {
                s.execute("SET statement_timeout = '300ms'");
            }
            assertThat(PgLeases.vacuumReady(c)).as("timed out: skipped, not thrown").isFalse();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
                assertThat(rs.next()).as("the connection still works").isTrue();
            }

            int pid;
            try (Statement s = victim.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                pid = rs.getInt(1);
            }
            java.util.concurrent.CompletableFuture<Boolean> waiting = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return PgLeases.vacuumReady(victim);
                } catch (SQLException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            try (Statement s = holder.createStatement()) {
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> {
                    try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid
                            + " AND wait_event_type = 'Lock'")) {
                        rs.next();
                        return rs.getInt(1) == 1;
                    }
                });
                s.executeQuery("SELECT pg_terminate_backend(" + pid + ")").close();
            }
            assertThat(waiting).failsWithin(java.time.Duration.ofSeconds(10)).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .havingRootCause().isInstanceOf(SQLException.class);
            holder.rollback();
        }
        c.setAutoCommit(false);
    }

    @Test
    void aFullClaimStopsAtTheSmallestPrioritiesAndSaysMoreMayBeDue() throws SQLException {
        jobs("p-", 20, "default", 2, NOW - 1_000); // p-0, p-2, ... priority 0; p-1, p-3, ... priority 1
        JobStore.Claim claim = claim(12, NOW);
        assertThat(claim.jobs()).extracting(Job::id).containsExactly("p-0", "p-2", "p-4", "p-6", "p-8", "p-10", "p-12", "p-14",
                "p-16", "p-18", "p-1", "p-3");
        assertThat(claim.nextDueMillis()).isEqualTo(NOW);
    }

    @Test
    void jobsWaitingAtManyPrioritiesAreStillClaimedInOrder() throws SQLException {
        int priorities = dev.squall.store.batch.PriorityWalk.MAX_PRIORITIES + 8; // past the seeks: the one statement takes over
        jobs("p-", priorities, "default", priorities, NOW - 1_000);
        jobs("later-", priorities, "default", priorities, NOW + HOUR);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < priorities; i++) {
            expected.add("p-" + i);
        }
        JobStore.Claim claim = claim(100, NOW);
        assertThat(claim.jobs()).extracting(Job::id).containsExactlyElementsOf(expected);
        assertThat(claim.nextDueMillis()).isEqualTo(NOW + HOUR);
        assertThat(claim(100, NOW).jobs()).isEmpty();
    }
}

package dev.squall.store.postgres;

import dev.squall.core.Job;
import dev.squall.core.JobRecord;
import dev.squall.core.JobState;
import dev.squall.core.JobStore;
import dev.squall.core.JobStore.Finish;
import dev.squall.core.store.JobStoreContract;
import dev.squall.store.testing.TestPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The store contract on a real PostgreSQL, and what only a store shared by several nodes must do. */
class PostgresJobStoreTest extends JobStoreContract {
    private final List<TestPostgres.Database> databases = new ArrayList<>();
    private final List<JobStore> extra = new ArrayList<>();
    private TestPostgres.Database db;

    @Override
    protected JobStore newStore(int capacity) {
        db = TestPostgres.database();
        databases.add(db);
        return open(db, capacity, "node-a", Duration.ofSeconds(30));
    }

    private PostgresJobStore open(TestPostgres.Database d, int capacity, String node, Duration lease) {
        PostgresJobStore s = PostgresJobStore.open(new PostgresJobStore.Options(PostgresUrl.parse(d.url(), null), capacity,
                node, lease, true, JobStore.DEFAULT_MAX_WAITING_CHARS));
        if (!node.equals("node-a")) {
            extra.add(s);
        }
        return s;
    }

    @AfterEach
    void dropDatabases() {
        extra.forEach(JobStore::close);
        store.close();
        databases.forEach(TestPostgres.Database::close);
    }

    @Test
    void theLogsSayJobsHeldAtAStopRunAgainOnTheOtherNodesNotAtTheNextStart() {
        assertThat(store.whenHeldJobsRunAgain(false)).contains("once their lease").contains("any node").doesNotContain("next start");
        assertThat(store.whenHeldJobsRunAgain(true)).contains("a node that serves their queue").doesNotContain("next start");
    }

    @Test
    void aBatchOfNewJobsNotifiesTheOtherNodesOnlyWhenItLeftDueJobsWaiting() throws Exception {
        PostgresJobStore a = (PostgresJobStore) store;
        try (java.sql.Connection listen = TestPostgres.connect(db.url())) {
            try (java.sql.Statement s = listen.createStatement()) {
                s.execute("LISTEN " + PgJobsTable.CHANNEL);
            }
            org.postgresql.PGConnection pg = listen.unwrap(org.postgresql.PGConnection.class);
            assertThat(a.submit(job("mine"), true).join().job().state()).as("stored claimed by this node").isEqualTo(JobState.RUNNING);
            assertThat(pg.getNotifications(500)).as("a job its node runs is nobody else's news").isNullOrEmpty();
            long later = System.currentTimeMillis() + 3_600_000;
            assertThat(a.submit(JobRecord.queued("later", "echo", "{}", 3, T0, later), false).join().accepted()).isTrue();
            assertThat(pg.getNotifications(500)).as("nor is a job due in an hour (the poll finds it)").isNullOrEmpty();
            assertThat(a.submit(job("theirs"), false).join().accepted()).isTrue();
            org.postgresql.PGNotification[] news = pg.getNotifications(5000);
            assertThat(news).as("a due job left waiting is").isNotNull().extracting(org.postgresql.PGNotification::getParameter)
                    .containsExactly("node-a");
        }
    }

    /**
     * The whole census reads every job kept: one node counts it for the cluster while the count is
     * young enough, and a node that finds another counting does not count as well.
     */
    @Test
    void theWholeCensusIsCountedByOneNodeForAllWhileItIsYoungEnough() throws Exception {
        PostgresJobStore a = (PostgresJobStore) store;
        PostgresJobStore b = open(db, 1000, "node-b", Duration.ofSeconds(30));
        submit(job("one"));
        submit(job("two"));
        JobStore.Census first = a.census(Duration.ofMinutes(1));
        assertThat(first.count(JobState.QUEUED)).isEqualTo(2);
        assertThat(first.ageMillis()).as("counted now").isZero();

        submit(job("three"));
        JobStore.Census shared = b.census(Duration.ofMinutes(1));
        assertThat(shared.count(JobState.QUEUED)).as("node-a's count, not a new one").isEqualTo(2);
        Thread.sleep(50);
        JobStore.Census older = b.census(Duration.ofMinutes(1));
        assertThat(older.ageMillis()).as("its age on the database's clock").isGreaterThanOrEqualTo(50).isLessThan(60_000);

        JobStore.Census fresh = b.census(Duration.ofMillis(10));
        assertThat(fresh.count(JobState.QUEUED)).as("too old for the caller: counted again").isEqualTo(3);
        assertThat(fresh.ageMillis()).isZero();
        assertThat(a.census(Duration.ofMinutes(1)).count(JobState.QUEUED)).as("and kept for the others").isEqualTo(3);

        submit(job("four"));
        try (Connection other = TestPostgres.connect(db.url()); Statement s = other.createStatement()) {
            s.execute("SELECT pg_advisory_lock(" + 0x5351_5541_4c4c_0004L + ")"); // another node counting now
            JobStore.Census whileCounting = a.census(Duration.ofMillis(10));
            assertThat(whileCounting.count(JobState.QUEUED)).as("the stored count, however old").isEqualTo(3);
            assertThat(whileCounting.ageMillis()).isGreaterThan(0);
            try (Statement t = other.createStatement()) {
                t.execute("DELETE FROM squall_census");
            }
            JobStore.Census nothingStored = a.census(Duration.ofMillis(10));
            assertThat(nothingStored.count(JobState.QUEUED)).as("none stored: a count of its own").isEqualTo(4);
            assertThat(PgJobsTable.storedCensus(other)).as("not stored: the lock holder stores its own").isNull();
            s.execute("SELECT pg_advisory_unlock(" + 0x5351_5541_4c4c_0004L + ")");
        }
        assertThat(b.census(Duration.ofMinutes(1)).count(JobState.QUEUED)).as("the lock is free again").isEqualTo(4);
        try (Connection c = TestPostgres.connect(db.url())) {
            assertThat(PgJobsTable.storedCensus(c).count(JobState.QUEUED)).isEqualTo(4);
        }
    }

    @Test
    void newJobsAndResultsAreCommittedByTwoWritersThatSayWhichTheyAre() {
        List<String> commits = java.util.Collections.synchronizedList(new ArrayList<>());
        store.onCommit((writer, nanos, writes) -> commits.add(writer + ":" + writes + ":" + (nanos > 0)));
        submit(job("a"));
        submit(job("b"));
        List<Job> runs = store.claim(2, T0);
        assertThat(runs).hasSize(2);
        int before = commits.size();
        assertThat(store.finish(runs.stream().map(r -> Finish.succeeded(r, "{}", T0 + 1)).toList()).join()).isEqualTo(2);
        assertThat(commits.subList(0, before)).allMatch(c -> c.startsWith(JobStore.CommitListener.JOBS + ":"))
                .contains("jobs:1:true");
        assertThat(commits.subList(before, commits.size())).containsExactly("results:1:true");
    }

    @Test
    void aJobSubmittedOnOneNodeIsSeenAndClaimedOnAnother() {
        JobStore b = open(db, 1000, "node-b", Duration.ofSeconds(30));
        submit(job("x"));
        assertThat(b.get("x")).map(JobRecord::state).contains(JobState.QUEUED);
        assertThat(b.submit(job("x")).join().kind()).isEqualTo(JobStore.Submission.Kind.DUPLICATE);
        assertThat(b.submit(JobRecord.queued("x", "echo", "{}", 3, T0, T0)).join().kind())
                .isEqualTo(JobStore.Submission.Kind.CONFLICT);
        await().atMost(Duration.ofSeconds(5)).until(() -> !b.claim(10, T0).isEmpty());
        assertThat(store.claim(10, T0)).isEmpty();
    }

    @Test
    void aLateResultFromANodeThatLostItsLeaseChangesNothing() {
        PostgresJobStore a = open(db, 1000, "node-slow", Duration.ofMillis(400));
        PostgresJobStore b = open(db, 1000, "node-b", Duration.ofSeconds(30));
        assertThat(a.submit(job("j")).join().accepted()).isTrue();
        Job runOnA = a.claim(1, T0).getFirst();
        assertThat(runOnA.attempt()).isEqualTo(1);
        a.close(); // a stops renewing (as if frozen); its lease runs out
        extra.remove(a);

        await().atMost(Duration.ofSeconds(10)).until(() -> b.rescue(T0, null) > 0 || stateOf(b, "j") == JobState.QUEUED);
        Job runOnB = await().atMost(Duration.ofSeconds(5)).until(() -> b.claim(1, T0 + 1), l -> !l.isEmpty()).getFirst();
        assertThat(runOnB.attempt()).isEqualTo(2); // the lost attempt counts

        // a's late result, through a store that still believes it holds the job
        PostgresJobStore lateA = open(db, 1000, "node-slow", Duration.ofSeconds(30));
        assertThat(lateA.finish(List.of(Finish.succeeded(runOnA, "{\"late\":true}", T0 + 2))).join()).isZero();
        assertThat(lateA.health().staleResults()).isEqualTo(1);
        assertThat(b.finish(List.of(Finish.succeeded(runOnB, "{\"ok\":true}", T0 + 3))).join()).isEqualTo(1);
        JobRecord r = b.get("j").orElseThrow();
        assertThat(r.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(r.resultJson()).isEqualTo("{\"ok\":true}");
        // The history says which node lost which attempt, and which node ran the one that counted.
        assertThat(b.attempts("j")).extracting(JobStore.Attempt::outcome, JobStore.Attempt::node, JobStore.Attempt::attempt)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("lost", "node-slow", 1),
                        org.assertj.core.groups.Tuple.tuple("succeeded", "node-b", 2));
    }

    @Test
    void theLastAttemptCutByALostLeaseGetsOneMoreAndThenIsDead() {
        PostgresJobStore a = open(db, 1000, "node-x", Duration.ofMillis(300));
        a.submit(JobRecord.queued("once", "echo", "{}", 1, T0, T0)).join();
        assertThat(a.claim(1, T0)).extracting(Job::attempt).containsExactly(1);
        a.close();
        extra.remove(a);
        PostgresJobStore b = open(db, 1000, "node-b", Duration.ofMillis(300));
        await().atMost(Duration.ofSeconds(10)).until(() -> stateOf(b, "once") == JobState.QUEUED);
        // the rescue queued it due now, on the real clock
        assertThat(b.claim(1, System.currentTimeMillis() + 1)).extracting(Job::attempt).containsExactly(2);
        b.close();
        extra.remove(b);
        PostgresJobStore c = open(db, 1000, "node-c", Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(10)).until(() -> stateOf(c, "once") == JobState.DEAD);
        assertThat(c.get("once").orElseThrow().lastError()).contains("lease");
    }

    @Test
    void aNodeRenewsItsLeasesSoItsJobsAreNotTakenOver() throws Exception {
        PostgresJobStore a = open(db, 1000, "node-live", Duration.ofMillis(600));
        Job run = claimed(a, "kept").getFirst();
        Thread.sleep(2000); // over three leases: renewed every 200 ms
        PostgresJobStore b = open(db, 1000, "node-b", Duration.ofSeconds(30));
        assertThat(b.rescue(T0, null)).isZero();
        assertThat(a.finish(List.of(Finish.succeeded(run, "{}", T0 + 1))).join()).isEqualTo(1);
        assertThat(a.health().leasesLost()).isZero();
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(a.health().nodes()).extracting(n -> n.id()).contains("node-live", "node-b"));
    }

    @Test
    void aRenewalLeavesLeasesTakenMomentsAgoAndRenewsTheOlderOnes() throws Exception {
        // 30 s leases: the keeper's own first renewal is 10 s away; this test runs its renewals itself.
        PostgresJobStore a = open(db, 1000, "node-r", Duration.ofSeconds(30));
        Job old = claimed(a, "old").getFirst();
        Thread.sleep(50);
        a.submit(job("young"), true).join(); // stored claimed by this node
        PgLeases.Lease oldLease = a.held.get("old");
        PgLeases.Lease youngLease = a.held.get("young");
        assertThat(youngLease.fromNanos()).isGreaterThan(oldLease.fromNanos());
        java.sql.Timestamp oldUntil = leaseUntil("old");
        java.sql.Timestamp youngUntil = leaseUntil("young");
        // As the keeper would see it when "old" has just turned a quarter of a renewal period (2.5 s)
        // old and "young" has not yet.
        long quarterPeriod = 10_000_000_000L / 4;
        long now = oldLease.fromNanos() + quarterPeriod + (youngLease.fromNanos() - oldLease.fromNanos()) / 2;
        try (Connection c = a.connection()) {
            assertThat(a.leaseKeeper().renew(c, now, false)).as("leases asked to renew").isEqualTo(1);
        }
        assertThat(leaseUntil("old")).as("renewed: counts from now").isAfter(oldUntil);
        assertThat(leaseUntil("young")).as("left as it was").isEqualTo(youngUntil);
        assertThat(a.held.get("old").fromNanos()).isGreaterThan(oldLease.fromNanos());
        assertThat(a.held.get("young")).isEqualTo(youngLease);
        // After an outage every lease is renewed, young or not.
        try (Connection c = a.connection()) {
            assertThat(a.leaseKeeper().renew(c, now, true)).isEqualTo(2);
        }
        assertThat(leaseUntil("young")).isAfter(youngUntil);
        assertThat(a.finish(List.of(Finish.succeeded(old, "{}", T0 + 1))).join()).isEqualTo(1);
        assertThat(a.held).as("a finished job is no longer held").containsOnlyKeys("young");
        assertThat(a.health().leasesLost()).isZero();
    }

    @Test
    void aRenewalThatFindsAJobJustFinishedByItsOwnNodeDoesNotCountTheLeaseAsLost() throws Exception {
        PostgresJobStore a = open(db, 1000, "node-f", Duration.ofSeconds(30));
        List<Job> runs = claimed(a, "done", "taken");
        assertThat(runs).extracting(Job::id).containsExactlyInAnyOrder("done", "taken");
        Job done = runs.stream().filter(j -> j.id().equals("done")).findFirst().orElseThrow();
        // The completer's batch with "done" has committed, and its commit is not told yet; meanwhile
        // another node took "taken" over.
        Object batch = new Object();
        a.recording.put(batch, List.of(Finish.succeeded(done, "{}", T0 + 1)));
        try (Connection c = TestPostgres.connect(db.url()); Statement s = c.createStatement()) {
            s.execute("UPDATE squall_job SET state = 'succeeded', lease_until = NULL, finished_at = 1 WHERE id = 'done'");
        }
        takenOverByAnotherNode("taken");
        try (Connection c = a.connection()) {
            a.leaseKeeper().renew(c, System.nanoTime(), true);
        }
        assertThat(a.health().leasesLost()).as("only the job another node took").isEqualTo(1);
        assertThat(a.held).as("the finished job waits for its commit to be told").containsOnlyKeys("done");
        a.recording.remove(batch);
    }

    /**
     * A renewal leaves a job whose result is on its way (above); when that result is refused because
     * another node took the job over meanwhile, the lease was lost, and it is counted as such then.
     */
    @Test
    void aResultRefusedForAJobThisNodeStillHeldCountsAsALostLeaseOnce() throws Exception {
        PostgresJobStore a = open(db, 1000, "node-g", Duration.ofSeconds(30));
        List<Job> runs = claimed(a, "kept", "taken");
        takenOverByAnotherNode("taken");
        List<Finish> results = runs.stream().map(j -> Finish.succeeded(j, "{}", T0 + 1)).toList();
        assertThat(a.finish(results).join()).isEqualTo(1);
        assertThat(a.health().staleResults()).isEqualTo(1);
        assertThat(a.health().leasesLost()).as("this node held it until its result was refused").isEqualTo(1);
        assertThat(a.held).isEmpty();

        // A late result for a lease already counted lost (by a renewal, or as above) is stale only.
        assertThat(a.finish(List.of(Finish.succeeded(runs.stream().filter(j -> j.id().equals("taken")).findFirst().orElseThrow(),
                "{}", T0 + 2))).join()).isZero();
        assertThat(a.health().staleResults()).isEqualTo(2);
        assertThat(a.health().leasesLost()).isEqualTo(1);
    }

    /** Job {@code id}, as after its lease expired and another node claimed it again: attempt 2, owner node-other. */
    /** Submits jobs with these ids to {@code a} and claims them all there: runs held by {@code a}. */
    private static List<Job> claimed(PostgresJobStore a, String... ids) {
        for (String id : ids) {
            a.submit(job(id)).join();
        }
        return a.claim(ids.length, T0);
    }

    private void takenOverByAnotherNode(String id) throws Exception {
        try (Connection c = TestPostgres.connect(db.url());
             java.sql.PreparedStatement ps = c.prepareStatement("UPDATE squall_job SET owner = 'node-other', attempt = 2 WHERE id = ?")) {
            ps.setString(1, id);
            ps.executeUpdate();
        }
    }

    @Test
    void aBatchOfResultsThatFailsIsNoLongerOnItsWayAndItsJobsStayHeld() throws Exception {
        PostgresJobStore a = (PostgresJobStore) store;
        Job run = claimed(a, "j").getFirst();
        try (Connection c = TestPostgres.connect(db.url()); Statement s = c.createStatement()) {
            s.execute("ALTER TABLE squall_attempt RENAME TO squall_attempt_away"); // the results' statement writes to it
        }
        assertThatThrownBy(() -> a.finish(List.of(Finish.succeeded(run, "{}", T0 + 1))).join())
                .isInstanceOf(java.util.concurrent.CompletionException.class);
        assertThat(a.recording).as("a failed batch is not on its way any more").isEmpty();
        assertThat(a.held).as("its job is still this node's").containsOnlyKeys("j");
        try (Connection c = TestPostgres.connect(db.url()); Statement s = c.createStatement()) {
            s.execute("ALTER TABLE squall_attempt_away RENAME TO squall_attempt");
        }
        assertThat(a.finish(List.of(Finish.succeeded(run, "{}", T0 + 1))).join()).isEqualTo(1);
        assertThat(a.recording).isEmpty();
        assertThat(a.held).isEmpty();
    }

    private java.sql.Timestamp leaseUntil(String id) throws Exception {
        try (Connection c = TestPostgres.connect(db.url()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT lease_until FROM squall_job WHERE id = '" + id + "'")) {
            assertThat(rs.next()).isTrue();
            return rs.getTimestamp(1);
        }
    }

    @Test
    void aClaimWhoseAnswerWasLostIsNotKeptAliveByItsNodeAndRunsAgain() throws Exception {
        PostgresJobStore a = open(db, 1000, "node-cut", Duration.ofMillis(600));
        a.submit(job("orphan")).join();
        // as if a claim by node-cut committed and its connection was cut before the answer came back
        try (Connection c = TestPostgres.connect(db.url()); Statement s = c.createStatement()) {
            s.execute("DELETE FROM squall_ready WHERE id = 'orphan'");
            s.execute("UPDATE squall_job SET state = 'running', attempt = 1, owner = 'node-cut', "
                    + "lease_until = now() + interval '600 milliseconds' WHERE id = 'orphan'");
        }
        // node-cut renews every 200 ms, but only what it knows it holds: the orphan's lease runs out
        await().atMost(Duration.ofSeconds(10)).until(() -> stateOf(a, "orphan") == JobState.QUEUED);
        assertThat(a.claim(1, System.currentTimeMillis() + 1)).extracting(Job::attempt).containsExactly(2);
    }

    @Test
    void twentyThousandResultsRecordedAtOnceWhileTheirLeasesAreRenewed() {
        // A collector's batch after an outage: one statement for all. Found in the benchmark: it took
        // over 15 s (PostgreSQL scanned every running job once per result) and it deadlocked with the
        // lease renewal (both locked the same rows, in different orders).
        PostgresJobStore a = open(db, 100_000, "node-busy", Duration.ofSeconds(2)); // renewed every 667 ms
        int n = 20_000;
        List<java.util.concurrent.CompletableFuture<JobStore.Submission>> submits = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            submits.add(a.submit(JobRecord.queued(String.format("r%05d", (i * 7919) % n), "echo", "{}", 3, T0, T0)));
        }
        submits.forEach(java.util.concurrent.CompletableFuture::join);
        analyze(); // statistics from before the claims: "no job runs", as after a quiet spell
        List<Job> runs = new ArrayList<>();
        while (runs.size() < n) {
            List<Job> got = a.claim(512, System.currentTimeMillis());
            assertThat(got).isNotEmpty();
            runs.addAll(got);
        }
        java.util.Collections.shuffle(runs, new java.util.Random(7));
        long t0 = System.nanoTime();
        int applied = a.finish(runs.stream().map(r -> Finish.succeeded(r, "{}", T0 + 1)).toList()).join();
        assertThat(applied).isEqualTo(n);
        assertThat((System.nanoTime() - t0) / 1_000_000_000L).as("seconds: well within the 15 s statement timeout").isLessThan(10);
        assertThat(a.health().leasesLost()).isZero();
    }

    @Test
    void everySessionHasItsTimeouts() throws Exception {
        PostgresJobStore s = (PostgresJobStore) store;
        try (Connection c = s.connection(); Statement st = c.createStatement()) {
            assertThat(show(st, "statement_timeout")).isEqualTo("15s");
            assertThat(show(st, "idle_in_transaction_session_timeout")).isEqualTo("1min");
        }
    }

    @Test
    void theStatisticsOfAFastGrowingTableAreRefreshedWithoutWaitingForAutovacuum() throws Exception {
        // A fresh table's statistics say "empty", and PostgreSQL then scans sequentially until the
        // first ANALYZE: a tenth of the throughput on a new database (bench/postgres-bench.sh PART=history).
        try (Connection c = TestPostgres.connect(db.url()); Statement st = c.createStatement()) {
            st.execute("INSERT INTO squall_ready (id, queue, priority, run_at) "
                    + "SELECT 'g' || g, 'default', 0, g FROM generate_series(1, 1500) g");
            st.execute("SELECT pg_stat_force_next_flush()"); // the counters reach pg_stat_user_tables now, not in 10 s
            assertThat(PgJobsTable.analyzeIfStale(c)).containsExactly("squall_ready");
            assertThat(reltuples("squall_ready")).isEqualTo(1500);
            st.execute("SELECT pg_stat_force_next_flush()");
            assertThat(PgJobsTable.analyzeIfStale(c)).isEmpty(); // fresh now
        }
    }

    private long reltuples(String table) throws java.sql.SQLException {
        try (Connection c = TestPostgres.connect(db.url()); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT reltuples FROM pg_class WHERE relname = '" + table + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String show(Statement st, String setting) throws java.sql.SQLException {
        try (ResultSet rs = st.executeQuery("SHOW " + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void aRestartedNodeQueuesItsOwnLeftoversAtOnceButNotOthers() {
        PostgresJobStore other = open(db, 1000, "node-other", Duration.ofSeconds(30));
        submit(job("mine"));
        submit(job("theirs"));
        Job mine = store.claim(1, T0).getFirst();
        Job theirs = other.claim(1, T0).getFirst();
        assertThat(List.of(mine.id(), theirs.id())).containsExactlyInAnyOrder("mine", "theirs");
        store.close();
        store = open(db, 1000, "node-a", Duration.ofSeconds(30)); // same node id, new life
        assertThat(store.recover(T0 + 1)).isEqualTo(1);
        assertThat(stateOf(store, mine.id())).isEqualTo(JobState.QUEUED);
        assertThat(stateOf(store, theirs.id())).isEqualTo(JobState.RUNNING);
    }

    @Test
    void nodesStartingAtOnceOnAnEmptyDatabaseMakeOneSchema() throws Exception {
        TestPostgres.Database empty = TestPostgres.database();
        databases.add(empty);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<PostgresJobStore>> started = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String node = "starter-" + i;
            started.add(pool.submit(() -> {
                go.await();
                return open(empty, 100, node, Duration.ofSeconds(30));
            }));
        }
        go.countDown();
        for (Future<PostgresJobStore> f : started) {
            assertThat(f.get()).isNotNull();
        }
        pool.shutdown();
        try (Connection c = TestPostgres.connect(empty.url()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT version), max(version) FROM squall_schema")) {
            rs.next();
            assertThat(rs.getInt(1)).as("each version migrated once").isEqualTo(PgSchema.VERSION);
            assertThat(rs.getInt(2)).isEqualTo(PgSchema.VERSION);
            assertThat(rs.getInt(3)).isEqualTo(PgSchema.VERSION);
        }
    }

    @Test
    void aVersionOneDatabaseGainsTheAttemptHistoryAndKeepsItsJobs() throws Exception {
        store.close();
        try (Connection c = TestPostgres.connect(db.url()); Statement s = c.createStatement()) {
            s.execute("DROP TABLE squall_attempt"); // as a version 1 database has it
            s.execute("ALTER TABLE squall_node DROP COLUMN figures");
            s.execute("DROP INDEX squall_job_given_up"); // version 6's
            s.execute("DROP TABLE squall_census"); // version 7's
            s.execute("DELETE FROM squall_schema WHERE version > 1");
            s.execute("INSERT INTO squall_job (id, kind, payload, state, attempt, max_attempts, created_at, run_at) "
                    + "VALUES ('old', 'echo', '{}', 'queued', 0, 3, 1, 1)");
            s.execute("INSERT INTO squall_ready (id, queue, priority, run_at) VALUES ('old', 'default', 0, 1)");
            // a job waiting out a failed attempt's backoff, in a ready table without version 5's column
            s.execute("ALTER TABLE squall_ready DROP COLUMN failed");
            s.execute("INSERT INTO squall_job (id, kind, payload, state, attempt, max_attempts, created_at, run_at, last_error) "
                    + "VALUES ('backoff', 'echo', '{}', 'failed', 1, 3, 1, " + (T0 + 3_600_000L) + ", 'boom')");
            s.execute("INSERT INTO squall_ready (id, queue, priority, run_at) VALUES ('backoff', 'default', 0, " + (T0 + 3_600_000L) + ")");
        }
        PostgresJobStore reopened = PostgresJobStore.open(new PostgresJobStore.Options(PostgresUrl.parse(db.url(), null), 100,
                "node-a", Duration.ofSeconds(30), true, JobStore.DEFAULT_MAX_WAITING_CHARS));
        store = reopened; // closed after the test like the first
        assertThat(store.get("old")).isPresent();
        try (Connection c = TestPostgres.connect(db.url()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_indexes WHERE indexname = 'squall_job_given_up'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).as("version 6's index of dead and cancelled jobs").isEqualTo(1);
        }
        assertThat(store.census(Duration.ofMinutes(1)).count(JobState.QUEUED)).as("version 7's shared census").isEqualTo(1);
        try (Connection c = TestPostgres.connect(db.url())) {
            assertThat(PgJobsTable.storedCensus(c)).as("stored for the other nodes").isNotNull();
        }
        // version 5: the waiting jobs are counted by state from the ready table
        JobStore.Census waiting = store.censusOfUnfinished();
        assertThat(waiting.count(JobState.QUEUED)).isEqualTo(1);
        assertThat(waiting.count(JobState.FAILED)).as("the job in its backoff, marked by the migration").isEqualTo(1);
        Job run = store.claim(1, T0).getFirst();
        store.finish(List.of(new JobStore.Finish("old", run.attempt(), JobState.FAILED, T0, T0 + 5, null, "after the migration",
                T0 + 1))).join();
        assertThat(store.attempts("old")).extracting(JobStore.Attempt::error).containsExactly("after the migration");
        store.shareFigures(() -> "{\"v\":1}"); // version 3's column is there: sharing works on it
        try (Connection c = TestPostgres.connect(db.url()); Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("SELECT count(*) FROM information_schema.columns "
                     + "WHERE table_name = 'squall_node' AND column_name = 'figures'")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(1);
        }
        // version 4: ANALYZE samples 3,000 rows of the job table (target 10) and skips its bodies (0)
        try (Connection c = TestPostgres.connect(db.url()); Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("SELECT attname, attstattarget FROM pg_attribute "
                     + "WHERE attrelid = 'squall_job'::regclass AND attnum > 0 AND NOT attisdropped")) {
            java.util.Map<String, Integer> targets = new java.util.HashMap<>();
            while (rs.next()) {
                targets.put(rs.getString(1), rs.getInt(2));
            }
            assertThat(targets).containsEntry("payload", 0).containsEntry("result", 0).containsEntry("id", 0)
                    .containsEntry("state", 10).containsEntry("finished_at", 10);
            assertThat(targets.values()).as("no column left at the default (-1)").allSatisfy(t -> assertThat(t).isBetween(0, 10));
        }
    }

    @Test
    void aDatabaseFromANewerSquallIsRefused() throws Exception {
        try (Connection c = TestPostgres.connect(db.url()); Statement s = c.createStatement()) {
            s.execute("INSERT INTO squall_schema (version) VALUES (" + (PgSchema.VERSION + 1) + ")");
        }
        assertThatThrownBy(() -> open(db, 10, "node-new", Duration.ofSeconds(30)))
                .hasMessageContaining("newer than this Squall");
    }

    @Test
    void finishedJobsLeaveTheTableThatClaimsScan() throws Exception {
        for (int i = 0; i < 20; i++) {
            submit(job("f" + i));
        }
        List<Job> runs = store.claim(20, T0);
        store.finish(runs.stream().map(r -> Finish.succeeded(r, "{}", T0 + 1)).toList()).join();
        try (Connection c = TestPostgres.connect(db.url()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT (SELECT count(*) FROM squall_ready), (SELECT count(*) FROM squall_job)")) {
            rs.next();
            assertThat(rs.getInt(1)).isZero();
            assertThat(rs.getInt(2)).isEqualTo(20);
        }
    }

    @Test
    void claimsTakeSmallerPriorityFirst() throws Exception {
        submit(job("low"));
        submit(job("high"));
        try (Connection c = TestPostgres.connect(db.url()); Statement s = c.createStatement()) {
            s.execute("UPDATE squall_ready SET priority = -5 WHERE id = 'high'");
        }
        assertThat(store.claim(2, T0)).extracting(Job::id).containsExactly("high", "low");
    }

    private void analyze() {
        try (Connection c = TestPostgres.connect(db.url()); Statement s = c.createStatement()) {
            s.execute("ANALYZE");
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JobState stateOf(JobStore s, String id) {
        return s.get(id).map(JobRecord::state).orElse(null);
    }
}

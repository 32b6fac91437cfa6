package dev.squall.store.sqlite;

import dev.squall.core.Job;
import dev.squall.core.JobRecord;
import dev.squall.core.JobStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.ProgressHandler;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SQLite store's claim reads the jobs it takes, not the jobs that wait for later: a backlog of
 * scheduled jobs must not make every claim walk it. Counted in SQLite's own steps (its progress
 * handler), which do not depend on the machine's speed.
 */
class SqliteJobsTableTest {
    private static final long NOW = 1_764_504_020_000L;
    private static final long HOUR = 3_600_000L;
    private static final int LATER = 50_000;
    /** SQLite calls the progress handler every this many virtual-machine steps. */
    private static final int STEPS_PER_CALL = 1_000;

    @TempDir
    Path dir;
    private Connection c;
    private SqliteJobsTable table;

    @BeforeEach
    void open() throws SQLException {
        c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("t.db"));
        c.setAutoCommit(false); // as the store's writer: one transaction, committed by the caller
        Schema.migrate(c);
        table = new SqliteJobsTable(c);
    }

    @AfterEach
    void close() throws SQLException {
        table.close();
    }

    private void insert(String id, long runAt, int priority) throws SQLException {
        inserts.add(new SqliteJobsTable.NewJob(JobRecord.queued(id, "sleep", "{}", 3, NOW - HOUR, runAt, "default", priority), false));
        if (inserts.size() == 500) {
            flush();
        }
    }

    private final List<SqliteJobsTable.NewJob> inserts = new ArrayList<>();

    private void flush() throws SQLException {
        table.insert(List.copyOf(inserts));
        inserts.clear();
        table.commit();
    }

    /** SQLite's virtual-machine steps (in thousands) that {@code claim} takes. */
    private long stepsOf(ThrowingClaim claim, JobStore.Claim[] out) throws SQLException {
        AtomicLong calls = new AtomicLong();
        ProgressHandler.setHandler(c, STEPS_PER_CALL, new ProgressHandler() {
            @Override
            protected int progress() {
                calls.incrementAndGet();
                return 0;
            }
        });
        try {
            out[0] = claim.run();
        } finally {
            ProgressHandler.clearHandler(c);
        }
        return calls.get();
    }

    private interface ThrowingClaim {
        JobStore.Claim run() throws SQLException;
    }

    @Test
    void aClaimTakesTheDueJobsByPriorityWithoutReadingTheJobsDueLater() throws SQLException {
        for (int i = 0; i < LATER; i++) {
            insert("later-" + i, NOW + HOUR + i, i % 2); // due in an hour, at the priorities of the due ones
        }
        insert("due-p1-old", NOW - 30_000, 1);
        insert("due-p0-new", NOW - 1_000, 0);
        insert("due-p0-old", NOW - 20_000, 0);
        insert("due-p5", NOW - 50_000, 5);
        flush();

        JobStore.Claim[] claim = new JobStore.Claim[1];
        long steps = stepsOf(() -> table.claim(64, NOW), claim);
        table.commit();

        assertThat(claim[0].jobs()).extracting(Job::id).containsExactly("due-p0-old", "due-p0-new", "due-p1-old", "due-p5");
        assertThat(claim[0].nextDueMillis()).as("the earliest job due later").isEqualTo(NOW + HOUR);
        // Walking the 50,000 waiting rows takes hundreds of thousands of steps; seeks take a few hundred.
        assertThat(steps).as("thousands of SQLite steps for the claim").isLessThan(20);

        JobStore.Claim again = table.claim(64, NOW);
        assertThat(again.jobs()).isEmpty();
        assertThat(again.nextDueMillis()).isEqualTo(NOW + HOUR);
        JobStore.Claim anHourOn = table.claim(3, NOW + HOUR + 2);
        assertThat(anHourOn.jobs()).extracting(Job::id).containsExactly("later-0", "later-2", "later-1");
        assertThat(anHourOn.nextDueMillis()).as("a full claim: more may be due").isEqualTo(NOW + HOUR + 2);
    }

    @Test
    void aFullClaimStopsAtTheSmallestPriorities() throws SQLException {
        for (int i = 0; i < 10; i++) {
            insert("p0-" + i, NOW - 100 + i, 0);
            insert("p1-" + i, NOW - 1_000, 1);
        }
        flush();
        JobStore.Claim claim = table.claim(12, NOW);
        assertThat(claim.jobs()).extracting(Job::id).containsExactly("p0-0", "p0-1", "p0-2", "p0-3", "p0-4", "p0-5", "p0-6", "p0-7",
                "p0-8", "p0-9", "p1-0", "p1-1");
        assertThat(claim.nextDueMillis()).isEqualTo(NOW);
    }

    @Test
    void jobsWaitingAtManyPrioritiesAreStillClaimedInOrder() throws SQLException {
        int priorities = dev.squall.store.batch.PriorityWalk.MAX_PRIORITIES + 8; // past the seeks: the one statement takes over
        for (int p = priorities - 1; p >= 0; p--) {
            insert("p" + p, NOW - p, p);
            insert("p" + p + "-later", NOW + HOUR + p, p);
        }
        flush();
        List<String> expected = new ArrayList<>();
        for (int p = 0; p < priorities; p++) {
            expected.add("p" + p);
        }
        JobStore.Claim claim = table.claim(100, NOW);
        assertThat(claim.jobs()).extracting(Job::id).containsExactlyElementsOf(expected);
        assertThat(claim.nextDueMillis()).isEqualTo(NOW + HOUR);
        assertThat(table.claim(100, NOW).jobs()).isEmpty();
    }
}

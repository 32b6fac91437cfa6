package dev.squall.server.live;

import dev.squall.core.BuiltInHandlers;
import dev.squall.core.EngineConfig;
import dev.squall.core.JobEngine;
import dev.squall.core.JobHandler;
import dev.squall.core.JobHandlers;
import dev.squall.core.JobRecord;
import dev.squall.core.JobRunner;
import dev.squall.core.JobState;
import dev.squall.core.JobStore;
import dev.squall.core.Workers;
import dev.squall.core.engine.Engines;
import dev.squall.core.testing.ForwardingStore;
import dev.squall.core.store.MemoryJobStore;
import dev.squall.store.sqlite.SqliteJobStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The census is counted on its own timer, whoever reads it, and less often when counting is slow;
 * between two counts the counts follow the engine's transitions.
 */
class CensusKeeperTest {

    /** A store (memory unless told), seen through a store that counts its censuses and can make each one slow or hang. */
    private static class CountingStore extends ForwardingStore {
        final AtomicInteger censuses = new AtomicInteger();
        volatile long slowMillis;
        volatile boolean failing;
        /** While set, a count waits (the keeper's thread with it) until it is cleared: no count lands. */
        volatile CountDownLatch held;

        CountingStore() {
            this(new MemoryJobStore(1000, Duration.ofHours(1)));
        }

        CountingStore(JobStore store) {
            super(store);
        }

        /** The store counted by the test itself, past the hold. */
        Census truth() {
            return super.census();
        }

        @Override
        public Census census() {
            censuses.incrementAndGet();
            if (failing) {
                throw new IllegalStateException("the store could not be counted: database away");
            }
            CountDownLatch h = held;
            if (h != null) {
                try {
                    h.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            try {
                Thread.sleep(slowMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return super.census();
        }
    }

    @Test
    void readersShareTheLatestCountAndNeverCauseOne() throws Exception {
        CountingStore store = new CountingStore();
        long now = System.currentTimeMillis();
        store.submit(JobRecord.queued("a", "echo", "{}", 1, now, now)).join();
        try (CensusKeeper census = CensusKeeper.start(store)) {
            assertThat(census.latest().census().count(JobState.QUEUED)).as("counted at start").isEqualTo(1);
            int before = store.censuses.get();
            for (int i = 0; i < 100_000; i++) { // a hundred thousand readers at once
                census.latest();
            }
            assertThat(store.censuses.get() - before).isLessThanOrEqualTo(1);
            store.submit(JobRecord.queued("b", "echo", "{}", 1, now, now)).join();
            await().atMost(Duration.ofSeconds(5)).until(() -> census.latest().census().count(JobState.QUEUED) == 2);
        }
    }

    @Test
    void aSlowCountRunsLessOften() throws Exception {
        CountingStore store = new CountingStore();
        store.slowMillis = 300; // about 20 times this between counts: ~6 s
        try (CensusKeeper census = CensusKeeper.start(store)) {
            Thread.sleep(500); // the first timed count (after ~1 s) learns how slow counting is
            await().atMost(Duration.ofSeconds(5)).until(() -> store.censuses.get() >= 2);
            int after = store.censuses.get();
            Thread.sleep(3000);
            assertThat(store.censuses.get() - after).as("counts in 3 s once counting is known to take 300 ms").isLessThanOrEqualTo(1);
            assertThat(census.latest().takenAt()).isPositive();
        }
    }

    @Test
    void whenTheStoreCannotBeCountedTheLastGoodCountStaysAndSaysHowOldItIs() throws Exception {
        CountingStore store = new CountingStore();
        long now = System.currentTimeMillis();
        store.submit(JobRecord.queued("a", "echo", "{}", 1, now, now)).join();
        try (CensusKeeper census = CensusKeeper.start(store)) {
            CensusKeeper.Snapshot good = census.latest();
            store.failing = true;
            int before = store.censuses.get();
            await().atMost(Duration.ofSeconds(5)).until(() -> store.censuses.get() >= before + 2); // two failed counts
            assertThat(census.latest()).isSameAs(good);
            assertThat(census.latest().census().count(JobState.QUEUED)).isEqualTo(1);
            store.failing = false;
            await().atMost(Duration.ofSeconds(5)).until(() -> census.latest().takenAt() > good.takenAt());
        }
    }

    /**
     * With the count of the store held (as when it is slow, or the database is busy), the counts
     * still follow every submit, claim, attempt end, cancel and retry of this node: they equal what
     * the store holds, counted by the test.
     */
    @Test
    void betweenTwoCountsTheCountsFollowTheEnginesTransitions(@TempDir Path dir) throws Exception {
        CountingStore store = new CountingStore(SqliteJobStore.open(dir.resolve("jobs.db"), 1000, false));
        assertThat(store.boundsFinished()).as("SQLite keeps its finished jobs until a prune").isFalse();
        CountDownLatch go = new CountDownLatch(1);
        try (CensusKeeper census = CensusKeeper.start(store);
             JobEngine engine = engine(store, census, go)) {
            store.held = new CountDownLatch(1); // no count lands from here on
            int before = store.censuses.get();
            long now = System.currentTimeMillis();
            for (int i = 0; i < 20; i++) {
                engine.submit(JobRecord.queued("g" + i, "gated", "{}", 1, now, now)).join();
            }
            engine.submit(JobRecord.queued("f", "fail", "{}", 1, now, now)).join();
            engine.submit(JobRecord.queued("later", "echo", "{}", 1, now, now + 3_600_000)).join();
            awaitTheSame(store, census);
            assertThat(census.latest().count(JobState.RUNNING)).as("the two workers' jobs and those claimed ahead").isPositive();

            go.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> census.latest().count(JobState.SUCCEEDED) == 20);
            await().atMost(Duration.ofSeconds(10)).until(() -> census.latest().count(JobState.DEAD) == 1);
            assertThat(engine.retry("f").join().kind()).isEqualTo(JobStore.Change.Kind.DONE);
            await().atMost(Duration.ofSeconds(10)).until(() -> census.latest().count(JobState.DEAD) == 1); // it fails again
            assertThat(engine.cancel("later").join().kind()).isEqualTo(JobStore.Change.Kind.DONE);
            awaitTheSame(store, census);
            assertThat(census.latest().count(JobState.CANCELLED)).isEqualTo(1);
            assertThat(store.censuses.get() - before).as("counts begun while held").isLessThanOrEqualTo(1);
            store.held.countDown();
        }
    }

    /**
     * On the memory store, which drops its oldest finished jobs by itself, the finished states
     * follow the count only (they must never show jobs it no longer keeps); waiting and running
     * still follow every transition.
     */
    @Test
    void onAStoreThatDropsFinishedJobsByItselfTheFinishedStatesFollowTheCountOnly() throws Exception {
        CountingStore store = new CountingStore();
        assertThat(store.boundsFinished()).isTrue();
        CountDownLatch go = new CountDownLatch(1);
        try (CensusKeeper census = CensusKeeper.start(store);
             JobEngine engine = engine(store, census, go)) {
            CountDownLatch held = new CountDownLatch(1);
            store.held = held;
            long now = System.currentTimeMillis();
            for (int i = 0; i < 10; i++) {
                engine.submit(JobRecord.queued("g" + i, "gated", "{}", 1, now, now)).join();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> census.latest().count(JobState.QUEUED) + census.latest().count(JobState.RUNNING) == 10);
            go.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> census.latest().count(JobState.QUEUED) + census.latest().count(JobState.RUNNING) == 0);
            assertThat(census.latest().count(JobState.SUCCEEDED)).as("not counted yet").isZero();
            store.held = null;
            held.countDown();
            census.nudge();
            await().atMost(Duration.ofSeconds(10)).until(() -> census.latest().count(JobState.SUCCEEDED) == 10);
        }
    }

    /** A store that counts its unfinished jobs apart, as PostgreSQL does (here: the unfinished rows of the whole count). */
    private static class SplittingStore extends CountingStore {
        final AtomicInteger unfinishedCensuses = new AtomicInteger();

        SplittingStore(JobStore store) {
            super(store);
        }

        volatile boolean unfinishedFailing;

        @Override
        public Census censusOfUnfinished() {
            unfinishedCensuses.incrementAndGet();
            if (unfinishedFailing) {
                throw new IllegalStateException("the store could not be counted: database away");
            }
            return new Census(truth().rows().stream().filter(r -> !r.state().terminal()).toList());
        }
    }

    /**
     * On a store that counts its unfinished jobs apart, those are counted every second and the
     * whole census seldom (its finished jobs may be millions); the finished counts still follow this
     * node's results at once, each part with its own mark of the transitions before it.
     */
    @Test
    void onAStoreThatCountsItsUnfinishedJobsApartTheWholeCensusRunsSeldomAndTheFinishedCountsStillFollow(@TempDir Path dir)
            throws Exception {
        SplittingStore store = new SplittingStore(SqliteJobStore.open(dir.resolve("jobs.db"), 1000, false));
        CountDownLatch go = new CountDownLatch(1);
        Duration fullEvery = Duration.ofMinutes(5); // longer than the test: only the count at start is whole
        try (CensusKeeper census = CensusKeeper.start(store, fullEvery);
             JobEngine engine = engine(store, census, go)) {
            assertThat(store.censuses.get()).as("the whole census once, at start").isEqualTo(1);
            long now = System.currentTimeMillis();
            for (int i = 0; i < 10; i++) {
                engine.submit(JobRecord.queued("g" + i, "gated", "{}", 1, now, now)).join();
            }
            go.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> census.latest().count(JobState.SUCCEEDED) == 10);
            int seen = store.unfinishedCensuses.get();
            // Two counts of the unfinished jobs after the results: the finished counts must not lose
            // the results that came between the whole census and them.
            await().atMost(Duration.ofSeconds(10)).until(() -> store.unfinishedCensuses.get() >= seen + 2);
            CensusKeeper.Snapshot latest = census.latest();
            JobStore.Census truth = store.truth();
            for (JobState s : JobState.stored()) {
                assertThat(latest.count(s)).as(s.wireName()).isEqualTo(truth.count(s));
            }
            assertThat(latest.count(JobState.SUCCEEDED)).isEqualTo(10);
            assertThat(latest.finishedTakenAt()).as("the finished states from the count at start").isLessThan(latest.takenAt());
            assertThat(store.censuses.get()).as("no whole census within %s", fullEvery).isEqualTo(1);
        }
    }

    /** A store shared by several nodes, which may answer a whole census with the one another node took ({@link #share}). */
    private static final class SharingStore extends SplittingStore {
        final AtomicInteger wholeCensuses = new AtomicInteger();
        volatile List<Census.Row> sharedRows;
        volatile long sharedAt;

        SharingStore(JobStore store) {
            super(store);
        }

        /** From now on, answers every whole census with {@code rows}, counted at {@code at} (epoch millis) by another node. */
        void share(List<Census.Row> rows, long at) {
            sharedAt = at;
            sharedRows = rows;
        }

        @Override
        public Census census(Duration shareFor) {
            wholeCensuses.incrementAndGet();
            List<Census.Row> rows = sharedRows;
            return rows == null ? census() : new Census(rows, System.currentTimeMillis() - sharedAt);
        }
    }

    /**
     * A whole census another node counted a while ago holds this node's results up to then, not
     * those since: the finished counts add this node's transitions from the mark before that count.
     */
    @Test
    void aWholeCensusAnotherNodeCountedAWhileAgoGetsThisNodesResultsSinceThen(@TempDir Path dir) throws Exception {
        SharingStore store = new SharingStore(SqliteJobStore.open(dir.resolve("jobs.db"), 1000, false));
        CountDownLatch go = new CountDownLatch(0);
        try (CensusKeeper census = CensusKeeper.start(store, Duration.ofSeconds(1)); // a whole census every count
             JobEngine engine = engine(store, census, go)) {
            long now = System.currentTimeMillis();
            for (int i = 0; i < 10; i++) {
                engine.submit(JobRecord.queued("early" + i, "gated", "{}", 1, now, now)).join();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> census.latest().count(JobState.SUCCEEDED) == 10);
            int seen = store.unfinishedCensuses.get();
            await().atMost(Duration.ofSeconds(10)).until(() -> store.unfinishedCensuses.get() > seen); // a mark after the ten
            long countedAt = System.currentTimeMillis();
            List<JobStore.Census.Row> countedThen = store.truth().rows(); // another node counts: ten succeeded
            int whole = store.wholeCensuses.get();
            await().atMost(Duration.ofSeconds(10)).until(() -> store.wholeCensuses.get() >= whole + 2); // over a second later
            for (int i = 0; i < 5; i++) {
                engine.submit(JobRecord.queued("late" + i, "gated", "{}", 1, now, now)).join();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> store.truth().count(JobState.SUCCEEDED) == 15);

            store.share(countedThen, countedAt);
            await().atMost(Duration.ofSeconds(10)).until(() -> census.latest().finishedTakenAt() < countedAt + 500);
            CensusKeeper.Snapshot latest = census.latest();
            assertThat(latest.census().count(JobState.SUCCEEDED)).as("the other node's count").isEqualTo(10);
            assertThat(latest.count(JobState.SUCCEEDED)).as("with this node's five results since").isEqualTo(15);
            assertThat(latest.takenAt()).as("the unfinished jobs counted now").isGreaterThan(countedAt + 500);
        }
    }

    /** A count from before this node started holds none of its transitions; one older than every mark kept takes the oldest. */
    @Test
    void theMarkBeforeACountIsTheLatestTakenAtOrBeforeIt() {
        CensusKeeper.Marks marks = new CensusKeeper.Marks();
        int states = JobState.values().length;
        assertThat(marks.before(0)).as("no mark yet").containsOnly(0L).hasSize(states);
        for (int i = 1; i <= 5; i++) {
            long[] moved = new long[states];
            moved[JobState.SUCCEEDED.ordinal()] = i * 10;
            marks.remember(i * 1_000L, moved);
        }
        assertThat(marks.before(3_500)[JobState.SUCCEEDED.ordinal()]).isEqualTo(30);
        assertThat(marks.before(3_000)[JobState.SUCCEEDED.ordinal()]).isEqualTo(30);
        assertThat(marks.before(99_000)[JobState.SUCCEEDED.ordinal()]).isEqualTo(50);
        assertThat(marks.before(500)).as("counted before this node started").containsOnly(0L);
        for (int i = 6; i <= 1_000; i++) {
            long[] moved = new long[states];
            moved[JobState.SUCCEEDED.ordinal()] = i * 10;
            marks.remember(i * 1_000L, moved);
        }
        assertThat(marks.before(500)[JobState.SUCCEEDED.ordinal()]).as("older than every mark kept: the oldest")
                .isEqualTo((1_000 - 128 + 1) * 10);
    }

    @Test
    void whenTheUnfinishedJobsCannotBeCountedTheLastGoodCountStaysUntilTheStoreIsBack(@TempDir Path dir) throws Exception {
        SplittingStore store = new SplittingStore(SqliteJobStore.open(dir.resolve("jobs.db"), 1000, false));
        long now = System.currentTimeMillis();
        store.submit(JobRecord.queued("a", "echo", "{}", 1, now, now)).join();
        try (CensusKeeper census = CensusKeeper.start(store, Duration.ofMinutes(5))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> store.unfinishedCensuses.get() >= 1);
            CensusKeeper.Snapshot good = census.latest();
            store.unfinishedFailing = true;
            int before = store.unfinishedCensuses.get();
            await().atMost(Duration.ofSeconds(10)).until(() -> store.unfinishedCensuses.get() >= before + 2); // two failed counts
            assertThat(census.latest()).isSameAs(good);
            assertThat(census.latest().count(JobState.QUEUED)).isEqualTo(1);
            assertThat(store.censuses.get()).as("a failed count of the unfinished jobs is not made up by a whole census").isEqualTo(1);
            store.unfinishedFailing = false;
            await().atMost(Duration.ofSeconds(10)).until(() -> census.latest().takenAt() > good.takenAt());
            assertThat(census.latest().count(JobState.QUEUED)).isEqualTo(1);
        }
    }

    private static JobEngine engine(JobStore store, CensusKeeper census, CountDownLatch go) {
        List<JobHandler> handlers = new ArrayList<>(BuiltInHandlers.all());
        handlers.add(JobHandler.of("gated", ctx -> {
            go.await(30, TimeUnit.SECONDS);
            return "{}";
        }));
        JobRunner runner = new JobRunner(JobHandlers.of(handlers), Duration.ZERO);
        EngineConfig config = EngineConfig.defaults().withCollectEvery(Duration.ofMillis(20)).withShutdownGrace(Duration.ofSeconds(5))
                .withJobTimeout(Duration.ZERO);
        return Engines.start(config, store, Workers.platformThreads(2, runner), census.events());
    }

    /** Waits until the kept counts equal what the store holds, state by state. */
    private static void awaitTheSame(CountingStore store, CensusKeeper census) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JobStore.Census truth = store.truth();
            for (JobState s : JobState.stored()) {
                assertThat(census.latest().count(s)).as(s.wireName()).isEqualTo(truth.count(s));
            }
        });
    }
}

package dev.squall.store.sqlite;

import dev.squall.core.Job;
import dev.squall.core.JobRecord;
import dev.squall.core.JobState;
import dev.squall.core.JobStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hand-off: while no due job waits in the file and the engine has room, a new job is stored
 * already claimed and handed to the engine after its commit (one write per job instead of two).
 */
class SqliteHandOffTest {
    private static final long PAST = 1_700_000_000_000L;

    @TempDir
    Path dir;
    private SqliteJobStore store;
    private final Target engine = new Target();

    /** The engine's side: counts its room, keeps what it is handed. */
    static final class Target implements JobStore.HandOff {
        /** Places in all, taken by what was handed and what is reserved. */
        final AtomicInteger room = new AtomicInteger(100);
        final AtomicInteger reserved = new AtomicInteger();
        final List<Job> handed = new CopyOnWriteArrayList<>();

        @Override
        public int reserve(int n) {
            int got = Math.max(0, Math.min(n, room.get() - reserved.get() - handed.size()));
            reserved.addAndGet(got);
            return got;
        }

        @Override
        public void accept(List<Job> claimed, int unused) {
            handed.addAll(claimed);
            reserved.addAndGet(-(claimed.size() + unused));
        }
    }

    @BeforeEach
    void open() {
        store = SqliteJobStore.open(dir.resolve("handoff.db"), 1000, true);
        store.handOff(engine);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static JobRecord due(String id) {
        return JobRecord.queued(id, "echo", "{\"n\":\"" + id + "\"}", 3, PAST, PAST);
    }

    /** Until a claim has come back short, the store cannot know that nothing due waits. */
    private void drain() {
        assertThat(store.claim(1000, System.currentTimeMillis())).isEmpty();
    }

    @Test
    void aNewJobGoesStraightToTheEngineAsItsFirstAttemptWhenNothingDueWaits() {
        drain();
        JobStore.Submission accepted = store.submit(due("a")).join();

        assertThat(accepted.kind()).isEqualTo(JobStore.Submission.Kind.CREATED);
        assertThat(accepted.job().state()).isEqualTo(JobState.RUNNING); // the caller is told what was stored
        assertThat(accepted.job().attempt()).isEqualTo(1);
        assertThat(engine.handed).extracting(Job::id, Job::attempt).containsExactly(org.assertj.core.groups.Tuple.tuple("a", 1));
        JobRecord stored = store.get("a").orElseThrow();
        assertThat(stored.state()).isEqualTo(JobState.RUNNING);
        assertThat(stored.attempt()).isEqualTo(1);
        assertThat(store.waiting()).isZero();
        assertThat(store.claim(10, System.currentTimeMillis())).isEmpty(); // never handed out twice
        assertThat(engine.reserved).hasValue(0);
    }

    @Test
    void aJobHandedOffIsFinishedLikeAClaimedOne() {
        drain();
        store.submit(due("a")).join();
        Job run = engine.handed.getFirst();
        assertThat(store.finish(List.of(JobStore.Finish.succeeded(run, "{\"ok\":true}", System.currentTimeMillis()))).join()).isEqualTo(1);
        assertThat(store.get("a").orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
    }

    @Test
    void beforeAnyClaimNewJobsWaitInTheFileBehindWhatMayBeThere() {
        store.submit(due("a")).join();

        assertThat(engine.handed).isEmpty();
        assertThat(store.get("a").orElseThrow().state()).isEqualTo(JobState.QUEUED);
        assertThat(store.waiting()).isEqualTo(1);
    }

    @Test
    void aJobWaitingInTheFileIsNotOvertakenByANewOne() {
        drain();
        engine.room.set(0); // the engine is full: "a" must wait in the file
        store.submit(due("a")).join();
        engine.room.set(100);
        store.submit(due("b")).join(); // "a" is due and waiting: "b" queues behind it

        assertThat(engine.handed).isEmpty();
        assertThat(store.claim(10, System.currentTimeMillis())).extracting(Job::id).containsExactly("a", "b");
        store.submit(due("c")).join(); // the claim came back short: nothing waits any more
        assertThat(engine.handed).extracting(Job::id).containsExactly("c");
    }

    @Test
    void aDelayedJobWaitsForItsTime() {
        drain();
        long later = System.currentTimeMillis() + 3_600_000;
        store.submit(JobRecord.queued("later", "echo", "{}", 3, PAST, later)).join();

        assertThat(engine.handed).isEmpty();
        assertThat(store.get("later").orElseThrow().state()).isEqualTo(JobState.QUEUED);
        assertThat(engine.reserved).hasValue(0);
    }

    @Test
    void aDelayedJobIsClaimedWhenItsTimeComesAndNotBefore() {
        drain();
        long now = System.currentTimeMillis();
        store.submit(JobRecord.queued("in-a-minute", "echo", "{}", 3, now, now + 60_000)).join();
        store.submit(JobRecord.queued("in-30s", "echo", "{}", 3, now, now + 30_000)).join();

        assertThat(store.claim(10, now + 1_000)).isEmpty();
        assertThat(store.claim(10, now + 30_000)).extracting(Job::id).containsExactly("in-30s");
        assertThat(store.claim(10, now + 45_000)).isEmpty();
        assertThat(store.claim(10, now + 60_000)).extracting(Job::id).containsExactly("in-a-minute");
    }

    @Test
    void aFailedAttemptIsClaimedAgainAfterItsBackoff() {
        drain();
        store.submit(due("a")).join();
        Job first = engine.handed.getFirst();
        long now = System.currentTimeMillis();
        store.finish(List.of(JobStore.Finish.failed(first, "boom", now, now + 20_000))).join();

        assertThat(store.claim(10, now + 1_000)).isEmpty();
        assertThat(store.claim(10, now + 20_000)).extracting(Job::id, Job::attempt)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a", 2));
    }

    @Test
    void aRepeatedIdIsNotHandedOffAgainAndItsPlaceIsGivenBack() {
        drain();
        store.submit(due("a")).join();
        JobStore.Submission again = store.submit(due("a")).join();

        assertThat(again.kind()).isEqualTo(JobStore.Submission.Kind.DUPLICATE);
        assertThat(engine.handed).hasSize(1);
        assertThat(engine.reserved).hasValue(0);
        assertThat(store.waiting()).isZero();
    }

    @Test
    void afterTheHandOffIsStoppedNewJobsWaitInTheFile() {
        drain();
        store.submit(due("a")).join();
        store.handOff(null);
        store.submit(due("b")).join();

        assertThat(engine.handed).extracting(Job::id).containsExactly("a");
        assertThat(store.get("b").orElseThrow().state()).isEqualTo(JobState.QUEUED);
        assertThat(store.waiting()).isEqualTo(1);
    }

    @Test
    void aJobHandedOffWhenTheProcessDiedIsQueuedAgainWithItsAttemptCounted() {
        drain();
        store.submit(due("a")).join();
        store.close();

        store = SqliteJobStore.open(dir.resolve("handoff.db"), 1000, true);
        assertThat(store.recover(System.currentTimeMillis())).isEqualTo(1);
        assertThat(store.claim(10, System.currentTimeMillis())).extracting(Job::id, Job::attempt)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a", 2));
    }

    @Test
    void manyJobsAtOnceAreHandedOffInOrderUpToTheRoomAndTheRestWait() throws Exception {
        drain();
        engine.room.set(30);
        List<java.util.concurrent.CompletableFuture<JobStore.Submission>> all = new java.util.ArrayList<>();
        for (int i = 0; i < 100; i++) {
            all.add(store.submit(due(String.format("j%03d", i))));
        }
        all.forEach(java.util.concurrent.CompletableFuture::join);

        assertThat(engine.handed).hasSizeLessThanOrEqualTo(30);
        assertThat(engine.reserved).hasValue(0);
        List<Job> claimed = store.claim(1000, System.currentTimeMillis());
        assertThat(engine.handed.size() + claimed.size()).isEqualTo(100);
        assertThat(store.waiting()).isZero();
        // Whatever was handed off was submitted before whatever had to wait.
        List<String> handedIds = engine.handed.stream().map(Job::id).toList();
        assertThat(handedIds).isSorted();
        if (!handedIds.isEmpty() && !claimed.isEmpty()) {
            assertThat(claimed.stream().map(Job::id).min(String::compareTo).orElseThrow())
                    .isGreaterThan(handedIds.getLast());
        }
    }
}

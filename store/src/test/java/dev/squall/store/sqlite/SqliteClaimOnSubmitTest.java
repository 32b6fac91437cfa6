package dev.squall.store.sqlite;

import dev.squall.core.Job;
import dev.squall.core.JobRecord;
import dev.squall.core.JobState;
import dev.squall.core.JobStore;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store's half of the hand-off: a new job the engine asks to claim is stored claimed (running,
 * attempt 1) in the write that creates it, one write per job instead of two. Whether to ask is the
 * engine's decision (see the engine's tests); the store only obeys, and tells when the next job is due.
 */
class SqliteClaimOnSubmitTest {
    private static final long PAST = 1_700_000_000_000L;

    @TempDir
    Path dir;
    private SqliteJobStore store;

    @BeforeEach
    void open() {
        store = SqliteJobStore.open(dir.resolve("handoff.db"), 1000, true);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static JobRecord due(String id) {
        return JobRecord.queued(id, "echo", "{\"n\":\"" + id + "\"}", 3, PAST, PAST);
    }

    @Test
    void aDueJobAskedToBeClaimedIsStoredAsItsFirstAttempt() {
        JobStore.Submission accepted = store.submit(due("a"), true).join();

        assertThat(accepted.kind()).isEqualTo(JobStore.Submission.Kind.CREATED);
        assertThat(accepted.job().state()).isEqualTo(JobState.RUNNING); // the caller is told what was stored
        assertThat(accepted.job().attempt()).isEqualTo(1);
        JobRecord stored = store.get("a").orElseThrow();
        assertThat(stored.state()).isEqualTo(JobState.RUNNING);
        assertThat(stored.attempt()).isEqualTo(1);
        assertThat(store.waiting()).isZero();
        assertThat(store.claim(10, System.currentTimeMillis())).isEmpty(); // never handed out twice
    }

    @Test
    void aJobNotAskedToBeClaimedWaits() {
        store.submit(due("a"), false).join();

        assertThat(store.get("a").orElseThrow().state()).isEqualTo(JobState.QUEUED);
        assertThat(store.waiting()).isEqualTo(1);
    }

    @Test
    void aJobClaimedOnSubmitIsFinishedLikeAClaimedOne() {
        JobRecord r = store.submit(due("a"), true).join().job();
        Job run = new Job(r.id(), r.kind(), r.payloadJson(), r.attempt(), r.maxAttempts(), r.createdAt(), r.queue(), r.runAt());
        assertThat(store.finish(List.of(JobStore.Finish.succeeded(run, "{\"ok\":true}", System.currentTimeMillis()))).join()).isEqualTo(1);
        assertThat(store.get("a").orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
    }

    @Test
    void aDelayedJobIsNeverClaimedOnSubmit() {
        long later = System.currentTimeMillis() + 3_600_000;
        JobStore.Submission s = store.submit(JobRecord.queued("later", "echo", "{}", 3, PAST, later), true).join();

        assertThat(s.job().state()).isEqualTo(JobState.QUEUED);
        assertThat(store.get("later").orElseThrow().state()).isEqualTo(JobState.QUEUED);
        assertThat(store.waiting()).isEqualTo(1);
    }

    @Test
    void aShortClaimTellsWhenTheNextWaitingJobIsDueAndAFullOneSaysNow() {
        long now = System.currentTimeMillis();
        store.submit(JobRecord.queued("in-a-minute", "echo", "{}", 3, now, now + 60_000)).join();
        store.submit(JobRecord.queued("in-30s", "echo", "{}", 3, now, now + 30_000)).join();

        JobStore.Claim nothing = store.claimDue(10, now + 1_000, null);
        assertThat(nothing.jobs()).isEmpty();
        assertThat(nothing.nextDueMillis()).isEqualTo(now + 30_000);
        JobStore.Claim one = store.claimDue(10, now + 30_000, null);
        assertThat(one.jobs()).extracting(Job::id).containsExactly("in-30s");
        assertThat(one.nextDueMillis()).isEqualTo(now + 60_000);
        JobStore.Claim full = store.claimDue(1, now + 60_000, null);
        assertThat(full.jobs()).extracting(Job::id).containsExactly("in-a-minute");
        assertThat(full.nextDueMillis()).as("a full claim: more may be due").isLessThanOrEqualTo(now + 60_000);
        assertThat(store.claimDue(10, now + 60_000, null).nextDueMillis()).as("nothing waits").isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void aFailedAttemptIsClaimedAgainAfterItsBackoff() {
        JobRecord r = store.submit(due("a"), true).join().job();
        Job first = new Job(r.id(), r.kind(), r.payloadJson(), 1, r.maxAttempts(), r.createdAt(), r.queue(), r.runAt());
        long now = System.currentTimeMillis();
        store.finish(List.of(JobStore.Finish.failed(first, "boom", now, now + 20_000))).join();

        assertThat(store.claimDue(10, now + 1_000, null).nextDueMillis()).isEqualTo(now + 20_000);
        assertThat(store.claim(10, now + 20_000)).extracting(Job::id, Job::attempt).containsExactly(Tuple.tuple("a", 2));
    }

    @Test
    void aRepeatedIdIsAnsweredAsAlwaysAndClaimsNothing() {
        store.submit(due("a"), true).join();
        JobStore.Submission again = store.submit(due("a"), true).join();

        assertThat(again.kind()).isEqualTo(JobStore.Submission.Kind.DUPLICATE);
        assertThat(again.job().attempt()).isEqualTo(1);
        assertThat(store.waiting()).isZero();
    }

    @Test
    void aJobClaimedOnSubmitWhenTheProcessDiedIsQueuedAgainWithItsAttemptCounted() {
        store.submit(due("a"), true).join();
        store.close();

        store = SqliteJobStore.open(dir.resolve("handoff.db"), 1000, true);
        assertThat(store.recover(System.currentTimeMillis())).isEqualTo(1);
        assertThat(store.claim(10, System.currentTimeMillis())).extracting(Job::id, Job::attempt).containsExactly(Tuple.tuple("a", 2));
    }

    @Test
    void inOneBatchOnlyTheJobsAskedForAreClaimedAndTheCountStaysExact() {
        List<CompletableFuture<JobStore.Submission>> all = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            all.add(store.submit(due(String.format("j%03d", i)), i % 3 == 0));
        }
        List<String> running = new ArrayList<>();
        for (CompletableFuture<JobStore.Submission> f : all) {
            JobStore.Submission s = f.join();
            if (s.job().state() == JobState.RUNNING) {
                running.add(s.job().id());
            }
        }

        assertThat(running).hasSize(34).allMatch(id -> Integer.parseInt(id.substring(1)) % 3 == 0);
        assertThat(store.waiting()).isEqualTo(66);
        assertThat(store.claim(1000, System.currentTimeMillis())).hasSize(66).extracting(Job::id).doesNotContainAnyElementsOf(running);
    }

    @Test
    void aFailedBatchLeavesEveryAnswerTrueToTheFile() {
        AtomicInteger left = new AtomicInteger(1);
        store.faults(size -> {
            if (left.getAndDecrement() > 0) {
                throw new SQLException("injected: disk I/O error");
            }
        });
        List<CompletableFuture<JobStore.Submission>> all = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            all.add(store.submit(due("f" + i), true));
        }
        int kept = 0;
        for (int i = 0; i < 20; i++) {
            CompletableFuture<JobStore.Submission> f = all.get(i);
            if (f.handle((s, e) -> e == null).join()) {
                // Run again alone after the batch failed, it is still stored claimed, as answered.
                kept++;
                assertThat(f.join().job().state()).isEqualTo(JobState.RUNNING);
                assertThat(store.get("f" + i).orElseThrow()).extracting(JobRecord::state, JobRecord::attempt)
                        .containsExactly(JobState.RUNNING, 1);
            } else {
                assertThat(store.get("f" + i)).as("a failed submit kept nothing").isEmpty();
            }
        }
        assertThat(kept).isGreaterThanOrEqualTo(19);
        assertThat(store.waiting()).isZero();
        assertThat(store.claim(100, System.currentTimeMillis())).isEmpty();
    }
}

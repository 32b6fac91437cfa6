package dev.squall.store.sqlite;

import dev.squall.core.Job;
import dev.squall.core.JobRecord;
import dev.squall.core.JobStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The SQLite writer when a batch fails: rolled back, each write run again alone, nothing counted twice. */
class WriterFaultTest {
    private static final long T0 = 1_700_000_000_000L;
    @TempDir
    Path dir;
    private SqliteJobStore store;

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    private static JobRecord job(String id) {
        return JobRecord.queued(id, "sleep", "{}", 3, T0, T0);
    }

    /** Fails the next {@code n} commits, then lets everything through. */
    private static SqliteJobStore.Faults failNext(int n) {
        AtomicInteger left = new AtomicInteger(n);
        return size -> {
            if (left.getAndDecrement() > 0) {
                throw new SQLException("injected: disk I/O error");
            }
        };
    }

    @Test
    void aClaimInAFailedBatchHandsEachJobOutOnceAndTheWaitingCountStaysExact() throws Exception {
        store = SqliteJobStore.open(dir.resolve("claim.db"), 100, false);
        for (int i = 0; i < 5; i++) {
            store.submit(job("j" + i)).join();
        }
        assertThat(store.waiting()).isEqualTo(5);
        // The writer is held in a batch of its own while the claim and a cancel queue behind it;
        // their batch then fails, and each runs again alone.
        CountDownLatch inCommit = new CountDownLatch(1);
        CountDownLatch letGo = new CountDownLatch(1);
        AtomicInteger commits = new AtomicInteger();
        store.faults(size -> {
            int n = commits.incrementAndGet();
            if (n == 1) {
                inCommit.countDown();
                try {
                    letGo.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            } else if (n == 2) {
                assertThat(size).as("the claim's batch holds the cancel too").isEqualTo(2);
                throw new SQLException("injected: disk I/O error");
            }
        });
        CompletableFuture<JobStore.Change> held = store.cancel("nobody", T0);
        assertThat(inCommit.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<List<Job>> claiming = new CompletableFuture<>();
        Thread claimer = new Thread(() -> claiming.complete(store.claim(10, T0)));
        claimer.start();
        org.awaitility.Awaitility.await().until(() -> claimer.getState() == Thread.State.WAITING); // queued, waiting for its answer
        CompletableFuture<JobStore.Change> cancel = store.cancel("nobody-else", T0);
        letGo.countDown();

        List<Job> claimed = claiming.join();
        assertThat(held.join().kind()).isEqualTo(JobStore.Change.Kind.NOT_FOUND);
        assertThat(cancel.join().kind()).isEqualTo(JobStore.Change.Kind.NOT_FOUND);
        assertThat(commits.get()).as("held batch, failed batch, then the claim and the cancel alone").isEqualTo(4);
        assertThat(claimed).extracting(Job::id).containsExactly("j0", "j1", "j2", "j3", "j4");
        assertThat(store.waiting()).isZero();
        assertThat(store.claim(10, T0)).isEmpty();
    }

    @Test
    void aFailedWriteFailsOnlyItselfAndTheOthersOfItsBatchCommit() {
        store = SqliteJobStore.open(dir.resolve("alone.db"), 100, false);
        store.submit(job("a")).join();
        store.submit(job("b")).join();
        // Fail the whole batch, then the first write run alone; the second write then commits alone.
        store.faults(failNext(2));
        CompletableFuture<JobStore.Change> first = store.cancel("a", T0);
        CompletableFuture<JobStore.Change> second = store.cancel("b", T0);

        assertThat(first).failsWithin(5, TimeUnit.SECONDS);
        // Either the two cancels shared a batch (the second committed alone after the first failed
        // alone) or they were batches of their own (the second then met the second injected fault).
        int failures = 1;
        try {
            second.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            failures++;
        }
        store.faults(null);
        long cancelled = store.list(new JobStore.JobQuery(dev.squall.core.JobState.CANCELLED, null, 10, null)).jobs().size();
        assertThat(cancelled).isEqualTo(2 - failures);
        assertThat(store.waiting()).isEqualTo(failures);
    }

    @Test
    void payloadsOnTheirWayToTheFileAreBoundedInCharacters() throws Exception {
        store = SqliteJobStore.open(dir.resolve("bytes.db"), 1000, false, 8000);
        CountDownLatch inCommit = new CountDownLatch(1);
        CountDownLatch letGo = new CountDownLatch(1);
        store.faults(size -> {
            inCommit.countDown();
            try {
                letGo.await(10, TimeUnit.SECONDS); // holds the writer: the insert stays pending
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        String big = "\"" + "x".repeat(5000) + "\""; // weighed: 4 Ki characters or more
        CompletableFuture<JobStore.Submission> first = store.submit(JobRecord.queued("a", "echo", big, 3, T0, T0));
        assertThat(inCommit.await(10, TimeUnit.SECONDS)).isTrue();
        JobStore.Submission second = store.submit(JobRecord.queued("b", "echo", big, 3, T0, T0)).join();
        assertThat(second.kind()).as("10,004 characters on their way, bound 8,000").isEqualTo(JobStore.Submission.Kind.FULL);
        letGo.countDown();
        assertThat(first.get(10, TimeUnit.SECONDS).kind()).isEqualTo(JobStore.Submission.Kind.CREATED);
        store.faults(null);
        assertThat(store.submit(JobRecord.queued("b", "echo", big, 3, T0, T0)).get(10, TimeUnit.SECONDS).kind())
                .as("room again once the first is committed").isEqualTo(JobStore.Submission.Kind.CREATED);
        assertThat(store.waiting()).isEqualTo(2);
    }

    @Test
    void everyWriteQueuedWhileTheStoreClosesIsAnsweredOneWayOrTheOther() throws Exception {
        store = SqliteJobStore.open(dir.resolve("closing.db"), 1_000_000, false);
        List<CompletableFuture<?>> futures = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch started = new CountDownLatch(4);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int n = t;
            Thread th = new Thread(() -> {
                started.countDown();
                for (int i = 0; i < 20_000; i++) {
                    CompletableFuture<?> f = i % 2 == 0 ? store.cancel("x" + n + "-" + i, T0) : store.submit(job("s" + n + "-" + i));
                    futures.add(f);
                    if (f.isCompletedExceptionally()) {
                        break; // closed: answered at once, as it should be
                    }
                }
            });
            threads.add(th);
            th.start();
        }
        started.await();
        Thread.sleep(20); // let some writes queue before the stop (not a synchronization)
        SqliteJobStore closing = store;
        store = null;
        closing.close();
        for (Thread th : threads) {
            th.join(30_000);
        }
        for (CompletableFuture<?> f : futures) {
            assertThat(f.handle((v, e) -> true)).as("a write queued around the stop is answered")
                    .succeedsWithin(10, TimeUnit.SECONDS);
        }
    }
}

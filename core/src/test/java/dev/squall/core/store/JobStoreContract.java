package dev.squall.core.store;

import dev.squall.core.Job;
import dev.squall.core.JobRecord;
import dev.squall.core.JobState;
import dev.squall.core.JobStore;
import dev.squall.core.JobStore.Change;
import dev.squall.core.JobStore.Finish;
import dev.squall.core.JobStore.JobQuery;
import dev.squall.core.JobStore.Submission;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract every {@link JobStore} keeps. A store's test extends this class and says how to make
 * a fresh store with a given capacity.
 */
public abstract class JobStoreContract {
    protected static final long T0 = 1_700_000_000_000L;
    protected JobStore store;

    /** A fresh, empty store that accepts {@code capacity} waiting jobs. */
    protected abstract JobStore newStore(int capacity) throws Exception;

    @BeforeEach
    void open() throws Exception {
        store = newStore(1000);
    }

    @AfterEach
    void close() {
        store.close();
    }

    protected static JobRecord job(String id) {
        return JobRecord.queued(id, "echo", "{\"n\":\"" + id + "\"}", 3, T0, T0);
    }

    protected Submission submit(JobRecord j) {
        return store.submit(j).join();
    }

    @Test
    void aSubmittedJobIsQueuedAndCanBeRead() {
        assertThat(submit(job("a")).kind()).isEqualTo(Submission.Kind.CREATED);
        JobRecord r = store.get("a").orElseThrow();
        assertThat(r.state()).isEqualTo(JobState.QUEUED);
        assertThat(r.attempt()).isZero();
        assertThat(r.payloadJson()).isEqualTo("{\"n\":\"a\"}");
        assertThat(r.maxAttempts()).isEqualTo(3);
        assertThat(r.createdAt()).isEqualTo(T0);
        assertThat(store.waiting()).isEqualTo(1);
        assertThat(store.get("missing")).isEmpty();
    }

    @Test
    void aRepeatedIdIsADuplicateOrAConflictAndNeverASecondJob() {
        submit(job("a"));
        JobRecord same = JobRecord.queued("a", "echo", "{ \"n\" : \"a\" }", 3, T0 + 5, T0 + 5);
        assertThat(submit(same).kind()).isEqualTo(Submission.Kind.DUPLICATE);
        assertThat(submit(JobRecord.queued("a", "echo", "{\"n\":\"b\"}", 3, T0, T0)).kind()).isEqualTo(Submission.Kind.CONFLICT);
        assertThat(submit(JobRecord.queued("a", "sleep", "{\"n\":\"a\"}", 3, T0, T0)).kind()).isEqualTo(Submission.Kind.CONFLICT);
        assertThat(store.waiting()).isEqualTo(1);
        assertThat(store.claim(10, T0)).hasSize(1);
    }

    @Test
    void pastItsCapacityTheStoreRefusesAndKeepsNothing() throws Exception {
        store.close();
        store = newStore(2);
        submit(job("a"));
        submit(job("b"));
        assertThat(submit(job("c")).kind()).isEqualTo(Submission.Kind.FULL);
        assertThat(store.get("c")).isEmpty();
        store.claim(1, T0);
        assertThat(submit(job("c")).kind()).isEqualTo(Submission.Kind.CREATED);
    }

    @Test
    void claimTakesDueJobsOldestFirstAndMarksThemRunning() {
        store.submit(JobRecord.queued("late", "echo", "{}", 3, T0, T0 + 10_000)).join();
        for (int i = 0; i < 5; i++) {
            submit(JobRecord.queued("j" + i, "echo", "{}", 3, T0 + i, T0 + i));
        }
        List<Job> runs = store.claim(3, T0 + 100);
        assertThat(runs).extracting(Job::id).containsExactly("j0", "j1", "j2");
        assertThat(runs).allSatisfy(j -> assertThat(j.attempt()).isEqualTo(1));
        assertThat(store.get("j0").orElseThrow().state()).isEqualTo(JobState.RUNNING);
        assertThat(store.get("j0").orElseThrow().startedAt()).isEqualTo(T0 + 100);
        assertThat(store.claim(10, T0 + 100)).extracting(Job::id).containsExactly("j3", "j4");
        assertThat(store.claim(10, T0 + 100)).isEmpty();
        assertThat(store.claim(10, T0 + 10_000)).extracting(Job::id).containsExactly("late");
    }

    @Test
    void finishingRecordsTheEndAndIsFencedByTheAttempt() {
        submit(job("a"));
        Job run = store.claim(1, T0).getFirst();
        Job other = new Job("a", "echo", "{}", run.attempt() + 1, 3, T0); // an attempt that is not the running one
        assertThat(store.finish(List.of(Finish.dead(other, "not mine", T0 + 5))).join()).isZero();
        assertThat(store.finish(List.of(Finish.succeeded(run, "{\"ok\":1}", T0 + 9))).join()).isEqualTo(1);
        JobRecord r = store.get("a").orElseThrow();
        assertThat(r.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(r.resultJson()).isEqualTo("{\"ok\":1}");
        assertThat(r.finishedAt()).isEqualTo(T0 + 9);
        // A second answer for the same attempt, or one from another attempt, changes nothing.
        assertThat(store.finish(List.of(Finish.dead(run, "late", T0 + 10))).join()).isZero();
        assertThat(store.get("a").orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
    }

    @Test
    void aFailedAttemptWaitsForItsRunAtThenRunsAgain() {
        submit(job("a"));
        Job first = store.claim(1, T0).getFirst();
        store.finish(List.of(Finish.failed(first, "boom", T0 + 1, T0 + 1000))).join();
        JobRecord r = store.get("a").orElseThrow();
        assertThat(r.state()).isEqualTo(JobState.FAILED);
        assertThat(r.lastError()).isEqualTo("boom");
        assertThat(r.runAt()).isEqualTo(T0 + 1000);
        assertThat(store.waiting()).isEqualTo(1);
        assertThat(store.claim(5, T0 + 999)).isEmpty();
        Job second = store.claim(5, T0 + 1000).getFirst();
        assertThat(second.attempt()).isEqualTo(2);
        // the first attempt's late answer is refused
        assertThat(store.finish(List.of(Finish.succeeded(first, "{}", T0 + 1001))).join()).isZero();
        assertThat(store.finish(List.of(Finish.dead(second, "boom again", T0 + 1002))).join()).isEqualTo(1);
        assertThat(store.get("a").orElseThrow().state()).isEqualTo(JobState.DEAD);
    }

    @Test
    void unstartedClaimsCanBeGivenBackWithTheirAttemptUntouched() {
        submit(job("a"));
        submit(job("b"));
        List<Job> runs = store.claim(2, T0);
        assertThat(store.release(List.of(runs.get(0)))).isEqualTo(1);
        assertThat(store.release(List.of(runs.get(0)))).isZero(); // fenced: not running any more
        JobRecord back = store.get(runs.get(0).id()).orElseThrow();
        assertThat(back.state()).isEqualTo(JobState.QUEUED);
        assertThat(back.attempt()).isZero();
        assertThat(store.waiting()).isEqualTo(1);
        assertThat(store.claim(5, T0)).extracting(Job::attempt).containsExactly(1);
    }

    @Test
    void onlyAWaitingJobCanBeCancelledAndOnlyADeadOneRetried() {
        submit(job("q"));
        submit(job("r"));
        assertThat(store.cancel("q", T0 + 1).join().kind()).isEqualTo(Change.Kind.DONE);
        assertThat(store.get("q").orElseThrow().state()).isEqualTo(JobState.CANCELLED);
        assertThat(store.claim(10, T0 + 2)).extracting(Job::id).containsExactly("r");
        assertThat(store.cancel("r", T0 + 3).join().kind()).isEqualTo(Change.Kind.CONFLICT);
        assertThat(store.cancel("none", T0).join().kind()).isEqualTo(Change.Kind.NOT_FOUND);
        assertThat(store.retry("q", T0).join().kind()).isEqualTo(Change.Kind.CONFLICT);

        Job run = new Job("r", "echo", "{}", 1, 3, T0);
        store.finish(List.of(Finish.dead(run, "gave up", T0 + 4))).join();
        Change retried = store.retry("r", T0 + 5).join();
        assertThat(retried.kind()).isEqualTo(Change.Kind.DONE);
        assertThat(retried.job().state()).isEqualTo(JobState.QUEUED);
        assertThat(retried.job().attempt()).isZero();
        assertThat(store.claim(10, T0 + 5)).extracting(Job::id).containsExactly("r");
    }

    @Test
    void listingFiltersAndPagesInIdOrder() {
        for (int i = 0; i < 7; i++) {
            submit(JobRecord.queued("id" + i, i % 2 == 0 ? "echo" : "sleep", "{}", 3, T0, T0));
        }
        store.claim(1, T0); // id0 running
        JobStore.Page first = store.list(new JobQuery(null, null, 3, null));
        assertThat(first.jobs()).extracting(JobRecord::id).containsExactly("id0", "id1", "id2");
        JobStore.Page second = store.list(new JobQuery(null, null, 3, first.next()));
        assertThat(second.jobs()).extracting(JobRecord::id).containsExactly("id3", "id4", "id5");
        JobStore.Page last = store.list(new JobQuery(null, null, 3, second.next()));
        assertThat(last.jobs()).extracting(JobRecord::id).containsExactly("id6");
        assertThat(last.next()).isNull();
        assertThat(store.list(new JobQuery(JobState.RUNNING, null, 10, null)).jobs()).extracting(JobRecord::id).containsExactly("id0");
        assertThat(store.list(new JobQuery(JobState.QUEUED, "sleep", 10, null)).jobs()).extracting(JobRecord::id)
                .containsExactly("id1", "id3", "id5");
    }

    @Test
    void searchByIdPrefixAndPayloadTextMatchesCharactersNotPatterns() {
        for (String id : List.of("report-1", "report-2", "rep%rt", "re_ort", "\uD83D\uDE00-a", "\uD83D\uDE00\uD83D\uDE01-b", "other")) {
            submit(JobRecord.queued(id, "echo", "{\"to\":\"" + (id.startsWith("report") ? "ada@example.com" : "50% off") + "\"}", 3, T0, T0));
        }
        assertThat(search("report-", null)).containsExactly("report-1", "report-2");
        assertThat(search("rep%", null)).as("% is a character, not a wildcard").containsExactly("rep%rt");
        assertThat(search("re_", null)).as("_ is a character, not a wildcard").containsExactly("re_ort");
        // a character outside the BMP is two Java chars and one character to SQL
        assertThat(search("\uD83D\uDE00", null)).containsExactly("\uD83D\uDE00-a", "\uD83D\uDE00\uD83D\uDE01-b");
        assertThat(search("\uD83D\uDE00-", null)).containsExactly("\uD83D\uDE00-a");
        assertThat(search(null, "ada@")).containsExactly("report-1", "report-2");
        assertThat(search(null, "50%")).containsExactly("other", "re_ort", "rep%rt", "\uD83D\uDE00-a", "\uD83D\uDE00\uD83D\uDE01-b");
        assertThat(search("rep", "ada")).containsExactly("report-1", "report-2");
    }

    private List<String> search(String idPrefix, String payloadContains) {
        return store.list(new JobQuery(null, null, 100, null, Long.MAX_VALUE, null, idPrefix, payloadContains)).jobs().stream()
                .map(JobRecord::id).sorted().toList();
    }

    @Test
    void claimsTakeSmallerPriorityFirstThenTheOldestDue() {
        submit(JobRecord.queued("late-normal", "echo", "{}", 3, T0, T0 + 5));
        submit(JobRecord.queued("normal", "echo", "{}", 3, T0, T0));
        submit(JobRecord.queued("low", "echo", "{}", 3, T0, T0, "default", 7));
        submit(JobRecord.queued("urgent", "echo", "{}", 3, T0, T0 + 1, "default", -3));
        submit(JobRecord.queued("future-urgent", "echo", "{}", 3, T0, T0 + 60_000, "default", -9));
        assertThat(store.claim(10, T0 + 10)).extracting(Job::id).containsExactly("urgent", "normal", "late-normal", "low");
    }

    @Test
    void aJobKeepsItsQueueAndPriorityAndListingsFilterByQueue() {
        submit(JobRecord.queued("m1", "echo", "{}", 3, T0, T0, "mail", 2));
        submit(JobRecord.queued("r1", "echo", "{}", 3, T0, T0, "reports", 0));
        submit(JobRecord.queued("m2", "echo", "{}", 3, T0, T0, "mail", 0));
        JobRecord m1 = store.get("m1").orElseThrow();
        assertThat(m1.queue()).isEqualTo("mail");
        assertThat(m1.priority()).isEqualTo(2);
        assertThat(store.get("r1").orElseThrow().queue()).isEqualTo("reports");
        assertThat(store.list(new JobQuery(null, null, 10, null, Long.MAX_VALUE, "mail")).jobs()).extracting(JobRecord::id)
                .containsExactly("m1", "m2");
        // the same id with another queue or priority is another request
        assertThat(submit(JobRecord.queued("m1", "echo", "{}", 3, T0, T0, "mail", 3)).kind()).isEqualTo(Submission.Kind.CONFLICT);
        assertThat(submit(JobRecord.queued("m1", "echo", "{}", 3, T0, T0, "other", 2)).kind()).isEqualTo(Submission.Kind.CONFLICT);
        assertThat(submit(JobRecord.queued("m1", "echo", "{}", 3, T0, T0, "mail", 2)).kind()).isEqualTo(Submission.Kind.DUPLICATE);
    }

    @Test
    void pruningDeletesOnlyJobsFinishedBeforeTheCutoff() {
        submit(job("old"));
        submit(job("new"));
        submit(job("waiting"));
        List<Job> runs = store.claim(2, T0);
        store.finish(List.of(Finish.succeeded(runs.get(0), "{}", T0 + 10), Finish.succeeded(runs.get(1), "{}", T0 + 1000))).join();
        assertThat(store.prune(T0 + 500, 100)).isEqualTo(1);
        assertThat(store.get(runs.get(0).id())).isEmpty();
        assertThat(store.get(runs.get(1).id())).isPresent();
        assertThat(store.get("waiting")).isPresent();
    }

    @Test
    void concurrentSubmitsAndClaimsLoseNothingAndClaimNothingTwice() throws Exception {
        int producers = 4;
        int each = 250;
        Set<String> claimed = ConcurrentHashMap.newKeySet();
        List<String> twice = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(producers + 2)) {
            List<Future<?>> fs = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                int base = p * each;
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        assertThat(submit(job("c" + (base + i))).kind()).isEqualTo(Submission.Kind.CREATED);
                    }
                }));
            }
            for (int c = 0; c < 2; c++) {
                fs.add(pool.submit(() -> {
                    long deadline = System.nanoTime() + 20_000_000_000L;
                    while (claimed.size() < producers * each && System.nanoTime() < deadline) {
                        for (Job j : store.claim(16, T0)) {
                            if (!claimed.add(j.id())) {
                                synchronized (twice) {
                                    twice.add(j.id());
                                }
                            }
                        }
                    }
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        }
        assertThat(twice).isEmpty();
        assertThat(claimed).hasSize(producers * each);
        assertThat(new HashSet<>(claimed)).contains("c0", "c999");
        assertThat(store.waiting()).isZero();
    }

    @Test
    void everyAttemptIsKeptWithItsOutcomeTimesAndErrorAndAJobThatSucceedsAtOnceHasOnlyItsOwn() {
        submit(job("once"));
        Job first = store.claim(1, T0).getFirst();
        store.finish(List.of(new Finish("once", first.attempt(), JobState.SUCCEEDED, 0, T0 + 40, "{}", null, T0 + 10))).join();
        assertThat(store.attempts("once")).containsExactly(new JobStore.Attempt(1, "succeeded", T0 + 10, T0 + 40,
                store.attempts("once").getFirst().node(), null));

        submit(job("flaky"));
        Job a1 = store.claim(1, T0 + 100).getFirst();
        assertThat(store.attempts("flaky")).extracting(JobStore.Attempt::outcome).containsExactly("running");
        store.finish(List.of(new Finish("flaky", a1.attempt(), JobState.FAILED, T0 + 200, T0 + 150, null, "boom 1", T0 + 110))).join();
        assertThat(store.attempts("flaky")).extracting(JobStore.Attempt::outcome).as("waiting for its backoff").containsExactly("failed");
        Job a2 = store.claim(1, T0 + 200).getFirst();
        store.finish(List.of(new Finish("flaky", a2.attempt(), JobState.DEAD, 0, T0 + 260, null, "boom 2", T0 + 210))).join();
        assertThat(store.retry("flaky", T0 + 300).join().kind()).isEqualTo(Change.Kind.DONE);
        Job b1 = store.claim(1, T0 + 300).getFirst();
        store.finish(List.of(new Finish("flaky", b1.attempt(), JobState.SUCCEEDED, 0, T0 + 330, "{}", null, T0 + 310))).join();

        List<JobStore.Attempt> all = store.attempts("flaky");
        assertThat(all).extracting(JobStore.Attempt::attempt).containsExactly(1, 2, 1);
        assertThat(all).extracting(JobStore.Attempt::outcome).containsExactly("failed", "dead", "succeeded");
        assertThat(all).extracting(JobStore.Attempt::error).containsExactly("boom 1", "boom 2", null);
        assertThat(all).extracting(JobStore.Attempt::startedAt).containsExactly(T0 + 110, T0 + 210, T0 + 310);
        assertThat(all).extracting(JobStore.Attempt::endedAt).containsExactly(T0 + 150, T0 + 260, T0 + 330);
        assertThat(store.attempts("missing")).isEmpty();
    }

    @Test
    void aStaleResultAddsNoAttempt() {
        submit(job("s"));
        Job run = store.claim(1, T0).getFirst();
        store.finish(List.of(new Finish("s", run.attempt(), JobState.FAILED, T0, T0 + 5, null, "first", T0 + 1))).join();
        store.finish(List.of(new Finish("s", run.attempt(), JobState.FAILED, T0, T0 + 6, null, "late copy", T0 + 1))).join();
        assertThat(store.attempts("s")).extracting(JobStore.Attempt::error).containsExactly("first");
    }

    @Test
    void aListingFindsJobsByIdPrefixAndByAPayloadSubstring() {
        submit(JobRecord.queued("order-17", "echo", "{\"customer\":\"ada@example.com\"}", 3, T0, T0));
        submit(JobRecord.queued("order-18", "echo", "{\"customer\":\"bob@example.com\"}", 3, T0, T0));
        submit(JobRecord.queued("invoice-1", "echo", "{\"customer\":\"ada@example.com\"}", 3, T0, T0));
        submit(JobRecord.queued("order_x", "echo", "{}", 3, T0, T0));
        assertThat(store.list(new JobQuery(null, null, 10, null, Long.MAX_VALUE, null, "order-", null)).jobs())
                .extracting(JobRecord::id).containsExactly("order-17", "order-18");
        assertThat(store.list(new JobQuery(null, null, 10, null, Long.MAX_VALUE, null, null, "ada@")).jobs())
                .extracting(JobRecord::id).containsExactly("invoice-1", "order-17");
        assertThat(store.list(new JobQuery(null, null, 10, null, Long.MAX_VALUE, null, "order-", "ada@")).jobs())
                .extracting(JobRecord::id).containsExactly("order-17");
        assertThat(store.list(new JobQuery(null, null, 10, null, Long.MAX_VALUE, null, "ord%", null)).jobs())
                .as("no wildcards").isEmpty();
    }

    @Test
    void pruningAJobTakesItsHistoryWithIt() {
        submit(job("p"));
        Job a1 = store.claim(1, T0).getFirst();
        store.finish(List.of(new Finish("p", a1.attempt(), JobState.FAILED, T0, T0 + 5, null, "first", T0 + 1))).join();
        Job a2 = store.claim(1, T0 + 10).getFirst();
        store.finish(List.of(new Finish("p", a2.attempt(), JobState.DEAD, 0, T0 + 20, null, "second", T0 + 11))).join();
        assertThat(store.attempts("p")).hasSize(2);
        assertThat(store.prune(T0 + 1_000, 10)).isEqualTo(1);
        assertThat(store.attempts("p")).isEmpty();
        submit(job("p")); // the same id again is a new job with no past
        assertThat(store.attempts("p")).isEmpty();
    }
}

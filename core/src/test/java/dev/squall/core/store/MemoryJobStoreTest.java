package dev.squall.core.store;

import dev.squall.core.JobRecord;
import dev.squall.core.JobStore;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class MemoryJobStoreTest extends JobStoreContract {
    @Override
    protected JobStore newStore(int capacity) {
        return new MemoryJobStore(capacity, Duration.ofHours(1));
    }

    private static JobRecord big(String id, int chars) {
        return JobRecord.queued(id, "echo", "\"" + "x".repeat(chars - 2) + "\"", 3, T0, T0);
    }

    @Test
    void waitingJobsAreBoundedInCharactersAsWellAsInCount() {
        JobStore store = new MemoryJobStore(1000, Duration.ofHours(1), 1000);
        assertThat(store.submit(big("a", 400)).join().kind()).isEqualTo(JobStore.Submission.Kind.CREATED);
        assertThat(store.submit(big("b", 400)).join().kind()).isEqualTo(JobStore.Submission.Kind.CREATED);
        assertThat(store.submit(big("c", 400)).join().kind()).as("past 1000 characters").isEqualTo(JobStore.Submission.Kind.FULL);
        assertThat(store.waiting()).isEqualTo(2);

        assertThat(store.claim(1, T0)).hasSize(1); // one leaves the waiting jobs: room again
        assertThat(store.submit(big("c", 400)).join().kind()).isEqualTo(JobStore.Submission.Kind.CREATED);
        assertThat(store.cancel("b", T0).join().kind()).isEqualTo(JobStore.Change.Kind.DONE);
        assertThat(store.submit(big("d", 400)).join().kind()).isEqualTo(JobStore.Submission.Kind.CREATED);
    }

    @Test
    void finishedJobsAreBoundedInCharactersTooTheOldestGoFirst() {
        JobStore store = new MemoryJobStore(1000, Duration.ofHours(1), 1000);
        for (String id : java.util.List.of("a", "b", "c")) {
            store.submit(big(id, 100)).join();
            dev.squall.core.Job run = store.claim(1, T0).getFirst();
            store.finish(java.util.List.of(JobStore.Finish.succeeded(run, "\"" + "r".repeat(398) + "\"", T0))).join();
        }
        // Each finished job weighs 500 characters: with a bound of 1000, the oldest had to go.
        assertThat(store.get("a")).isEmpty();
        assertThat(store.get("b")).isPresent();
        assertThat(store.get("c")).isPresent();
    }

    @Test
    void anyIntCapacityIsTakenAndCounted() {
        JobStore store = new MemoryJobStore(Integer.MAX_VALUE, Duration.ofHours(1));
        assertThat(store.submit(big("a", 10)).join().kind()).isEqualTo(JobStore.Submission.Kind.CREATED);
        assertThat(store.submit(big("b", 10)).join().kind()).isEqualTo(JobStore.Submission.Kind.CREATED);
        assertThat(store.waiting()).isEqualTo(2);
        assertThat(store.claim(5, T0)).hasSize(2);
        assertThat(store.waiting()).isZero();
    }

    @Test
    void oneJobLargerThanTheBoundStillFitsAlone() {
        JobStore store = new MemoryJobStore(1000, Duration.ofHours(1), 100);
        assertThat(store.submit(big("huge", 500)).join().kind()).isEqualTo(JobStore.Submission.Kind.CREATED);
        assertThat(store.submit(big("small", 10)).join().kind()).isEqualTo(JobStore.Submission.Kind.FULL);
    }
}

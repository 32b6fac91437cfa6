package dev.squall.core.engine;

import dev.squall.core.testing.ForwardingStore;
import dev.squall.core.store.MemoryJobStore;
import dev.squall.core.Job;
import dev.squall.core.JobRecord;
import dev.squall.core.JobStore;
import dev.squall.core.JobStore.Finish;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class HousekeeperTest {
    private static final long T0 = 1_700_000_000_000L;

    /** A store with {@code n} jobs that finished at T0, and one still waiting. */
    private static JobStore storeWithFinished(int n) {
        JobStore store = new MemoryJobStore(n + 10, Duration.ofDays(365));
        for (int i = 0; i < n; i++) {
            store.submit(JobRecord.queued("done-" + i, "echo", "{}", 1, T0, T0)).join();
        }
        store.submit(JobRecord.queued("waiting", "echo", "{}", 1, T0, T0 + 3_600_000)).join();
        List<Finish> finishes = new ArrayList<>();
        for (Job run : store.claim(n, T0)) {
            finishes.add(Finish.succeeded(run, "{}", T0));
        }
        store.finish(finishes).join();
        return store;
    }

    @Test
    void aRunDeletesEveryExpiredJobHoweverManySlicesThatTakes() {
        JobStore store = storeWithFinished(2_500);
        AtomicInteger slices = new AtomicInteger();
        JobStore counting = new ForwardingStore(store) {
            @Override
            public int prune(long finishedBeforeMillis, int max) {
                slices.incrementAndGet();
                return super.prune(finishedBeforeMillis, max);
            }
        };
        Housekeeper keeper = new Housekeeper(counting, Duration.ofHours(1), 10, () -> T0 + 7_200_000);

        assertThat(keeper.run(60_000)).isEqualTo(2_500);
        assertThat(slices.get()).isGreaterThan(100); // more than the old cap of 100 slices a run
        assertThat(store.get("done-0")).isEmpty();
        assertThat(store.get("waiting")).isPresent(); // not finished: never deleted
    }

    @Test
    void jobsFinishedWithinTheRetentionAreKept() {
        JobStore store = storeWithFinished(5);
        Housekeeper keeper = new Housekeeper(store, Duration.ofHours(3), 10, () -> T0 + 7_200_000);

        assertThat(keeper.run(60_000)).isZero();
        assertThat(store.get("done-4")).isPresent();
    }

    @Test
    void aRunStopsWhenItsBudgetIsSpentAndTheNextGoesOn() {
        JobStore store = storeWithFinished(300);
        JobStore slow = new ForwardingStore(store) {
            @Override
            public int prune(long finishedBeforeMillis, int max) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.prune(finishedBeforeMillis, max);
            }
        };
        Housekeeper keeper = new Housekeeper(slow, Duration.ofHours(1), 1, () -> T0 + 7_200_000);

        long first = keeper.run(20);
        assertThat(first).isBetween(1L, 299L);
        long rest = 0;
        for (int i = 0; i < 1000 && first + rest < 300; i++) {
            rest += keeper.run(20);
        }
        assertThat(first + rest).isEqualTo(300);
    }
}

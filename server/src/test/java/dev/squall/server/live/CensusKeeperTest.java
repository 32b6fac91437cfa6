package dev.squall.server.live;

import dev.squall.core.JobRecord;
import dev.squall.core.JobState;
import dev.squall.core.testing.ForwardingStore;
import dev.squall.core.store.MemoryJobStore;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The census is counted on its own timer, whoever reads it, and less often when counting is slow. */
class CensusKeeperTest {

    /** A memory store, seen through a store that counts its censuses and can make each one slow. */
    private static final class CountingStore extends ForwardingStore {
        final AtomicInteger censuses = new AtomicInteger();
        volatile long slowMillis;
        volatile boolean failing;

        CountingStore() {
            super(new MemoryJobStore(1000, Duration.ofHours(1)));
        }

        @Override
        public Census census() {
            censuses.incrementAndGet();
            if (failing) {
                throw new IllegalStateException("the store could not be counted: database away");
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
}

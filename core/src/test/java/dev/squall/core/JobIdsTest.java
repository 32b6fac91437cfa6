package dev.squall.core;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Generated ids: UUIDv7, unique, in creation order, with random bits that differ from id to id. */
class JobIdsTest {

    @Test
    void idsAreVersionSevenUuidsUniqueAndInCreationOrder() {
        long before = System.currentTimeMillis();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) { // far past one block of random words
            ids.add(JobIds.next());
        }
        long after = System.currentTimeMillis();
        assertThat(new HashSet<>(ids)).hasSize(ids.size());
        assertThat(ids).isSorted();
        Set<Long> randomParts = new HashSet<>();
        for (String id : ids) {
            UUID u = UUID.fromString(id);
            assertThat(u.toString()).isEqualTo(id);
            assertThat(u.version()).isEqualTo(7);
            assertThat(u.variant()).isEqualTo(2);
            long millis = u.getMostSignificantBits() >>> 16;
            // a burst of more than 4096 in one millisecond borrows the next ones
            assertThat(millis).isBetween(before, after + 100_000 / 4096 + 1);
            randomParts.add(u.getLeastSignificantBits());
        }
        assertThat(randomParts).as("62 random bits per id: no repeats in 100,000").hasSize(ids.size());
    }

    @Test
    void threadsTogetherStillGetUniqueIds() throws Exception {
        Set<String> all = java.util.concurrent.ConcurrentHashMap.newKeySet();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 20_000; i++) {
                    all.add(JobIds.next());
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(all).hasSize(80_000);
    }
}

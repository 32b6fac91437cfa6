package dev.squall.core.store;

import dev.squall.core.JobStore;

import java.time.Duration;

class MemoryJobStoreTest extends JobStoreContract {
    @Override
    protected JobStore newStore(int capacity) {
        return JobStore.memory(capacity, Duration.ofHours(1));
    }
}

package dev.squall.core.engine;

import dev.squall.core.JobStore;
import dev.squall.store.sqlite.SqliteJobStore;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** Every engine test of {@link QueueEngineTest}, again on the SQLite store (group commit, hand-off, a real file). */
class SqliteQueueEngineTest extends QueueEngineTest {
    @TempDir
    Path dir;
    private int opened;

    @Override
    protected JobStore newStore(int capacity) {
        return SqliteJobStore.open(dir.resolve("engine-" + (opened++) + ".db"), capacity, false);
    }
}

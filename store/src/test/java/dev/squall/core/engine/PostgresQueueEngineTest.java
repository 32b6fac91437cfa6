package dev.squall.core.engine;

import dev.squall.core.JobStore;
import dev.squall.store.postgres.PostgresJobStore;
import dev.squall.store.postgres.PostgresUrl;
import dev.squall.store.testing.TestPostgres;
import org.junit.jupiter.api.AfterEach;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Every engine test of {@link QueueEngineTest}, again on the PostgreSQL store (a fresh database each). */
class PostgresQueueEngineTest extends QueueEngineTest {
    private final List<TestPostgres.Database> databases = new ArrayList<>();

    @Override
    protected JobStore newStore(int capacity) {
        TestPostgres.Database db = TestPostgres.database();
        databases.add(db);
        return PostgresJobStore.open(new PostgresJobStore.Options(PostgresUrl.parse(db.url(), null), capacity, "engine-test",
                Duration.ofSeconds(30), true, JobStore.DEFAULT_MAX_WAITING_CHARS));
    }

    @AfterEach
    void dropDatabases() {
        databases.forEach(TestPostgres.Database::close);
    }
}

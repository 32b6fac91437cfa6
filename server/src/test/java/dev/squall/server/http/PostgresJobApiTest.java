package dev.squall.server.http;

import dev.squall.store.testing.TestPostgres;

/** Every job API test of {@link JobApiTest}, again on the PostgreSQL store (a fresh database). */
class PostgresJobApiTest extends JobApiTest {
    private TestPostgres.Database db;

    @Override
    protected String store() {
        db = TestPostgres.database();
        return db.url();
    }

    @Override
    @org.junit.jupiter.api.AfterAll // an override is a lifecycle method only when annotated again
    void stop() {
        super.stop();
        db.close();
    }
}

package dev.squall.server.http;

import dev.squall.store.testing.TestPostgres;

/** Every job API test of {@link JobApiTest}, again on the PostgreSQL store (a fresh database). */
class PostgresJobApiTest extends JobApiTest {
    private TestPostgres.Database db;

    /** One database for the class: the tests ask for the store's URL again (to tell a cluster store), and each new database was left behind. */
    @Override
    protected String store() {
        if (db == null) {
            db = TestPostgres.database();
        }
        return db.url();
    }

    @Override
    @org.junit.jupiter.api.AfterAll // an override is a lifecycle method only when annotated again
    void stop() {
        super.stop();
        db.close();
    }
}

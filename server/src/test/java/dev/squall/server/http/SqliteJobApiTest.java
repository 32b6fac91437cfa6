package dev.squall.server.http;

import java.nio.file.Files;
import java.nio.file.Path;

/** Every job API test of {@link JobApiTest}, again on a SQLite store in a fresh folder. */
class SqliteJobApiTest extends JobApiTest {
    private Path dir;

    @Override
    protected String store() {
        try {
            dir = Files.createTempDirectory("squall-api");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return "sqlite:" + dir.resolve("api.db");
    }

    @Override
    @org.junit.jupiter.api.AfterAll // an override is a lifecycle method only when annotated again
    void stop() {
        super.stop();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (java.io.IOException e) {
            // a temporary folder left behind; nothing to fail for
        }
    }
}

package dev.squall.server.http;

import dev.squall.core.JobStore;
import dev.squall.server.ServerConfig;
import dev.squall.store.sqlite.SqliteJobStore;

import java.nio.file.Path;

/** Opens the store {@code --store} names: {@code memory} or {@code sqlite:PATH}. */
final class Stores {
    private Stores() {
    }

    static JobStore open(ServerConfig config) {
        if (config.store().equals("memory")) {
            return JobStore.memory(config.queueCapacity(), config.retain(), config.queueBytes());
        }
        Path file = Path.of(config.store().substring("sqlite:".length()));
        return SqliteJobStore.open(file, config.queueCapacity(), config.fsync(), config.queueBytes());
    }
}

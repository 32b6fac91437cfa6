package dev.squall.server.http;

import dev.squall.core.JobStore;
import dev.squall.server.ServerConfig;

/** Opens the store {@code --store} names. */
final class Stores {
    private Stores() {
    }

    static JobStore open(ServerConfig config) {
        if (config.store().equals("memory")) {
            return JobStore.memory(config.queueCapacity(), config.retain());
        }
        throw new ServerConfig.InvalidConfigException("--store", "sqlite is not available in this build");
    }
}

package dev.squall.server.store;

import dev.squall.core.store.MemoryJobStore;
import dev.squall.core.JobStore;
import dev.squall.server.ServerConfig;
import dev.squall.store.postgres.PostgresJobStore;
import dev.squall.store.sqlite.SqliteJobStore;

/** Opens the store a server's {@link StoreSpec} names, with the server's capacity and byte bounds. */
public final class Stores {
    private Stores() {
    }

    public static JobStore open(ServerConfig config) {
        return switch (config.store()) {
            case StoreSpec.Memory m -> new MemoryJobStore(config.queueCapacity(), config.retain(), config.queueBytes());
            case StoreSpec.Sqlite s -> SqliteJobStore.open(s.file(), config.queueCapacity(), config.fsync(), config.queueBytes());
            case StoreSpec.Postgres p -> PostgresJobStore.open(new PostgresJobStore.Options(p.url(), config.queueCapacity(),
                    p.cluster().nodeId(), p.cluster().lease(), p.cluster().notifications(), config.queueBytes()));
        };
    }
}

package dev.squall.server.store;

import dev.squall.store.postgres.PostgresUrl;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Which store a server runs on, parsed once from {@code --store}: {@code memory},
 * {@code sqlite:PATH}, or {@code postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE} (also
 * {@code postgres://}; the password may come from {@code PGPASSWORD}).
 *
 * <pre>{@code
 * StoreSpec spec = StoreSpec.parse("postgresql://squall@db/jobs", Cluster.defaults(), System.getenv("PGPASSWORD"));
 * if (spec instanceof StoreSpec.Postgres pg) { ... pg.url().describe() ... }
 * }</pre>
 */
public sealed interface StoreSpec {

    /** The kind of store, for labels and logs: memory, sqlite or postgresql. */
    default String kind() {
        return switch (this) {
            case Memory m -> "memory";
            case Sqlite f -> "sqlite";
            case Postgres p -> "postgresql";
        };
    }

    /** In memory: fast, lost when the process stops. */
    record Memory() implements StoreSpec {
        @Override
        public String toString() {
            return "memory";
        }
    }

    /** One file, one process. */
    record Sqlite(Path file) implements StoreSpec {
        public Sqlite {
            Objects.requireNonNull(file, "file");
        }

        @Override
        public String toString() {
            return "sqlite:" + file;
        }
    }

    /** Any number of nodes on one PostgreSQL database; {@code cluster} says who this node is. */
    record Postgres(PostgresUrl url, Cluster cluster) implements StoreSpec {
        public Postgres {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(cluster, "cluster");
        }

        @Override
        public String toString() {
            return url.describe();
        }
    }

    /**
     * What a node of a cluster is told: its id ({@code --node-id}), its lease ({@code --lease}) and
     * whether it uses LISTEN/NOTIFY ({@code --notify}).
     */
    record Cluster(String nodeId, Duration lease, boolean notifications) {
        public static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);

        public Cluster {
            Objects.requireNonNull(nodeId, "nodeId");
            Objects.requireNonNull(lease, "lease");
            if (nodeId.isBlank() || nodeId.length() > 100 || nodeId.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
                throw new IllegalArgumentException("--node-id must be 1-100 characters without control characters");
            }
            if (lease.toMillis() < 300 || lease.compareTo(Duration.ofHours(24)) > 0) {
                throw new IllegalArgumentException("--lease must be between 300ms and 24h, got " + lease);
            }
        }

        /** The default node id: this host's name and this process's pid, unique on a cluster of hosts. */
        public static String defaultNodeId() {
            String host;
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.net.UnknownHostException e) {
                host = "host";
            }
            return host + "-" + ProcessHandle.current().pid();
        }

        public static Cluster defaults() {
            return new Cluster(defaultNodeId(), DEFAULT_LEASE, true);
        }
    }

    /** Parses {@code --store}; throws IllegalArgumentException with a message fit for a CLI error. */
    static StoreSpec parse(String store, Cluster cluster, String pgPassword) {
        Objects.requireNonNull(store, "store");
        if (store.equals("memory")) {
            return new Memory();
        }
        if (store.startsWith("sqlite:") && store.length() > "sqlite:".length()) {
            return new Sqlite(Path.of(store.substring("sqlite:".length())));
        }
        if (PostgresUrl.looksLikeOne(store)) {
            return new Postgres(PostgresUrl.parse(store, pgPassword), cluster);
        }
        throw new IllegalArgumentException("'" + store + "' is not a store; write memory, sqlite:PATH or "
                + "postgresql://USER@HOST[:PORT]/DATABASE");
    }
}

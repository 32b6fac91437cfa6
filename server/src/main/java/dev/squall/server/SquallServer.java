package dev.squall.server;

import dev.squall.core.EngineStats;

import java.util.Optional;

/**
 * A running {@code squall serve}: the article's seed route in the configured stage, plus
 * {@code GET /healthz}.
 *
 * <pre>{@code
 * try (SquallServer server = SquallServers.start(ServerConfig.builder().port(0).build())) {   // server.boot
 *     int port = server.port();   // the port actually bound
 * }
 * }</pre>
 */
public interface SquallServer extends AutoCloseable {

    /** The port clients connect to. */
    int port();

    ServerConfig config();

    /** The queue engine's counters, for the queue stage. */
    Optional<EngineStats> engineStats();

    /**
     * Reads {@code --token-file} again (what SIGHUP does); connections stay open. A file that no
     * longer loads keeps the tokens in force. Returns whether new tokens took effect.
     */
    default boolean reloadTokens() {
        return false;
    }

    /** Stops accepting, lets running work finish (bounded by the shutdown grace), releases everything. */
    @Override
    void close();
}

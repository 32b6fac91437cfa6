package dev.squall.server;

import dev.squall.core.EngineStats;
import dev.squall.server.http.VertxSquallServer;
import dev.squall.server.multiprocess.MultiprocessSupervisor;

import java.util.Optional;

/**
 * A running {@code squall serve}: the article's seed route in the configured stage, plus
 * {@code GET /healthz}.
 *
 * <pre>{@code
 * try (SquallServer server = SquallServer.start(ServerConfig.builder().port(0).build())) {
 *     int port = server.port();   // the port actually bound
 * }
 * }</pre>
 */
public interface SquallServer extends AutoCloseable {

    /** Starts the server and returns once it listens (for multiprocess: once every child listens). */
    static SquallServer start(ServerConfig config) {
        return config.stage() == Stage.MULTIPROCESS ? MultiprocessSupervisor.start(config) : VertxSquallServer.start(config);
    }

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

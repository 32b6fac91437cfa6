package dev.squall.server.boot;

import dev.squall.server.boot.SquallServers;
import dev.squall.server.ServerConfig;
import dev.squall.server.SquallServer;
import dev.squall.server.Stage;
import dev.squall.server.http.VertxSquallServer;
import dev.squall.server.multiprocess.MultiprocessSupervisor;

/**
 * Starts a {@link SquallServer}: the one place that knows which implementation serves which stage
 * (a supervisor of child processes for {@code multiprocess}, one Vert.x server for every other),
 * so that the API package imports none of them.
 *
 * <pre>{@code
 * try (SquallServer server = SquallServers.start(ServerConfig.builder().port(0).build())) {
 *     int port = server.port();   // the port actually bound
 * }
 * }</pre>
 */
public final class SquallServers {
    private SquallServers() {
    }

    /** Starts the server and returns once it listens (for multiprocess: once every child listens). */
    public static SquallServer start(ServerConfig config) {
        return config.stage() == Stage.MULTIPROCESS ? MultiprocessSupervisor.start(config) : VertxSquallServer.start(config);
    }
}

package dev.squall.server.http;

import dev.squall.server.ServerConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;

/** One event loop's HTTP server. Several instances share the port, one per {@code --io-threads}. */
final class SeedVerticle extends VerticleBase {
    private final ServerConfig config;
    private final HttpFront front;
    private final int port;
    private HttpServer server;

    SeedVerticle(ServerConfig config, HttpFront front, int port) {
        this.config = config;
        this.front = front;
        this.port = port;
    }

    @Override
    public Future<?> start() {
        HttpServerOptions options = new HttpServerOptions()
                .setHost(config.host())
                .setPort(port)
                .setReusePort(config.reusePort())
                // 3000 clients connecting at once overflow the default backlog of 1024.
                .setAcceptBacklog(8192)
                .setTcpNoDelay(true)
                // A client that connects and goes quiet (or stops halfway through a body) is let go.
                .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, config.idleTimeout().toMillis()))
                .setIdleTimeoutUnit(java.util.concurrent.TimeUnit.MILLISECONDS);
        server = vertx.createHttpServer(options).requestHandler(front);
        return server.listen();
    }

    int actualPort() {
        return server.actualPort();
    }
}

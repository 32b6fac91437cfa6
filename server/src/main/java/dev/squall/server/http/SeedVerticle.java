package dev.squall.server.http;

import dev.squall.server.ServerConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;

/** One event loop's HTTP server. Several instances share the port, one per {@code --io-threads}. */
final class SeedVerticle extends VerticleBase {
    private final ServerConfig config;
    private final HttpFront front;
    private final RequestDeadlines deadlines;
    private final int port;
    private HttpServer server;

    SeedVerticle(ServerConfig config, HttpFront front, RequestDeadlines deadlines, int port) {
        this.config = config;
        this.front = front;
        this.deadlines = deadlines;
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
                // No cleartext HTTP/2 (h2c): its detection holds a connection back until enough bytes arrive,
                // which hid trickling clients from the request deadline. HTTP/2 comes with TLS (ALPN).
                .setHttp2ClearTextEnabled(false)
                // A client that connects and goes quiet (or stops halfway through a body) is let go.
                .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, config.idleTimeout().toMillis()))
                .setIdleTimeoutUnit(java.util.concurrent.TimeUnit.MILLISECONDS);
        if (config.tlsCert() != null) {
            // HTTPS on the same port; ALPN offers HTTP/2 and HTTP/1.1.
            options.setSsl(true).setUseAlpn(true)
                    .setKeyCertOptions(new PemKeyCertOptions().setCertPath(config.tlsCert().toString()).setKeyPath(config.tlsKey().toString()));
        }
        server = vertx.createHttpServer(options).requestHandler(front).connectionHandler(deadlines::connected);
        return server.listen();
    }

    int actualPort() {
        return server.actualPort();
    }
}

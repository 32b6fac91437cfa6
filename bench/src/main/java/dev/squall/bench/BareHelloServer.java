package dev.squall.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;

import java.util.concurrent.CountDownLatch;

/**
 * The reference for every intake benchmark: the barest Vert.x HTTP server that answers the seed
 * route's request ({@code hello}), on the same event-loop count and transport as Squall. No Squall
 * code runs here, so "Squall / bare hello" is the cost of everything Squall adds.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp app/target/squall.jar dev.squall.bench.BareHelloServer 8890 [eventLoops]
 * </pre>
 */
public final class BareHelloServer {
    private BareHelloServer() {
    }

    public static void main(String[] args) throws InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8890;
        int loops = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops).setPreferNativeTransport(true));
        CharSequence text = HttpHeaders.createOptimized("text/plain; charset=utf-8");
        CountDownLatch listening = new CountDownLatch(loops);
        for (int i = 0; i < loops; i++) {
            vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port))
                    .requestHandler(req -> req.response().putHeader(HttpHeaders.CONTENT_TYPE, text).end("hello"))
                    .listen()
                    .onSuccess(s -> listening.countDown())
                    .onFailure(e -> {
                        System.err.println("bare hello: cannot listen on " + port + ": " + e.getMessage());
                        System.exit(1);
                    });
        }
        listening.await();
        System.out.println("bare hello listening on 127.0.0.1:" + port + " (" + loops + " event loops, "
                + (vertx.isNativeTransportEnabled() ? "epoll" : "nio") + ")");
    }
}

package dev.squall.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;

import java.util.concurrent.CountDownLatch;

/**
 * The floor of {@code POST /jobs}: the barest Vert.x HTTP server that reads a request's body and
 * answers what Squall answers a submit with, byte for byte in size and shape (202, the same four
 * headers, a job's JSON of the same length), without parsing, storing or running anything. Its
 * rate against the bare hello server is what Vert.x and the kernel cost for that request and that
 * answer; "Squall's {@code POST /jobs} / this" is the cost of everything Squall adds to it.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp app/target/squall.jar dev.squall.bench.BarePostServer 8891 [eventLoops]
 * </pre>
 */
public final class BarePostServer {
    /** The answer to {@code {"kind": "sleep", "payload": {"sleep_ms": 0}}}, as Squall writes it (302 bytes). */
    static final String ANSWER = "{\"id\":\"01a22f28-6f2d-7030-aaf2-80681e3fc2d1\",\"kind\":\"sleep\",\"queue\":\"default\",\"priority\":0,"
            + "\"payload\":{\"sleep_ms\":0},\"state\":\"queued\",\"attempt\":0,\"max_attempts\":3,"
            + "\"created_at\":\"2026-12-01T01:11:48.782Z\",\"run_at\":\"2026-12-01T01:11:48.782Z\",\"started_at\":null,"
            + "\"finished_at\":null,\"result\":null,\"error\":null}";

    private BarePostServer() {
    }

    public static void main(String[] args) throws InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8891;
        int loops = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
        Vertx vertx = start(port, loops);
        System.out.println("bare post listening on 127.0.0.1:" + port + " (" + loops + " event loops, "
                + (vertx.isNativeTransportEnabled() ? "epoll" : "nio") + ")");
    }

    /** Listens on 127.0.0.1:{@code port} with {@code loops} event loops; close the answer to stop. */
    public static Vertx start(int port, int loops) throws InterruptedException {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops).setPreferNativeTransport(true));
        CharSequence json = HttpHeaders.createOptimized("application/json");
        CharSequence location = HttpHeaders.createOptimized("/jobs/01a22f28-6f2d-7030-aaf2-80681e3fc2d1");
        CharSequence pid = HttpHeaders.createOptimized(Long.toString(ProcessHandle.current().pid()));
        CountDownLatch listening = new CountDownLatch(loops);
        java.util.concurrent.atomic.AtomicReference<Throwable> failed = new java.util.concurrent.atomic.AtomicReference<>();
        for (int i = 0; i < loops; i++) {
            vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port))
                    .requestHandler(req -> req.body().onSuccess((Buffer body) -> req.response().setStatusCode(202)
                            .putHeader(HttpHeaders.LOCATION, location).putHeader(HttpHeaders.CONTENT_TYPE, json)
                            .putHeader("X-Squall-Pid", pid).end(ANSWER)))
                    .listen()
                    .onComplete(done -> {
                        if (done.failed()) {
                            failed.set(done.cause());
                        }
                        listening.countDown();
                    });
        }
        listening.await();
        if (failed.get() != null) {
            vertx.close();
            throw new IllegalStateException("bare post: cannot listen on " + port + ": " + failed.get().getMessage(), failed.get());
        }
        return vertx;
    }
}

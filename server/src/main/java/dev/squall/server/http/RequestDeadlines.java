package dev.squall.server.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code --request-timeout}: a client must deliver each request, head and body, within this long of
 * connecting or of its previous answer, or its connection is closed. The idle timeout alone cannot
 * do it: a client that trickles a byte every few seconds is never idle, and thousands of them would
 * hold connections (and memory) for ever.
 *
 * <p>Each HTTP/1.x connection has a deadline: set when it connects and after each answer, cleared
 * once a request is fully read (so a long poll, or a slow job, is not cut). One sweep a
 * {@link #sweepMillis() fraction of the timeout} closes the connections past theirs: no timer per
 * request on the intake path. HTTP/2 connections multiplex requests and are left to the idle timeout.
 */
final class RequestDeadlines implements AutoCloseable {
    private static final long NONE = Long.MAX_VALUE;

    private final Vertx vertx;
    private final long timeoutNanos;
    private final ConcurrentHashMap<HttpConnection, Deadline> connections = new ConcurrentHashMap<>();
    private final long sweeper;

    private static final class Deadline {
        volatile long atNanos;
    }

    RequestDeadlines(Vertx vertx, Duration timeout) {
        this.vertx = vertx;
        this.timeoutNanos = timeout.toNanos();
        this.sweeper = enabled() ? vertx.setPeriodic(sweepMillis(), id -> sweep()) : -1;
    }

    boolean enabled() {
        return timeoutNanos > 0;
    }

    /** How often connections are checked: a tenth of the timeout, between 10 ms and 1 s. */
    private long sweepMillis() {
        return Math.max(10, Math.min(1000, timeoutNanos / 10_000_000));
    }

    /** A new connection: its first request must be in within the timeout. */
    void connected(HttpConnection c) {
        if (!enabled()) {
            return;
        }
        Deadline d = new Deadline();
        d.atNanos = System.nanoTime() + timeoutNanos;
        connections.put(c, d);
        c.closeHandler(v -> connections.remove(c));
    }

    /** A request's head arrived: one without a body is complete; one with a body is when {@link #bodyRead} says so. */
    void requestArrived(HttpServerRequest req) {
        if (!enabled() || req.version() == HttpVersion.HTTP_2) {
            return;
        }
        Deadline d = connections.get(req.connection());
        if (d == null) {
            return;
        }
        String length = req.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (req.getHeader(HttpHeaders.TRANSFER_ENCODING) == null && (length == null || length.equals("0"))) {
            d.atNanos = NONE;
        }
        // The next request on this kept-alive connection gets the same time from this answer on.
        req.response().endHandler(v -> d.atNanos = System.nanoTime() + timeoutNanos);
    }

    /** The whole body of the current request has been read. */
    void bodyRead(HttpServerRequest req) {
        if (enabled() && req.version() != HttpVersion.HTTP_2) {
            Deadline d = connections.get(req.connection());
            if (d != null) {
                d.atNanos = NONE;
            }
        }
    }

    private void sweep() {
        long now = System.nanoTime();
        connections.forEach((c, d) -> {
            long at = d.atNanos;
            if (at != NONE && now - at > 0) {
                connections.remove(c);
                c.close();
            }
        });
    }

    @Override
    public void close() {
        if (sweeper >= 0) {
            vertx.cancelTimer(sweeper);
        }
    }
}

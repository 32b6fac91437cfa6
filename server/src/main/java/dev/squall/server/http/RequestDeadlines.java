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
 * <p>Each HTTP/1.x connection says whether it is waiting for a request to arrive whole (from the
 * connection or the previous answer until its head, and, for a request with a body, until the body
 * is read), and counts its steps. A sweep a {@link #sweepMillis() tenth of the timeout} looks at
 * every connection: one that has waited without a step for longer than the timeout is closed. The
 * intake path only writes two plain fields per request (no clock read, no timer, no fence: a
 * sweep that reads a stale value cuts one sweep later), which kept its cost within the noise of
 * the seed-route benchmark.
 *
 * <p>HTTP/2 multiplexes requests on one connection, so there the deadline is the request's own: a
 * request whose body has not all arrived within the timeout has its stream reset (a timer per
 * HTTP/2 request with a body; the head arrives whole in one HEADERS block, which Netty bounds).
 */
final class RequestDeadlines implements AutoCloseable {
    private final Vertx vertx;
    private final long timeoutNanos;
    private final ConcurrentHashMap<HttpConnection, Deadline> connections = new ConcurrentHashMap<>();
    private final long sweeper;

    /** What the request path tells about a request's progress. */
    interface Progress {
        /** The whole request, body included, has been read. */
        void requestRead();

        /** An answer went out. */
        void answered();
    }

    /** An HTTP/2 request's own deadline: its stream is reset if the body is not read in time. */
    private final class StreamDeadline implements Progress {
        private final long timer;

        StreamDeadline(HttpServerRequest req) {
            this.timer = vertx.setTimer(timeoutNanos / 1_000_000, id -> {
                if (!req.response().ended()) {
                    req.response().reset(0x8); // CANCEL: the client took too long to send the body
                }
            });
        }

        @Override
        public void requestRead() {
            vertx.cancelTimer(timer);
        }

        @Override
        public void answered() {
            vertx.cancelTimer(timer);
        }
    }

    /** One connection's state: written by its event loop, read by the sweep. */
    static final class Deadline implements Progress {
        /** Whether the connection owes the server the rest of a request (or the start of the next one). */
        boolean waiting = true;
        /** Bumped at every step: the sweep restarts its clock when it changes. */
        int steps;
        /** An HTTP/2 connection: its requests keep their own deadlines, the connection has none. */
        boolean multiplexed;
        /** The sweep's own: the steps it saw last and since when (System.nanoTime). */
        int seenSteps = -1;
        long seenSince;

        /** An answer went out: the next request on this kept-alive connection gets the whole timeout from now. */
        @Override
        public void answered() {
            waiting = true;
            steps++;
        }

        @Override
        public void requestRead() {
            waiting = false;
            steps++;
        }
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
        connections.put(c, new Deadline());
        c.closeHandler(v -> connections.remove(c));
    }

    /**
     * A request's head arrived. Returns its connection's deadline (null when none applies), which
     * the caller marks once the body is read ({@link Progress#requestRead}) and at each answer
     * ({@link Deadline#answered}); a request without a body is whole now.
     */
    Progress requestArrived(HttpServerRequest req) {
        if (!enabled()) {
            return null;
        }
        if (req.version() == HttpVersion.HTTP_2) {
            Deadline connection = connections.get(req.connection());
            if (connection != null) {
                connection.multiplexed = true; // else the sweep would close it while its streams are served
            }
            String length = req.getHeader(HttpHeaders.CONTENT_LENGTH);
            boolean body = length != null ? !length.equals("0") : !req.isEnded();
            return body ? new StreamDeadline(req) : null;
        }
        Deadline d = connections.get(req.connection());
        if (d != null) {
            String length = req.getHeader(HttpHeaders.CONTENT_LENGTH);
            boolean body = length != null ? !length.equals("0") : req.headers().contains(HttpHeaders.TRANSFER_ENCODING);
            if (body) {
                d.steps++;
            } else {
                d.requestRead();
            }
        }
        return d;
    }

    private void sweep() {
        long now = System.nanoTime();
        connections.forEach((c, d) -> {
            int steps = d.steps;
            if (d.multiplexed) {
                connections.remove(c); // its requests keep their own deadlines
            } else if (!d.waiting || steps != d.seenSteps) {
                d.seenSteps = steps;
                d.seenSince = now;
            } else if (now - d.seenSince > timeoutNanos) {
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

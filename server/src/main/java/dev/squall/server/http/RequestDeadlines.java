package dev.squall.server.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

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
 * <p>The server keeps the same deadline: a request that waits for the store (the job API, the
 * dashboard, the queue stage's seed route) and has no answer within the timeout of its arrival is
 * answered {@code 503} (see {@link Exchange#answerWithin}), found by the same sweep: a database that
 * stops answering without closing its connections would otherwise hold clients for as long as it
 * is gone. Such answers are counted and logged by {@link LateAnswers}.
 *
 * <p>HTTP/2 multiplexes requests on one connection, so there the deadline is the request's own: a
 * request whose body has not all arrived within the timeout has its stream reset, and one that
 * waits for the store too long is answered 503 (a timer per HTTP/2 request with a body or that waits
 * for the store; the head arrives whole in one HEADERS block, which Netty bounds).
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

        /** The request waits for the store: answer it 503 if it is not answered in time ({@link Exchange#answerWithin}). */
        void awaitAnswer(Exchange ex);

        /** An answer went out. */
        void answered();

        /** This request, {@code what}, was answered 503 because the store had not answered it {@code within}. */
        default void answeredLate(String what, String within) {
        }
    }

    /**
     * An HTTP/2 request's own deadline: its stream is reset if the body is not read in time, and it is
     * answered 503 if it waits for the store too long. A timer only for requests with a body or that
     * wait for the store.
     */
    private final class StreamDeadline implements Progress {
        private final HttpServerRequest req;
        private long timer = -1;
        private boolean read;
        private Exchange awaited;

        StreamDeadline(HttpServerRequest req, boolean body) {
            this.req = req;
            this.read = !body;
            if (body) {
                schedule(timeoutNanos);
            }
        }

        private void schedule(long nanos) {
            timer = vertx.setTimer(Math.max(1, nanos / 1_000_000), id -> {
                timer = -1;
                if (req.response().ended()) {
                    return;
                }
                if (!read && !req.isEnded()) {
                    // isEnded: a request without a body is not always known to be whole when its head arrives
                    req.response().reset(0x8); // CANCEL: the client took too long to send the body
                } else if (awaited != null) {
                    long left = awaited.answerIfLate(timeoutNanos);
                    if (left > 0) {
                        schedule(left);
                    }
                }
            });
        }

        private void cancel() {
            if (timer >= 0) {
                vertx.cancelTimer(timer);
                timer = -1;
            }
        }

        @Override
        public void requestRead() {
            read = true;
            if (awaited == null) {
                cancel();
            }
        }

        @Override
        public void awaitAnswer(Exchange ex) {
            awaited = ex;
            if (timer < 0) {
                schedule(ex.answerIfLate(timeoutNanos));
            }
        }

        @Override
        public void answered() {
            awaited = null;
            cancel();
        }

        @Override
        public void answeredLate(String what, String within) {
            late.tell(what, within);
        }
    }

    /** One connection's state: written by its event loop, read by the sweep. */
    final class Deadline implements Progress {
        /** Whether the connection owes the server the rest of a request (or the start of the next one). */
        boolean waiting = true;
        /** Bumped at every step: the sweep restarts its clock when it changes. */
        int steps;
        /** An HTTP/2 connection: its requests keep their own deadlines, the connection has none. */
        boolean multiplexed;
        /** The request being served that waits for the store, if any (HTTP/1.x serves one at a time). */
        Exchange awaited;
        /** The sweep's own: the steps it saw last and since when (System.nanoTime). */
        int seenSteps = -1;
        long seenSince;

        /** An answer went out: the next request on this kept-alive connection gets the whole timeout from now. */
        @Override
        public void answered() {
            awaited = null;
            waiting = true;
            steps++;
        }

        @Override
        public void requestRead() {
            waiting = false;
            steps++;
        }

        @Override
        public void awaitAnswer(Exchange ex) {
            awaited = ex;
        }

        @Override
        public void answeredLate(String what, String within) {
            late.tell(what, within);
        }
    }

    /**
     * Requests answered 503 because the store had not answered them in time: counted (for
     * {@code squall_http_late_answers_total}) and logged, the first at once and the rest in one line
     * a period (10 s in the server), so that a database that stops answering under load does not
     * flood the log.
     */
    static final class LateAnswers {
        private static final Logger LOG = LoggerFactory.getLogger(RequestDeadlines.class);
        private final long everyNanos;
        private final LongAdder count = new LongAdder();
        private final AtomicLong untold = new AtomicLong();
        private volatile long toldAt;

        LateAnswers(Duration every) {
            this.everyNanos = every.toNanos();
            this.toldAt = System.nanoTime() - everyNanos;
        }

        void tell(String what, String within) {
            count.increment();
            long now = System.nanoTime();
            if (now - toldAt >= everyNanos) {
                toldAt = now;
                long more = untold.getAndSet(0);
                LOG.warn("{} not answered within {} (--request-timeout): answered 503, the store has not answered it yet{}", what, within,
                        more == 0 ? "" : " (and " + more + " more requests since the last such line)");
            } else {
                untold.incrementAndGet();
            }
        }

        /** Called by each sweep: logs the requests answered late since the last line, once that line is a period old. */
        void flush() {
            if (untold.get() > 0 && System.nanoTime() - toldAt >= everyNanos) {
                toldAt = System.nanoTime();
                long more = untold.getAndSet(0);
                if (more > 0) {
                    LOG.warn("{} more requests answered 503 since the last such line: the store had not answered them within "
                            + "--request-timeout", more);
                }
            }
        }

        long count() {
            return count.sum();
        }
    }

    private final LateAnswers late = new LateAnswers(Duration.ofSeconds(10));

    /** How many requests were answered 503 because the store had not answered them within the timeout. */
    long lateAnswers() {
        return late.count();
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
            return new StreamDeadline(req, body);
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
        late.flush();
        long now = System.nanoTime();
        connections.forEach((c, d) -> {
            int steps = d.steps;
            if (d.multiplexed) {
                connections.remove(c); // its requests keep their own deadlines
            } else if (steps != d.seenSteps) {
                d.seenSteps = steps;
                d.seenSince = now;
            } else if (d.waiting) {
                if (now - d.seenSince > timeoutNanos) {
                    connections.remove(c);
                    c.close();
                }
            } else {
                Exchange ex = d.awaited; // may be stale: the exchange checks its own clock on its own loop
                if (ex != null && now - d.seenSince > timeoutNanos + ex.extraNanos()) {
                    ex.answerIfLate(timeoutNanos);
                }
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

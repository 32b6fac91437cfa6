package dev.squall.server.http;

import dev.squall.core.Json;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;

/**
 * One request and how to answer it: plain text like the article, or an RFC 9457 problem document.
 * Every answer goes through here, so every answer gets the Tornado-style access line
 * ({@code 200 GET / (127.0.0.1) 1002.04ms}) and the {@code X-Squall-Pid} header.
 */
public final class Exchange {
    private static final Logger ACCESS = LoggerFactory.getLogger("squall.access");
    private static final CharSequence TEXT = HttpHeaders.createOptimized("text/plain; charset=utf-8");
    private static final CharSequence PROBLEM = HttpHeaders.createOptimized("application/problem+json");
    private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
    private static final CharSequence PID_HEADER = HttpHeaders.createOptimized("X-Squall-Pid");
    private static final CharSequence PID = HttpHeaders.createOptimized(Long.toString(ProcessHandle.current().pid()));

    private final HttpServerRequest request;
    private final Context context;
    private final long startNanos;
    private final boolean accessLog;
    private RequestDeadlines.Progress deadline;
    /**
     * What a late answer advises (null: this request has no answer deadline), and the job it names;
     * see {@link #answerWithin}. Plain fields: the sweep that may read them stale only decides to look,
     * the decision is taken again on the request's own event loop.
     */
    private Late late;
    private String lateJob;
    /** Time granted on top of the request timeout (a long poll's wait). */
    private long extraNanos;

    /** What a request answered late (503 at {@code --request-timeout}) is told may still happen. */
    public enum Late {
        /** A read: nothing happened. */
        TRY_AGAIN,
        /** A submit: the job may still be stored. */
        SUBMIT,
        /** A cancel or retry of one job: it may still be made. */
        CHANGE,
        /** A bulk change: it goes on. */
        BULK;

        String advice(String job) {
            return switch (this) {
                case TRY_AGAIN -> "try again";
                case SUBMIT -> "job " + job + " may still be stored (GET /jobs/" + Ids.pathSegment(job) + " tells); sending the same "
                        + "request again with its id never makes a second job";
                case CHANGE -> "the change may still be made (GET /jobs/" + Ids.pathSegment(job) + " tells)";
                case BULK -> "what changed so far stays changed, and the change may go on; list the jobs to see";
            };
        }
    }
    /** Counts the answer by route and status; null when metrics are off. */
    private dev.squall.server.metrics.SquallMetrics.HttpRoute route;

    Exchange(HttpServerRequest request, Context context, long startNanos, boolean accessLog) {
        this.request = request;
        this.context = context;
        this.startNanos = startNanos;
        this.accessLog = accessLog;
    }

    /** Counts this request's answer under {@code r} (null: not counted). */
    void route(dev.squall.server.metrics.SquallMetrics.HttpRoute r) {
        route = r;
    }

    /** The connection's request deadline ({@code --request-timeout}), or null. */
    void deadline(RequestDeadlines.Progress d) {
        deadline = d;
    }

    /** The request's body has been read whole: the request deadline stops counting. */
    void bodyRead() {
        if (deadline != null) {
            deadline.requestRead();
        }
    }

    /**
     * Answers this request {@code 503} if the store has not let it answer within {@code --request-timeout}
     * of its arrival (plus {@code extra}, a long poll's own wait): a database that stops answering
     * must not hold clients for as long as it is gone. {@code advice} ends the problem's detail (what
     * the caller should do about {@code job}: a submit may still be stored). The work goes on; its own
     * answer, when it comes, is dropped. May be called again to change the advice or the extra time.
     */
    public void answerWithin(Late advice, String job, long extraNanos) {
        this.extraNanos = extraNanos;
        this.lateJob = job;
        this.late = advice;
        if (deadline != null) {
            deadline.awaitAnswer(this);
        }
    }

    long extraNanos() {
        return extraNanos;
    }

    /**
     * Called by {@link RequestDeadlines} (from any thread) when this request may be late: answers it
     * 503 on its event loop if it is, and returns how many nanoseconds are left before it will be (0
     * when it is answered, now or before).
     */
    long answerIfLate(long timeoutNanos) {
        long left = startNanos + timeoutNanos + extraNanos - System.nanoTime();
        if (left > 0) {
            return left;
        }
        if (Vertx.currentContext() != context) {
            context.runOnContext(v -> answerIfLate(timeoutNanos));
            return 0;
        }
        HttpServerResponse response = request.response();
        if (late == null || response.ended() || response.closed()) {
            return 0;
        }
        String within = dev.squall.core.Durations.format(java.time.Duration.ofNanos(timeoutNanos + extraNanos));
        if (deadline != null) {
            deadline.answeredLate(request.method() + " " + Ids.printable(request.path()), within);
        }
        unavailable("the store has not answered within " + within + " (--request-timeout); " + late.advice(lateJob), 1);
        return 0;
    }

    /** The event-loop context the request arrived on; answers from other threads must hop back to it. */
    public Context context() {
        return context;
    }

    public HttpServerRequest request() {
        return request;
    }

    public void text(int status, String body) {
        send(status, TEXT, body);
    }

    public void json(int status, String body) {
        send(status, JSON, body);
    }

    /**
     * Starts a streamed answer (200, chunked, not cached, not buffered by proxies) and counts it as
     * answered; the caller writes to the response and ends it.
     */
    public HttpServerResponse stream(CharSequence contentType) {
        HttpServerResponse response = request.response();
        response.setStatusCode(200).setChunked(true).putHeader(HttpHeaders.CONTENT_TYPE, contentType).putHeader(PID_HEADER, PID)
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store").putHeader("X-Accel-Buffering", "no");
        response.writeHead();
        answered(200);
        return response;
    }

    /** Answers {@code body} as {@code contentType} (a scrape, a page, an asset). */
    public void bytes(int status, CharSequence contentType, io.vertx.core.buffer.Buffer body) {
        HttpServerResponse response = request.response();
        if (response.ended() || response.closed()) {
            return;
        }
        response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, contentType).putHeader(PID_HEADER, PID).end(body);
        answered(status);
    }

    /** Answers an RFC 9457 problem document with a human-readable {@code detail}. */
    public void problem(int status, String title, String detail) {
        send(status, PROBLEM, problemBody(status, title, detail));
    }

    /** 503 with {@code Retry-After}: the caller is told to come back; {@code detail} says whether anything may still happen. */
    public void unavailable(String detail, int retryAfterSeconds) {
        header(HttpHeaders.RETRY_AFTER, Integer.toString(retryAfterSeconds));
        problem(503, "Service Unavailable", detail);
    }

    /** 429 with {@code Retry-After}: the job was not accepted; come back later. */
    public void tooMany(String detail, int retryAfterSeconds) {
        header(HttpHeaders.RETRY_AFTER, Integer.toString(retryAfterSeconds));
        problem(429, "Too Many Requests", detail);
    }

    /** Sets a response header; call before answering (after an answer, such as a late 503, it does nothing). */
    public Exchange header(CharSequence name, CharSequence value) {
        HttpServerResponse response = request.response();
        if (!response.headWritten() && !response.closed()) {
            response.putHeader(name, value);
        }
        return this;
    }

    static String problemBody(int status, String title, String detail) {
        return "{\"type\":\"about:blank\",\"title\":" + Json.quote(title) + ",\"status\":" + status
                + ",\"detail\":" + Json.quote(detail) + "}";
    }

    private void send(int status, CharSequence contentType, String body) {
        HttpServerResponse response = request.response();
        if (response.ended() || response.closed()) {
            return; // the client went away; nothing to answer
        }
        response.setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, contentType)
                .putHeader(PID_HEADER, PID)
                .end(body);
        answered(status);
    }

    /** After an answer: the deadline stops, the metrics count it, the access log says it. */
    private void answered(int status) {
        if (deadline != null) {
            deadline.answered();
        }
        if (route != null) {
            route.answered(status);
        }
        if (accessLog && ACCESS.isInfoEnabled()) {
            double ms = (System.nanoTime() - startNanos) / 1_000_000.0;
            ACCESS.info("{} {} {} ({}) {}ms", status, request.method().name(), request.uri(),
                    request.remoteAddress() == null ? "-" : request.remoteAddress().hostAddress(),
                    String.format(Locale.ROOT, "%.2f", ms));
        }
    }
}

package dev.squall.server.http;

import dev.squall.core.Json;
import io.vertx.core.Context;
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

    /** 503 with {@code Retry-After}: the caller is told to come back, nothing was kept. */
    public void unavailable(String detail, int retryAfterSeconds) {
        request.response().putHeader(HttpHeaders.RETRY_AFTER, Integer.toString(retryAfterSeconds));
        problem(503, "Service Unavailable", detail);
    }

    /** 429 with {@code Retry-After}: the job was not accepted; come back later. */
    public void tooMany(String detail, int retryAfterSeconds) {
        request.response().putHeader(HttpHeaders.RETRY_AFTER, Integer.toString(retryAfterSeconds));
        problem(429, "Too Many Requests", detail);
    }

    /** Sets a response header; call before answering. */
    public Exchange header(CharSequence name, CharSequence value) {
        request.response().putHeader(name, value);
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

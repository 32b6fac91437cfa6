package dev.squall.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.squall.core.Durations;
import dev.squall.core.JobEngine;
import dev.squall.core.JobHandler;
import dev.squall.core.JobHandlers;
import dev.squall.core.JobIds;
import dev.squall.core.JobRecord;
import dev.squall.core.JobState;
import dev.squall.core.JobStore;
import dev.squall.core.BuiltInHandlers;
import dev.squall.core.Json;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The job API: {@code POST /jobs}, {@code GET /jobs/{id}} (with {@code ?wait=}), {@code GET /jobs},
 * {@code DELETE /jobs/{id}}, {@code POST /jobs/{id}/retry}. Every error is a problem document.
 */
final class JobApi {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("squall.http");
    static final Duration MAX_WAIT = Duration.ofSeconds(60);
    /** A listing page stops after about this many characters of payloads, results and errors (~4 MiB). */
    static final long PAGE_CHARS = 4L << 20;

    private final JobEngine engine;
    private final JobHandlers handlers;
    private final int defaultMaxAttempts;
    private final int maxBody;
    private final java.util.function.BooleanSupplier draining;
    private final int longPollLimit;
    private final BulkChanges bulk;
    private final java.util.concurrent.atomic.AtomicInteger longPolls = new java.util.concurrent.atomic.AtomicInteger();

    JobApi(JobEngine engine, JobHandlers handlers, int defaultMaxAttempts, int maxBody, int longPollLimit,
           java.util.function.BooleanSupplier draining) {
        this.longPollLimit = longPollLimit;
        this.bulk = new BulkChanges(engine, maxBody);
        this.engine = engine;
        this.handlers = handlers;
        this.defaultMaxAttempts = defaultMaxAttempts;
        this.maxBody = maxBody;
        this.draining = draining;
    }

    /** Requests waiting now for a job to end ({@code ?wait=}). */
    int longPolls() {
        return longPolls.get();
    }

    /** Handles a request whose path starts with /jobs. */
    void handle(HttpServerRequest req, Exchange ex) {
        String path = req.path();
        HttpMethod m = req.method();
        if (path.equals("/jobs") || path.equals("/jobs/")) {
            if (m == HttpMethod.POST) {
                submit(req, ex);
            } else if (m == HttpMethod.GET) {
                list(req, ex);
            } else {
                notAllowed(req, ex, "GET, POST");
            }
            return;
        }
        String rest = path.substring("/jobs/".length());
        if (m == HttpMethod.POST && (rest.equals("retry") || rest.equals("cancel"))) {
            bulk.handle(req, ex, rest.equals("retry") ? BulkChanges.Change.RETRY : BulkChanges.Change.CANCEL);
            return;
        }
        if (rest.endsWith("/attempts")) {
            String id = decode(rest.substring(0, rest.length() - "/attempts".length()));
            if (m != HttpMethod.GET && m != HttpMethod.HEAD) {
                notAllowed(req, ex, "GET");
            } else if (validId(id, ex)) {
                attempts(ex, id);
            }
            return;
        }
        if (rest.endsWith("/retry")) {
            String id = decode(rest.substring(0, rest.length() - "/retry".length()));
            if (m != HttpMethod.POST) {
                notAllowed(req, ex, "POST");
            } else if (validId(id, ex)) {
                change(engine.retry(id), id, ex, "only a dead job can be retried");
            }
            return;
        }
        if (rest.contains("/")) {
            ex.problem(404, "Not Found", "no route for " + path);
            return;
        }
        String id = decode(rest);
        if (!validId(id, ex)) {
            return;
        }
        if (m == HttpMethod.GET) {
            get(req, ex, id);
        } else if (m == HttpMethod.DELETE) {
            change(engine.cancel(id), id, ex, "only a queued or failed (waiting) job can be cancelled");
        } else {
            notAllowed(req, ex, "GET, DELETE");
        }
    }

    private void submit(HttpServerRequest req, Exchange ex) {
        String type = req.getHeader(HttpHeaders.CONTENT_TYPE);
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            ex.problem(415, "Unsupported Media Type", "send the job as Content-Type: application/json");
            return;
        }
        BodyReader.read(req, maxBody, ex, body -> {
            if (draining.getAsBoolean()) {
                ex.unavailable("the server is shutting down", 1);
                return;
            }
            Parsed parsed;
            try {
                parsed = parse(body);
                if (BuiltInHandlers.isBuiltIn(parsed.handler())) {
                    checkPayload(parsed); // known to be quick
                } else {
                    // A plugin's check is code we do not know: never on the event loop.
                    ex.context().executeBlocking(() -> {
                        checkPayload(parsed);
                        return parsed;
                    }, false).onComplete(done -> {
                        if (done.failed()) {
                            checkFailed(ex, parsed, done.cause());
                        } else {
                            submitChecked(ex, parsed.job());
                        }
                    });
                    return;
                }
            } catch (BadRequest bad) {
                ex.problem(bad.status(), bad.title(), bad.getMessage());
                return;
            }
            submitChecked(ex, parsed.job());
        });
    }

    private static void checkFailed(Exchange ex, Parsed parsed, Throwable cause) {
        if (cause instanceof BadRequest bad) {
            ex.problem(bad.status(), bad.title(), bad.getMessage());
        } else {
            LOG.error("the payload check of job kind '{}' failed", parsed.job().kind(), cause);
            ex.problem(500, "Internal Server Error", "the payload check of job kind '" + parsed.job().kind()
                    + "' failed; nothing was accepted");
        }
    }

    private void submitChecked(Exchange ex, JobRecord job) {
        {
            ex.answerWithin(Exchange.Late.SUBMIT, job.id(), 0);
            onLoop(engine.submit(job), ex, s -> {
                switch (s.kind()) {
                    case CREATED -> created(ex, s.job(), 202);
                    case DUPLICATE -> created(ex, s.job(), 200);
                    case CONFLICT -> ex.problem(409, "Conflict", "job " + job.id() + " exists with another kind, payload or "
                            + "max_attempts; a job id is used once");
                    case FULL -> ex.tooMany("the job queue is full (at most " + engine.store().capacity() + " jobs, and --queue-bytes of their payloads, may wait); retry later", 1);
                    case STOPPING -> ex.unavailable("the server is shutting down", 1);
                }
            });
        }
    }

    private void created(Exchange ex, JobRecord job, int status) {
        ex.header(HttpHeaders.LOCATION, "/jobs/" + Ids.pathSegment(job.id()));
        ex.json(status, JobJson.of(job));
    }

    /** A submitted job as read from its body, its payload not yet checked by its kind's handler. */
    record Parsed(JobRecord job, JobHandler handler, JsonNode payload) {
    }

    /** A job is due at most this far ahead ({@code run_at} or {@code delay}). */
    static final Duration MAX_DELAY = Duration.ofDays(366);
    private static final List<String> FIELDS = List.of("id", "kind", "payload", "max_attempts", "run_at", "delay", "queue", "priority");

    /** Reads a {@code POST /jobs} body and checks its payload (for tests and callers off the event loop). */
    JobRecord parseSubmit(byte[] body) throws BadRequest {
        Parsed p = parse(body);
        checkPayload(p);
        return p.job();
    }

    Parsed parse(byte[] body) throws BadRequest {
        JsonNode n = StrictJson.read(body);
        if (!n.isObject()) {
            throw BadRequest.of("the body must be a JSON object like {\"kind\": \"sleep\", \"payload\": {}}");
        }
        StrictJson.refuseUnknownFields(n, "", FIELDS);
        String id;
        JsonNode idNode = n.get("id");
        if (idNode == null || idNode.isNull()) {
            id = JobIds.next();
        } else if (idNode.isTextual() || idNode.isIntegralNumber()) {
            id = idNode.asText();
            String problem = Ids.problem(id);
            if (problem != null) {
                throw BadRequest.of("id " + problem);
            }
        } else {
            throw BadRequest.of("id must be a string or an integer, not " + type(idNode));
        }
        JsonNode kindNode = n.get("kind");
        if (kindNode == null || kindNode.isNull()) {
            throw BadRequest.of("kind is required: one of " + handlers.kinds());
        }
        if (!kindNode.isTextual()) {
            throw BadRequest.of("kind must be a string (one of " + handlers.kinds() + "), not " + type(kindNode));
        }
        String kind = kindNode.asText();
        JobHandler handler = handlers.find(kind).orElseThrow(
                () -> BadRequest.of("unknown job kind '" + Ids.printable(kind) + "'; one of " + handlers.kinds()));
        JsonNode payload = n.get("payload");
        if (payload == null || payload.isNull()) {
            payload = Json.MAPPER.createObjectNode();
        }
        String payloadJson = payload.toString();
        int maxAttempts = defaultMaxAttempts;
        JsonNode ma = n.get("max_attempts");
        if (ma != null && !ma.isNull()) {
            if (!ma.isIntegralNumber() || !ma.canConvertToLong() || ma.asLong() < 1 || ma.asLong() > 1000) {
                throw BadRequest.of("max_attempts must be an integer from 1 to 1000" + (ma.isIntegralNumber() ? "" : ", not " + type(ma)));
            }
            maxAttempts = ma.asInt();
        }
        long now = System.currentTimeMillis();
        long runAt = now;
        JsonNode at = n.get("run_at");
        JsonNode delay = n.get("delay");
        if (at != null && !at.isNull() && delay != null && !delay.isNull()) {
            throw BadRequest.of("give run_at or delay, not both");
        }
        if (at != null && !at.isNull()) {
            if (!at.isTextual()) {
                throw BadRequest.of("run_at must be a string, an ISO-8601 instant like \"2026-01-31T12:00:00Z\", not " + type(at));
            }
            try {
                Instant instant = Instant.parse(at.asText());
                runAt = instant.isAfter(Instant.ofEpochMilli(now).plus(MAX_DELAY)) ? Long.MAX_VALUE : Math.max(now, instant.toEpochMilli());
            } catch (DateTimeParseException | ArithmeticException e) {
                throw BadRequest.of("run_at must be an ISO-8601 instant like \"2026-01-31T12:00:00Z\", got '" + Ids.printable(at.asText()) + "'");
            }
            if (runAt == Long.MAX_VALUE) {
                throw BadRequest.of("run_at is more than " + MAX_DELAY.toDays() + " days ahead");
            }
        }
        if (delay != null && !delay.isNull()) {
            Duration d;
            if (delay.isIntegralNumber() && delay.canConvertToLong()) {
                d = Duration.ofMillis(delay.asLong());
            } else if (delay.isIntegralNumber()) {
                // a whole number past a long's range: far from any delay allowed, on one side or the other
                throw BadRequest.of(delay.bigIntegerValue().signum() < 0 ? "delay must not be negative"
                        : "delay is at most " + MAX_DELAY.toDays() + " days");
            } else if (delay.isTextual()) {
                try {
                    d = Durations.parse(delay.asText());
                } catch (IllegalArgumentException | ArithmeticException e) {
                    throw BadRequest.of("delay must be a duration like \"1.5s\" or \"10m\", or a whole number of milliseconds; got '"
                            + Ids.printable(delay.asText()) + "'");
                }
            } else {
                throw BadRequest.of("delay must be a whole number of milliseconds or a duration string like \"1.5s\", not " + type(delay));
            }
            if (d.isNegative()) {
                throw BadRequest.of("delay must not be negative");
            }
            if (d.compareTo(MAX_DELAY) > 0) {
                throw BadRequest.of("delay is at most " + MAX_DELAY.toDays() + " days");
            }
            runAt = now + d.toMillis();
        }
        String queue = JobRecord.DEFAULT_QUEUE;
        JsonNode q = n.get("queue");
        if (q != null && !q.isNull()) {
            if (!q.isTextual()) {
                throw BadRequest.of("queue must be a string, not " + type(q));
            }
            queue = q.asText();
            if (!JobRecord.validQueue(queue)) {
                throw BadRequest.of("queue must be 1-100 letters, digits, '.', '_', ':' or '-'; got '" + Ids.printable(queue) + "'");
            }
        }
        int priority = 0;
        JsonNode pr = n.get("priority");
        if (pr != null && !pr.isNull()) {
            if (!pr.isIntegralNumber() || !pr.canConvertToLong() || pr.asLong() < -MAX_PRIORITY || pr.asLong() > MAX_PRIORITY) {
                throw BadRequest.of("priority must be an integer from -" + MAX_PRIORITY + " to " + MAX_PRIORITY
                        + " (smaller runs first)" + (pr.isIntegralNumber() ? "" : ", not " + type(pr)));
            }
            priority = pr.asInt();
        }
        return new Parsed(JobRecord.queued(id, kind, payloadJson, maxAttempts, now, runAt, queue, priority), handler, payload);
    }

    /** The query parameters of {@code GET /jobs/{id}}. */
    private static final List<String> GET_PARAMETERS = List.of("wait");

    /** Priorities run from -1000 (first) to 1000 (last); 0 by default. */
    static final int MAX_PRIORITY = 1000;


    /** The kind's own check of the payload; a plugin's message is passed on, a crash of its check is not. */
    static void checkPayload(Parsed p) throws BadRequest {
        try {
            p.handler().checkPayload(p.payload());
        } catch (RuntimeException e) {
            throw BadRequest.of("payload: " + (e.getMessage() == null ? "refused by kind '" + p.job().kind() + "'" : e.getMessage()));
        }
    }

    /** How a JSON value's type is named in messages. */
    private static String type(JsonNode n) {
        return switch (n.getNodeType()) {
            case STRING -> "a string";
            // JSON's 9e18 and 2.0 are read as decimals, whole or not
            case NUMBER -> n.isIntegralNumber() ? "an integer" : "a number with a fraction or an exponent";
            case BOOLEAN -> "a boolean";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case NULL -> "null";
            default -> "a " + n.getNodeType().name().toLowerCase(Locale.ROOT);
        };
    }

    /** {@code GET /jobs/{id}/attempts}: every attempt, oldest first. */
    private void attempts(Exchange ex, String id) {
        ex.context().executeBlocking(() -> engine.attempts(id), false).onComplete(done -> {
            if (done.failed()) {
                LOG.warn("reading the attempts of job {} failed: {}", Ids.printable(id), done.cause().toString());
                ex.unavailable("the store could not answer; try again", 1);
                return;
            }
            if (done.result().isEmpty()) {
                ex.problem(404, "Not Found", "no job " + id);
                return;
            }
            StringBuilder b = new StringBuilder(256).append("{\"id\":").append(Json.quote(id)).append(",\"attempts\":[");
            List<JobStore.Attempt> all = done.result().get();
            for (int i = 0; i < all.size(); i++) {
                JobStore.Attempt a = all.get(i);
                b.append(i == 0 ? "" : ",").append("{\"attempt\":").append(a.attempt())
                        .append(",\"outcome\":\"").append(a.outcome()).append('"')
                        .append(",\"started_at\":").append(a.startedAt() > 0 ? JobJson.time(a.startedAt()) : "null")
                        .append(",\"ended_at\":").append(a.endedAt() > 0 ? JobJson.time(a.endedAt()) : "null")
                        .append(",\"duration_ms\":").append(a.startedAt() > 0 && a.endedAt() >= a.startedAt()
                                ? Long.toString(a.endedAt() - a.startedAt()) : "null")
                        .append(",\"node\":").append(a.node() == null ? "null" : Json.quote(a.node()))
                        .append(",\"error\":").append(a.error() == null ? "null" : Json.quote(a.error()))
                        .append('}');
            }
            ex.json(200, b.append("]}").toString());
        });
    }

    private void get(HttpServerRequest req, Exchange ex, String id) {
        try {
            QueryParameters.refuseUnknownOrRepeated(req, GET_PARAMETERS);
        } catch (IllegalArgumentException bad) {
            ex.problem(400, "Bad Request", bad.getMessage());
            return;
        }
        String waitParam = req.getParam("wait");
        Duration wait = Duration.ZERO;
        if (waitParam != null) {
            try {
                wait = Durations.parse(waitParam);
            } catch (IllegalArgumentException e) {
                ex.problem(400, "Bad Request", "wait: " + e.getMessage());
                return;
            }
            if (wait.compareTo(MAX_WAIT) > 0) {
                ex.problem(400, "Bad Request", "wait is at most " + Durations.format(MAX_WAIT));
                return;
            }
        }
        boolean polls = wait.isPositive();
        if (polls && longPolls.incrementAndGet() > longPollLimit) {
            longPolls.decrementAndGet();
            ex.tooMany("too many requests are waiting for jobs already (" + longPollLimit + "); ask again later, or without wait", 1);
            return;
        }
        Duration w = wait;
        ex.answerWithin(Exchange.Late.TRY_AGAIN, null, wait.toNanos());
        // Off the event loop: reading a job is a blocking JDBC call on a durable store.
        ex.context().executeBlocking(() -> engine.awaitEnd(id, w), false).onComplete(started -> {
            if (started.failed()) {
                if (polls) {
                    longPolls.decrementAndGet();
                }
                LOG.warn("reading job {} failed: {}", Ids.printable(id), started.cause().toString());
                ex.unavailable("the store could not answer; try again", 1);
                return;
            }
            CompletableFuture<java.util.Optional<JobRecord>> f = started.result();
            if (polls) {
                f.whenComplete((r, e) -> longPolls.decrementAndGet());
            }
            onLoop(f, ex, r -> {
                if (r.isEmpty()) {
                    ex.problem(404, "Not Found", "no job " + id);
                } else {
                    ex.json(200, JobJson.of(r.get()));
                }
            });
        });
    }

    private void list(HttpServerRequest req, Exchange ex) {
        JobStore.JobQuery query;
        try {
            QueryParameters.refuseUnknownOrRepeated(req, Listings.PARAMETERS);
            query = Listings.query(req, PAGE_CHARS);
        } catch (IllegalArgumentException bad) {
            ex.problem(400, "Bad Request", bad.getMessage());
            return;
        }
        // Off the event loop: a listing by a rare state may walk the whole store (no index on state).
        ex.context().executeBlocking(() -> engine.list(query), false).onComplete(done -> {
            if (done.failed()) {
                LOG.warn("listing jobs failed: {}", done.cause().toString());
                ex.unavailable("the store could not answer; try again", 1);
                return;
            }
            JobStore.Page page = done.result();
            StringBuilder b = new StringBuilder("{\"jobs\":[");
            for (int i = 0; i < page.jobs().size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                b.append(JobJson.of(page.jobs().get(i)));
            }
            b.append("],\"next\":").append(page.next() == null ? "null" : Json.quote(page.next())).append('}');
            ex.json(200, b.toString());
        });
    }

    private void change(CompletableFuture<JobStore.Change> future, String id, Exchange ex, String conflict) {
        ex.answerWithin(Exchange.Late.CHANGE, id, 0);
        onLoop(future, ex, c -> {
            switch (c.kind()) {
                case DONE -> ex.json(200, JobJson.of(c.job()));
                case NOT_FOUND -> ex.problem(404, "Not Found", "no job " + id);
                case CONFLICT -> ex.problem(409, "Conflict", "job " + id + " is " + c.job().state().wireName() + ": " + conflict);
            }
        });
    }

    /** Answers on the request's event loop once the future completes; a failed future is a 503. */
    private static <T> void onLoop(CompletableFuture<T> f, Exchange ex, Consumer<T> answer) {
        if (f.isDone() && !f.isCompletedExceptionally()) {
            answer.accept(f.join());
            return;
        }
        f.whenComplete((v, err) -> ex.context().runOnContext(x -> {
            if (err != null) {
                LOG.warn("the store could not answer {} {}: {}", ex.request().method(), ex.request().path(), err.toString());
                ex.unavailable("the store could not answer; try again (a repeated submit with the same job id never makes a second job)", 1);
            } else {
                answer.accept(v);
            }
        }));
    }

    private static boolean validId(String id, Exchange ex) {
        String problem = id == null ? "is not properly percent-encoded" : Ids.problem(id);
        if (problem != null) {
            ex.problem(400, "Bad Request", "the job id in the path " + problem);
            return false;
        }
        return true;
    }

    private static void notAllowed(HttpServerRequest req, Exchange ex, String allowed) {
        req.response().putHeader(HttpHeaders.ALLOW, allowed);
        ex.problem(405, "Method Not Allowed", req.path() + " takes " + allowed);
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}

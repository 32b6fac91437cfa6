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
import dev.squall.core.handler.Json;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;

import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The job API: {@code POST /jobs}, {@code GET /jobs/{id}} (with {@code ?wait=}), {@code GET /jobs},
 * {@code DELETE /jobs/{id}}, {@code POST /jobs/{id}/retry}. Every error is a problem document.
 */
final class JobApi {
    static final Duration MAX_WAIT = Duration.ofSeconds(60);
    private static final int MAX_ID = 200;

    private final JobEngine engine;
    private final JobHandlers handlers;
    private final int defaultMaxAttempts;
    private final int maxBody;
    private final java.util.function.BooleanSupplier draining;

    JobApi(JobEngine engine, JobHandlers handlers, int defaultMaxAttempts, int maxBody, java.util.function.BooleanSupplier draining) {
        this.engine = engine;
        this.handlers = handlers;
        this.defaultMaxAttempts = defaultMaxAttempts;
        this.maxBody = maxBody;
        this.draining = draining;
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
            JobRecord job;
            try {
                job = parseSubmit(body);
            } catch (BadRequest bad) {
                ex.problem(bad.status(), bad.title(), bad.getMessage());
                return;
            }
            onLoop(engine.submit(job), ex, s -> {
                switch (s.kind()) {
                    case CREATED -> created(ex, s.job(), 202);
                    case DUPLICATE -> created(ex, s.job(), 200);
                    case CONFLICT -> ex.problem(409, "Conflict", "job " + job.id() + " exists with another kind, payload or "
                            + "max_attempts; a job id is used once");
                    case FULL -> ex.tooMany("the job queue is full (" + engine.store().capacity() + " jobs waiting); retry later", 1);
                    case STOPPING -> ex.unavailable("the server is shutting down", 1);
                }
            });
        });
    }

    private void created(Exchange ex, JobRecord job, int status) {
        ex.header(HttpHeaders.LOCATION, "/jobs/" + URLEncoder.encode(job.id(), StandardCharsets.UTF_8));
        ex.json(status, JobJson.of(job));
    }

    JobRecord parseSubmit(byte[] body) throws BadRequest {
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw BadRequest.of("the body is not valid JSON: " + BadRequest.firstLine(e.getMessage()));
        }
        if (n == null || !n.isObject()) {
            throw BadRequest.of("the body must be a JSON object like {\"kind\": \"sleep\", \"payload\": {}}");
        }
        for (var it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!java.util.Set.of("id", "kind", "payload", "max_attempts", "run_at", "delay").contains(f)) {
                throw BadRequest.of("unknown field '" + f + "'; the fields are id, kind, payload, max_attempts, run_at, delay");
            }
        }
        String id;
        JsonNode idNode = n.get("id");
        if (idNode == null || idNode.isNull()) {
            id = JobIds.next();
        } else if (idNode.isTextual() || idNode.isIntegralNumber()) {
            id = idNode.asText();
            if (id.isEmpty() || id.length() > MAX_ID || id.contains("/") || id.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                throw BadRequest.of("id must be 1 to " + MAX_ID + " characters, without '/' or control characters");
            }
        } else {
            throw BadRequest.of("id must be a string or an integer");
        }
        JsonNode kindNode = n.get("kind");
        if (kindNode == null || !kindNode.isTextual() || kindNode.asText().isBlank()) {
            throw BadRequest.of("kind is required: one of " + handlers.kinds());
        }
        String kind = kindNode.asText();
        JobHandler handler = handlers.find(kind).orElseThrow(
                () -> BadRequest.of("unknown job kind '" + kind + "'; one of " + handlers.kinds()));
        JsonNode payload = n.get("payload");
        if (payload == null || payload.isNull()) {
            payload = Json.MAPPER.createObjectNode();
        }
        try {
            handler.checkPayload(payload);
        } catch (RuntimeException e) {
            throw BadRequest.of("payload: " + e.getMessage());
        }
        String payloadJson = payload.toString();
        int maxAttempts = defaultMaxAttempts;
        JsonNode ma = n.get("max_attempts");
        if (ma != null && !ma.isNull()) {
            if (!ma.isIntegralNumber() || ma.asLong() < 1 || ma.asLong() > 1000) {
                throw BadRequest.of("max_attempts must be an integer from 1 to 1000");
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
                throw BadRequest.of("run_at must be an ISO-8601 instant like \"2026-01-31T12:00:00Z\"");
            }
            try {
                runAt = Math.max(now, Instant.parse(at.asText()).toEpochMilli());
            } catch (DateTimeParseException e) {
                throw BadRequest.of("run_at must be an ISO-8601 instant like \"2026-01-31T12:00:00Z\", got '" + at.asText() + "'");
            }
        }
        if (delay != null && !delay.isNull()) {
            try {
                Duration d = delay.isNumber() ? Duration.ofMillis(delay.asLong()) : Durations.parse(delay.asText());
                if (d.isNegative()) {
                    throw BadRequest.of("delay must not be negative");
                }
                runAt = now + d.toMillis();
            } catch (IllegalArgumentException e) {
                throw BadRequest.of("delay: " + e.getMessage() + " (or a number of milliseconds)");
            }
        }
        return JobRecord.queued(id, kind, payloadJson, maxAttempts, now, runAt);
    }

    private void get(HttpServerRequest req, Exchange ex, String id) {
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
        onLoop(engine.awaitEnd(id, wait), ex, r -> {
            if (r.isEmpty()) {
                ex.problem(404, "Not Found", "no job " + id);
            } else {
                ex.json(200, JobJson.of(r.get()));
            }
        });
    }

    private void list(HttpServerRequest req, Exchange ex) {
        JobState state = null;
        String s = req.getParam("state");
        try {
            if (s != null && !s.isEmpty()) {
                state = JobState.fromWire(s);
            }
        } catch (IllegalArgumentException e) {
            ex.problem(400, "Bad Request", "state: " + e.getMessage());
            return;
        }
        int limit = 100;
        String l = req.getParam("limit");
        if (l != null) {
            try {
                limit = Integer.parseInt(l);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > 1000) {
                ex.problem(400, "Bad Request", "limit must be an integer from 1 to 1000");
                return;
            }
        }
        String kind = req.getParam("kind");
        String after = req.getParam("after");
        JobStore.JobQuery query = new JobStore.JobQuery(state, kind == null || kind.isEmpty() ? null : kind, limit,
                after == null || after.isEmpty() ? null : after);
        // Off the event loop: a listing by a rare state may walk the whole store (no index on state).
        ex.context().executeBlocking(() -> engine.list(query), false).onComplete(done -> {
            if (done.failed()) {
                ex.problem(503, "Service Unavailable", "the store could not answer: " + done.cause().getMessage());
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
                ex.problem(503, "Service Unavailable", "the store could not answer: " + err.getMessage());
            } else {
                answer.accept(v);
            }
        }));
    }

    private static boolean validId(String id, Exchange ex) {
        if (id == null || id.isEmpty() || id.length() > MAX_ID) {
            ex.problem(400, "Bad Request", "a job id is 1 to " + MAX_ID + " characters");
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

package dev.squall.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.squall.core.JobEngine;
import dev.squall.core.JobRecord;
import dev.squall.core.JobState;
import dev.squall.core.JobStore;
import dev.squall.core.Json;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /jobs/retry} and {@code POST /jobs/cancel}: the same change for many jobs at once,
 * named by id ({@code {"ids": ["a", "b"]}}) or by a filter over the listing
 * ({@code {"filter": {"state": "dead", "queue": "mail", "kind": "email", "id_prefix": "order-",
 * "payload_contains": "ada@"}}}, every field optional). Retry applies to dead
 * jobs, cancel to waiting ones (queued, or failed and due again); a job in another state is
 * skipped as a conflict, an unknown id as not found. One request changes at most {@link #MAX}
 * jobs; {@code "more": true} says the filter matched more (send it again for the next ones).
 *
 * <p>The answer: {@code {"matched": 12, "changed": 10, "skipped": [{"id": "x", "reason": "conflict", "state": "running"}], "more": false}},
 * with at most 100 skipped jobs listed.
 */
final class BulkChanges {
    private static final Logger LOG = LoggerFactory.getLogger("squall.http");
    static final int MAX = 1000;
    private static final int SKIPPED_LISTED = 100;
    /** The fields of a request's body, and of its filter: any other is refused. */
    private static final List<String> BODY_FIELDS = List.of("ids", "filter");
    private static final List<String> FILTER_FIELDS = List.of("state", "queue", "kind", "id_prefix", "payload_contains");

    enum Change {
        RETRY("retry", Set.of(JobState.DEAD)),
        CANCEL("cancel", Set.of(JobState.QUEUED, JobState.FAILED));

        final String verb;
        final Set<JobState> from;

        Change(String verb, Set<JobState> from) {
            this.verb = verb;
            this.from = from;
        }
    }

    /** A request this route cannot take, with the reason for the caller. */
    static final class Refused extends RuntimeException {
        Refused(String detail) {
            super(detail, null, false, false);
        }
    }

    private final JobEngine engine;
    private final int maxBody;

    BulkChanges(JobEngine engine, int maxBody) {
        this.engine = engine;
        this.maxBody = Math.max(maxBody, 256 * 1024); // a thousand ids must fit whatever --max-body is
    }

    /** What to change: ids, or a filter (whose state must be one the change applies to). */
    record Selection(List<String> ids, JobState state, String queue, String kind, String idPrefix, String payloadContains) {
    }

    void handle(HttpServerRequest req, Exchange ex, Change change) {
        String type = req.getHeader(HttpHeaders.CONTENT_TYPE);
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            ex.problem(415, "Unsupported Media Type", "send {\"ids\": [...]} or {\"filter\": {...}} as Content-Type: application/json");
            return;
        }
        BodyReader.read(req, maxBody, ex, body -> {
            Selection sel;
            try {
                sel = parse(body, change);
            } catch (Refused bad) {
                ex.problem(400, "Bad Request", bad.getMessage());
                return;
            }
            ex.answerWithin(Exchange.Late.BULK, null, 0);
            // Off the event loop: a filter walks the listing, and each change waits for the store.
            ex.context().executeBlocking(() -> apply(sel, change), false).onComplete(done -> {
                if (done.failed()) {
                    LOG.warn("bulk {} failed: {}", change.verb, done.cause().toString());
                    ex.unavailable("the store could not answer; what changed so far stays changed; try again", 1);
                } else {
                    ex.json(200, done.result());
                }
            });
        });
    }

    static Selection parse(byte[] body, Change change) {
        JsonNode n;
        try {
            n = StrictJson.read(body); // a field given twice is refused, not read as its last value
        } catch (BadRequest e) {
            throw new Refused(e.getMessage());
        }
        if (n == null || !n.isObject()) {
            throw new Refused("send {\"ids\": [...]} or {\"filter\": {\"state\": ..., \"queue\": ..., \"kind\": ...}}");
        }
        // A field this route does not know is refused, never skipped: a misspelled filter field read
        // as no filter would change every job the rest of the filter matches.
        refuseUnknown(n, "", BODY_FIELDS);
        JsonNode ids = n.get("ids");
        JsonNode filter = n.get("filter");
        if ((ids == null) == (filter == null)) {
            throw new Refused("give either \"ids\" or \"filter\", not both and not neither");
        }
        if (ids != null) {
            if (!ids.isArray() || ids.isEmpty() || ids.size() > MAX) {
                throw new Refused("ids must be an array of 1 to " + MAX + " job ids");
            }
            Set<String> list = new LinkedHashSet<>();
            for (JsonNode id : ids) {
                String problem = id.isTextual() ? Ids.problem(id.asText()) : "must be a string";
                if (problem != null) {
                    throw new Refused("job id " + id + " " + problem);
                }
                list.add(id.asText());
            }
            return new Selection(List.copyOf(list), null, null, null, null, null);
        }
        if (!filter.isObject()) {
            throw new Refused("filter must be an object: {\"state\": ..., \"queue\": ..., \"kind\": ..., \"id_prefix\": ..., "
                    + "\"payload_contains\": ...}");
        }
        refuseUnknown(filter, "filter.", FILTER_FIELDS);
        JobState state = null;
        if (filter.hasNonNull("state")) {
            try {
                state = JobState.fromWire(filter.get("state").asText());
            } catch (IllegalArgumentException e) {
                throw new Refused("filter.state: " + e.getMessage());
            }
            if (!change.from.contains(state)) {
                throw new Refused("only " + names(change.from) + " jobs can be " + (change == Change.RETRY ? "retried" : "cancelled")
                        + ", not " + state.wireName() + " ones");
            }
        }
        String queue = text(filter, "queue");
        if (queue != null && !JobRecord.validQueue(queue)) {
            throw new Refused("filter.queue must be 1-100 letters, digits, '.', '_', ':' or '-'");
        }
        return new Selection(null, state, queue, text(filter, "kind"), text(filter, "id_prefix"), text(filter, "payload_contains"));
    }

    private static void refuseUnknown(JsonNode object, String prefix, List<String> known) {
        try {
            StrictJson.refuseUnknownFields(object, prefix, known);
        } catch (BadRequest e) {
            throw new Refused(e.getMessage());
        }
    }

    private static String names(Set<JobState> states) {
        return String.join(" or ", states.stream().map(JobState::wireName).sorted().toList());
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual() || v.asText().isEmpty()) {
            throw new Refused("filter." + field + " must be a non-empty string");
        }
        return v.asText();
    }

    /** Runs the change (on a worker thread) and writes the answer. */
    private String apply(Selection sel, Change change) {
        List<String> ids = new ArrayList<>();
        boolean more = false;
        if (sel.ids() != null) {
            ids.addAll(sel.ids());
        } else {
            List<JobState> states = sel.state() != null ? List.of(sel.state()) : change.from.stream().sorted().toList();
            for (JobState state : states) {
                String after = null;
                do {
                    JobStore.Page page = engine.list(new JobStore.JobQuery(state, sel.kind(), Math.min(MAX, MAX + 1 - ids.size()), after,
                            Long.MAX_VALUE, sel.queue(), sel.idPrefix(), sel.payloadContains()));
                    for (JobRecord r : page.jobs()) {
                        if (ids.size() < MAX) {
                            ids.add(r.id());
                        } else {
                            more = true;
                        }
                    }
                    after = page.next();
                    more |= ids.size() >= MAX && after != null;
                } while (after != null && ids.size() < MAX);
            }
        }
        List<CompletableFuture<JobStore.Change>> changes = new ArrayList<>(ids.size());
        for (String id : ids) {
            changes.add(change == Change.RETRY ? engine.retry(id) : engine.cancel(id));
        }
        int changed = 0;
        int skipped = 0;
        StringBuilder listed = new StringBuilder();
        for (int i = 0; i < ids.size(); i++) {
            JobStore.Change c = changes.get(i).join();
            if (c.kind() == JobStore.Change.Kind.DONE) {
                changed++;
                continue;
            }
            if (skipped++ < SKIPPED_LISTED) {
                listed.append(listed.isEmpty() ? "" : ",").append("{\"id\":").append(Json.quote(ids.get(i)))
                        .append(",\"reason\":\"").append(c.kind() == JobStore.Change.Kind.NOT_FOUND ? "not_found" : "conflict").append('"');
                if (c.job() != null) {
                    listed.append(",\"state\":\"").append(c.job().state().wireName()).append('"');
                }
                listed.append('}');
            }
        }
        if (changed > 0) {
            LOG.info("bulk {}: {} of {} jobs", change.verb, changed, ids.size());
        }
        return "{\"matched\":" + ids.size() + ",\"changed\":" + changed + ",\"skipped_count\":" + skipped + ",\"skipped\":[" + listed
                + "],\"more\":" + more + "}";
    }
}

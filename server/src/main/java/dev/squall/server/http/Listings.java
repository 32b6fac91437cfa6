package dev.squall.server.http;

import dev.squall.core.JobRecord;
import dev.squall.core.JobState;
import dev.squall.core.JobStore;
import io.vertx.core.http.HttpServerRequest;

import java.util.List;

/** The filters of a job listing, as {@code GET /jobs} and the dashboard's job list read them from a query string. */
public final class Listings {
    private Listings() {
    }

    /**
     * The listing's filters from the query string: {@code state}, {@code kind}, {@code queue},
     * {@code id_prefix}, {@code payload_contains}, {@code limit} (1-1000, default 100) and
     * {@code after}; a bad one throws with the reason.
     */
    public static JobStore.JobQuery query(HttpServerRequest req, long maxChars) {
        JobState state = null;
        String s = req.getParam("state");
        try {
            if (s != null && !s.isEmpty()) {
                state = JobState.fromWire(s);
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("state: " + e.getMessage());
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
                throw new IllegalArgumentException("limit must be an integer from 1 to 1000");
            }
        }
        String queue = blankIsNull(req.getParam("queue"));
        if (queue != null && !JobRecord.validQueue(queue)) {
            throw new IllegalArgumentException("queue must be 1-100 letters, digits, '.', '_', ':' or '-'");
        }
        String prefix = blankIsNull(req.getParam("id_prefix"));
        String contains = blankIsNull(req.getParam("payload_contains"));
        for (String v : new String[] {prefix, contains}) {
            if (v != null && v.length() > 200) {
                throw new IllegalArgumentException("id_prefix and payload_contains are at most 200 characters");
            }
        }
        return new JobStore.JobQuery(state, blankIsNull(req.getParam("kind")), limit, blankIsNull(req.getParam("after")), maxChars,
                queue, prefix, contains);
    }

    /** The parameters {@link #query} reads, in the order a refusal names them (the JSON API refuses any other). */
    static final List<String> PARAMETERS = List.of("state", "kind", "queue", "id_prefix", "payload_contains", "limit", "after");

    private static String blankIsNull(String v) {
        return v == null || v.isEmpty() ? null : v;
    }

}

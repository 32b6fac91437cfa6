package dev.squall.server.http;

import io.vertx.core.http.HttpServerRequest;

import java.util.List;

/** The query string of a JSON API route, read strictly: its callers are programs, and a typo must not pass. */
final class QueryParameters {
    private QueryParameters() {
    }

    /**
     * Refuses a parameter not in {@code known}, or one given twice: a misspelled one skipped would
     * change what the request means without a word ({@code ?stat=dead} listing every job, {@code
     * ?wiat=10s} answering at once), and of a repeated one only the first would count.
     *
     * @throws IllegalArgumentException whose message is the answer's detail
     */
    static void refuseUnknownOrRepeated(HttpServerRequest req, List<String> known) {
        for (String name : req.params().names()) {
            if (!known.contains(name)) {
                throw new IllegalArgumentException("unknown query parameter '" + Ids.printable(name) + "'; the parameters are "
                        + String.join(", ", known));
            }
            if (req.params().getAll(name).size() > 1) {
                throw new IllegalArgumentException(name + " is given twice; give each parameter once");
            }
        }
    }
}

package dev.squall.server.http;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.squall.core.Json;

import java.io.IOException;
import java.util.List;

/**
 * Request bodies as strict JSON: exactly one value, nothing after it, no field given twice (a
 * second {@code kind} must not silently change the job). Errors are told in the caller's terms,
 * with where in the body, never with the parser's internals.
 */
final class StrictJson {
    private static final ObjectReader READER = Json.MAPPER.reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private StrictJson() {
    }

    /** The body as a tree; a {@link BadRequest} that says what is wrong and where. */
    static JsonNode read(byte[] body) throws BadRequest {
        try {
            JsonNode n = READER.readTree(body);
            if (n == null || n.isMissingNode()) {
                throw BadRequest.of("the request has no body; send a JSON object");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw BadRequest.of(describe(e));
        } catch (IOException e) {
            throw BadRequest.of("the body could not be read as JSON");
        }
    }

    /**
     * Refuses a field of {@code object} not in {@code known}: skipped, a misspelled field would
     * change what the request means without a word. {@code prefix} names where the object sits
     * ({@code "filter."}), for the message, which lists the known fields in their order.
     */
    static void refuseUnknownFields(JsonNode object, String prefix, List<String> known) throws BadRequest {
        for (var it = object.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                throw BadRequest.of("unknown field '" + prefix + Ids.printable(f) + "'; the fields are "
                        + String.join(", ", known.stream().map(k -> prefix + k).toList()));
            }
        }
    }

    /** A parser's complaint, said for the caller: what is wrong, and at which line and column. */
    static String describe(JsonProcessingException e) {
        String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        JsonLocation at = e.getLocation();
        String where = at == null || at.getLineNr() < 1 ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
        if (original.startsWith("Duplicate field")) {
            int q = original.indexOf('\'');
            String name = q < 0 ? "" : original.substring(q, original.lastIndexOf('\'') + 1);
            return "the field " + name + " is given twice" + where + "; give each field once";
        }
        if (e instanceof MismatchedInputException && original.startsWith("Trailing token")) {
            return "the body has more after its JSON value" + where + "; send exactly one JSON object";
        }
        if (original.contains("end-of-input")) {
            return "the body is not valid JSON: it ends before its JSON is complete" + where;
        }
        if (original.contains("control character") || original.contains("CTRL-CHAR")) {
            return "the body is not valid JSON: a raw control character inside a string" + where + "; escape it (\\n, \\u0007, ...)";
        }
        if (e instanceof StreamConstraintsException && original.contains("nesting depth")) {
            // valid JSON, past the parser's bound (StreamReadConstraints: 1000 levels)
            return "the body nests its JSON deeper than " + StreamReadConstraints.DEFAULT_MAX_DEPTH + " levels";
        }
        return "the body is not valid JSON" + where;
    }
}

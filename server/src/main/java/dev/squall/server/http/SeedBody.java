package dev.squall.server.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.squall.core.Json;

import java.io.IOException;

/**
 * Reads the seed route's body {@code {"job_id": N}}: one streaming pass that checks the whole
 * document is well-formed JSON and picks out the top-level {@code job_id}, which must be a number or
 * a string. Anything else is a {@link BadRequest} that says what was wrong.
 */
public final class SeedBody {
    static final String EXAMPLE = "send a JSON body like {\"job_id\": 1}";

    private SeedBody() {
    }

    /** Returns the job id as text: {@code 7} for {@code 7}, {@code abc} for {@code "abc"}. */
    public static String jobId(byte[] body) throws BadRequest {
        String simple = simpleIntegerId(body);
        if (simple != null) {
            return simple;
        }
        if (body.length == 0 || isBlank(body)) {
            throw BadRequest.of("the request has no body; " + EXAMPLE);
        }
        String id = null;
        try (JsonParser p = Json.FACTORY.createParser(body)) {
            p.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION); // a second job_id must not win silently
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw BadRequest.of("the body must be a JSON object; " + EXAMPLE);
            }
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_OBJECT) {
                if (t != JsonToken.FIELD_NAME) {
                    throw BadRequest.of("the body is not valid JSON; " + EXAMPLE);
                }
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if ("job_id".equals(field)) {
                    id = switch (value) {
                        case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> p.getText();
                        case VALUE_STRING -> p.getText();
                        case VALUE_NULL -> throw BadRequest.of("job_id is null; it must be a number or a string");
                        default -> throw BadRequest.of("job_id must be a number or a string, not "
                                + describe(value));
                    };
                    if (value.isStructStart()) {
                        p.skipChildren();
                    }
                } else if (value.isStructStart()) {
                    p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw BadRequest.of("the body has data after the JSON object; " + EXAMPLE);
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw BadRequest.of(StrictJson.describe(e) + "; " + EXAMPLE);
        } catch (IOException e) {
            throw BadRequest.of("the body could not be read as JSON; " + EXAMPLE);
        }
        if (id == null) {
            throw BadRequest.of("the body has no job_id; " + EXAMPLE);
        }
        String problem = Ids.problem(id);
        if (problem != null) {
            throw BadRequest.of("job_id " + problem);
        }
        return id;
    }

    private static final byte[] FIELD = "\"job_id\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /**
     * The intake fast path: the article's exact body, {@code {"job_id": 123}} (any spacing), read
     * without building a JSON parser, which is a measurable share of intake cost. Anything else, even
     * valid JSON, returns null and takes the full parser.
     */
    static String simpleIntegerId(byte[] b) {
        int i = skipSpace(b, 0);
        if (i >= b.length || b[i] != '{') {
            return null;
        }
        i = skipSpace(b, i + 1);
        if (b.length - i < FIELD.length || !java.util.Arrays.equals(b, i, i + FIELD.length, FIELD, 0, FIELD.length)) {
            return null;
        }
        i = skipSpace(b, i + FIELD.length);
        if (i >= b.length || b[i] != ':') {
            return null;
        }
        int start = skipSpace(b, i + 1);
        int j = start < b.length && b[start] == '-' ? start + 1 : start;
        int firstDigit = j;
        while (j < b.length && b[j] >= '0' && b[j] <= '9') {
            j++;
        }
        int digits = j - firstDigit;
        // JSON forbids leading zeros ("01"); leave every such case to the full parser.
        if (digits == 0 || digits > 19 || (digits > 1 && b[firstDigit] == '0')) {
            return null;
        }
        int end = j;
        j = skipSpace(b, j);
        if (j >= b.length || b[j] != '}' || skipSpace(b, j + 1) != b.length) {
            return null;
        }
        return new String(b, start, end - start, java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static int skipSpace(byte[] b, int i) {
        while (i < b.length && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t')) {
            i++;
        }
        return i;
    }

    private static String describe(JsonToken t) {
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            default -> t.asString() == null ? t.name() : t.asString();
        };
    }

    private static boolean isBlank(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return false;
            }
        }
        return true;
    }
}

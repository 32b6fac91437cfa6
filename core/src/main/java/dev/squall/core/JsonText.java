package dev.squall.core;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;

/** Comparing JSON documents by meaning, not by spelling. */
public final class JsonText {
    private JsonText() {
    }

    /** Whether {@code text} is exactly one well-formed JSON document (read as a stream, no tree built). */
    public static boolean isValid(String text) {
        try (com.fasterxml.jackson.core.JsonParser p = Json.FACTORY.createParser(text)) {
            if (p.nextToken() == null) {
                return false;
            }
            p.skipChildren();
            return p.nextToken() == null;
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code {"a":1, "b":2}} and {@code { "b": 2, "a": 1 }} are equivalent; text that is not JSON compares as text. */
    public static boolean equivalent(String a, String b) {
        if (a.equals(b)) {
            return true;
        }
        try {
            JsonNode x = Json.MAPPER.readTree(a);
            JsonNode y = Json.MAPPER.readTree(b);
            return x != null && x.equals(y);
        } catch (IOException e) {
            return false;
        }
    }
}

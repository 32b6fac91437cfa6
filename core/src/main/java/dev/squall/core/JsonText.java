package dev.squall.core;

import com.fasterxml.jackson.databind.JsonNode;
import dev.squall.core.handler.Json;

import java.io.IOException;

/** Comparing JSON documents by meaning, not by spelling. */
public final class JsonText {
    private JsonText() {
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

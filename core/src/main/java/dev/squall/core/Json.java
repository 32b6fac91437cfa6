package dev.squall.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The one shared, thread-safe Jackson setup of the project. */
public final class Json {
    /** Thread-safe once configured; creating mappers is what is expensive, so there is one. */
    public static final ObjectMapper MAPPER = new ObjectMapper();
    public static final JsonFactory FACTORY = MAPPER.getFactory();

    private Json() {
    }

    /** A JSON string literal for {@code text}, quoted and escaped. */
    public static String quote(String text) {
        try {
            return MAPPER.writeValueAsString(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot happen for a String", e);
        }
    }
}

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

    /**
     * A JSON string literal for {@code text}, quoted and escaped as Jackson escapes it. Text with
     * nothing to escape (ids, kinds, queues: nearly always) is quoted here directly; a Jackson
     * generator per string was an eighth of a {@code POST /jobs}'s event-loop time.
     */
    public static String quote(String text) {
        if (text != null && plain(text)) {
            return "\"" + text + "\"";
        }
        try {
            return MAPPER.writeValueAsString(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot happen for a String", e);
        }
    }

    /** Whether {@code text} needs no escaping: no quote, backslash, control character or surrogate. */
    static boolean plain(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\' || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }
}

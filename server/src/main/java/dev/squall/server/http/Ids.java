package dev.squall.server.http;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The one rule for job ids, on the seed route ({@code job_id}) and in the job API ({@code id}):
 * 1 to {@value #MAX_LENGTH} characters, no control characters (U+0000-U+001F, U+007F-U+009F: they
 * would forge log lines), and no {@code /} (an id is a path segment). Documented in docs/jobs.md.
 * Public for {@link #pathSegment} alone, which the dashboard's links use too.
 */
public final class Ids {
    static final int MAX_LENGTH = 200;

    private Ids() {
    }

    /** Null when {@code id} is a valid job id, else what is wrong with it (to follow "id ..."). */
    static String problem(String id) {
        if (id.isEmpty() || id.length() > MAX_LENGTH) {
            return "must be 1 to " + MAX_LENGTH + " characters long";
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (Character.isISOControl(c)) {
                return "must not contain control characters (found U+" + String.format("%04X", (int) c) + " at " + i + ")";
            }
            if (c == '/') {
                return "must not contain '/'";
            }
        }
        return null;
    }

    /** Text from a request, safe to put in a message or a log line: control characters escaped, at most 100 characters. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 100) + 8);
        for (int i = 0; i < s.length() && b.length() < 100; i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c)) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return s.length() > 100 ? b + "..." : b.toString();
    }

    /**
     * {@code s} as one path segment or query value of a URL ({@code Location: /jobs/...}, the
     * dashboard's links): percent-encoded UTF-8, a space as {@code %20}. {@link URLEncoder} alone
     * encodes for forms, where a space is {@code +}, a plus in a path: the Location of
     * {@code "report 7"} led to no job. A text with nothing to encode (generated ids) comes back as it is.
     */
    public static String pathSegment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}

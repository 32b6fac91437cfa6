package dev.squall.server.http;

/**
 * The one rule for job ids, on the seed route ({@code job_id}) and in the job API ({@code id}):
 * 1 to {@value #MAX_LENGTH} characters, no control characters (U+0000-U+001F, U+007F-U+009F: they
 * would forge log lines), and no {@code /} (an id is a path segment). Documented in docs/jobs.md.
 */
final class Ids {
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
     * {@code id} as one path segment of a URL ({@code Location: /jobs/...}): unreserved characters
     * (RFC 3986: letters, digits, {@code - . _ ~}) as they are, every other byte of its UTF-8
     * percent-encoded. Not {@link java.net.URLEncoder}, which encodes for forms: its {@code +} for a
     * space is a plus in a path, and the Location of {@code "report 7"} led to no job.
     */
    static String pathSegment(String id) {
        int i = 0;
        while (i < id.length() && unreserved(id.charAt(i))) {
            i++;
        }
        if (i == id.length()) {
            return id; // generated ids (UUIDs) and most given ones: nothing to encode
        }
        byte[] utf8 = id.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        StringBuilder b = new StringBuilder(utf8.length * 3);
        for (byte x : utf8) {
            char c = (char) (x & 0xFF);
            if (unreserved(c)) {
                b.append(c);
            } else {
                b.append('%').append(HEX[(x >> 4) & 0xF]).append(HEX[x & 0xF]);
            }
        }
        return b.toString();
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private static boolean unreserved(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    }
}

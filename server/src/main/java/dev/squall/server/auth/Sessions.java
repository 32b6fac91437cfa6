package dev.squall.server.auth;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Browser sessions of the dashboard: a browser logs in once with a token and then carries a
 * random session id in an HttpOnly, SameSite=Strict cookie. A session holds the token's digest
 * (never the token), a CSRF token that every state-changing request must echo in a header, and an
 * expiry. At most {@link #MAX} sessions live at once; the oldest go first.
 */
public final class Sessions {
    static final long LIFETIME_MILLIS = 12 * 3600 * 1000L;
    static final int MAX = 10_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One logged-in browser. */
    public record Session(String id, String csrf, byte[] tokenDigest, long expiresAt) {
    }

    private final ConcurrentHashMap<String, Session> live = new ConcurrentHashMap<>();

    Session open(byte[] tokenDigest) {
        long now = System.currentTimeMillis();
        if (live.size() >= MAX) {
            live.values().removeIf(s -> s.expiresAt() < now);
            if (live.size() >= MAX) {
                live.values().stream().min(java.util.Comparator.comparingLong(Session::expiresAt)).ifPresent(s -> live.remove(s.id()));
            }
        }
        Session s = new Session(random(), random(), tokenDigest, now + LIFETIME_MILLIS);
        live.put(s.id(), s);
        return s;
    }

    Session find(String id) {
        if (id == null) {
            return null;
        }
        Session s = live.get(id);
        if (s != null && s.expiresAt() < System.currentTimeMillis()) {
            live.remove(id);
            return null;
        }
        return s;
    }

    void end(String id) {
        if (id != null) {
            live.remove(id);
        }
    }

    private static String random() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}

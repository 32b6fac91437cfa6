package dev.squall.server.auth;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Who may call what: the tokens in force, reloadable from their file without a restart (on SIGHUP).
 * A reload that fails keeps the tokens in force and says why, so a typo cannot lock everyone out or
 * let everyone in. Without a token file every request is allowed ({@link #open()}).
 *
 * <pre>{@code
 * Guard guard = Guard.fromFile(Path.of("tokens"));
 * if (guard.check(req.getHeader("Authorization"), Scope.READ) != Tokens.Verdict.ALLOWED) { ... 401 / 403 ... }
 * guard.reload();   // on SIGHUP
 * }</pre>
 */
public final class Guard {
    private static final Logger LOG = LoggerFactory.getLogger("squall.server");

    private final Path file;
    private final AtomicReference<Tokens> tokens;
    private final Sessions sessions = new Sessions();

    private Guard(Path file, Tokens tokens) {
        this.file = file;
        this.tokens = new AtomicReference<>(tokens);
    }

    /** No authentication: every request is allowed. */
    public static Guard open() {
        return new Guard(null, null);
    }

    /** The tokens of {@code file}; throws {@link IllegalArgumentException} when the file is unusable. */
    public static Guard fromFile(Path file) {
        return new Guard(file, Tokens.load(file));
    }

    public boolean enabled() {
        return file != null;
    }

    public Tokens.Verdict check(String authorization, Scope needed) {
        Tokens t = tokens.get();
        return t == null ? Tokens.Verdict.ALLOWED : t.check(authorization, needed);
    }

    /**
     * Logs a browser in with a token: a new session (its cookie value and its CSRF token), or null
     * when the token is unknown. Only the token's digest is kept, so a reload that removes the
     * token ends its sessions.
     */
    public Sessions.Session login(String secret) {
        Tokens t = tokens.get();
        if (t == null || secret == null || secret.isBlank()) {
            return null;
        }
        java.util.Set<Scope> scopes = t.scopesOf(secret);
        return scopes == null ? null : sessions.open(Tokens.digestOf(secret));
    }

    /** Checks a browser session (its cookie value) for {@code needed}, as {@link #check} checks a header. */
    public Tokens.Verdict checkSession(String cookie, Scope needed) {
        Tokens t = tokens.get();
        if (t == null) {
            return Tokens.Verdict.ALLOWED;
        }
        Sessions.Session s = sessions.find(cookie);
        if (s == null) {
            return Tokens.Verdict.MISSING;
        }
        java.util.Set<Scope> scopes = t.scopesOfDigest(s.tokenDigest());
        if (scopes == null) {
            sessions.end(cookie);
            return Tokens.Verdict.UNKNOWN;
        }
        return scopes.contains(needed) ? Tokens.Verdict.ALLOWED : Tokens.Verdict.FORBIDDEN;
    }

    /** The session of this cookie value, or null. */
    public Sessions.Session session(String cookie) {
        return sessions.find(cookie);
    }

    /** Ends a session (logout). */
    public void logout(String cookie) {
        sessions.end(cookie);
    }

    /** Reads the file again; on any problem keeps the tokens in force. Returns whether the new ones took effect. */
    public boolean reload() {
        if (file == null) {
            return false;
        }
        try {
            Tokens fresh = Tokens.load(file);
            tokens.set(fresh);
            LOG.info("tokens reloaded from {}: {} token{}", file, fresh.size(), fresh.size() == 1 ? "" : "s");
            return true;
        } catch (IllegalArgumentException e) {
            LOG.error("tokens NOT reloaded, the ones in force stay: {}", e.getMessage());
            return false;
        }
    }
}

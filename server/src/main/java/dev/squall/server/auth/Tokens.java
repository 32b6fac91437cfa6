package dev.squall.server.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The bearer tokens of a {@code --token-file}, immutable. The file has one token a line:
 * {@code SECRET} (every scope) or {@code SECRET SCOPE[,SCOPE...]}; blank lines and lines starting
 * with {@code #} are ignored.
 *
 * <pre>{@code
 * Tokens tokens = Tokens.load(Path.of("/etc/squall/tokens"));        // refuses a file group or others can read
 * Tokens.Verdict v = tokens.check(req.getHeader("Authorization"), Scope.SUBMIT);
 * }</pre>
 *
 * Secrets are kept only as SHA-256 digests and compared with {@link MessageDigest#isEqual} against
 * every token, so the time a check takes says nothing about how much of a guess was right. No
 * secret is ever logged or put in an error message.
 */
public final class Tokens {
    /** A secret shorter than this is refused: it could be guessed. */
    static final int MIN_SECRET = 16;

    private record Token(byte[] digest, Set<Scope> scopes) {
    }

    /** The outcome of a check. */
    public enum Verdict {
        /** The token is known and has the scope. */
        ALLOWED,
        /** No {@code Authorization: Bearer} header (answer 401). */
        MISSING,
        /** A token that is not in the file (answer 401). */
        UNKNOWN,
        /** A known token without the scope (answer 403). */
        FORBIDDEN
    }

    private final List<Token> tokens;

    private Tokens(List<Token> tokens) {
        this.tokens = List.copyOf(tokens);
    }

    public int size() {
        return tokens.size();
    }

    /**
     * Reads and checks a token file: it must be a regular file that only its owner may read (like an
     * ssh key), with at least one token, each at least {@value #MIN_SECRET} characters.
     *
     * @throws IllegalArgumentException naming the file and the line, never the secret
     */
    public static Tokens load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + " is not a file");
        }
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)
                    || perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
                throw new IllegalArgumentException(file + " can be read or written by group or others; its tokens are secrets: "
                        + "chmod 600 " + file);
            }
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: nothing to check
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
        }
        return parse(lines, file.toString());
    }

    static Tokens parse(List<String> lines, String source) {
        List<Token> tokens = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\\s+");
            if (parts.length > 2) {
                throw new IllegalArgumentException(source + " line " + (i + 1) + ": expected SECRET or SECRET SCOPE[,SCOPE...]");
            }
            if (parts[0].length() < MIN_SECRET) {
                throw new IllegalArgumentException(source + " line " + (i + 1) + ": the token is shorter than " + MIN_SECRET
                        + " characters; use a long random one (openssl rand -hex 32)");
            }
            Set<Scope> scopes = EnumSet.noneOf(Scope.class);
            if (parts.length == 1) {
                scopes = EnumSet.allOf(Scope.class);
            } else {
                for (String s : parts[1].split(",")) {
                    try {
                        scopes.add(Scope.fromWire(s.strip()));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException(source + " line " + (i + 1) + ": " + e.getMessage());
                    }
                }
            }
            tokens.add(new Token(digest(parts[0]), Set.copyOf(scopes)));
        }
        if (tokens.isEmpty()) {
            throw new IllegalArgumentException(source + " has no token; one a line: SECRET or SECRET SCOPE[,SCOPE...]");
        }
        return new Tokens(tokens);
    }

    /** Checks an {@code Authorization} header value (or null) for {@code needed}. */
    public Verdict check(String authorization, Scope needed) {
        if (authorization == null || authorization.length() < 7 || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Verdict.MISSING;
        }
        byte[] presented = digest(authorization.substring(7).strip());
        Token match = null;
        for (Token t : tokens) {
            // Every token is compared, whatever matched: the time does not tell which one did.
            if (MessageDigest.isEqual(t.digest(), presented)) {
                match = t;
            }
        }
        if (match == null) {
            return Verdict.UNKNOWN;
        }
        return match.scopes().contains(needed) ? Verdict.ALLOWED : Verdict.FORBIDDEN;
    }

    /** The scopes of the token whose secret is {@code secret}; null when no token has it. */
    Set<Scope> scopesOf(String secret) {
        byte[] presented = digest(secret.strip());
        Set<Scope> found = null;
        for (Token t : tokens) {
            if (MessageDigest.isEqual(t.digest(), presented)) {
                found = t.scopes();
            }
        }
        return found;
    }

    /** The scopes of the token with this digest (a browser session's), or null when it is gone (a reload removed it). */
    Set<Scope> scopesOfDigest(byte[] d) {
        Set<Scope> found = null;
        for (Token t : tokens) {
            if (MessageDigest.isEqual(t.digest(), d)) {
                found = t.scopes();
            }
        }
        return found;
    }

    static byte[] digestOf(String secret) {
        return digest(secret.strip());
    }

    /**
     * One SHA-256 instance per thread, reused: looking the algorithm up among the security providers
     * at every request cost more than hashing the token (a check runs on the event loop for every
     * request when tokens are on).
     */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    });

    private static byte[] digest(String secret) {
        MessageDigest sha = SHA256.get();
        sha.reset();
        return sha.digest(secret.getBytes(StandardCharsets.UTF_8));
    }
}

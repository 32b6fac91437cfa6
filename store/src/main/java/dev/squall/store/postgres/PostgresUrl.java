package dev.squall.store.postgres;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Where the PostgreSQL store lives, as {@code --store} writes it:
 * {@code postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?param=value&…]} (also {@code postgres://}),
 * the form libpq and psql take. The password may instead come from {@code PGPASSWORD}. Query
 * parameters go to the JDBC driver as connection properties ({@code sslmode=require}, say).
 *
 * <pre>{@code
 * PostgresUrl url = PostgresUrl.parse("postgresql://squall@db:5432/jobs", System.getenv("PGPASSWORD"));
 * url.jdbcUrl();     // jdbc:postgresql://db:5432/jobs
 * url.describe();    // postgresql://squall@db:5432/jobs (never the password)
 * }</pre>
 *
 * @param host       the server's host
 * @param port       its port (5432 unless given)
 * @param database   the database
 * @param user       the role to log in as
 * @param password   the password, or null (trust or peer authentication)
 * @param parameters driver properties from the query string, in order
 */
public record PostgresUrl(String host, int port, String database, String user, String password,
                          Map<String, String> parameters) {

    public PostgresUrl {
        parameters = Map.copyOf(parameters);
    }

    /** Whether {@code store} names a PostgreSQL store at all (then {@link #parse} says what is wrong with it). */
    public static boolean looksLikeOne(String store) {
        return store.startsWith("postgresql://") || store.startsWith("postgres://");
    }

    /**
     * Parses {@code url}; {@code envPassword} ({@code PGPASSWORD}, may be null) is used when the URL
     * has no password. Throws IllegalArgumentException with a message fit for a CLI error.
     */
    public static PostgresUrl parse(String url, String envPassword) {
        if (!looksLikeOne(url)) {
            throw new IllegalArgumentException("'" + url + "' is not a PostgreSQL URL; write postgresql://USER@HOST[:PORT]/DATABASE");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("the PostgreSQL URL is malformed: " + e.getReason()
                    + "; write postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE (percent-encode special characters)");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("the PostgreSQL URL names no host; write postgresql://USER@HOST[:PORT]/DATABASE");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        String database = decode(path.startsWith("/") ? path.substring(1) : path);
        if (database.isEmpty() || database.contains("/")) {
            throw new IllegalArgumentException("the PostgreSQL URL names no database; write postgresql://USER@HOST[:PORT]/DATABASE");
        }
        String info = uri.getRawUserInfo();
        if (info == null || info.isEmpty()) {
            throw new IllegalArgumentException("the PostgreSQL URL names no user; write postgresql://USER@HOST[:PORT]/DATABASE");
        }
        int colon = info.indexOf(':');
        String user = decode(colon < 0 ? info : info.substring(0, colon));
        String password = colon < 0 ? null : decode(info.substring(colon + 1));
        if (password == null && envPassword != null && !envPassword.isEmpty()) {
            password = envPassword;
        }
        Map<String, String> params = new LinkedHashMap<>();
        String query = uri.getRawQuery();
        if (query != null && !query.isEmpty()) {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("the PostgreSQL URL's parameter '" + decode(pair) + "' has no value; write name=value");
                }
                String name = decode(pair.substring(0, eq));
                String value = decode(pair.substring(eq + 1));
                checkParameter(name, value);
                params.put(name, value);
            }
        }
        int port = uri.getPort() < 0 ? 5432 : uri.getPort();
        if (port < 1 || port > 65535) {
            // the driver would only say "No suitable driver"
            throw new IllegalArgumentException("the PostgreSQL URL's port must be from 1 to 65535, got " + port);
        }
        return new PostgresUrl(host, port, database, user, password, params);
    }

    /** libpq's names for parameters that pgjdbc spells otherwise: a URL copied from psql's world. */
    private static final Map<String, String> LIBPQ_NAMES = Map.of(
            "application_name", "ApplicationName", "connect_timeout", "connectTimeout",
            "target_session_attrs", "targetServerType", "keepalives", "tcpKeepAlive");
    /** The parameters whose value decides how safe the connection is: a value pgjdbc does not take is refused here. */
    private static final java.util.Set<String> CHECKED_CHOICES = java.util.Set.of("sslmode", "gssEncMode", "channelBinding");

    /**
     * A parameter pgjdbc does not know would be skipped without a word, and a misspelled
     * {@code sslmode} would connect without TLS: refused instead, with the driver's name when the
     * URL uses libpq's. So is a value outside the choices of {@link #CHECKED_CHOICES}.
     */
    private static void checkParameter(String name, String value) {
        org.postgresql.PGProperty known = org.postgresql.PGProperty.forName(name);
        if (known == null) {
            String libpq = LIBPQ_NAMES.get(name);
            throw new IllegalArgumentException("the PostgreSQL URL's parameter '" + name + "' is not one the JDBC driver knows"
                    + (libpq != null ? "; it calls it " + libpq
                            : "; its parameters are named like sslmode, sslrootcert, ApplicationName, connectTimeout, options"));
        }
        String[] choices = known.getChoices();
        if (CHECKED_CHOICES.contains(known.getName()) && choices != null && !java.util.Arrays.asList(choices).contains(value)) {
            throw new IllegalArgumentException("the PostgreSQL URL's " + name + " must be one of " + String.join(", ", choices)
                    + ", got '" + value + "'");
        }
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** The JDBC URL, without user, password or parameters (those go in {@link #properties}). */
    public String jdbcUrl() {
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return "jdbc:postgresql://" + h + ":" + port + "/" + database;
    }

    /** Driver properties: user, password, and the URL's parameters. */
    public Properties properties() {
        Properties p = new Properties();
        p.putAll(parameters);
        p.setProperty("user", user);
        if (password != null) {
            p.setProperty("password", password);
        }
        return p;
    }

    /** The URL as logs and {@code /healthz} may show it: never the password. */
    public String describe() {
        return "postgresql://" + user + "@" + host + ":" + port + "/" + database;
    }

    @Override
    public String toString() {
        return describe();
    }
}

package dev.squall.store.postgres;

import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/** Tells the database's trouble (gone, restarting, out of connections) from a statement's own error. */
final class PgErrors {
    private PgErrors() {
    }

    /**
     * Whether {@code t} says the database cannot be used right now: a connection that failed or was
     * refused (SQLState class 08), an administrator's or crash shutdown (57P01-57P03), too many
     * connections (53300), a statement cancelled by timeout (57014), or the pool's timeout.
     */
    static boolean unavailable(Throwable t) {
        return any(t, c -> c instanceof SQLTransientConnectionException || lost(c)
                || c instanceof SQLException s && ("53300".equals(s.getSQLState()) || "57014".equals(s.getSQLState())));
    }

    /**
     * Whether {@code t} says the connection itself is gone (SQLState class 08, a shutdown 57P01-57P03,
     * an IO error): narrower than {@link #unavailable}, for work whose own timeout says nothing of the
     * database's health.
     */
    static boolean connectionLost(Throwable t) {
        return any(t, PgErrors::lost);
    }

    private static boolean lost(Throwable c) {
        return c instanceof IOException
                || c instanceof SQLException s && s.getSQLState() != null && (s.getSQLState().startsWith("08") || s.getSQLState().startsWith("57P"));
    }

    private static boolean any(Throwable t, java.util.function.Predicate<Throwable> p) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (p.test(c)) {
                return true;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return false;
    }

    /** A one-line description: the message of the first SQL error in the chain (else of an IO one), never a stack. */
    static String describe(Throwable t) {
        String io = null;
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SQLException && c.getMessage() != null) {
                return firstLine(c.getMessage());
            }
            if (io == null && c instanceof IOException && c.getMessage() != null) {
                io = c.getMessage();
            }
            if (c.getCause() == c) {
                break;
            }
        }
        String msg = io != null ? io : t.getMessage();
        return msg == null ? t.getClass().getSimpleName() : firstLine(msg);
    }

    private static String firstLine(String s) {
        return s.lines().findFirst().orElse(s);
    }
}

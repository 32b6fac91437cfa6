package dev.squall.store.batch;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Which due jobs a claim takes, in the claim's order (smaller priority first, then oldest due),
 * reading only what it takes: the same walk for every SQL store. The waiting jobs are indexed by
 * (priority, due time); one statement ordered that way and filtered to what is due reads every job
 * that waits for later whenever fewer than a claim's worth are due, because the index orders by
 * priority first. The walk instead visits one priority at a time, smallest first, each step an index
 * seek: the next waiting priority, its due jobs, and (when they did not fill the claim) when its next
 * job is due.
 *
 * <pre>{@code
 * PriorityWalk.Picked<Long> p = PriorityWalk.walk(seeks, 64, now, PriorityWalk.MAX_PRIORITIES);
 * if (p == null) { ... jobs wait at many priorities: claim with the one statement ... }
 * else { ... claim p.picks(); the next job is due at p.nextDue() ... }
 * }</pre>
 */
public final class PriorityWalk {
    /**
     * How many priorities a walk visits; past them (jobs waiting at more distinct priorities than
     * this) it gives up and the store claims with its one statement.
     */
    public static final int MAX_PRIORITIES = 32;

    private PriorityWalk() {
    }

    /** The three index seeks of a walk, in the store's SQL. {@code T} is what identifies a picked job (an id, a row id). */
    public interface Seeks<T> {
        /** The smallest priority above {@code after} at which jobs wait; null when none does. */
        Long nextPriority(long after) throws SQLException;

        /** Adds up to {@code limit} due jobs of {@code priority} to {@code into}, oldest due first. */
        void takeDue(long priority, int limit, List<T> into) throws SQLException;

        /** When the first job of {@code priority} that is not due yet is due; null when none waits. */
        Long nextDue(long priority) throws SQLException;
    }

    /**
     * What a walk picked, in the claim's order, and when the next waiting job is due: {@code now}
     * when the claim is full (more may be due), {@link Long#MAX_VALUE} when none waits.
     */
    public record Picked<T>(List<T> picks, long nextDue) {
    }

    /** Picks up to {@code max} due jobs; null when jobs wait at more than {@code maxPriorities} priorities. */
    public static <T> Picked<T> walk(Seeks<T> seeks, int max, long now, int maxPriorities) throws SQLException {
        List<T> picks = new ArrayList<>(Math.min(max, 1024));
        long nextDue = Long.MAX_VALUE;
        long after = Long.MIN_VALUE;
        for (int visited = 0; picks.size() < max; visited++) {
            Long priority = seeks.nextPriority(after);
            if (priority == null) {
                break; // no more waiting jobs
            }
            if (visited == maxPriorities) {
                return null;
            }
            seeks.takeDue(priority, max - picks.size(), picks);
            if (picks.size() < max) { // this priority's due jobs are taken (or held by another node): when is its next one due?
                Long next = seeks.nextDue(priority);
                if (next != null) {
                    nextDue = Math.min(nextDue, next);
                }
            }
            after = priority;
        }
        return new Picked<>(picks, picks.size() == max ? now : nextDue);
    }

    /** A seek's answer: the first column of the first row, or null when there is none or it is NULL ({@code min} of nothing). */
    public static Long firstLong(PreparedStatement query) throws SQLException {
        try (ResultSet rs = query.executeQuery()) {
            if (!rs.next()) {
                return null;
            }
            long v = rs.getLong(1);
            return rs.wasNull() ? null : v;
        }
    }
}

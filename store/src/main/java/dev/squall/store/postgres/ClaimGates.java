package dev.squall.store.postgres;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What this node knows of due work, per set of queues its claims ask for, so that an idle node does
 * not ask the database on every dispatcher tick. A node with one worker lane has one gate; a node
 * with a lane per queue ({@code --queues mail:4,reports:1}) has one per lane, because a short claim
 * of one lane says nothing about the queues of another.
 *
 * <p>A gate is open (the next claim goes to the database) while work may be due: after any news of
 * work (a submit left waiting, a NOTIFY, a release, a retry, a rescue), when the earliest known
 * future job becomes due, or when the poll interval has passed since its last claim. A claim that
 * comes back short closes it, and records the earliest {@code run_at} still waiting in its queues.
 *
 * <pre>{@code
 * if (gates.shouldClaim(queues, now, pollNanos)) { ...claim...; gates.claimed(queues, full, earliestDue); }
 * gates.workMayBeDue();          // news of work: every lane looks again
 * }</pre>
 */
final class ClaimGates {
    private static final Object ALL = new Object();

    private static final class Gate {
        volatile boolean maybeDue = true;
        volatile long nextDue = Long.MAX_VALUE;
        volatile long lastPollNanos;
    }

    private final ConcurrentHashMap<Object, Gate> gates = new ConcurrentHashMap<>();

    private Gate gate(Set<String> queues) {
        return gates.computeIfAbsent(queues == null ? ALL : queues, k -> new Gate());
    }

    /** News of work that may be due now: every lane's next claim goes to the database. */
    void workMayBeDue() {
        for (Gate g : gates.values()) {
            g.maybeDue = true;
        }
    }

    /** A job waits until {@code runAt}: no lane sleeps past it. */
    void dueAt(long runAt) {
        for (Gate g : gates.values()) {
            if (runAt < g.nextDue) {
                g.nextDue = runAt; // a racing lower value may be lost: the poll bounds that delay
            }
        }
    }

    /** Whether any lane may have due work waiting (or none has claimed yet): then new jobs queue behind it. */
    boolean anyMaybeDue() {
        if (gates.isEmpty()) {
            return true;
        }
        for (Gate g : gates.values()) {
            if (g.maybeDue) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a claim for {@code queues} should go to the database now. When it should, the gate is
     * closed first, so that news arriving during the claim opens it again.
     */
    boolean shouldClaim(Set<String> queues, long nowMillis, long nowNanos, long pollNanos) {
        Gate g = gate(queues);
        if (!g.maybeDue && nowMillis < g.nextDue && nowNanos - g.lastPollNanos < pollNanos) {
            return false;
        }
        g.lastPollNanos = nowNanos;
        g.maybeDue = false;
        return true;
    }

    /** A claim committed: a full one may have left more due; a short one knows the earliest waiting job ({@code earliestDue}). */
    void claimed(Set<String> queues, boolean full, long earliestDue) {
        Gate g = gate(queues);
        if (full) {
            g.maybeDue = true;
        } else {
            g.nextDue = earliestDue;
        }
    }
}

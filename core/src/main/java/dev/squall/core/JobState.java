package dev.squall.core;

import java.util.Locale;

/**
 * Where a job is in its life:
 * <pre>
 * queued -> claimed -> running -> succeeded
 *              |
 *              +-> failed (waits its backoff, then runs again) -> running -> ... -> dead
 * queued | failed -> cancelled          dead -> queued (manual retry)
 * </pre>
 *
 * {@link #CLAIMED} is what the engine shows for a job taken from the store for a worker that has not
 * started it yet (every worker was busy); a store keeps such a job as {@link #RUNNING}, and no store
 * ever holds {@code claimed}.
 */
public enum JobState {
    QUEUED, CLAIMED, RUNNING, SUCCEEDED, FAILED, DEAD, CANCELLED;

    /** Made once: a job's state is named on every answer and every metric (lower-casing each time was ~10% of intake's CPU). */
    private final String wire = name().toLowerCase(Locale.ROOT);

    /** Whether the job will not run again by itself. */
    public boolean terminal() {
        return this == SUCCEEDED || this == DEAD || this == CANCELLED;
    }

    /** Whether a worker may take it (once its run_at has come). */
    public boolean waiting() {
        return this == QUEUED || this == FAILED;
    }

    /** The states a store keeps (every one but {@link #CLAIMED}, which only the engine shows). */
    public static java.util.List<JobState> stored() {
        return java.util.List.of(QUEUED, RUNNING, SUCCEEDED, FAILED, DEAD, CANCELLED);
    }

    /** Its name in the API, the stores and the metrics: {@code queued}, {@code running}, ... */
    public String wireName() {
        return wire;
    }

    public static JobState fromWire(String name) {
        for (JobState s : values()) {
            if (s.wireName().equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown state '" + name + "'; one of: queued, claimed, running, succeeded, failed, dead, cancelled");
    }
}

package dev.squall.core;

import java.util.Objects;

/**
 * Everything known about a job, as a store keeps it: a snapshot, immutable.
 *
 * @param id          the caller's id or a generated, time-ordered one
 * @param kind        the handler that runs it
 * @param payloadJson its input, JSON text
 * @param state       where it is in its life
 * @param attempt     attempts started so far (0 before the first run)
 * @param maxAttempts attempts it gets before it is dead
 * @param createdAt   when it was accepted (epoch millis)
 * @param runAt       when it may run next (epoch millis): creation, its {@code run_at}, or the end of a backoff
 * @param startedAt   when its latest attempt started, or 0
 * @param finishedAt  when it reached succeeded, dead or cancelled, or 0
 * @param resultJson  the handler's result when it succeeded, else null
 * @param lastError   the latest attempt's error, else null
 * @param queue       the named queue it waits in ({@link #DEFAULT_QUEUE} unless given)
 * @param priority    smaller runs first among due jobs (0 unless given)
 */
public record JobRecord(String id, String kind, String payloadJson, JobState state, int attempt, int maxAttempts,
                        long createdAt, long runAt, long startedAt, long finishedAt, String resultJson, String lastError,
                        String queue, int priority) {
    public static final String DEFAULT_QUEUE = "default";

    public JobRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(payloadJson, "payloadJson");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(queue, "queue");
    }

    /** A queue name: 1-100 of letters, digits, '.', '_', ':' and '-', so it is safe in a URL, a log line and a metric label. */
    public static boolean validQueue(String q) {
        if (q == null || q.isEmpty() || q.length() > 100) {
            return false;
        }
        for (int i = 0; i < q.length(); i++) {
            char ch = q.charAt(i);
            if (!(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '.' || ch == '_'
                    || ch == ':' || ch == '-')) {
                return false;
            }
        }
        return true;
    }

    /** A job in the default queue at priority 0. */
    public JobRecord(String id, String kind, String payloadJson, JobState state, int attempt, int maxAttempts,
                     long createdAt, long runAt, long startedAt, long finishedAt, String resultJson, String lastError) {
        this(id, kind, payloadJson, state, attempt, maxAttempts, createdAt, runAt, startedAt, finishedAt, resultJson, lastError,
                DEFAULT_QUEUE, 0);
    }

    /** A new job, queued, to run at {@code runAt}, in the default queue at priority 0. */
    public static JobRecord queued(String id, String kind, String payloadJson, int maxAttempts, long createdAt, long runAt) {
        return queued(id, kind, payloadJson, maxAttempts, createdAt, runAt, DEFAULT_QUEUE, 0);
    }

    /** A new job, queued, to run at {@code runAt}, in {@code queue} at {@code priority}. */
    public static JobRecord queued(String id, String kind, String payloadJson, int maxAttempts, long createdAt, long runAt,
                                   String queue, int priority) {
        return new JobRecord(id, kind, payloadJson, JobState.QUEUED, 0, maxAttempts, createdAt, runAt, 0, 0, null, null,
                queue, priority);
    }

    /** The run of a job a store has just marked running (its attempt number already counted). */
    public Job nextRunOfRunning() {
        return new Job(id, kind, payloadJson, attempt, maxAttempts, createdAt, queue, runAt);
    }

    /** Characters of payload, result and error: what the job weighs in a listing. */
    public long chars() {
        return payloadJson.length() + (resultJson == null ? 0 : resultJson.length()) + (lastError == null ? 0 : lastError.length());
    }

    /** Whether {@code other} asks for the same work (kind, payload, attempts, queue and priority), so a repeated submit is harmless. */
    public boolean sameRequest(JobRecord other) {
        return kind.equals(other.kind) && maxAttempts == other.maxAttempts && queue.equals(other.queue)
                && priority == other.priority && JsonText.equivalent(payloadJson, other.payloadJson);
    }

    public JobRecord with(JobState newState, int newAttempt, long newRunAt, long newStartedAt, long newFinishedAt,
                          String newResult, String newError) {
        return new JobRecord(id, kind, payloadJson, newState, newAttempt, maxAttempts, createdAt, newRunAt, newStartedAt,
                newFinishedAt, newResult, newError, queue, priority);
    }
}

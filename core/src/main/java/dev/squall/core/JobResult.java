package dev.squall.core;

/**
 * How one attempt of a job ended: a JSON result, or an error message. Produced by a
 * {@link JobExecutor}; the engine's collector is the one place that acts on it.
 *
 * @param job        the job and attempt this result belongs to
 * @param resultJson the handler's result as JSON when it succeeded, else {@code null}
 * @param error      why the attempt failed, else {@code null}
 * @param runnerPid  the OS process that ran the work (differs from ours for worker processes)
 * @param runNanos   how long the work itself took
 */
public record JobResult(Job job, String resultJson, String error, long runnerPid, long runNanos) {

    public static JobResult success(Job job, String resultJson, long runnerPid, long runNanos) {
        return new JobResult(job, resultJson, null, runnerPid, runNanos);
    }

    /** Errors are kept and served with the job; one longer than this is cut (a stack trace in a message, say). */
    public static final int MAX_ERROR_CHARS = 4000;

    public static JobResult failure(Job job, String error, long runnerPid, long runNanos) {
        String e = error == null ? "unknown error" : error;
        if (e.length() > MAX_ERROR_CHARS) {
            e = e.substring(0, MAX_ERROR_CHARS) + "... (" + (e.length() - MAX_ERROR_CHARS) + " more characters)";
        }
        return new JobResult(job, null, e, runnerPid, runNanos);
    }

    public boolean succeeded() {
        return error == null;
    }
}

package dev.squall.core;

/**
 * A snapshot of the engine's counters since start.
 *
 * @param accepted  jobs accepted at submit
 * @param rejected  jobs refused at submit (full or stopping)
 * @param queued    jobs waiting now (including retries)
 * @param running   attempts running now
 * @param started   attempts started
 * @param succeeded jobs collected as succeeded
 * @param retried   failed attempts put back for another try
 * @param dead      jobs that failed their last attempt
 */
public record EngineStats(long accepted, long rejected, long queued, long running, long started,
                          long succeeded, long retried, long dead) {
}

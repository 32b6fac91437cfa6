package dev.squall.core;

/**
 * A snapshot of the engine's counters since start.
 *
 * @param accepted   jobs created at submit
 * @param duplicates submits of an id that existed, with the same request (nothing new created)
 * @param rejected   submits refused (full, stopping, or a conflicting repeat of an id)
 * @param queued     jobs waiting now (queued, or failed and waiting for their backoff)
 * @param claimed    jobs taken from the store for a worker that has not started them yet
 * @param running    attempts a worker has started and that have not ended
 * @param started    attempts started
 * @param succeeded  jobs that succeeded
 * @param retried    failed attempts scheduled for another try
 * @param dead       jobs that failed their last attempt
 * @param stuck      worker threads retired at a job timeout whose handler ignores interrupts and has not returned
 */
public record EngineStats(long accepted, long duplicates, long rejected, long queued, long claimed, long running, long started,
                          long succeeded, long retried, long dead, long stuck) {
}

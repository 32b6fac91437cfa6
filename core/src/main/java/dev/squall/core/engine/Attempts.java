package dev.squall.core.engine;

import dev.squall.core.Job;
import dev.squall.core.JobRecord;
import dev.squall.core.JobState;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The attempts a worker of this engine has really started, and when: what makes a job
 * {@code running} to the API rather than {@code claimed} (taken for a worker that has not started it
 * yet). A store marks a job running when it is claimed, which may be well before a worker is free;
 * the true start is known here first and written with the attempt's result.
 *
 * <p>Holds one entry per attempt between its start and the collection of its result: at most the
 * workers plus the asynchronous permits.
 */
final class Attempts {
    private final ConcurrentHashMap<String, Long> startedAt = new ConcurrentHashMap<>();

    void started(Job job, long atMillis) {
        startedAt.put(job.id(), atMillis);
    }

    /** The attempt's result is recorded (or it was given back): the store knows the rest. */
    void ended(String id) {
        startedAt.remove(id);
    }

    int size() {
        return startedAt.size();
    }

    /** The record as the API shows it: a running job no worker started yet is {@code claimed}. */
    JobRecord view(JobRecord r) {
        if (r == null || r.state() != JobState.RUNNING) {
            return r;
        }
        Long started = startedAt.get(r.id());
        return started == null
                ? r.with(JobState.CLAIMED, r.attempt(), r.runAt(), 0, 0, null, r.lastError())
                : r.with(JobState.RUNNING, r.attempt(), r.runAt(), started, 0, null, r.lastError());
    }
}

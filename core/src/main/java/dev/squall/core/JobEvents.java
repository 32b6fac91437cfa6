package dev.squall.core;

/**
 * What happens to jobs, told as it is kept: a submit once the store has it, an attempt's end once
 * the store recorded it, a cancel or a retry once done. Metrics and live views listen here; the
 * engine calls it off the intake path where it can (attempt ends are told by the collector, in
 * batches), and a listener must be quick and must not throw.
 *
 * <pre>{@code
 * JobEngine engine = Engines.start(config, store, workers, new JobEvents() {
 *     @Override public void submitted(JobRecord job) { submittedCounter.inc(); }
 * });
 * }</pre>
 */
public interface JobEvents {
    /** Listens to nothing. */
    JobEvents NONE = new JobEvents() {
    };

    /** Tells every one of {@code listeners}, in order. */
    static JobEvents all(java.util.List<JobEvents> listeners) {
        java.util.List<JobEvents> l = listeners.stream().filter(e -> e != NONE).toList();
        if (l.isEmpty()) {
            return NONE;
        }
        if (l.size() == 1) {
            return l.getFirst();
        }
        return new JobEvents() {
            @Override
            public void submitted(JobRecord job) {
                l.forEach(e -> e.submitted(job));
            }

            @Override
            public void attemptEnded(Job job, JobState outcome, long startedAt, long endedAt) {
                l.forEach(e -> e.attemptEnded(job, outcome, startedAt, endedAt));
            }

            @Override
            public void cancelled(JobRecord job) {
                l.forEach(e -> e.cancelled(job));
            }

            @Override
            public void retried(JobRecord job) {
                l.forEach(e -> e.retried(job));
            }

            @Override
            public void claimed(java.util.List<Job> jobs) {
                l.forEach(e -> e.claimed(jobs));
            }

            @Override
            public void released(java.util.List<Job> jobs) {
                l.forEach(e -> e.released(jobs));
            }
        };
    }

    /** A new job was stored (queued, or already claimed by this node). Duplicates and refusals are not told. */
    default void submitted(JobRecord job) {
    }

    /**
     * An attempt ended and its outcome is recorded: {@code outcome} is what the job became
     * (succeeded, failed and due again later, or dead). {@code startedAt} and {@code endedAt} are the
     * attempt's real start and end (epoch millis); its wait is {@code startedAt - job.dueAtMillis()}.
     */
    default void attemptEnded(Job job, JobState outcome, long startedAt, long endedAt) {
    }

    /** A waiting job was cancelled ({@code job} as it is now). */
    default void cancelled(JobRecord job) {
    }

    /** A dead job was queued again by hand ({@code job} as it is now). */
    default void retried(JobRecord job) {
    }

    /**
     * Waiting jobs this node took from the store for its workers (the store now holds them as
     * running); each {@code job.attempt()} is the attempt it is about to start, so {@code 1} came
     * from {@code queued} and a later one, as a rule, from {@code failed}. Told on the claiming
     * thread, once per claim (a batch), not per job.
     */
    default void claimed(java.util.List<Job> jobs) {
    }

    /** Claimed jobs given back to waiting unstarted (a cancel of one, a stop). */
    default void released(java.util.List<Job> jobs) {
    }
}

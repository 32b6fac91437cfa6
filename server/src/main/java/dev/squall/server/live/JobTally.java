package dev.squall.server.live;

import dev.squall.core.Job;
import dev.squall.core.JobEvents;
import dev.squall.core.JobRecord;
import dev.squall.core.JobState;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * How many jobs this node moved into and out of each state since it started, from the engine's
 * {@link JobEvents}: a submit adds one to {@code queued} (or {@code running}, when the job was
 * stored claimed), a claim moves jobs from waiting to {@code running}, an attempt's end from
 * {@code running} to its outcome, a cancel from waiting to {@code cancelled}, a retry from
 * {@code dead} to {@code queued}. The {@link CensusKeeper} adds what moved since its last count to
 * that count, so the counts it shows follow every transition at once and a count of the store is
 * needed only to correct them (and, on PostgreSQL, to see the other nodes' work).
 *
 * <p>A waiting job is {@code queued} or {@code failed} (waiting out a backoff); the events do not
 * say which, so a claim or a cancel takes a job from {@code queued} when it is on its first
 * attempt and from {@code failed} otherwise. A job queued again after a crash or an expired lease
 * breaks that rule; the next count puts it right.
 *
 * <pre>{@code
 * JobTally tally = new JobTally();            // a JobEvents: give it to the engine
 * long[] before = tally.moved();              // before counting the store
 * long queuedNow = countedQueued + tally.movedSince(before, JobState.QUEUED);
 * }</pre>
 */
public final class JobTally implements JobEvents {
    private final LongAdder[] moved = new LongAdder[JobState.values().length];

    public JobTally() {
        for (int i = 0; i < moved.length; i++) {
            moved[i] = new LongAdder();
        }
    }

    /** The net moves into each state so far, indexed by {@link JobState#ordinal()}. */
    public long[] moved() {
        long[] now = new long[moved.length];
        for (int i = 0; i < now.length; i++) {
            now[i] = moved[i].sum();
        }
        return now;
    }

    /** The net moves into {@code state} since {@code before} (a {@link #moved()} taken earlier). */
    public long movedSince(long[] before, JobState state) {
        return moved[state.ordinal()].sum() - before[state.ordinal()];
    }

    private void move(JobState from, JobState to, long n) {
        if (from != null) {
            moved[from.ordinal()].add(-n);
        }
        moved[to.ordinal()].add(n);
    }

    /** Where a waiting job about to start attempt {@code attempt} (or cancelled after {@code attempt - 1}) waited. */
    private static JobState waitedAs(int attemptsBefore) {
        return attemptsBefore <= 0 ? JobState.QUEUED : JobState.FAILED;
    }

    @Override
    public void submitted(JobRecord job) {
        // A store holds a job claimed at submit as running (the engine shows it as claimed).
        move(null, job.state() == JobState.QUEUED ? JobState.QUEUED : JobState.RUNNING, 1);
    }

    @Override
    public void claimed(List<Job> jobs) {
        long first = 0;
        for (Job j : jobs) {
            first += j.attempt() <= 1 ? 1 : 0;
        }
        move(JobState.QUEUED, JobState.RUNNING, first);
        move(JobState.FAILED, JobState.RUNNING, jobs.size() - first);
    }

    @Override
    public void released(List<Job> jobs) {
        move(JobState.RUNNING, JobState.QUEUED, jobs.size()); // every store gives them back as queued
    }

    @Override
    public void attemptEnded(Job job, JobState outcome, long startedAt, long endedAt) {
        move(JobState.RUNNING, outcome, 1); // succeeded, failed (to wait its backoff) or dead
    }

    @Override
    public void cancelled(JobRecord job) {
        move(waitedAs(job.attempt()), JobState.CANCELLED, 1);
    }

    @Override
    public void retried(JobRecord job) {
        move(JobState.DEAD, JobState.QUEUED, 1);
    }
}

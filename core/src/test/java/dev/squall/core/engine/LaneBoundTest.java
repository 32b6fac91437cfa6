package dev.squall.core.engine;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** How many jobs a lane keeps claimed ahead of its workers, as their pace changes. */
class LaneBoundTest {
    private static final long MS = 1_000_000L;
    private final long t0 = 1_000_000_000L;

    /** Workers take {@code perMilli} jobs a millisecond for {@code millis} ms, sampled as a lane does each tick; returns the last bound. */
    private static int run(LaneBound b, long fromNanos, int perMilli, int millis) {
        int last = b.bound();
        for (int ms = 1; ms <= millis; ms++) {
            for (int i = 0; i < perMilli; i++) {
                b.taken();
            }
            last = b.bound(fromNanos + ms * MS);
        }
        return last;
    }

    @Test
    void itIsWhatTheWorkersTookInTheLastQuarterOfASecond() {
        LaneBound b = new LaneBound(40, 1024, t0);
        assertThat(b.bound()).isEqualTo(40);
        assertThat(run(b, t0, 2, 10)).as("20 taken so far: the floor").isEqualTo(40);
        int bound = run(b, t0 + 10 * MS, 2, 290); // 2 jobs a millisecond
        assertThat(bound).as("%d ms of work at 2 jobs/ms", LaneBound.AHEAD_MILLIS).isEqualTo((int) (2 * LaneBound.AHEAD_MILLIS));
    }

    @Test
    void itNeverGoesAboveTheCeilingOrBelowTheFloor() {
        LaneBound b = new LaneBound(40, 300, t0);
        assertThat(run(b, t0, 50, 20)).isEqualTo(300);
        assertThat(run(b, t0 + 20 * MS, 0, 2_000)).as("after two idle seconds").isEqualTo(40);
        assertThat(new LaneBound(500, 300, t0).bound()).as("a floor above the ceiling is the ceiling").isEqualTo(300);
    }

    @Test
    void aShortStallOfTheWorkersDoesNotShrinkTheBoundWhenTheJobsThatArrivedDuringItComeIn() {
        LaneBound b = new LaneBound(40, 1024, t0);
        int steady = run(b, t0, 2, 300);
        int afterStall = run(b, t0 + 300 * MS, 0, 30); // a 30 ms GC pause: nothing taken
        // A bound measured over the last 10 ms fell to its floor here, and the requests that came
        // in during the pause found no room: stored unclaimed, they and the jobs after them waited
        // for a claim (p99 submit-to-start 56-106 ms at 5,000 jobs/s on two nodes).
        assertThat(afterStall).isGreaterThanOrEqualTo(steady * 8 / 10).isLessThan(steady);
    }

    @Test
    void aLongJobTakenByAnIdleWorkerDoesNotOpenTheLaneToMore() {
        LaneBound b = new LaneBound(2, 1024, t0); // one worker
        b.taken(); // it takes a job that will run for seconds
        assertThat(b.bound(t0 + 10 * MS)).as("one job in 10 ms is not a pace of 25 per 250 ms").isEqualTo(2);
        assertThat(run(b, t0 + 10 * MS, 0, 1_000)).isEqualTo(2);
    }

    @Test
    void aLaneThatSlowsDownForGoodComesDownWithinAQuarterOfASecond() {
        LaneBound b = new LaneBound(2, 1024, t0);
        int fast = run(b, t0, 4, 300);
        assertThat(fast).isEqualTo(1000);
        int slow = run(b, t0 + 300 * MS, 0, 260); // jobs now take seconds each: none taken
        assertThat(slow).as("long jobs get few claimed ahead").isEqualTo(2);
    }

    @Test
    void aLaneLookedAtOnlyNowAndThenCountsTheSamplesItMissedAsIdle() {
        LaneBound b = new LaneBound(2, 1024, t0);
        run(b, t0, 4, 300);
        for (int i = 0; i < 40; i++) {
            b.taken(); // 40 jobs, then nobody looks for 200 ms
        }
        assertThat(b.bound(t0 + 500 * MS)).as("the 40 and the 50 ms before the gap").isEqualTo(40 + 4 * 50);
    }
}

package dev.squall.bench;

/** A load run in progress. */
public interface BenchRun {

    /** What has happened so far (safe to call from any thread, any time). */
    Progress progress();

    /** Waits for the run to end and returns its report. */
    BenchReport await() throws InterruptedException;

    /** Ends the run early; {@link #await} then returns what was measured. */
    void cancel();

    /**
     * A live view: requests done and in flight, successes, and the latest second's p99.
     *
     * @param warmingUp true while the warm-up phase runs
     */
    record Progress(boolean warmingUp, long done, long ok, long inFlight, double elapsedSeconds, double lastSecondP99Ms) {
        public double successPercent() {
            return done == 0 ? 0 : ok * 100.0 / done;
        }

        public double rate() {
            return elapsedSeconds <= 0 ? 0 : done / elapsedSeconds;
        }
    }
}

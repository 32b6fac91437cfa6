package dev.squall.app.lab;

import java.util.List;

/**
 * One experiment of the article: a stage, the client's numbers, and what the article claims.
 *
 * @param stage        the {@code squall serve --stage}
 * @param requests     the client's REQUEST_NUM
 * @param concurrency  the client's PROCESSOR_NUM
 * @param claim        what the article says, as text
 * @param claimPercent the success the article reports, or null where it only says "fails" (or says nothing)
 * @param expectLow    true where the article's point is that the stage fails
 * @param javaRow      a row the article does not have: Java's own answer
 */
public record LabRow(String stage, int requests, int concurrency, String claim, Double claimPercent, boolean expectLow,
                     boolean javaRow) {

    /** The article's experiments, then Java's rows. */
    public static List<LabRow> all() {
        return List.of(
                new LabRow("blocking", 10, 10, "20% (one blocked loop)", 20.0, true, false),
                new LabRow("multiprocess", 10, 10, "100% with start(0) on 8 cores", 100.0, false, false),
                new LabRow("coroutine", 10, 10, "100%, all in ~1 work time", 100.0, false, false),
                new LabRow("executor", 10, 10, "100% (20 threads)", 100.0, false, false),
                new LabRow("executor", 3000, 100, "fails: the pool's capacity is the limit", null, true, false),
                new LabRow("process-pool", 10, 10, "100% (ProcessPoolExecutor(20))", 100.0, false, false),
                new LabRow("queue", 1000, 10, "100%, answers at once", 100.0, false, false),
                new LabRow("virtual", 3000, 100, "(Java) 100%: blocking code at coroutine scale", 100.0, false, true),
                new LabRow("queue", 3000, 100, "(Java) 100%: the buffer absorbs the burst", 100.0, false, true));
    }

    /** The client's numbers as the article writes them: {@code 10/10}. */
    public String clients() {
        return requests + "/" + concurrency;
    }
}

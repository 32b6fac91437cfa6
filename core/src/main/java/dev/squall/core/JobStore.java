package dev.squall.core;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Where jobs live: the engine's only door to storage. Every implementation passes one contract test
 * suite ({@code JobStoreContract} in core's tests).
 *
 * <pre>{@code
 * JobStore store = new MemoryJobStore(100_000, Duration.ofHours(24));   // or SqliteJobStore, PostgresJobStore
 * store.submit(JobRecord.queued("7", "sleep", "{}", 3, now, now)).thenAccept(s -> ...);   // durable once complete
 * List<Job> runs = store.claim(64, now);                                                 // queued -> running
 * store.finish(List.of(Finish.succeeded(run, "{}", now)));                               // fenced by attempt
 * }</pre>
 *
 * Thread-safety: every method may be called from any thread at any time.
 */
public interface JobStore extends AutoCloseable {

    /**
     * Characters of job payloads that may wait in memory by default (256 Mi, ~512 MiB of heap): in
     * the memory store the waiting jobs themselves, in a durable store the jobs on their way to it.
     */
    long DEFAULT_MAX_WAITING_CHARS = 256L << 20;

    /**
     * Accepts a new job. Completes once the job is kept as durably as this store promises (for a
     * durable store: committed); only then may the caller be told "accepted". A job whose id exists
     * is not created again: the answer is {@link Submission.Kind#DUPLICATE} when it asks for the same
     * work, {@link Submission.Kind#CONFLICT} when not. Past {@link #capacity()} waiting jobs the
     * answer is {@link Submission.Kind#FULL} and nothing is kept.
     */
    CompletableFuture<Submission> submit(JobRecord job);

    /**
     * Like {@link #submit(JobRecord)}; with {@code claim} the job is kept as claimed by this process
     * (running, attempt 1) in the same write that creates it, and the answer's job says so. The
     * engine asks for that when no due job waits ahead of this one and its workers have room: it
     * saves a durable store the claim's second write. A repeated id is answered as always and
     * claims nothing. After a crash such a job is a claimed job like any other ({@link #recover}).
     * A store that gains nothing by it ({@link #claimsOnSubmit} false) ignores {@code claim}.
     */
    default CompletableFuture<Submission> submit(JobRecord job, boolean claim) {
        return submit(job);
    }

    /**
     * When the jobs this process held at its stop run again, said for its log lines: {@code
     * givenBack} when {@link #release} took them back, else left as they were (claimed, their
     * attempt open). A store only this process uses keeps them for its next start (the default); a
     * shared store's other nodes go on with them; a store in memory keeps nothing.
     */
    default String whenHeldJobsRunAgain(boolean givenBack) {
        return givenBack ? "at the next start, with the same attempt" : "at the next start";
    }

    /** Whether {@link #submit(JobRecord, boolean)} can keep a new job as claimed. */
    default boolean claimsOnSubmit() {
        return false;
    }

    /**
     * Takes up to {@code max} waiting jobs whose time has come (oldest due first), marks them running
     * with their next attempt number, and returns those runs.
     */
    List<Job> claim(int max, long nowMillis);

    /**
     * Like {@link #claim(int, long)}, only jobs of the named {@code queues} (null: every queue). Only a
     * store shared by several nodes can serve some queues and leave the others to other nodes; the
     * others refuse a filter.
     */
    default List<Job> claim(int max, long nowMillis, java.util.Set<String> queues) {
        if (queues == null) {
            return claim(max, nowMillis);
        }
        throw new UnsupportedOperationException(describe() + " serves every queue: only a shared store can serve some of them");
    }

    /**
     * What a claim took, and when the earliest job still waiting in the queues asked for becomes due
     * ({@code nextDueMillis}): {@link Long#MAX_VALUE} when none waits, at most the claim's time when
     * more are due at once (the claim was full, or the store cannot tell). With it an engine knows
     * that nothing is due until then, unless it hears of new work, and need not ask in between.
     */
    record Claim(List<Job> jobs, long nextDueMillis) {
        public Claim {
            jobs = List.copyOf(jobs);
        }
    }

    /** {@link #claim(int, long, java.util.Set)}, telling also when the next waiting job is due (see {@link Claim}). */
    default Claim claimDue(int max, long nowMillis, java.util.Set<String> queues) {
        return new Claim(claim(max, nowMillis, queues), nowMillis);
    }

    /**
     * How often (milliseconds) an engine must look for due work it was not told of: on a store
     * shared by several nodes, other nodes' delayed jobs and expired leases; {@link Long#MAX_VALUE}
     * for a store only this process writes, where every change is this engine's own.
     */
    default long pollMillis() {
        return Long.MAX_VALUE;
    }

    /** Whether this store can serve some queues and leave the rest to other nodes ({@link #claim(int, long, java.util.Set)}). */
    default boolean servesSomeQueues() {
        return false;
    }

    /**
     * Records how attempts ended. Each {@link Finish} is fenced: it applies only while its job is
     * running that very attempt (a late answer from a stale attempt changes nothing). Completes
     * with how many applied, once they are kept as durably as the store promises.
     */
    CompletableFuture<Integer> finish(List<Finish> finishes);

    /**
     * Gives back claimed runs that never started (at shutdown): each goes back to waiting with its
     * attempt number as before the claim. Fenced like {@link #finish}. Returns how many.
     */
    int release(List<Job> unstarted);

    /**
     * For a store shared by several nodes: {@code wake} runs when the database announces work this
     * engine did not make (another node's new jobs, leases of a dead node given back), so that an
     * idle engine claims at once instead of at its next poll. It only announces: what to claim and
     * when stays the engine's decision (it does not hold its own new jobs back for such work, which
     * is the announcing node's to order). A store of one process has no such news and ignores it
     * (the default).
     */
    default void onNewWork(Runnable wake) {
    }

    Optional<JobRecord> get(String id);

    /** Jobs in id order, after the cursor, filtered by state and kind. */
    Page list(JobQuery query);

    /** Cancels a waiting job; CONFLICT when it already ran or runs. */
    CompletableFuture<Change> cancel(String id, long nowMillis);

    /** Puts a dead job back to queued with a fresh set of attempts; CONFLICT when it is not dead. */
    CompletableFuture<Change> retry(String id, long nowMillis);

    /** At start: jobs left running by a process that stopped go back to waiting (their attempt counts). Returns how many. */
    int recover(long nowMillis);

    /** Deletes up to {@code max} finished jobs that finished before the cutoff; returns how many. */
    int prune(long finishedBeforeMillis, int max);

    /** Jobs waiting to run (queued or failed), the figure admission control bounds. */
    long waiting();

    /** How many jobs may wait before {@link #submit} answers FULL. */
    int capacity();

    /**
     * How many jobs the engine should claim at once: a durable store wants large batches (one
     * transaction for many), an in-memory store small ones (claiming ahead only hides jobs from
     * admission control).
     */
    default int claimBatch() {
        return 8;
    }

    /** Whether the store's database answers and, for a shared store, which nodes are alive. */
    default StoreHealth health() {
        return StoreHealth.LOCAL;
    }

    /**
     * Every attempt of job {@code id}, oldest first: the earlier ones from the store's history
     * (each that failed and was followed by another, each cut short by a lost lease or a stopped
     * process, the dead attempt before each manual retry), then the latest one from the job's own
     * record ({@link Attempt#latest}), so a job that succeeds at once costs no history write. Kept
     * as long as the job ({@code --retain}). Empty for an unknown id.
     */
    default List<Attempt> attempts(String id) {
        return get(id).flatMap(r -> Attempt.latest(r, null)).map(List::of).orElse(List.of());
    }

    /**
     * One attempt of a job: its number, its outcome ({@code running}, {@code succeeded},
     * {@code failed}, {@code dead}, {@code lost} for a lease that ran out, {@code interrupted} for a
     * process that stopped), when it started and ended (epoch millis; 0 when not known or not yet),
     * the node that ran it (null on a single-process store) and its error.
     */
    record Attempt(int attempt, String outcome, long startedAt, long endedAt, String node, String error) {
        /**
         * The latest attempt as the job's record shows it: a running, succeeded or dead job's
         * current attempt. A waiting, failed or cancelled job has none there (its attempts, if
         * any, are all history).
         */
        public static java.util.Optional<Attempt> latest(JobRecord r, String node) {
            if (r.attempt() < 1) {
                return java.util.Optional.empty();
            }
            return switch (r.state()) {
                case RUNNING, CLAIMED -> java.util.Optional.of(new Attempt(r.attempt(), r.state().wireName(), r.startedAt(), 0, node, null));
                case SUCCEEDED -> java.util.Optional.of(new Attempt(r.attempt(), "succeeded", r.startedAt(), r.finishedAt(), node, null));
                case DEAD -> java.util.Optional.of(new Attempt(r.attempt(), "dead", r.startedAt(), r.finishedAt(), node, r.lastError()));
                default -> java.util.Optional.empty();
            };
        }

        /** {@code earlier} followed by the latest attempt of {@code r}, if it has one there. */
        public static List<Attempt> all(List<Attempt> earlier, JobRecord r, String node) {
            java.util.Optional<Attempt> last = r == null ? java.util.Optional.empty() : latest(r, node);
            if (last.isEmpty()) {
                return earlier;
            }
            List<Attempt> out = new java.util.ArrayList<>(earlier);
            out.add(last.get());
            return out;
        }
    }

    /**
     * Jobs counted now by state and queue, with the oldest due time of the waiting ones. One query
     * over every job kept (on PostgreSQL: the whole cluster's): callers count on a timer of their
     * own (see the server's {@code Census} keeper), never once per viewer or per scrape.
     */
    default Census census() {
        return new Census(List.of());
    }

    /**
     * As {@link #census()}, but a store several nodes share may answer with a count that another
     * node took at most {@code shareFor} ago ({@link Census#ageMillis} says how long ago), so that
     * the cluster reads its whole history once per {@code shareFor}, not once per node. A store of
     * one process counts now.
     */
    default Census census(java.time.Duration shareFor) {
        return census();
    }

    /**
     * The rows of {@link #census} for the jobs not finished yet (queued, failed, running) only, when
     * this store counts them without reading its finished jobs (on PostgreSQL: the ready table and
     * the leased jobs, whatever the history holds); null when it has no cheaper way than
     * {@link #census}. A caller counts these often and the whole census seldom.
     */
    default Census censusOfUnfinished() {
        return null;
    }

    /**
     * On a store several nodes share: about every second, publishes {@code mine.get()} (this
     * node's live figures: a short text, read when published) where the other nodes read it, and
     * reads theirs ({@link #peerFigures()}). So a dashboard on any node can show the whole
     * cluster's throughput and percentiles at the cost of one small write and one read per node
     * per second, however many viewers there are. A store of one process has no peers and ignores it.
     */
    default void shareFigures(java.util.function.Supplier<String> mine) {
    }

    /** The latest figures the other live nodes published ({@link #shareFigures}), by node id; empty without peers. */
    default java.util.Map<String, String> peerFigures() {
        return java.util.Map.of();
    }

    /**
     * Whether the store drops finished jobs on its own as new ones finish (it keeps only so many),
     * besides {@link #prune}: then a count kept up to date from the engine's transitions cannot
     * follow its finished states between two {@link #census} counts.
     */
    default boolean boundsFinished() {
        return false;
    }

    /**
     * Tells {@code listener} about every transaction the store commits: which of its writers
     * committed it, how long the commit took and how many writes it carried (group commit). A store
     * without transactions never calls it.
     */
    default void onCommit(CommitListener listener) {
    }

    /**
     * Told of each commit; called on the store's writer thread, so it must be quick. {@code writer}
     * names the writer: {@link #ALL} for a store with one (SQLite), else {@link #JOBS} (new jobs,
     * claims, cancels, retries) and {@link #RESULTS} (how attempts ended), which commit side by side
     * (PostgreSQL).
     */
    @FunctionalInterface
    interface CommitListener {
        CommitListener NONE = (writer, nanos, writes) -> { };
        String ALL = "all";
        String JOBS = "jobs";
        String RESULTS = "results";

        void committed(String writer, long nanos, int writes);
    }

    /**
     * Jobs by state and queue; {@code oldestDue} is the earliest run time of waiting (queued, failed)
     * rows, else 0. {@code ageMillis}: how long before it was handed over the count was taken (0: now;
     * more when another node took it, {@link #census(java.time.Duration)}).
     */
    record Census(List<Row> rows, long ageMillis) {
        public record Row(JobState state, String queue, long count, long oldestDue) {
        }

        public Census {
            rows = List.copyOf(rows);
            if (ageMillis < 0) {
                throw new IllegalArgumentException("ageMillis must not be negative: " + ageMillis);
            }
        }

        /** A count taken now. */
        public Census(List<Row> rows) {
            this(rows, 0);
        }

        /** How many jobs are in {@code state}, over every queue. */
        public long count(JobState state) {
            long n = 0;
            for (Row r : rows) {
                n += r.state() == state ? r.count() : 0;
            }
            return n;
        }
    }

    /** A short description for logs: the kind of store and where it keeps data. */
    String describe();

    @Override
    void close();

    /** The answer to a submit. */
    record Submission(Kind kind, JobRecord job) {
        public enum Kind { CREATED, DUPLICATE, CONFLICT, FULL, STOPPING }

        public boolean accepted() {
            return kind == Kind.CREATED || kind == Kind.DUPLICATE;
        }
    }

    /**
     * How one attempt ended, as the collector decided: succeeded, failed (runs again at {@code runAt})
     * or dead; {@code atMillis} is when the attempt ended, {@code startedAt} when it started (0: unknown).
     */
    record Finish(String id, int attempt, JobState state, long runAt, long atMillis, String resultJson, String error,
                  long startedAt) {
        public Finish(String id, int attempt, JobState state, long runAt, long atMillis, String resultJson, String error) {
            this(id, attempt, state, runAt, atMillis, resultJson, error, 0);
        }

        public static Finish succeeded(Job run, String resultJson, long now) {
            return new Finish(run.id(), run.attempt(), JobState.SUCCEEDED, 0, now, resultJson, null);
        }

        public static Finish failed(Job run, String error, long now, long runAt) {
            return new Finish(run.id(), run.attempt(), JobState.FAILED, runAt, now, null, error);
        }

        public static Finish dead(Job run, String error, long now) {
            return new Finish(run.id(), run.attempt(), JobState.DEAD, 0, now, null, error);
        }
    }

    /** The answer to a cancel or a retry. */
    record Change(Kind kind, JobRecord job) {
        public enum Kind { DONE, NOT_FOUND, CONFLICT }
    }

    /**
     * A listing: {@code state}, {@code kind} and {@code queue} filter when not null, so do
     * {@code idPrefix} (ids that start with it) and {@code payloadContains} (payloads whose JSON text
     * contains it: a search that reads every payload it passes, for people, not for programs); ids greater than {@code after}
     * when not null; at most {@code limit} jobs, and the page stops after the job that brings its
     * payloads, results and errors past {@code maxChars} characters (always at least one job).
     */
    record JobQuery(JobState state, String kind, int limit, String after, long maxChars, String queue, String idPrefix,
                    String payloadContains) {
        public JobQuery(JobState state, String kind, int limit, String after) {
            this(state, kind, limit, after, Long.MAX_VALUE, null);
        }

        public JobQuery(JobState state, String kind, int limit, String after, long maxChars) {
            this(state, kind, limit, after, maxChars, null);
        }

        public JobQuery(JobState state, String kind, int limit, String after, long maxChars, String queue) {
            this(state, kind, limit, after, maxChars, queue, null, null);
        }

        /** The same query with another state (the engine reads {@code running} for {@code claimed}). */
        public JobQuery withState(JobState s) {
            return new JobQuery(s, kind, limit, after, maxChars, queue, idPrefix, payloadContains);
        }

        /** Whether {@code r} passes the filters other than the cursor (for stores that filter in memory). */
        public boolean matches(JobRecord r) {
            return (state == null || r.state() == state) && (kind == null || r.kind().equals(kind))
                    && (queue == null || r.queue().equals(queue)) && (idPrefix == null || r.id().startsWith(idPrefix))
                    && (payloadContains == null || r.payloadJson().contains(payloadContains));
        }
    }

    /**
     * A page of a listing; {@code next} is the cursor of the following page, or null at the end. A
     * page may hold fewer jobs than asked, even none, with a {@code next}: a store that bounds how
     * much one page reads (PostgreSQL, over a long history) ends it where it stopped reading.
     */
    record Page(List<JobRecord> jobs, String next) {
        /**
         * The page of {@code q} from {@code matching} (in id order, possibly longer than the page):
         * at most {@code q.limit()} jobs and about {@code q.maxChars()} characters; {@code next}
         * names the last job on it when more follow.
         */
        public static Page of(List<JobRecord> matching, JobQuery q) {
            long chars = 0;
            int n = 0;
            while (n < matching.size() && n < q.limit() && (n == 0 || chars < q.maxChars())) {
                chars += matching.get(n).chars();
                n++;
            }
            List<JobRecord> page = List.copyOf(matching.subList(0, n));
            return new Page(page, n < matching.size() && !page.isEmpty() ? page.getLast().id() : null);
        }
    }
}

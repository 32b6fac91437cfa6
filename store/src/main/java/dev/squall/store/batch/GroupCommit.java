package dev.squall.store.batch;

import dev.squall.core.JobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Group commit, knowing nothing about jobs: one thread takes every write waiting (up to
 * {@code maxBatch}), hands them to a {@link Committer} that runs them in one transaction, and so
 * pays one commit (one fsync) for many writes. Only after the commit is each write told
 * {@link Write#committed}: a caller told "done" is told after its write is durable. Batches grow by
 * themselves under load; at low load a batch is one write and commits at once.
 *
 * <p>When a batch fails, the writes are tried again one by one, so one bad write fails alone; when
 * the failure is the database's, not a write's (a lost connection, a timeout: {@code unavailable}),
 * the whole batch fails at once instead, because trying each again would only wait out the same
 * outage once per write.
 *
 * <p>Two lanes: {@link #submit} (unbounded, for the few writes that must never be refused: claims,
 * results, cancels) and, when started with a capacity, {@link #offer} (bounded, refused when full:
 * new jobs, many, from callers that can answer "full"). Each batch takes the unbounded lane first, so
 * workers are never starved behind thousands of queued inserts.
 *
 * <pre>{@code
 * GroupCommit<MyWrite> writer = GroupCommit.start("pg-writer", 512, batch -> table.commit(batch),
 *         e -> e instanceof SQLTransientConnectionException);
 * writer.submit(new MyWrite(...));       // completes its own future from committed() or failed()
 * writer.close();                        // finishes what is queued, fails what comes after
 * }</pre>
 *
 * @param <W> the writes; each tells its caller the outcome through {@link Write#committed} or {@link Write#failed}
 */
public final class GroupCommit<W extends GroupCommit.Write> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("squall.store");
    private static final Object WAKE = new Object();

    /** One unit of work. The committer runs it; the executor tells it how that ended. */
    public interface Write {
        /** Its transaction committed. */
        void committed();

        /** Its transaction rolled back, or it could not be run: nothing of it was kept. */
        void failed(Throwable cause);
    }

    /**
     * Runs a batch in one transaction and commits it, or throws having rolled it back. It must run
     * every write of the batch afresh each time (after a failed batch each write is given to it again,
     * alone), so a write keeps no result of an earlier run.
     */
    @FunctionalInterface
    public interface Committer<W> {
        void commit(List<W> batch) throws Exception;
    }

    private final LinkedBlockingQueue<Object> control = new LinkedBlockingQueue<>();
    /** The bounded lane; null without one. The thread sleeps on it when there is one (see {@link #submit}). */
    private final BlockingQueue<Object> bulk;
    private final BlockingQueue<Object> sleepOn;
    private final Committer<W> committer;
    private final Predicate<Throwable> unavailable;
    private final int maxBatch;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean closed;
    private final AtomicLong submitted = new AtomicLong();
    private final AtomicLong settled = new AtomicLong();
    /** Told how long each batch took to run and commit, and how many writes it carried, under this writer's name. */
    private volatile NamedListener commits = new NamedListener(JobStore.CommitListener.ALL, JobStore.CommitListener.NONE);

    /** A listener and the name this writer's commits go by ({@link JobStore.CommitListener#ALL} and the others): set together. */
    private record NamedListener(String name, JobStore.CommitListener listener) {
    }

    private GroupCommit(String name, int maxBatch, int bulkCapacity, Committer<W> committer, Predicate<Throwable> unavailable) {
        this.maxBatch = maxBatch;
        this.committer = committer;
        this.unavailable = unavailable;
        this.bulk = bulkCapacity > 0 ? new ArrayBlockingQueue<>(bulkCapacity) : null;
        this.sleepOn = bulk != null ? bulk : control;
        this.thread = new Thread(this::loop, name);
        this.thread.setDaemon(true);
    }

    /** A started executor with one unbounded lane ({@link #submit}). */
    public static <W extends Write> GroupCommit<W> start(String name, int maxBatch, Committer<W> committer,
                                                        Predicate<Throwable> unavailable) {
        return start(name, maxBatch, 0, committer, unavailable);
    }

    /** A started executor with an unbounded lane ({@link #submit}) and one of {@code bulkCapacity} writes ({@link #offer}). */
    public static <W extends Write> GroupCommit<W> start(String name, int maxBatch, int bulkCapacity, Committer<W> committer,
                                                        Predicate<Throwable> unavailable) {
        GroupCommit<W> g = new GroupCommit<>(name, maxBatch, bulkCapacity, committer, unavailable);
        g.thread.start();
        return g;
    }

    /** Queues a write on the unbounded lane; after {@link #close} the write is failed at once. */
    public void submit(W write) {
        submitted.incrementAndGet();
        if (closed) {
            failQuietly(write, new IllegalStateException("the store is closed"));
            return;
        }
        control.add(write);
        if (closed && control.remove(write)) { // raced with close's drain: fail it here
            failQuietly(write, new IllegalStateException("the store is closed"));
            return;
        }
        if (bulk != null && bulk.isEmpty()) {
            // The thread sleeps on the bounded lane, so that the many writes there cost no wake-up
            // each: a write here wakes it with a marker (a full lane means it is awake anyway).
            bulk.offer(WAKE);
        }
    }

    /**
     * Queues a write on the bounded lane. False, and the write is not queued, when the lane is full or
     * the executor stops: the caller answers "full" (or "closed") itself.
     */
    public boolean offer(W write) {
        if (bulk == null) {
            throw new IllegalStateException("this executor has no bounded lane");
        }
        submitted.incrementAndGet();
        if (!running || !bulk.offer(write)) {
            submitted.decrementAndGet();
            return false;
        }
        if (closed && bulk.remove(write)) {
            submitted.decrementAndGet();
            return false;
        }
        return true;
    }

    /** Tells {@code l} of every batch committed, as writer {@code name}: its time (run and commit) and its writes. */
    public void onCommit(String name, JobStore.CommitListener l) {
        commits = new NamedListener(name, l == null ? JobStore.CommitListener.NONE : l);
    }

    /** Whether every write submitted so far has been told its outcome. */
    public boolean idle() {
        return settled.get() == submitted.get();
    }

    /** How many writes have been told their outcome so far. */
    public long settled() {
        return settled.get();
    }

    @SuppressWarnings("unchecked")
    private void loop() {
        List<W> batch = new ArrayList<>(maxBatch);
        List<Object> taken = new ArrayList<>(maxBatch);
        while (running || !control.isEmpty() || bulk != null && !bulk.isEmpty()) {
            try {
                take(taken);
                if (taken.isEmpty()) {
                    Object first = sleepOn.poll(1, TimeUnit.SECONDS); // sleeps while idle; the timeout only bounds a stop
                    if (first == null) {
                        continue;
                    }
                    taken.add(first);
                    take(taken);
                }
                for (Object o : taken) {
                    if (o != WAKE) {
                        batch.add((W) o);
                    }
                }
                if (!batch.isEmpty()) {
                    commit(batch);
                }
            } catch (InterruptedException e) {
                if (!running) {
                    break;
                }
            } catch (Throwable t) {
                LOG.error("the store's writer failed a batch of {}; continuing", batch.size(), t);
                batch.forEach(w -> failQuietly(w, t));
            } finally {
                batch.clear();
                taken.clear();
            }
        }
    }

    /** The unbounded lane first, then the bounded one, up to a batch. */
    private void take(List<Object> taken) {
        control.drainTo(taken, maxBatch - taken.size());
        if (bulk != null && taken.size() < maxBatch) {
            bulk.drainTo(taken, maxBatch - taken.size());
        }
    }

    private void commit(List<W> batch) {
        try {
            long t0 = System.nanoTime();
            committer.commit(batch);
            NamedListener told = commits;
            told.listener().committed(told.name(), System.nanoTime() - t0, batch.size());
        } catch (Throwable batchError) {
            if (batch.size() == 1 || unavailable.test(batchError)) {
                LOG.warn("a batch of {} writes to the store failed: {}", batch.size(), batchError.toString());
                batch.forEach(w -> failQuietly(w, batchError));
                return;
            }
            // One bad write must not fail the others: run each alone.
            for (W w : batch) {
                try {
                    committer.commit(List.of(w));
                } catch (Throwable t) {
                    LOG.warn("a write to the store failed: {}", t.toString());
                    failQuietly(w, t);
                    continue;
                }
                tellCommitted(w);
            }
            return;
        }
        batch.forEach(this::tellCommitted);
    }

    private void tellCommitted(W w) {
        try {
            w.committed();
        } catch (Throwable t) {
            LOG.error("a committed write's follow-up failed", t);
        } finally {
            settled.incrementAndGet();
        }
    }

    private void failQuietly(Write w, Throwable cause) {
        try {
            w.failed(cause);
        } catch (Throwable t) {
            LOG.error("a failed write's follow-up failed", t);
        } finally {
            settled.incrementAndGet();
        }
    }

    /** Finishes every write queued so far, then fails whatever is queued after. */
    @Override
    public void close() {
        running = false;
        if (!sleepOn.offer(WAKE) && bulk == null) {
            control.add(WAKE);
        }
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closed = true;
        for (BlockingQueue<Object> q : bulk == null ? List.of(control) : List.of(control, bulk)) {
            Object o;
            while ((o = q.poll()) != null) {
                if (o != WAKE) {
                    failQuietly((Write) o, new IllegalStateException("the store is closed"));
                }
            }
        }
    }
}

package dev.squall.store.batch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Group commit, knowing nothing about jobs: one thread takes every write waiting in its queue (up to
 * {@code maxBatch}), hands them to a {@link Committer} that runs them in one transaction, and so
 * pays one commit (one fsync) for many writes. When a batch fails, the writes are tried again one
 * by one, so one bad write fails alone; when the failure is the database's, not a write's (a lost
 * connection, a timeout: {@code unavailable}), the whole batch fails at once instead, because
 * trying each again would only wait out the same outage once per write.
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

    /** One unit of work. The committer runs it; the executor tells it how that ended. */
    public interface Write {
        /** Its transaction committed. */
        void committed();

        /** Its transaction rolled back, or it could not be run: nothing of it was kept. */
        void failed(Throwable cause);
    }

    /** Runs a batch in one transaction and commits it, or throws having rolled it back. */
    @FunctionalInterface
    public interface Committer<W> {
        void commit(List<W> batch) throws Exception;
    }

    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final Committer<W> committer;
    private final Predicate<Throwable> unavailable;
    private final int maxBatch;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean closed;
    private final java.util.concurrent.atomic.AtomicLong submitted = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong settled = new java.util.concurrent.atomic.AtomicLong();
    private static final Object WAKE = new Object();
    /** Told how long each batch took to run and commit, and how many writes it carried. */
    private volatile dev.squall.core.JobStore.CommitListener commits = dev.squall.core.JobStore.CommitListener.NONE;

    private GroupCommit(String name, int maxBatch, Committer<W> committer, Predicate<Throwable> unavailable) {
        this.maxBatch = maxBatch;
        this.committer = committer;
        this.unavailable = unavailable;
        this.thread = new Thread(this::loop, name);
        this.thread.setDaemon(true);
    }

    /** A started executor. */
    public static <W extends Write> GroupCommit<W> start(String name, int maxBatch, Committer<W> committer,
                                                        Predicate<Throwable> unavailable) {
        GroupCommit<W> g = new GroupCommit<>(name, maxBatch, committer, unavailable);
        g.thread.start();
        return g;
    }

    /** Queues a write; after {@link #close} the write is failed at once. */
    public void submit(W write) {
        submitted.incrementAndGet();
        if (closed) {
            failQuietly(write, new IllegalStateException("the store is closed"));
            return;
        }
        queue.add(write);
        if (closed && queue.remove(write)) { // raced with close's drain: fail it here
            failQuietly(write, new IllegalStateException("the store is closed"));
        }
    }

    /** Tells {@code l} of every batch committed: its time (run and commit) and its writes. */
    public void onCommit(dev.squall.core.JobStore.CommitListener l) {
        commits = l == null ? dev.squall.core.JobStore.CommitListener.NONE : l;
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
        while (running || !queue.isEmpty()) {
            try {
                Object first = queue.poll(1, TimeUnit.SECONDS); // sleeps while idle; the timeout only bounds a stop
                if (first == null) {
                    continue;
                }
                taken.add(first);
                queue.drainTo(taken, maxBatch - 1);
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

    private void commit(List<W> batch) {
        try {
            long t0 = System.nanoTime();
            committer.commit(batch);
            commits.committed(System.nanoTime() - t0, batch.size());
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
                }
            }
            return;
        }
        for (W w : batch) {
            try {
                w.committed();
            } catch (Throwable t) {
                LOG.error("a committed write's follow-up failed", t);
            } finally {
                settled.incrementAndGet();
            }
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
        queue.add(WAKE);
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closed = true;
        Object o;
        while ((o = queue.poll()) != null) {
            if (o != WAKE) {
                failQuietly((Write) o, new IllegalStateException("the store is closed"));
            }
        }
    }
}

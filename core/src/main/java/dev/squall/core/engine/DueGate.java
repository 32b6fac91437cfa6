package dev.squall.core.engine;

/**
 * What one lane knows of due work in the store, so that an idle engine does not ask the store on
 * every dispatcher tick, and so that a new job may skip the claim (it is stored claimed) only when
 * nothing due waits ahead of it. The engine sees every change it makes itself (submits, failed
 * attempts and their backoff, retries, releases); a shared store adds news of other nodes' work
 * ({@link dev.squall.core.JobStore#onNewWork}) and a poll ({@link dev.squall.core.JobStore#pollMillis}).
 *
 * <p>The gate is open (the next claim goes to the store) while work may be due: after any news of
 * work, when the earliest known waiting job becomes due, or when the poll interval has passed since
 * the last claim. A claim that comes back short closes it and records when the next waiting job is
 * due. It is closed before the claim is made, so that news arriving during the claim opens it again,
 * and it says "nothing due" only once no claim is out (the claimed jobs are queued by then).
 *
 * <p>News from a shared store ({@link #newsOfWork}: another node's new jobs, a dead node's jobs
 * queued again) opens the next claim but does not hold this lane's own new jobs back: those jobs are
 * the other node's to order. Holding back sent every new job here through the ready table until this
 * node's next short claim, and each such batch notified the other node, which then did the same: at
 * 5,000 jobs/s on two nodes most jobs took the claim's round trip instead of being stored claimed
 * ({@code bench/postgres-bench.sh PART=latency} prints how many waited in the ready table).
 *
 * <pre>{@code
 * if (gate.shouldClaim(nowMillis, nowNanos)) { Claim c = store.claimDue(...); gate.claimed(full, c.nextDueMillis()); }
 * gate.workMayBeDue();       // this engine left work in the store: the next claim looks, new jobs wait their turn
 * gate.newsOfWork();         // another node did: the next claim looks
 * gate.dueAt(runAt);         // a job waits until then: no sleeping past it
 * }</pre>
 */
final class DueGate {
    private volatile boolean maybeDue = true;
    /** News from the store (another node's work): the next claim looks, but new jobs here are not held back for it. */
    private volatile boolean news;
    /** A claim is out: until its jobs are in the ready queue, a new job stored claimed could overtake them. */
    private volatile boolean claiming;
    private volatile long nextDue = Long.MAX_VALUE;
    /** The earliest due time told while a claim was out: its answer may not have seen that job. */
    private long dueDuringClaim = Long.MAX_VALUE;
    private volatile long lastClaimNanos = System.nanoTime();
    private final long pollNanos;
    /**
     * Whether a new job must never overtake jobs a claim is taking (a store only this process
     * writes, which polls never): then nothing is "not due" while a claim is out. On a shared store
     * order across nodes is not strict anyway, and waiting out each claim's round trip cost a third
     * of the end-to-end rate (bench/postgres-bench.sh PART=e2e: 9,500-10,600 jobs/s on one node with
     * it, 14,700-15,000 without); there a job accepted during a claim may start before one of that
     * claim's, as before the engine held this knowledge.
     */
    private final boolean strictOrder;

    /** @param pollMillis how often to look without news ({@link Long#MAX_VALUE}: never, a store only this process writes) */
    DueGate(long pollMillis) {
        this.strictOrder = pollMillis == Long.MAX_VALUE;
        // jitter of up to a tenth, so that nodes started together do not poll together
        this.pollNanos = pollMillis >= Long.MAX_VALUE / 2_000_000L ? Long.MAX_VALUE
                : (pollMillis + java.util.concurrent.ThreadLocalRandom.current().nextLong(Math.max(1, pollMillis / 10))) * 1_000_000L;
    }

    /** This engine left work in the store that may be due now: the next claim looks, and new jobs do not overtake it. */
    void workMayBeDue() {
        if (!maybeDue) { // read first: under load it is mostly set, and a write per job would bounce its cache line
            maybeDue = true;
        }
    }

    /** News from the store of work this engine did not make: the next claim looks. */
    void newsOfWork() {
        if (!news) {
            news = true;
        }
    }

    /** A job waits until {@code runAt}: the gate opens then at the latest. */
    synchronized void dueAt(long runAtMillis) {
        nextDue = Math.min(nextDue, runAtMillis);
        dueDuringClaim = Math.min(dueDuringClaim, runAtMillis);
    }

    /**
     * True when, as far as this engine knows, no job is due at {@code nowMillis}: then a new job
     * overtakes nothing if it is stored claimed. The poll is left out: what only a poll would find
     * (another node's jobs) is that node's to order.
     */
    boolean nothingDue(long nowMillis) {
        return !maybeDue && (!claiming || !strictOrder) && nowMillis < nextDue;
    }

    /** Whether the next claim should go to the store; if so the gate closes, to be opened by news. */
    boolean shouldClaim(long nowMillis, long nowNanos) {
        if (!maybeDue && !news && nowMillis < nextDue && nowNanos - lastClaimNanos < pollNanos) {
            return false;
        }
        synchronized (this) {
            lastClaimNanos = nowNanos;
            dueDuringClaim = Long.MAX_VALUE;
            claiming = true;
            maybeDue = false;
            news = false;
        }
        return true;
    }

    /** A claim came back: a full one may have left more due; a short one says when the next is due. */
    synchronized void claimed(boolean full, long nextDueMillis) {
        if (full) {
            maybeDue = true;
        } else {
            nextDue = Math.min(nextDueMillis, dueDuringClaim);
        }
        claiming = false;
    }

    /** A claim failed: what it would have taken is still there. */
    synchronized void claimFailed() {
        maybeDue = true;
        claiming = false;
    }
}

package dev.squall.store.batch;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The group-commit executor, knowing nothing of jobs: batches, one bad write failing alone, bounded intake, stop. */
class GroupCommitTest {
    /** A write that records what the executor told it. */
    static final class Note implements GroupCommit.Write {
        final String name;
        final CompletableFuture<String> told = new CompletableFuture<>();

        Note(String name) {
            this.name = name;
        }

        @Override
        public void committed() {
            told.complete("committed");
        }

        @Override
        public void failed(Throwable cause) {
            told.completeExceptionally(cause);
        }
    }

    /** Commits whatever it is given, except a batch holding a write named "bad"; holds its first batch until released. */
    static final class Committer implements GroupCommit.Committer<Note> {
        final List<List<String>> batches = java.util.Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch hold = new CountDownLatch(1);
        final CountDownLatch firstStarted = new CountDownLatch(1);
        volatile boolean holding;
        final AtomicInteger failuresLeft = new AtomicInteger();

        @Override
        public void commit(List<Note> batch) throws Exception {
            if (holding) {
                firstStarted.countDown();
                hold.await(10, TimeUnit.SECONDS);
                holding = false;
            }
            if (failuresLeft.getAndDecrement() > 0 || batch.stream().anyMatch(n -> n.name.equals("bad"))) {
                throw new IllegalStateException("injected");
            }
            batches.add(batch.stream().map(n -> n.name).toList());
        }
    }

    private GroupCommit<Note> executor;

    @AfterEach
    void close() {
        if (executor != null) {
            executor.close();
        }
    }

    /** Submits "first" and waits until the executor is inside its batch, so what follows queues behind it. */
    private Note blockOnFirst(Committer c) throws InterruptedException {
        c.holding = true;
        Note first = new Note("first");
        executor.submit(first);
        assertThat(c.firstStarted.await(10, TimeUnit.SECONDS)).isTrue();
        return first;
    }

    @Test
    void writesQueuedWhileABatchCommitsGoTogetherInTheNext() throws Exception {
        Committer c = new Committer();
        executor = GroupCommit.start("test-writer", 100, c, e -> false);
        blockOnFirst(c);
        List<Note> more = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            more.add(new Note("n" + i));
            executor.submit(more.getLast());
        }
        c.hold.countDown();

        for (Note n : more) {
            assertThat(n.told.get(10, TimeUnit.SECONDS)).isEqualTo("committed");
        }
        assertThat(c.batches).contains(List.of("n0", "n1", "n2", "n3", "n4"));
    }

    @Test
    void whenABatchFailsEachWriteRunsAloneAndTheGoodOnesAreToldTheyCommitted() throws Exception {
        Committer c = new Committer();
        executor = GroupCommit.start("test-writer", 100, c, e -> false);
        blockOnFirst(c);
        Note good = new Note("good");
        Note bad = new Note("bad");
        Note alsoGood = new Note("also-good");
        executor.submit(good);
        executor.submit(bad);
        executor.submit(alsoGood);
        c.hold.countDown();

        assertThat(good.told.get(10, TimeUnit.SECONDS)).isEqualTo("committed");
        assertThat(alsoGood.told.get(10, TimeUnit.SECONDS)).isEqualTo("committed");
        assertThatThrownBy(() -> bad.told.get(10, TimeUnit.SECONDS)).hasRootCauseMessage("injected");
        assertThat(c.batches).contains(List.of("good"), List.of("also-good"));
        await().until(executor::idle);
    }

    @Test
    void whenTheDatabaseIsAwayTheWholeBatchFailsAtOnce() throws Exception {
        Committer c = new Committer();
        executor = GroupCommit.start("test-writer", 100, c, e -> true); // every failure is an outage
        blockOnFirst(c);
        Note a = new Note("a");
        Note b = new Note("b");
        executor.submit(a);
        executor.submit(b);
        c.failuresLeft.set(2); // the held batch ("first") and the next one (a, b)
        c.hold.countDown();

        assertThatThrownBy(() -> a.told.get(10, TimeUnit.SECONDS)).hasRootCauseMessage("injected");
        assertThatThrownBy(() -> b.told.get(10, TimeUnit.SECONDS)).hasRootCauseMessage("injected");
        assertThat(c.batches).doesNotContain(List.of("a"), List.of("b"));
    }

    @Test
    void aBoundedLaneRefusesPastItsCapacityAndItsWritesFollowTheOthersInABatch() throws Exception {
        Committer c = new Committer();
        executor = GroupCommit.start("test-writer", 100, 3, c, e -> false);
        blockOnFirst(c);
        List<Note> bulk = new ArrayList<>();
        int refused = 0;
        for (int i = 0; i < 5; i++) {
            Note n = new Note("b" + i);
            if (executor.offer(n)) {
                bulk.add(n);
            } else {
                refused++;
            }
        }
        // 3 places, one of which a wake-up marker may hold
        assertThat(bulk).hasSizeBetween(2, 3);
        assertThat(refused).isEqualTo(5 - bulk.size());
        Note control = new Note("control");
        executor.submit(control); // unbounded, and first in the next batch
        c.hold.countDown();

        assertThat(control.told.get(10, TimeUnit.SECONDS)).isEqualTo("committed");
        for (Note n : bulk) {
            assertThat(n.told.get(10, TimeUnit.SECONDS)).isEqualTo("committed");
        }
        List<String> expected = new ArrayList<>(List.of("control"));
        bulk.forEach(n -> expected.add(n.name));
        assertThat(c.batches).contains(expected);
    }

    @Test
    void aWriteOfTheBoundedLaneAloneIsCommittedWithoutWaiting() throws Exception {
        Committer c = new Committer();
        executor = GroupCommit.start("test-writer", 100, 10, c, e -> false);
        Note n = new Note("alone");
        assertThat(executor.offer(n)).isTrue();
        assertThat(n.told.get(10, TimeUnit.SECONDS)).isEqualTo("committed");
        Note control = new Note("control");
        executor.submit(control); // wakes a writer that sleeps on the bounded lane
        assertThat(control.told.get(10, TimeUnit.SECONDS)).isEqualTo("committed");
    }

    @Test
    void closeFinishesWhatIsQueuedAndRefusesWhatComesAfter() throws Exception {
        Committer c = new Committer();
        executor = GroupCommit.start("test-writer", 100, 10, c, e -> false);
        Note queued = new Note("queued");
        executor.submit(queued);
        executor.close();

        assertThat(queued.told.get(10, TimeUnit.SECONDS)).isEqualTo("committed");
        Note late = new Note("late");
        executor.submit(late);
        assertThatThrownBy(() -> late.told.get(10, TimeUnit.SECONDS)).hasRootCauseMessage("the store is closed");
        assertThat(executor.offer(new Note("late bulk"))).isFalse();
        executor = null;
    }
}

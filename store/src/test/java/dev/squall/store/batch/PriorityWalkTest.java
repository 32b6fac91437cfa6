package dev.squall.store.batch;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The claim's walk by priority, over jobs held in a map (priority -> due times) instead of SQL. */
class PriorityWalkTest {
    private static final long NOW = 1_000;

    /** Waiting jobs by priority, each a due time; counts the seeks the walk makes. */
    private static final class Waiting implements PriorityWalk.Seeks<String> {
        final TreeMap<Long, List<Long>> byPriority = new TreeMap<>();
        final List<String> seeks = new ArrayList<>();

        Waiting job(long priority, long dueAt) {
            byPriority.computeIfAbsent(priority, p -> new ArrayList<>()).add(dueAt);
            byPriority.get(priority).sort(null);
            return this;
        }

        @Override
        public Long nextPriority(long after) {
            seeks.add("priority>" + after);
            return byPriority.higherKey(after);
        }

        @Override
        public void takeDue(long priority, int limit, List<String> into) {
            seeks.add("due@" + priority);
            byPriority.get(priority).stream().filter(t -> t <= NOW).limit(limit).forEach(t -> into.add(priority + ":" + t));
        }

        @Override
        public Long nextDue(long priority) {
            seeks.add("next@" + priority);
            return byPriority.get(priority).stream().filter(t -> t > NOW).findFirst().orElse(null);
        }
    }

    @Test
    void takesTheSmallestPrioritiesFirstAndTellsWhenTheNextJobIsDue() throws Exception {
        Waiting w = new Waiting().job(5, 900).job(-3, 999).job(-3, 5_000).job(0, 100).job(0, 7_000).job(5, 2_000);
        PriorityWalk.Picked<String> p = PriorityWalk.walk(w, 10, NOW, 32);
        assertThat(p.picks()).containsExactly("-3:999", "0:100", "5:900");
        assertThat(p.nextDue()).as("the earliest job not due yet, over every priority").isEqualTo(2_000);
    }

    @Test
    void aFullClaimStopsThereAndSaysMoreMayBeDue() throws Exception {
        Waiting w = new Waiting().job(0, 1).job(0, 2).job(1, 3).job(2, 4);
        PriorityWalk.Picked<String> p = PriorityWalk.walk(w, 3, NOW, 32);
        assertThat(p.picks()).containsExactly("0:1", "0:2", "1:3");
        assertThat(p.nextDue()).isEqualTo(NOW);
        assertThat(w.seeks).as("priority 2 is never visited").doesNotContain("due@2", "priority>1");
    }

    @Test
    void nothingWaitingIsAnEmptyClaimWithNothingDue() throws Exception {
        PriorityWalk.Picked<String> p = PriorityWalk.walk(new Waiting(), 10, NOW, 32);
        assertThat(p.picks()).isEmpty();
        assertThat(p.nextDue()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void pastTheLastPriorityItVisitsItGivesUp() throws Exception {
        Waiting w = new Waiting();
        for (int i = 0; i < 5; i++) {
            w.job(i, NOW + 10);
        }
        assertThat(PriorityWalk.walk(w, 10, NOW, 4)).as("five priorities, at most four visited").isNull();
        assertThat(PriorityWalk.walk(w, 10, NOW, 5).picks()).isEmpty();
        assertThat(PriorityWalk.walk(w, 10, NOW, 5).nextDue()).isEqualTo(NOW + 10);
    }
}

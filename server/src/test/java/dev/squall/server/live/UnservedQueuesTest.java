package dev.squall.server.live;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Which queues have jobs waiting that no live node serves, and when that is said. */
class UnservedQueuesTest {
    private static final long T0 = 1_764_504_000_000L;
    private final UnservedQueues unserved = new UnservedQueues();

    @Test
    void aQueueNoNodeServesIsReportedOnceItStaysUnservedForAWhile() {
        Set<String> waiting = Set.of("mail", "pdf", "sms");
        Set<String> served = Set.of("mail", "sms");
        assertThat(unserved.update(waiting, served, false, T0)).as("a peer's figures may not be read yet").isEmpty();
        assertThat(unserved.update(waiting, served, false, T0 + UnservedQueues.AFTER_MILLIS - 1)).isEmpty();
        assertThat(unserved.update(waiting, served, false, T0 + UnservedQueues.AFTER_MILLIS)).containsExactly("pdf");
    }

    @Test
    void itIsNoLongerReportedOnceANodeServesItOrNoJobOfItWaits() {
        unserved.update(Set.of("pdf", "zip"), Set.of(), false, T0);
        assertThat(unserved.update(Set.of("pdf", "zip"), Set.of(), false, T0 + 10_000)).containsExactly("pdf", "zip");
        assertThat(unserved.update(Set.of("pdf", "zip"), Set.of("pdf"), false, T0 + 11_000)).containsExactly("zip");
        assertThat(unserved.update(Set.of("pdf"), Set.of(), false, T0 + 12_000)).as("pdf unserved again: its clock starts again").isEmpty();
        assertThat(unserved.update(Set.of(), Set.of(), false, T0 + 20_000)).as("nothing waits").isEmpty();
    }

    @Test
    void aNodeThatServesEveryQueueServesThemAll() {
        unserved.update(Set.of("pdf"), Set.of(), true, T0);
        assertThat(unserved.update(Set.of("pdf"), Set.of(), true, T0 + 60_000)).isEmpty();
    }
}

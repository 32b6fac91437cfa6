package dev.squall.server.live;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What nodes publish for each other, and how the others' figures add up. */
class PeerFiguresTest {

    private static Histogram hist(long... micros) {
        Histogram h = new Histogram(3_600_000_000L, 2);
        for (long m : micros) {
            h.recordValue(m);
        }
        return h;
    }

    private static String node(long accepted, long succeeded, long... waitMicros) {
        return PeerFigures.publish(new long[] {accepted, succeeded, 0, 0, 0, 0}, hist(waitMicros), hist(), null);
    }

    @Test
    void theOthersTotalsAddUpAndTheirHistogramsJoinThePercentiles() {
        PeerFigures peers = new PeerFigures();
        Histogram waits = hist(1_000);
        PeerFigures.Sum s = peers.read(Map.of("b", node(10, 7, 2_000, 3_000), "c", node(5, 5, 4_000)), waits, hist());
        assertThat(s.totals()[0]).isEqualTo(15);
        assertThat(s.totals()[1]).isEqualTo(12);
        assertThat(s.nodes()).containsExactly("b", "c");
        assertThat(s.moved()[1]).as("a node first seen: its past is not this second's").isZero();
        assertThat(waits.getTotalCount()).isEqualTo(4);
        assertThat(waits.getMaxValue()).as("within the histograms' 1%").isBetween(3_960L, 4_040L);
    }

    @Test
    void eachNodeSaysWhichQueuesItServesAndOneThatDoesNotSayServesThemAll() {
        long[] none = {0, 0, 0, 0, 0, 0};
        PeerFigures.Sum s = new PeerFigures().read(Map.of(
                "b", PeerFigures.publish(none, hist(), hist(), java.util.Set.of("mail", "pdf")),
                "c", PeerFigures.publish(none, hist(), hist(), java.util.Set.of("sms"))), hist(), hist());
        assertThat(s.served()).containsExactly("mail", "pdf", "sms");
        assertThat(s.servesAll()).isFalse();
        assertThat(new PeerFigures().read(Map.of("d", PeerFigures.publish(none, hist(), hist(), null)), hist(), hist()).servesAll())
                .as("null: every queue").isTrue();
        String older = PeerFigures.publish(none, hist(), hist(), java.util.Set.of("x")).replace("\"queues\":[\"x\"],", "");
        assertThat(new PeerFigures().read(Map.of("e", older), hist(), hist()).servesAll())
                .as("a node of an older Squall does not say: no alarm on its account").isTrue();
    }

    @Test
    void whatANodeDidSinceTheLastReadIsItsMoveAndARestartedNodeCountsFromItsStart() {
        PeerFigures peers = new PeerFigures();
        peers.read(Map.of("b", node(10, 7)), hist(), hist());
        PeerFigures.Sum later = peers.read(Map.of("b", node(25, 20)), hist(), hist());
        assertThat(later.moved()[0]).isEqualTo(15);
        assertThat(later.moved()[1]).isEqualTo(13);
        PeerFigures.Sum restarted = peers.read(Map.of("b", node(3, 2)), hist(), hist());
        assertThat(restarted.moved()[1]).as("never negative: what it did since it started").isEqualTo(2);
        assertThat(restarted.totals()[1]).isEqualTo(2);
    }

    @Test
    void figuresThatCannotBeReadAreLeftOutAndTheRestStillAddUp() {
        PeerFigures peers = new PeerFigures();
        Histogram waits = hist();
        PeerFigures.Sum s = peers.read(Map.of("b", "{not json", "c", "{\"v\":1,\"accepted\":4,\"wait\":\"%%%\"}", "d", node(2, 2, 500)),
                waits, hist());
        assertThat(s.nodes()).containsExactly("d");
        assertThat(s.totals()[0]).isEqualTo(2);
        assertThat(waits.getTotalCount()).isEqualTo(1);
    }

    @Test
    void aNodeWhoseRunTimesCannotBeReadAddsNoWaitTimesEither() {
        PeerFigures peers = new PeerFigures();
        Histogram waits = hist();
        String good = node(1, 1, 700);
        String badRun = good.substring(0, good.indexOf("\"run\":\"") + 7) + "AAAA\"}";
        PeerFigures.Sum s = peers.read(Map.of("b", badRun), waits, hist());
        assertThat(s.nodes()).isEmpty();
        assertThat(waits.getTotalCount()).as("its wait times left out with the rest").isZero();
    }
}

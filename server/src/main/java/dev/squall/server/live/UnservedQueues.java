package dev.squall.server.live;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The queues whose jobs wait while no live node serves them (every node started with
 * {@code --queues} that leave them out): such jobs would wait until a node that serves them starts,
 * and nothing else would say so. A queue is reported once it has been unserved for
 * {@link #AFTER_MILLIS}, so that a node that has not yet read a peer's figures (they are published
 * about every second) does not raise a false alarm; each is logged once, as a warning, until it is
 * served again or no job of it waits.
 *
 * <pre>{@code
 * UnservedQueues unserved = new UnservedQueues();
 * List<String> now = unserved.update(queuesWithJobsWaiting, queuesServed, someNodeServesAll, System.currentTimeMillis());
 * }</pre>
 */
final class UnservedQueues {
    private static final Logger LOG = LoggerFactory.getLogger("squall.server");
    static final long AFTER_MILLIS = 5_000;

    /** Queue to when it was first seen unserved (epoch millis). */
    private final Map<String, Long> since = new HashMap<>();
    private final Set<String> warned = new TreeSet<>();

    /**
     * Takes the queues with jobs waiting now and who serves what; returns the queues unserved for
     * {@link #AFTER_MILLIS} or longer, by name. {@code served}: the queues this node and the live
     * peers serve; {@code servesAll}: one of them serves every queue.
     */
    synchronized List<String> update(Set<String> waiting, Set<String> served, boolean servesAll, long nowMillis) {
        Set<String> unserved = new TreeSet<>();
        if (!servesAll) {
            for (String q : waiting) {
                if (!served.contains(q)) {
                    unserved.add(q);
                }
            }
        }
        since.keySet().retainAll(unserved);
        warned.retainAll(unserved);
        List<String> reported = new ArrayList<>();
        for (String q : unserved) {
            long from = since.computeIfAbsent(q, k -> nowMillis);
            if (nowMillis - from >= AFTER_MILLIS) {
                reported.add(q);
                if (warned.add(q)) {
                    LOG.warn("jobs of queue '{}' wait, and no live node serves it: start a node whose --queues includes it "
                            + "(or one without --queues)", q);
                }
            }
        }
        return reported;
    }
}

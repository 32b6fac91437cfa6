package dev.squall.server.live;

import com.fasterxml.jackson.databind.JsonNode;
import dev.squall.core.Json;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;

/**
 * The live figures nodes share through the store, so that each node's dashboard shows the whole
 * cluster: what a node publishes ({@link #publish}: its totals since it started, its last minute's
 * wait and run times as compressed HdrHistograms, a few hundred bytes, and the queues it serves),
 * and the sum of what the others published ({@link #read}), with what each moved since the last
 * read and which queues they serve.
 *
 * <p>A node that restarted publishes totals smaller than before: what it has done since its start
 * is then its move. A node that stopped publishing (dead, or stopped) drops out of the totals: they
 * are the live nodes' totals since each one started. Figures that cannot be read (another version's,
 * or cut) are left out and logged once.
 *
 * <pre>{@code
 * String mine = PeerFigures.publish(totals, waitHistogram, runHistogram, queues);   // given to store.shareFigures
 * PeerFigures.Sum others = peers.read(store.peerFigures(), waits, runs);     // adds their histograms into waits, runs
 * }</pre>
 */
final class PeerFigures {
    private static final Logger LOG = LoggerFactory.getLogger("squall.server");
    /** The order of the totals: accepted, succeeded, failed, dead, cancelled, rejected. */
    static final List<String> TOTALS = List.of("accepted", "succeeded", "failed", "dead", "cancelled", "rejected");

    /**
     * The other nodes' figures added up: their totals, what they moved since the last read, which
     * nodes, and the queues they serve ({@code servesAll}: one of them serves every queue, or did
     * not say, as a node of an older Squall).
     */
    record Sum(long[] totals, long[] moved, List<String> nodes, java.util.Set<String> served, boolean servesAll) {
    }

    private Map<String, long[]> lastSeen = new HashMap<>();
    private boolean warned;

    /** This node's figures as it publishes them; {@code queues}: the queues it serves, null for every queue. */
    static String publish(long[] totals, Histogram waits, Histogram runs, java.util.Set<String> queues) {
        StringBuilder b = new StringBuilder(512).append("{\"v\":1");
        for (int i = 0; i < TOTALS.size(); i++) {
            b.append(",\"").append(TOTALS.get(i)).append("\":").append(totals[i]);
        }
        b.append(",\"queues\":");
        if (queues == null) {
            b.append("null");
        } else {
            b.append('[');
            int i = 0;
            for (String q : new java.util.TreeSet<>(queues)) {
                b.append(i++ == 0 ? "" : ",").append(Json.quote(q));
            }
            b.append(']');
        }
        return b.append(",\"wait\":\"").append(encode(waits)).append("\",\"run\":\"").append(encode(runs)).append("\"}").toString();
    }

    /**
     * Adds up {@code published} (node id to its figures): returns their totals and moves, and adds
     * their histograms into {@code waits} and {@code runs}. Called once a tick, on one thread.
     */
    Sum read(Map<String, String> published, Histogram waits, Histogram runs) {
        long[] totals = new long[TOTALS.size()];
        long[] moved = new long[TOTALS.size()];
        Map<String, long[]> seen = new HashMap<>();
        List<String> nodes = new java.util.ArrayList<>();
        java.util.Set<String> served = new java.util.TreeSet<>();
        boolean servesAll = false;
        for (Map.Entry<String, String> p : new java.util.TreeMap<>(published).entrySet()) {
            long[] t;
            try {
                JsonNode f = Json.MAPPER.readTree(p.getValue());
                t = new long[TOTALS.size()];
                for (int i = 0; i < t.length; i++) {
                    t[i] = f.path(TOTALS.get(i)).asLong();
                }
                Histogram w = decode(f.path("wait").asText());
                Histogram r = decode(f.path("run").asText());
                if (w.getMaxValue() > waits.getHighestTrackableValue() || r.getMaxValue() > runs.getHighestTrackableValue()) {
                    throw new IllegalArgumentException("a time beyond what the percentiles track");
                }
                JsonNode queues = f.path("queues");
                waits.add(w); // both read before either is added: a node's figures are in whole or not at all
                runs.add(r);
                if (queues.isArray()) {
                    queues.forEach(q -> served.add(q.asText()));
                } else {
                    servesAll = true; // null: every queue; missing: a node that does not say (assume it serves them)
                }
            } catch (Exception bad) { // JSON, Base64, compression or a histogram out of range
                if (!warned) {
                    warned = true;
                    LOG.warn("the live figures of node {} could not be read; left out: {}", p.getKey(), bad.toString());
                }
                continue;
            }
            long[] before = lastSeen.get(p.getKey());
            for (int i = 0; i < t.length; i++) {
                totals[i] += t[i];
                // First seen: its past is not this second's; restarted: what it did since is.
                moved[i] += before == null ? 0 : t[i] >= before[i] ? t[i] - before[i] : t[i];
            }
            seen.put(p.getKey(), t);
            nodes.add(p.getKey());
        }
        lastSeen = seen;
        return new Sum(totals, moved, nodes, served, servesAll);
    }

    private static String encode(Histogram h) {
        ByteBuffer buf = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int n = h.encodeIntoCompressedByteBuffer(buf);
        return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buf.array(), n));
    }

    private static Histogram decode(String base64) throws DataFormatException {
        return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 0);
    }
}

package dev.squall.core;

import java.util.List;

/**
 * What a store says about its own health, for {@code /healthz}: whether its database answers, and
 * for a store shared by several nodes, which nodes are alive and what fencing refused. A store of
 * one process is always {@link #LOCAL}.
 *
 * <pre>{@code
 * StoreHealth h = store.health();
 * if (!h.reachable()) { ... answer "degraded" ... }
 * h.nodes().forEach(n -> System.out.println(n.id() + " beat " + n.silentMillis() + " ms ago"));
 * }</pre>
 *
 * @param reachable    false while the database cannot be reached (the last attempt to use it failed)
 * @param node         this node's id, or null for a store of one process
 * @param nodes        the nodes whose heartbeat is recent, this one included (empty for a local store)
 * @param staleResults results refused because their attempt no longer belonged to this node
 * @param leasesLost   leases this node found taken from it (it stopped renewing in time)
 * @param rescued      jobs this node queued again because another node's lease on them expired
 */
public record StoreHealth(boolean reachable, String node, List<Node> nodes, long staleResults, long leasesLost,
                          long rescued) {
    public static final StoreHealth LOCAL = new StoreHealth(true, null, List.of(), 0, 0, 0);

    public StoreHealth {
        nodes = List.copyOf(nodes);
    }

    /** A node as its heartbeat shows it: ids, and times on the database's clock (epoch millis). */
    public record Node(String id, long startedAt, long heartbeatAt, long silentMillis) {
    }
}

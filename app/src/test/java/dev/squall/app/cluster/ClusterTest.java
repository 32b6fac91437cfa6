package dev.squall.app.cluster;

import dev.squall.server.testing.TestHttp;
import dev.squall.store.testing.OwnPostgres;
import dev.squall.store.testing.TestPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Several real {@code squall serve} nodes on one PostgreSQL database, and the faults a cluster
 * meets: a node killed, a node frozen past its lease, every database connection cut, the database
 * stopped. In each, every acknowledged job succeeds, and the only jobs that run twice are ones a
 * failed node held. Each test prints what it acknowledged, re-ran and lost.
 */
class ClusterTest {
    @TempDir
    Path dir;
    private TestPostgres.Database db;
    private Cluster cluster;

    @AfterEach
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (db != null) {
            db.close();
        }
    }

    private Cluster onFreshDatabase(long sleepMillis) throws Exception {
        db = TestPostgres.database();
        cluster = new Cluster(db.url(), dir, sleepMillis);
        return cluster;
    }

    @Test
    void threeNodesStartedAtOnceRunFiveThousandJobsEachExactlyOnce() throws Exception {
        Cluster c = onFreshDatabase(0);
        List<Cluster.Node> nodes = new ArrayList<>();
        for (String id : List.of("n1", "n2", "n3")) {
            nodes.add(c.launch(id)); // all three migrate the empty database at once
        }
        nodes.forEach(Cluster::awaitHealthy);
        assertThat(c.count("SELECT count(*) - count(DISTINCT version) FROM squall_schema")).as("no version migrated twice").isZero();
        assertThat(c.count("SELECT max(version) FROM squall_schema")).as("every version, once each")
                .isEqualTo(c.count("SELECT count(*) FROM squall_schema")).isGreaterThanOrEqualTo(4);

        int jobs = 5000;
        Set<String> acked = submitAll(jobs, i -> nodes.get(i % 3), new AtomicBoolean());
        assertThat(acked).hasSize(jobs);
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                .until(() -> c.count("SELECT count(*) FROM squall_job WHERE state = 'succeeded'") == jobs);

        Map<String, Integer> runs = c.runs();
        assertThat(runs).hasSize(jobs);
        assertThat(runs.values()).allMatch(n -> n == 1);
        assertThat(c.count("SELECT count(*) FROM squall_job WHERE attempt <> 1")).isZero();
        Set<Long> pids = new HashSet<>();
        c.ranIn().values().forEach(pids::addAll);
        assertThat(pids).as("work spread over the nodes").hasSizeGreaterThan(1);
        for (Cluster.Node n : nodes) {
            assertThat(Files.readString(n.log())).doesNotContain("ERROR");
        }
        System.out.printf("cluster, 3 nodes: %d acknowledged, %d succeeded, 0 re-ran, 0 lost%n", acked.size(), runs.size());
    }

    @Test
    void aNodeKilledMidRunLosesNothingAndOnlyItsJobsRunAgain() throws Exception {
        Cluster c = onFreshDatabase(20);
        List<Cluster.Node> nodes = new ArrayList<>();
        for (String id : List.of("k1", "k2", "k3")) {
            nodes.add(c.launch(id, "--lease", "2s"));
        }
        nodes.forEach(Cluster::awaitHealthy);
        Cluster.Node victim = nodes.get(1);
        int jobs = 2000;
        AtomicBoolean stop = new AtomicBoolean();
        Set<String> acked = ConcurrentHashMap.newKeySet();
        Set<String> held;
        try (ExecutorService clients = Executors.newFixedThreadPool(6)) {
            Future<Set<String>> submitting = clients.submit(() -> submitAll(jobs, i -> alive(nodes, i), stop, acked));
            await().atMost(Duration.ofSeconds(120)).until(() -> acked.size() >= jobs / 3);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                    .until(() -> c.count("SELECT count(*) FROM squall_job WHERE state = 'running' AND owner = 'k2'") > 0);
            c.signal(victim, "KILL");
            victim.process().waitFor();
            held = new HashSet<>(c.column("SELECT id FROM squall_job WHERE state = 'running' AND owner = 'k2'"));
            submitting.get();
        }
        assertThat(held).as("the killed node held jobs").isNotEmpty();
        awaitAllSucceeded(c, acked);

        Map<String, Integer> runs = c.runs();
        Set<String> ranTwice = new HashSet<>();
        runs.forEach((id, n) -> {
            if (n > 1) {
                ranTwice.add(id);
            }
        });
        assertThat(ranTwice).as("only jobs the killed node held ran again").isSubsetOf(held);
        long rescued = 0;
        for (Cluster.Node n : List.of(nodes.get(0), nodes.get(2))) {
            rescued += number(c.health(n), "rescued");
        }
        assertThat(rescued).as("the survivors queued the dead node's jobs again, after its lease").isEqualTo(held.size());
        System.out.printf("cluster, kill -9: %d acknowledged, %d held by the dead node, %d re-ran, 0 lost%n",
                acked.size(), held.size(), ranTwice.size());
    }

    @Test
    void aNodeFrozenPastItsLeaseHasItsJobsRunElsewhereAndItsLateResultsRefused() throws Exception {
        Cluster c = onFreshDatabase(600);
        Cluster.Node n1 = c.start("f1", "--lease", "1s");
        Cluster.Node n2 = c.start("f2", "--lease", "1s");
        Set<String> acked = ConcurrentHashMap.newKeySet();
        for (int i = 0; i < 8; i++) { // through f2: it starts them itself
            if (Cluster.submit(n2, "frozen-" + i)) {
                acked.add("frozen-" + i);
            }
        }
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                .until(() -> c.count("SELECT count(*) FROM squall_job WHERE state = 'running' AND owner = 'f2'") > 0);
        c.signal(n2, "STOP");
        Set<String> held = new HashSet<>(c.column("SELECT id FROM squall_job WHERE state = 'running' AND owner = 'f2'"));
        assertThat(held).isNotEmpty();
        awaitAllSucceeded(c, acked);
        c.signal(n2, "CONT");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> number(c.health(n2), "stale_results") > 0);

        for (String id : held) {
            String result = c.column("SELECT result FROM squall_job WHERE id = '" + id + "'").getFirst();
            assertThat(result).as("the result of %s is the node that took it over", id).isEqualTo("{\"pid\":" + n1.pid() + "}");
        }
        assertThat(n2.process().isAlive()).isTrue();
        // Each lease it held is counted lost once: by a renewal that found it taken over, or when its
        // result, already on its way, was refused.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> number(c.health(n2), "leases_lost") >= held.size());
        assertThat(number(c.health(n2), "leases_lost")).isEqualTo(held.size());
        System.out.printf("cluster, SIGSTOP: %d acknowledged, %d held by the frozen node, %d of its results refused, %d leases lost, 0 lost%n",
                acked.size(), held.size(), number(c.health(n2), "stale_results"), number(c.health(n2), "leases_lost"));
    }

    @Test
    void everyDatabaseConnectionTerminatedRepeatedlyAllNodesSurviveAndNothingIsLost() throws Exception {
        Cluster c = onFreshDatabase(5);
        List<Cluster.Node> nodes = List.of(c.start("t1"), c.start("t2"));
        int jobs = 1500;
        AtomicBoolean stop = new AtomicBoolean();
        Set<String> acked = ConcurrentHashMap.newKeySet();
        int terminated = 0;
        try (ExecutorService clients = Executors.newFixedThreadPool(2)) {
            Future<Set<String>> submitting = clients.submit(() -> submitAll(jobs, i -> nodes.get(i % 2), stop, acked));
            await().atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= 100);
            for (int round = 0; round < 10; round++) { // twice a second for 5 s
                terminated += c.count("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        + "WHERE application_name LIKE 'squall-%' AND pid <> pg_backend_pid()");
                Thread.sleep(500);
            }
            submitting.get();
        }
        assertThat(terminated).isPositive();
        awaitAllSucceeded(c, acked);
        for (Cluster.Node n : nodes) {
            assertThat(n.process().isAlive()).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> c.health(n).contains("\"status\":\"ok\""));
        }
        Map<String, Integer> runs = c.runs();
        long reran = runs.values().stream().filter(n -> n > 1).count();
        assertThat(reran).as("no node lost a lease: nothing ran twice").isZero();
        System.out.printf("cluster, pg_terminate_backend x10 (%d backends): %d acknowledged, %d re-ran, 0 lost%n",
                terminated, acked.size(), reran);
    }

    @Test
    void theDatabaseStoppedForFiveSecondsNodesAnswer503AndNothingAcknowledgedIsLost() throws Exception {
        try (OwnPostgres pg = OwnPostgres.start()) {
            cluster = new Cluster(pg.url(), dir, 5);
            Cluster c = cluster;
            List<Cluster.Node> nodes = List.of(c.start("o1"), c.start("o2"));
            Set<String> acked = acknowledgedBefore(nodes);
            pg.stop();
            long t0 = System.nanoTime();
            TestHttp.Response during = TestHttp.send(nodes.get(0).port(), "POST", "/jobs",
                    "{\"id\": \"during\", \"kind\": \"ledger\", \"payload\": {}}", Duration.ofSeconds(30));
            long tookMillis = (System.nanoTime() - t0) / 1_000_000;
            assertThat(during.status()).isEqualTo(503);
            assertThat(during.headers()).containsKey("retry-after");
            assertThat(tookMillis).as("a submit fails fast, never hangs to the request timeout").isLessThan(10_000);
            // The first submit found its connection broken; the next ones find no connection to be
            // had. Once the node knows the database is away they wait 250 ms for one, not the 2 s
            // that a pool otherwise gives a connection to come free.
            long slowestMillis = 0;
            for (int i = 0; i < 3; i++) {
                long t1 = System.nanoTime();
                TestHttp.Response again = TestHttp.send(nodes.get(0).port(), "POST", "/jobs",
                        "{\"id\": \"during-" + i + "\", \"kind\": \"ledger\", \"payload\": {}}", Duration.ofSeconds(30));
                assertThat(again.status()).isEqualTo(503);
                slowestMillis = Math.max(slowestMillis, (System.nanoTime() - t1) / 1_000_000);
            }
            assertThat(slowestMillis).as("later submits of the outage get their 503 without the pool's 2 s wait").isLessThan(1_500);
            await().atMost(Duration.ofSeconds(10)).until(() -> c.health(nodes.get(1)).contains("\"status\":\"degraded\""));
            TestHttp.Response read = TestHttp.send(nodes.get(1).port(), "GET", "/jobs/before-1", null, Duration.ofSeconds(30));
            assertThat(read.status()).as("a read while the database is away").isEqualTo(503);
            assertThat(read.headers()).containsKey("retry-after");
            assertThat(TestHttp.send(nodes.get(1).port(), "GET", "/jobs?limit=5", null, Duration.ofSeconds(30)).status()).isEqualTo(503);
            Thread.sleep(Math.max(0, 5000 - (System.nanoTime() - t0) / 1_000_000));
            pg.start0();

            afterTheOutage(c, nodes, acked, Duration.ofSeconds(10));
            long reran = c.runs().values().stream().filter(n -> n > 1).count();
            System.out.printf("cluster, PostgreSQL stopped 5 s: %d acknowledged, during the stop a submit got %d in %d ms "
                    + "(the next three in at most %d ms), %d re-ran, 0 lost%n", acked.size(), during.status(), tookMillis, slowestMillis, reran);
            c.close();
            cluster = null;
        }
    }

    /** Submits before-0..before-199 through the nodes in turn; each is acknowledged. */
    private static Set<String> acknowledgedBefore(List<Cluster.Node> nodes) {
        Set<String> acked = ConcurrentHashMap.newKeySet();
        for (int i = 0; i < 200; i++) {
            if (Cluster.submit(nodes.get(i % 2), "before-" + i)) {
                acked.add("before-" + i);
            }
        }
        assertThat(acked).hasSize(200);
        return acked;
    }

    /**
     * Once the database is back: after-0..after-199 through the nodes in turn (each sent again until
     * acknowledged), every acknowledged job succeeds, and every node is alive and {@code ok} within
     * {@code healthy}.
     */
    private static void afterTheOutage(Cluster c, List<Cluster.Node> nodes, Set<String> acked, Duration healthy) throws Exception {
        for (int i = 0; i < 200; i++) {
            int k = i;
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> Cluster.submit(nodes.get(k % 2), "after-" + k));
            acked.add("after-" + i);
        }
        awaitAllSucceeded(c, acked);
        for (Cluster.Node n : nodes) {
            assertThat(n.process().isAlive()).isTrue();
            await().atMost(healthy).until(() -> c.health(n).contains("\"status\":\"ok\""));
        }
    }

    /**
     * A database that stops answering without closing its connections (a paused VM, a disk that
     * hangs): the nodes wait for it, never exit, never answer 500, answer a request it holds 503 at
     * {@code --request-timeout}, and lose nothing they acknowledged. 8 s by default;
     * {@code -Dsquall.freezeSeconds=35} freezes longer than the driver's 30 s socket timeout
     * (docs/scale-out.md).
     */
    @Test
    void theDatabaseFrozenForEightSecondsHoldsNoClientPastTheRequestTimeoutAndNothingAcknowledgedIsLost() throws Exception {
        try (OwnPostgres pg = OwnPostgres.start()) {
            cluster = new Cluster(pg.url(), dir, 5);
            Cluster c = cluster;
            // A request timeout shorter than the freeze: a submit the frozen database holds is answered 503 then.
            List<Cluster.Node> nodes = List.of(c.start("z1", "--request-timeout", "3s"), c.start("z2", "--request-timeout", "3s"));
            Set<String> acked = acknowledgedBefore(nodes);
            long freezeSeconds = Long.getLong("squall.freezeSeconds", 8);
            pg.freeze();
            long t0 = System.nanoTime();
            TestHttp.Response during;
            long tookMillis;
            try {
                during = TestHttp.send(nodes.get(0).port(), "POST", "/jobs", "{\"id\": \"during\", \"kind\": \"ledger\", \"payload\": {}}",
                        Duration.ofSeconds(60));
                tookMillis = (System.nanoTime() - t0) / 1_000_000;
                long left = freezeSeconds * 1000L - (System.nanoTime() - t0) / 1_000_000;
                if (left > 0) {
                    Thread.sleep(left); // the rest of the freeze
                }
            } finally {
                pg.thaw();
            }
            assertThat(during.status()).as("a submit during the freeze").isEqualTo(503);
            assertThat(during.headers()).containsKey("retry-after");
            assertThat(during.body()).contains("job during may still be stored");
            assertThat(tookMillis).as("ms to the 503: the request timeout (3 s), not the freeze").isBetween(2_900L, 7_000L);
            // Its client sends it again once the database answers: one job, whether the held insert
            // was committed at the thaw (200) or not (202, stored now).
            int[] repeat = new int[1];
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
                repeat[0] = TestHttp.send(nodes.get(0).port(), "POST", "/jobs", "{\"id\": \"during\", \"kind\": \"ledger\", \"payload\": {}}",
                        Duration.ofSeconds(10)).status();
                return repeat[0] == 200 || repeat[0] == 202;
            });
            acked.add("during");
            afterTheOutage(c, nodes, acked, Duration.ofSeconds(30));
            long reran = c.runs().values().stream().filter(n -> n > 1).count();
            System.out.printf("cluster, PostgreSQL frozen %d s (--request-timeout 3s): %d acknowledged, a submit during the freeze "
                    + "got %d after %d ms, its repeat after the thaw %d, %d re-ran, 0 lost%n", freezeSeconds, acked.size(),
                    during.status(), tookMillis, repeat[0], reran);
            c.close();
            cluster = null;
        }
    }

    @Test
    void theDatabaseOutOfConnectionsNodesAnswer503AndRecoverOnceTheyAreFree() throws Exception {
        try (OwnPostgres pg = OwnPostgres.start(); java.sql.Connection admin = TestPostgres.connect(pg.url());
             java.sql.Statement sql = admin.createStatement()) {
            // The node logs in as a role of its own, so that the test can take its connection slots
            // away deterministically (a superuser's are never limited).
            sql.execute("CREATE ROLE squall LOGIN");
            sql.execute("GRANT CREATE ON SCHEMA public TO squall");
            String url = "postgresql://squall@127.0.0.1:" + pg.port() + "/postgres";
            cluster = new Cluster(url, dir, 5);
            Cluster c = cluster;
            Cluster.Node n = c.start("x1");
            Set<String> acked = ConcurrentHashMap.newKeySet();
            for (int i = 0; i < 50; i++) {
                if (Cluster.submit(n, "pre-" + i)) {
                    acked.add("pre-" + i);
                }
            }
            // No slot left for the node, and the connections it has are cut: "too many connections".
            sql.execute("ALTER ROLE squall CONNECTION LIMIT 0");
            sql.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'squall'");
            try {
                long t0 = System.nanoTime();
                TestHttp.Response r = TestHttp.send(n.port(), "POST", "/jobs", "{\"id\": \"starved\", \"kind\": \"ledger\"}",
                        Duration.ofSeconds(30));
                long tookMillis = (System.nanoTime() - t0) / 1_000_000;
                assertThat(r.status()).isEqualTo(503);
                assertThat(r.headers()).containsKey("retry-after");
                assertThat(tookMillis).isLessThan(10_000);
                await().atMost(Duration.ofSeconds(10)).until(() -> c.health(n).contains("\"status\":\"degraded\""));
                assertThat(n.process().isAlive()).isTrue();
            } finally {
                sql.execute("ALTER ROLE squall CONNECTION LIMIT -1");
            }
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> Cluster.submit(n, "after"));
            acked.add("after");
            awaitAllSucceeded(c, acked);
            await().atMost(Duration.ofSeconds(10)).until(() -> c.health(n).contains("\"status\":\"ok\""));
            System.out.printf("cluster, connections exhausted: %d acknowledged, 0 lost, node alive%n", acked.size());
            c.close();
            cluster = null;
        }
    }

    // ---- helpers ----

    private static Cluster.Node alive(List<Cluster.Node> nodes, int i) {
        for (int k = 0; k < nodes.size(); k++) {
            Cluster.Node n = nodes.get((i + k) % nodes.size());
            if (n.process().isAlive()) {
                return n;
            }
        }
        throw new IllegalStateException("no node alive");
    }

    private static Set<String> submitAll(int jobs, IntFunction<Cluster.Node> through, AtomicBoolean stop) throws Exception {
        return submitAll(jobs, through, stop, ConcurrentHashMap.newKeySet());
    }

    /**
     * Submits jobs 0..n-1 from 6 client threads; a job whose submit fails (503, a dead node) is sent
     * again, up to 50 times, through the next node: the same id never makes a second job.
     */
    private static Set<String> submitAll(int jobs, IntFunction<Cluster.Node> through, AtomicBoolean stop, Set<String> acked)
            throws Exception {
        AtomicInteger next = new AtomicInteger();
        try (ExecutorService lanes = Executors.newFixedThreadPool(6)) {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                fs.add(lanes.submit(() -> {
                    int i;
                    while (!stop.get() && (i = next.getAndIncrement()) < jobs) {
                        String id = "job-" + i;
                        for (int attempt = 0; attempt < 50; attempt++) {
                            if (Cluster.submit(through.apply(i + attempt), id)) {
                                acked.add(id);
                                break;
                            }
                            Thread.sleep(100);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        }
        return acked;
    }

    /** Waits up to 2 minutes for every acknowledged job to succeed; else fails naming those that did not, and the logs. */
    private static void awaitAllSucceeded(Cluster c, Set<String> acked) throws Exception {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (allSucceeded(c, acked)) {
                return;
            }
            Thread.sleep(250);
        }
        Map<String, String> states = c.states();
        List<String> left = new ArrayList<>();
        for (String id : acked) {
            if (!"succeeded".equals(states.get(id))) {
                left.add(id + "=" + states.get(id) + " " + c.column("SELECT attempt || ' ' || coalesce(owner, '-') || ' ' "
                        + "|| coalesce(lease_until::text, '-') FROM squall_job WHERE id = '" + id + "'"));
            }
        }
        throw new AssertionError(left.size() + " acknowledged jobs did not succeed: " + left.subList(0, Math.min(20, left.size()))
                + "\n" + c.logs());
    }

    private static boolean allSucceeded(Cluster c, Set<String> acked) throws Exception {
        Map<String, String> states = c.states();
        for (String id : acked) {
            if (!"succeeded".equals(states.get(id))) {
                return false;
            }
        }
        return true;
    }

    private static long number(String json, String field) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + field + "\":(\\d+)").matcher(json);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }
}

package dev.squall.bench.client;

import dev.squall.bench.BenchConfig;
import dev.squall.bench.BenchReport;
import dev.squall.bench.BenchRun;
import dev.squall.bench.Latency;
import dev.squall.bench.Outcome;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The load generator on raw Netty: one event loop per {@code --threads}, pre-encoded requests, a
 * minimal response reader. A run is a warm-up phase (figures thrown away) and a measured phase, one
 * after the other on the same callers and connections.
 */
public final class NettyLoadGenerator implements BenchRun {
    private final BenchConfig config;
    private final EventLoopGroup group;
    private final Class<? extends SocketChannel> channelClass;
    private final InetSocketAddress address;
    private final RequestTemplate template;
    private final AtomicLong seq = new AtomicLong();
    private final CompletableFuture<BenchReport> result = new CompletableFuture<>();
    private volatile Phase warm;
    private volatile Phase measured;
    private volatile List<LoopDriver> drivers = List.of();
    private volatile boolean cancelled;

    private NettyLoadGenerator(BenchConfig config) {
        this.config = config;
        this.address = new InetSocketAddress(config.url().getHost(), config.port());
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("URL: cannot resolve host '" + config.url().getHost() + "'");
        }
        preflight(address, config.timeout());
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(config.threads(), io);
        this.channelClass = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        this.template = new RequestTemplate(config);
    }

    public static BenchRun start(BenchConfig config) {
        NettyLoadGenerator gen = new NettyLoadGenerator(config);
        Thread runner = new Thread(gen::runPhases, "squall-bench");
        runner.setDaemon(true);
        runner.start();
        return gen;
    }

    /** Fails fast, with a plain message, when nothing listens at the address. */
    private static void preflight(InetSocketAddress address, Duration timeout) {
        try (Socket s = new Socket()) {
            s.connect(address, (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis())));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot connect to " + address.getHostString() + ":" + address.getPort()
                    + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
    }

    private void runPhases() {
        try {
            long now = System.nanoTime();
            Phase w = null;
            if (!config.warmup().isZero()) {
                w = new Phase(Long.MAX_VALUE, now, now + config.warmup().toNanos());
                now = w.endNanos;
            }
            Duration duration = config.duration();
            long total = config.requests() > 0 ? config.requests() : Long.MAX_VALUE;
            Phase m = new Phase(total, now, duration == null ? Long.MAX_VALUE : now + duration.toNanos());
            warm = w;
            measured = m;
            if (cancelled) {
                cancel();
            }
            List<LoopDriver> list = run(w, m);
            // The measured phase's wall clock: from its start (the warm-up's end) to its last answer.
            Instant started = Instant.now().minusNanos(Math.max(0, System.nanoTime() - m.startNanos));
            result.complete(report(started, Duration.ofNanos(Math.max(0, System.nanoTime() - m.startNanos)), list));
        } catch (Throwable t) {
            result.completeExceptionally(t);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /** One set of callers for the whole run: the warm-up runs into the measured phase on the same connections. */
    private List<LoopDriver> run(Phase w, Phase m) throws InterruptedException, ExecutionException {
        int loops = config.threads();
        List<LoopDriver> list = new ArrayList<>();
        Bootstrap base = new Bootstrap().channel(channelClass)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, config.timeout().toMillis() + 1000));
        long sweep = Math.max(1_000_000, Math.min(10_000_000, config.timeout().toNanos() / 20));
        for (int i = 0; i < loops; i++) {
            EventLoop loop = group.next();
            int slots = share(config.concurrency(), loops, i);
            if (slots == 0) {
                continue;
            }
            double rate = config.rate() / loops;
            long openTotal = openTotal(config.duration(), loops, i);
            list.add(new LoopDriver(loop, w, m, template, seq, base.clone().group(loop), address, slots,
                    config.keepAlive(), config.timeout().toNanos(), rate, openTotal));
        }
        drivers = list;
        for (LoopDriver d : list) {
            d.start(sweep);
        }
        CompletableFuture.allOf(list.stream().map(LoopDriver::done).toArray(CompletableFuture[]::new)).get();
        return list;
    }

    private long openTotal(Duration duration, int loops, int i) {
        if (config.rate() <= 0) {
            return 0;
        }
        long byTime = duration == null ? Long.MAX_VALUE : (long) Math.ceil(config.rate() * duration.toNanos() / 1e9);
        long byCount = config.requests() > 0 ? config.requests() : Long.MAX_VALUE;
        long total = Math.min(byTime, byCount);
        return total == Long.MAX_VALUE ? Long.MAX_VALUE : share(total, loops, i);
    }

    private static int share(int total, int parts, int i) {
        return (int) share((long) total, parts, i);
    }

    private static long share(long total, int parts, int i) {
        return total / parts + (i < total % parts ? 1 : 0);
    }

    private BenchReport report(Instant started, Duration elapsed, List<LoopDriver> list) {
        Histogram ok = new Histogram(LoopStats.HIGHEST_MICROS, 3);
        Histogram all = new Histogram(LoopStats.HIGHEST_MICROS, 3);
        Map<Outcome, Long> outcomes = new EnumMap<>(Outcome.class);
        Map<Integer, Long> statuses = new TreeMap<>();
        TreeMap<Long, long[]> counts = new TreeMap<>();
        TreeMap<Long, double[]> lat = new TreeMap<>();
        long sent = 0;
        long late = 0;
        double busy = 0;
        for (Outcome o : Outcome.values()) {
            outcomes.put(o, 0L);
        }
        for (LoopDriver d : list) {
            LoopStats s = d.stats;
            ok.add(s.ok);
            all.add(s.all);
            sent += s.sent;
            late += s.late;
            busy = Math.max(busy, d.busy);
            s.outcomes.forEach((o, c) -> outcomes.merge(o, c[0], Long::sum));
            s.statuses.forEach((code, c) -> statuses.merge(code, c[0], Long::sum));
            for (LoopStats.Second sec : s.seconds) {
                long[] c = counts.computeIfAbsent(sec.index(), k -> new long[3]);
                c[0] += sec.sent();
                c[1] += sec.ok();
                c[2] += sec.failed();
                double[] l = lat.computeIfAbsent(sec.index(), k -> new double[4]);
                double w = sec.ok() + sec.failed();
                l[0] += sec.p50Ms() * w;
                l[1] += sec.p99Ms() * w;
                l[2] = Math.max(l[2], sec.maxMs());
                l[3] += w;
            }
        }
        List<BenchReport.Second> timeline = new ArrayList<>();
        counts.forEach((index, c) -> {
            double[] l = lat.get(index);
            double w = l[3] == 0 ? 1 : l[3];
            timeline.add(new BenchReport.Second(index, c[0], c[1], c[2], l[0] / w, l[1] / w, l[2]));
        });
        // The last entry is a partial second with nothing in it when the run ended on a boundary.
        while (!timeline.isEmpty() && timeline.getLast().sent() == 0 && timeline.getLast().ok() + timeline.getLast().failed() == 0) {
            timeline.removeLast();
        }
        List<String> warnings = new ArrayList<>();
        if (busy > 0.9) {
            warnings.add(String.format(java.util.Locale.ROOT,
                    "the client's event loop was busy %.0f%% of the time: the client may be the bottleneck (try --threads %d)",
                    busy * 100, config.threads() + 1));
        }
        if (config.openLoop() && sent > 0 && late > sent / 100) {
            warnings.add(String.format(java.util.Locale.ROOT,
                    "%d of %d requests (%.1f%%) were sent late: all %d callers were busy when they fell due; "
                            + "their latency counts from when they were due", late, sent, 100.0 * late / sent, config.concurrency()));
        }
        if (cancelled) {
            warnings.add("the run was interrupted; the figures cover only what ran");
        }
        return new BenchReport(config, started, elapsed, sent, late, outcomes, statuses, Latency.of(ok), Latency.of(all),
                timeline, warnings, ok, all, busy);
    }

    @Override
    public Progress progress() {
        Phase w = warm;
        Phase m = measured;
        long now = System.nanoTime();
        boolean warmingUp = w != null && now < w.endNanos;
        long done = 0;
        long okCount = 0;
        long inFlight = 0;
        double p99 = 0;
        for (LoopDriver d : drivers) {
            LoopStats s = d.statsAt(now);
            done += s.progressDone;
            okCount += s.progressOk;
            inFlight += d.warmStats.progressInFlight + d.stats.progressInFlight;
            p99 = Math.max(p99, s.lastSecondP99Ms);
        }
        Phase p = warmingUp ? w : m;
        double elapsed = p == null ? 0 : Math.max(0, now - p.startNanos) / 1e9;
        return new Progress(warmingUp, done, okCount, Math.max(0, inFlight), elapsed, p99);
    }

    @Override
    public BenchReport await() throws InterruptedException {
        try {
            return result.get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("the load run failed: " + c, c);
        }
    }

    @Override
    public void cancel() {
        cancelled = true;
        for (Phase p : new Phase[] {warm, measured}) {
            if (p != null) {
                p.cancelled = true;
            }
        }
    }
}

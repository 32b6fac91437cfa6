package dev.squall.bench.client;

import dev.squall.bench.Outcome;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;

/**
 * One caller: at most one request in flight, on its own connection (kept alive, or new for each
 * request). Lives on one event loop; every method runs there.
 */
final class Slot {
    private final LoopDriver driver;
    private final Bootstrap bootstrap;
    private final InetSocketAddress address;
    private final boolean keepAlive;
    private final long timeoutNanos;
    private Channel channel;
    private boolean inFlight;
    private long attempt;
    private long seq;
    private long intendedNanos;
    private long deadlineNanos;
    private LoopStats target;

    Slot(LoopDriver driver, Bootstrap base, InetSocketAddress address, boolean keepAlive, long timeoutNanos) {
        this.driver = driver;
        this.address = address;
        this.keepAlive = keepAlive;
        this.timeoutNanos = timeoutNanos;
        this.bootstrap = base.clone().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new ResponseDecoder(new Connection(ch), driver.template().isHead()));
            }
        });
    }

    boolean inFlight() {
        return inFlight;
    }

    /** Sends request {@code seq}, due at {@code intendedNanos} (latency counts from then); its outcome goes to {@code target}. */
    void send(long seq, long intendedNanos, long nowNanos, LoopStats target) {
        this.seq = seq;
        this.target = target;
        this.intendedNanos = intendedNanos;
        this.deadlineNanos = nowNanos + timeoutNanos;
        this.inFlight = true;
        long thisAttempt = ++attempt;
        if (channel != null && channel.isActive()) {
            write();
            return;
        }
        channel = null;
        ChannelFuture f = bootstrap.connect(address);
        f.addListener(done -> {
            if (thisAttempt != attempt || !inFlight) {
                f.channel().close(); // the request timed out while connecting
                return;
            }
            if (done.isSuccess()) {
                channel = f.channel();
                write();
            } else {
                complete(classify(done.cause()), 0);
            }
        });
    }

    private void write() {
        channel.writeAndFlush(driver.template().request(seq, channel.alloc()), channel.voidPromise());
    }

    /** Aborts the request when its deadline has passed. */
    void checkDeadline(long nowNanos) {
        if (inFlight && nowNanos >= deadlineNanos) {
            Channel c = channel;
            channel = null;
            attempt++;
            complete(Outcome.TIMEOUT, 0);
            if (c != null) {
                c.close();
            }
        }
    }

    private void complete(Outcome outcome, int status) {
        inFlight = false;
        long now = System.nanoTime();
        driver.record(target, outcome, status, now - intendedNanos, now);
        driver.afterRequest(this, now);
    }

    static Outcome classify(Throwable cause) {
        String message = String.valueOf(cause.getMessage()).toLowerCase(java.util.Locale.ROOT);
        if (cause instanceof ConnectException && message.contains("refused")) {
            return Outcome.REFUSED;
        }
        if (message.contains("reset")) {
            return Outcome.RESET;
        }
        if (cause instanceof io.netty.channel.ConnectTimeoutException) {
            return Outcome.TIMEOUT;
        }
        if (cause instanceof IOException && message.contains("broken pipe")) {
            return Outcome.RESET;
        }
        return Outcome.OTHER;
    }

    void close() {
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }

    /** Events of one connection; ignored once the slot has moved on to another connection. */
    private final class Connection implements ResponseDecoder.Listener {
        private final Channel ch;

        Connection(Channel ch) {
            this.ch = ch;
        }

        private boolean current() {
            return ch == channel && inFlight;
        }

        @Override
        public void response(int status, boolean serverCloses) {
            if (!current()) {
                return;
            }
            if (serverCloses || !keepAlive) {
                channel = null;
                ch.close();
            }
            complete(status / 100 == 2 ? Outcome.OK : Outcome.STATUS, status);
        }

        @Override
        public void failed(Throwable cause, boolean beforeAnyResponseByte) {
            if (!current()) {
                return;
            }
            channel = null;
            ch.close();
            complete(classify(cause), 0);
        }

        @Override
        public void closed(boolean midResponse) {
            if (ch != channel) {
                return;
            }
            channel = null;
            if (inFlight) {
                complete(Outcome.OTHER, 0); // closed before a full answer
            }
        }
    }
}

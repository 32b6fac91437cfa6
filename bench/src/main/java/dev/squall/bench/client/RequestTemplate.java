package dev.squall.bench.client;

import dev.squall.bench.BenchConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The request bytes. Without placeholders in the body the whole request is encoded once and every
 * send writes a duplicate of the same buffer; with {@code {seq}}, {@code {uuid}} or {@code {rand}}
 * only the body and its length are made per request.
 */
final class RequestTemplate {
    private final String head;
    private final String body;
    private final boolean templated;
    private final ByteBuf fixed;
    private final boolean headMethod;

    RequestTemplate(BenchConfig config) {
        StringBuilder h = new StringBuilder(256)
                .append(config.method()).append(' ').append(config.target()).append(" HTTP/1.1\r\n")
                .append("Host: ").append(config.url().getHost());
        if (config.url().getPort() > 0) {
            h.append(':').append(config.url().getPort());
        }
        h.append("\r\n");
        boolean contentType = false;
        for (String header : config.headers()) {
            int c = header.indexOf(':');
            h.append(header, 0, c).append(": ").append(header.substring(c + 1).trim()).append("\r\n");
            contentType |= header.substring(0, c).trim().toLowerCase(Locale.ROOT).equals("content-type");
        }
        if (!config.keepAlive()) {
            h.append("Connection: close\r\n");
        }
        if (!config.body().isEmpty() && !contentType) {
            h.append("Content-Type: application/json\r\n");
        }
        this.head = h.toString();
        this.headMethod = config.method().equals("HEAD");
        this.body = config.body();
        this.templated = body.contains("{seq}") || body.contains("{uuid}") || body.contains("{rand}");
        this.fixed = templated ? null
                : Unpooled.unreleasableBuffer(Unpooled.directBuffer().writeBytes(encode(body).getBytes(StandardCharsets.UTF_8)).asReadOnly());
    }

    /** Whether the requests are HEAD requests, whose answers have no body whatever their Content-Length says. */
    boolean isHead() {
        return headMethod;
    }

    /** The request for sequence number {@code seq}; the caller writes (and so releases) it. */
    ByteBuf request(long seq, ByteBufAllocator alloc) {
        if (!templated) {
            return fixed.duplicate();
        }
        String b = body.replace("{seq}", Long.toString(seq));
        if (b.contains("{uuid}")) {
            b = b.replace("{uuid}", UUID.randomUUID().toString());
        }
        if (b.contains("{rand}")) {
            b = b.replace("{rand}", Long.toString(ThreadLocalRandom.current().nextLong(Long.MAX_VALUE)));
        }
        byte[] bytes = encode(b).getBytes(StandardCharsets.UTF_8);
        return alloc.ioBuffer(bytes.length).writeBytes(bytes);
    }

    private String encode(String b) {
        if (b.isEmpty()) {
            return head + "\r\n";
        }
        return head + "Content-Length: " + b.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + b;
    }
}

package dev.squall.bench.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.util.List;

/**
 * A small HTTP/1.1 response reader: the status code, the framing (Content-Length, chunked, or until
 * close) and whether the server will close; the body is skipped, never copied. Much cheaper than a
 * full HTTP codec, which is what lets the client keep up with wrk.
 */
final class ResponseDecoder extends ByteToMessageDecoder {

    /** Told about each complete response and each failure of the connection. */
    interface Listener {
        void response(int status, boolean serverCloses);

        void failed(Throwable cause, boolean beforeAnyResponseByte);

        void closed(boolean midResponse);
    }

    private enum State { STATUS, HEADERS, FIXED_BODY, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILERS, UNTIL_CLOSE }

    private final Listener listener;
    /** Answers to HEAD carry a Content-Length but never a body (RFC 9110 §9.3.2). */
    private final boolean headRequests;
    private State state = State.STATUS;
    private int status;
    private long remaining;
    private boolean chunked;
    private boolean closes;
    private boolean http10;
    private boolean started;

    ResponseDecoder(Listener listener) {
        this(listener, false);
    }

    ResponseDecoder(Listener listener, boolean headRequests) {
        this.listener = listener;
        this.headRequests = headRequests;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            started = true;
            switch (state) {
                case STATUS -> {
                    String line = readLine(in);
                    if (line == null) {
                        return;
                    }
                    if (line.isEmpty()) {
                        continue; // tolerate a stray CRLF between responses
                    }
                    if (!line.startsWith("HTTP/1.") || line.length() < 12) {
                        throw new IllegalStateException("not an HTTP/1.x status line: " + line);
                    }
                    http10 = line.charAt(7) == '0';
                    status = Integer.parseInt(line.substring(9, 12));
                    remaining = -1;
                    chunked = false;
                    closes = http10;
                    state = State.HEADERS;
                }
                case HEADERS -> {
                    String line = readLine(in);
                    if (line == null) {
                        return;
                    }
                    if (!line.isEmpty()) {
                        header(line);
                        continue;
                    }
                    if (status / 100 == 1) {
                        state = State.STATUS; // an interim answer (100 Continue): the real one follows
                    } else if (headRequests || status == 204 || status == 304) {
                        finish(ctx);
                    } else if (chunked) {
                        state = State.CHUNK_SIZE;
                    } else if (remaining >= 0) {
                        state = State.FIXED_BODY;
                        if (remaining == 0) {
                            finish(ctx);
                        }
                    } else {
                        state = State.UNTIL_CLOSE;
                    }
                }
                case FIXED_BODY -> {
                    int n = (int) Math.min(remaining, in.readableBytes());
                    in.skipBytes(n);
                    remaining -= n;
                    if (remaining == 0) {
                        finish(ctx);
                    }
                }
                case CHUNK_SIZE -> {
                    String line = readLine(in);
                    if (line == null) {
                        return;
                    }
                    int semi = line.indexOf(';');
                    remaining = Long.parseLong((semi < 0 ? line : line.substring(0, semi)).trim(), 16);
                    state = remaining == 0 ? State.TRAILERS : State.CHUNK_DATA;
                }
                case CHUNK_DATA -> {
                    int n = (int) Math.min(remaining, in.readableBytes());
                    in.skipBytes(n);
                    remaining -= n;
                    if (remaining == 0) {
                        state = State.CHUNK_END;
                    }
                }
                case CHUNK_END -> {
                    String line = readLine(in);
                    if (line == null) {
                        return;
                    }
                    state = State.CHUNK_SIZE;
                }
                case TRAILERS -> {
                    String line = readLine(in);
                    if (line == null) {
                        return;
                    }
                    if (line.isEmpty()) {
                        finish(ctx);
                    }
                }
                case UNTIL_CLOSE -> in.skipBytes(in.readableBytes());
            }
        }
    }

    private void header(String line) {
        int c = line.indexOf(':');
        if (c <= 0) {
            return;
        }
        String name = line.substring(0, c).trim();
        String value = line.substring(c + 1).trim();
        if (name.equalsIgnoreCase("content-length")) {
            remaining = Long.parseLong(value);
        } else if (name.equalsIgnoreCase("transfer-encoding")) {
            chunked = value.toLowerCase(java.util.Locale.ROOT).contains("chunked");
        } else if (name.equalsIgnoreCase("connection")) {
            String v = value.toLowerCase(java.util.Locale.ROOT);
            closes = v.contains("close") || (http10 && !v.contains("keep-alive"));
        }
    }

    private void finish(ChannelHandlerContext ctx) {
        state = State.STATUS;
        started = false;
        listener.response(status, closes);
    }

    /** Reads one CRLF-terminated line (ASCII), or returns null and reads nothing when it is incomplete. */
    private static String readLine(ByteBuf in) {
        int lf = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
        if (lf < 0) {
            if (in.readableBytes() > 64 * 1024) {
                throw new IllegalStateException("a response header line longer than 64 KiB");
            }
            return null;
        }
        int end = lf > in.readerIndex() && in.getByte(lf - 1) == '\r' ? lf - 1 : lf;
        String line = in.toString(in.readerIndex(), end - in.readerIndex(), java.nio.charset.StandardCharsets.ISO_8859_1);
        in.readerIndex(lf + 1);
        return line;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (state == State.UNTIL_CLOSE) {
            finish(ctx);
        } else {
            listener.closed(started || state != State.STATUS);
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        listener.failed(cause instanceof io.netty.handler.codec.DecoderException && cause.getCause() != null ? cause.getCause() : cause,
                !started && state == State.STATUS);
        ctx.close();
    }
}

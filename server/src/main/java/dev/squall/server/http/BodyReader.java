package dev.squall.server.http;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/**
 * Reads a request body up to a limit. A declared {@code Content-Length} over the limit is refused
 * before a byte is read; a streamed body is refused as soon as it passes the limit. Either way the
 * connection is closed after the 413, so an oversize upload cannot tie the server up.
 */
final class BodyReader {
    private BodyReader() {
    }

    interface Sink {
        void body(byte[] body);

        void tooLarge(String detail);

        void failed(Throwable cause);
    }

    /**
     * Reads the body and hands it to {@code onBody}; an oversize body is answered 413 (and the
     * connection closed) here, a body cut off by the client is dropped: nobody is left to answer.
     */
    static void read(HttpServerRequest req, int limit, Exchange ex, java.util.function.Consumer<byte[]> onBody) {
        read(req, limit, new Sink() {
            @Override
            public void body(byte[] body) {
                ex.bodyRead();
                try {
                    onBody.accept(body);
                } catch (Throwable t) {
                    // An Error from code behind the route (a plugin, say) must not leave the request hanging.
                    org.slf4j.LoggerFactory.getLogger("squall.http").error("unexpected error handling {} {}", req.method(), req.path(), t);
                    ex.problem(500, "Internal Server Error", "the server failed to handle this request; nothing was accepted");
                }
            }

            @Override
            public void tooLarge(String detail) {
                req.response().putHeader(HttpHeaders.CONNECTION, "close");
                ex.problem(413, "Content Too Large", detail);
                req.connection().close();
            }

            @Override
            public void failed(Throwable cause) {
                org.slf4j.LoggerFactory.getLogger("squall.http").debug("request body failed: {}", cause.toString());
            }
        });
    }

    static void read(HttpServerRequest req, int limit, Sink sink) {
        String declared = req.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (declared != null) {
            long length;
            try {
                length = Long.parseLong(declared.trim());
            } catch (NumberFormatException e) {
                length = -1;
            }
            if (length > limit) {
                sink.tooLarge("the body is " + length + " bytes; the limit is " + limit + " bytes");
                return;
            }
        }
        Accumulator acc = new Accumulator(limit, sink);
        req.handler(acc);
        req.exceptionHandler(sink::failed);
        req.endHandler(v -> acc.end());
    }

    private static final class Accumulator implements Handler<Buffer> {
        private final int limit;
        private final Sink sink;
        private Buffer first;
        private Buffer all;
        private boolean over;

        Accumulator(int limit, Sink sink) {
            this.limit = limit;
            this.sink = sink;
        }

        @Override
        public void handle(Buffer chunk) {
            if (over) {
                return;
            }
            if (first == null) {
                first = chunk;
            } else {
                if (all == null) {
                    all = Buffer.buffer(Math.min(limit, first.length() + chunk.length() * 2));
                    all.appendBuffer(first);
                }
                all.appendBuffer(chunk);
            }
            int size = all != null ? all.length() : first.length();
            if (size > limit) {
                over = true;
                sink.tooLarge("the body is over the limit of " + limit + " bytes");
            }
        }

        void end() {
            if (over) {
                return;
            }
            Buffer b = all != null ? all : first;
            sink.body(b == null ? new byte[0] : b.getBytes());
        }
    }
}

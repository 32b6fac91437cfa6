package dev.squall.server.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/**
 * A deliberately plain HTTP/1.1 client for tests: one new TCP connection per request (like the
 * article's {@code requests.get}), exact bytes on the wire (so malformed requests can be sent), and
 * a hard deadline per request.
 */
public final class TestHttp {
    private TestHttp() {
    }

    /** A response, or a timeout ({@code status == -1}). */
    public record Response(int status, Map<String, String> headers, String body, long millis) {
        public boolean ok() {
            return status >= 200 && status < 300;
        }

        public boolean timedOut() {
            return status == -1;
        }

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    public static Response get(int port, String body, Duration timeout) {
        return send(port, "GET", "/", body, timeout);
    }

    public static Response send(int port, String method, String path, String body, Duration timeout) {
        return send(port, method, path, body, Map.of(), timeout);
    }

    /** A request with extra headers (an {@code Authorization}, say). */
    public static Response send(int port, String method, String path, String body, Map<String, String> headers, Duration timeout) {
        StringBuilder req = new StringBuilder().append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1:").append(port).append("\r\nConnection: close\r\n");
        headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        if (body != null) {
            req.append("Content-Type: application/json\r\nContent-Length: ").append(bytes.length).append("\r\n");
        }
        req.append("\r\n");
        byte[] head = req.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[head.length + bytes.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(bytes, 0, all, head.length, bytes.length);
        return raw(port, all, timeout);
    }

    /** Sends exactly these bytes and reads the answer until the server closes or the deadline passes. */
    public static Response raw(int port, byte[] request, Duration timeout) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), (int) Math.max(1, timeout.toMillis()));
            OutputStream out = s.getOutputStream();
            out.write(request);
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            byte[] chunk = new byte[8192];
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return timeout(start);
                }
                s.setSoTimeout((int) Math.max(1, left / 1_000_000));
                int n;
                try {
                    n = in.read(chunk);
                } catch (SocketTimeoutException e) {
                    return timeout(start);
                }
                if (n < 0) {
                    break;
                }
                buf.write(chunk, 0, n);
                Response r = parse(buf.toByteArray(), start);
                if (r != null) {
                    return r;
                }
            }
            Response r = parse(buf.toByteArray(), start);
            if (r == null) {
                throw new IOException("connection closed before a full response: " + buf.toString(StandardCharsets.UTF_8));
            }
            return r;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Response timeout(long start) {
        return new Response(-1, Map.of(), "", (System.nanoTime() - start) / 1_000_000);
    }

    /** Parses a complete response (Content-Length framed), or returns null when more bytes are needed. */
    private static Response parse(byte[] data, long start) {
        String text = new String(data, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            return null;
        }
        String[] lines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int c = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, c).trim().toLowerCase(Locale.ROOT), lines[i].substring(c + 1).trim());
        }
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        if (data.length < end + 4 + length) {
            return null;
        }
        String body = new String(data, end + 4, length, StandardCharsets.UTF_8);
        return new Response(status, headers, body, (System.nanoTime() - start) / 1_000_000);
    }

    /** Sends {@code count} requests at once (one thread each) and returns the responses in order. */
    public static List<Response> concurrently(int count, IntFunction<Response> request) {
        try (ExecutorService pool = Executors.newFixedThreadPool(count)) {
            List<Future<Response>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int n = i;
                futures.add(pool.submit(() -> request.apply(n)));
            }
            List<Response> out = new ArrayList<>();
            for (Future<Response> f : futures) {
                out.add(f.get());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }
}

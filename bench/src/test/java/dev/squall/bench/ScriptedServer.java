package dev.squall.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A test HTTP server whose every answer is scripted: by the order in which requests arrive, it
 * answers a status (now or after a delay), resets the connection, never answers, or stops listening
 * afterwards. Raw sockets on loopback, one virtual thread per connection.
 */
final class ScriptedServer implements AutoCloseable {

    /** A request as it arrived: its arrival number (from 0), path and body. */
    record Request(int index, String path, String body) {
    }

    /** What to do with one request. */
    sealed interface Action {
    }

    record Answer(int status, long delayMillis) implements Action {
    }

    record AnswerAt(int status, long atNanos) implements Action {
    }

    record Reset() implements Action {
    }

    record Never() implements Action {
    }

    static Action status(int code) {
        return new Answer(code, 0);
    }

    private final ServerSocket listener;
    private final Function<Request, Action> script;
    private final AtomicInteger arrivals = new AtomicInteger();
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    final ConcurrentLinkedQueue<Request> seen = new ConcurrentLinkedQueue<>();
    /** Connections accepted so far. */
    final AtomicInteger connections = new AtomicInteger();
    private volatile int stopListeningAfter = Integer.MAX_VALUE;

    ScriptedServer(Function<Request, Action> script) throws IOException {
        this.script = script;
        this.listener = new ServerSocket(0, 4096, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptLoop);
    }

    /** Closes the listening socket once this many requests have been answered: later connects are refused. */
    ScriptedServer stopListeningAfter(int requests) {
        this.stopListeningAfter = requests;
        return this;
    }

    String url(String path) {
        return "http://127.0.0.1:" + listener.getLocalPort() + path;
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket s = listener.accept();
                connections.incrementAndGet();
                open.add(s);
                threads.execute(() -> serve(s));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            s.setTcpNoDelay(true);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                String[] lines = head.split("\r\n");
                String path = lines[0].split(" ")[1];
                int length = 0;
                boolean close = false;
                for (String l : lines) {
                    String lower = l.toLowerCase(Locale.ROOT);
                    if (lower.startsWith("content-length:")) {
                        length = Integer.parseInt(l.substring(15).trim());
                    } else if (lower.startsWith("connection:") && lower.contains("close")) {
                        close = true;
                    }
                }
                String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
                Request req = new Request(arrivals.getAndIncrement(), path, body);
                seen.add(req);
                Action a = script.apply(req);
                if (req.index() + 1 >= stopListeningAfter) {
                    // Before the answer: a client that connects again as soon as it has it must be refused.
                    listener.close();
                }
                switch (a) {
                    case Reset r -> {
                        s.setSoLinger(true, 0);
                        return;
                    }
                    case Never n -> {
                        in.transferTo(OutputStream.nullOutputStream()); // until the client gives up
                        return;
                    }
                    case Answer ans -> {
                        if (ans.delayMillis() > 0) {
                            Thread.sleep(ans.delayMillis());
                        }
                        answer(out, ans.status(), close);
                    }
                    case AnswerAt at -> {
                        long wait = at.atNanos() - System.nanoTime();
                        if (wait > 0) {
                            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                        }
                        answer(out, at.status(), close);
                    }
                }
                if (close) {
                    return;
                }
            }
        } catch (IOException | InterruptedException e) {
            // the client went away, or the test ended: nothing to answer
        } finally {
            open.remove(s);
        }
    }

    private static void answer(OutputStream out, int status, boolean close) throws IOException {
        String body = status + "\n";
        out.write(("HTTP/1.1 " + status + " X\r\nContent-Type: text/plain\r\nContent-Length: " + body.length()
                + (close ? "\r\nConnection: close" : "") + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int matched = 0;
        int c;
        while ((c = in.read()) >= 0) {
            b.write(c);
            matched = (c == '\r' && (matched == 0 || matched == 2)) || (c == '\n' && (matched == 1 || matched == 3)) ? matched + 1 : (c == '\r' ? 1 : 0);
            if (matched == 4) {
                return b.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket s : open) {
            s.close();
        }
        threads.shutdownNow();
    }
}

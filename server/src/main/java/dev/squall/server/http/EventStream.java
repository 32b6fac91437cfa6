package dev.squall.server.http;

import dev.squall.core.Job;
import dev.squall.core.JobEvents;
import dev.squall.core.JobRecord;
import dev.squall.core.JobState;
import dev.squall.core.Json;
import io.vertx.core.Context;
import io.vertx.core.http.HttpServerResponse;

import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code GET /events}: Server-Sent Events. Every stream gets the shared stats snapshot once a second
 * ({@code event: stats}); a stream opened with {@code ?state=dead,failed} or {@code ?id=ID} also
 * gets the transitions of the matching jobs ({@code event: job}). Nothing is queried per stream:
 * the stats are built once for all, and transitions come from {@link JobEvents}, so the engine pays
 * one volatile read per transition while no stream asks for them.
 *
 * <p>A stream whose client reads too slowly skips frames rather than buffering them. At most
 * {@link #MAX_STREAMS} streams are open at once; past that a request is answered 503.
 */
final class EventStream implements JobEvents {
    static final int MAX_STREAMS = 256;

    /** One open stream and what it asked for ({@code states} and {@code id} null: no job events). */
    private record Subscriber(HttpServerResponse response, Context context, Set<JobState> states, String id) {
        boolean wants(String jobId, JobState state) {
            return (id != null && id.equals(jobId)) || (states != null && states.contains(state));
        }
    }

    private final CopyOnWriteArrayList<Subscriber> subscribers = new CopyOnWriteArrayList<>();
    private final AtomicInteger open = new AtomicInteger();
    private volatile int watchingJobs;
    private volatile String lastStats = "{}";

    /** How many streams are open. */
    int open() {
        return open.get();
    }

    /** Opens a stream on {@code ex}: false (and a 503) when too many are open already. */
    boolean subscribe(Exchange ex, Set<JobState> states, String id) {
        if (open.incrementAndGet() > MAX_STREAMS) {
            open.decrementAndGet();
            ex.unavailable("too many event streams are open (" + MAX_STREAMS + "); poll GET /stats instead", 5);
            return false;
        }
        HttpServerResponse res = ex.stream("text/event-stream; charset=utf-8");
        Subscriber s = new Subscriber(res, ex.context(), states, id);
        res.closeHandler(v -> unsubscribe(s));
        res.exceptionHandler(t -> unsubscribe(s));
        subscribers.add(s);
        if (states != null || id != null) {
            recountWatching();
        }
        res.write("retry: 2000\n\n" + frame("stats", lastStats));
        return true;
    }

    private void unsubscribe(Subscriber s) {
        if (subscribers.remove(s)) {
            open.decrementAndGet();
            recountWatching();
        }
    }

    private void recountWatching() {
        int n = 0;
        for (Subscriber s : subscribers) {
            n += s.states() != null || s.id() != null ? 1 : 0;
        }
        watchingJobs = n;
    }

    /** A new stats snapshot: sent to every stream. */
    void stats(String json) {
        lastStats = json;
        String f = frame("stats", json);
        for (Subscriber s : subscribers) {
            send(s, f);
        }
    }

    private static String frame(String event, String data) {
        return "event: " + event + "\ndata: " + data + "\n\n";
    }

    private static void send(Subscriber s, String frame) {
        s.context().runOnContext(v -> {
            HttpServerResponse r = s.response();
            if (!r.ended() && !r.closed() && !r.writeQueueFull()) {
                r.write(frame);
            }
        });
    }

    private void job(String id, JobState state, String queue, String kind, int attempt) {
        if (watchingJobs == 0) {
            return;
        }
        String f = null;
        for (Subscriber s : subscribers) {
            if (s.wants(id, state)) {
                if (f == null) {
                    f = frame("job", "{\"id\":" + Json.quote(id) + ",\"state\":\"" + state.wireName() + "\",\"queue\":" + Json.quote(queue)
                            + ",\"kind\":" + Json.quote(kind) + ",\"attempt\":" + attempt + ",\"at\":\""
                            + java.time.Instant.now() + "\"}");
                }
                send(s, f);
            }
        }
    }

    @Override
    public void submitted(JobRecord job) {
        if (watchingJobs != 0) {
            job(job.id(), job.state() == JobState.RUNNING ? JobState.CLAIMED : job.state(), job.queue(), job.kind(), job.attempt());
        }
    }

    @Override
    public void attemptEnded(Job job, JobState outcome, long startedAt, long endedAt) {
        if (watchingJobs != 0) {
            job(job.id(), outcome, job.queue(), job.kind(), job.attempt());
        }
    }

    @Override
    public void cancelled(JobRecord job) {
        if (watchingJobs != 0) {
            job(job.id(), JobState.CANCELLED, job.queue(), job.kind(), job.attempt());
        }
    }

    @Override
    public void retried(JobRecord job) {
        if (watchingJobs != 0) {
            job(job.id(), job.state(), job.queue(), job.kind(), job.attempt());
        }
    }

    /** Ends every stream (at shutdown). */
    void close() {
        for (Subscriber s : subscribers) {
            s.context().runOnContext(v -> {
                if (!s.response().ended() && !s.response().closed()) {
                    s.response().end();
                }
            });
        }
    }
}

package dev.squall.core;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.List;

/**
 * The job kinds every Squall has:
 * <ul>
 *   <li>{@code sleep} - the article's work: blocks for {@code sleep_ms} (default: the server's {@code --sleep});</li>
 *   <li>{@code cpu} - burns CPU for {@code cpu_ms} (default: {@code --sleep});</li>
 *   <li>{@code echo} - returns its payload;</li>
 *   <li>{@code fail} - fails its first {@code fail_attempts} attempts (default 1), then works like {@code sleep}.</li>
 * </ul>
 */
public final class BuiltInHandlers {
    private BuiltInHandlers() {
    }

    private static final List<JobHandler> ALL = List.of(
            checked("sleep", BuiltInHandlers::sleep, p -> millis(p, "sleep_ms")),
            checked("cpu", BuiltInHandlers::cpu, p -> millis(p, "cpu_ms")),
            JobHandler.of("echo", JobContext::payloadJson),
            checked("fail", BuiltInHandlers::fail, p -> {
                millis(p, "sleep_ms");
                JsonNode n = p.get("fail_attempts");
                if (n != null && !(n.canConvertToInt() && n.isIntegralNumber() && n.intValue() >= 0)) {
                    throw new IllegalArgumentException("fail_attempts must be a non-negative integer, got " + n);
                }
            }));

    /** A built-in kind whose payload is an object, checked at submit time by {@code check}. */
    private static JobHandler checked(String kind, JobHandler.Body body, java.util.function.Consumer<JsonNode> check) {
        return JobHandler.of(kind, body, payload -> {
            if (!payload.isObject()) {
                throw new IllegalArgumentException("a " + kind + " job's payload is a JSON object, got "
                        + payload.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
            }
            check.accept(payload);
        });
    }

    /** An optional millisecond field: a non-negative integer, at most a day. */
    private static void millis(JsonNode payload, String field) {
        JsonNode n = payload.get(field);
        if (n != null && !n.isNull() && !(n.isIntegralNumber() && n.canConvertToLong() && n.longValue() >= 0 && n.longValue() <= MAX_MILLIS)) {
            throw new IllegalArgumentException(field + " must be an integer number of milliseconds from 0 to " + MAX_MILLIS + ", got " + n);
        }
    }

    private static final long MAX_MILLIS = 86_400_000L;

    public static List<JobHandler> all() {
        return ALL;
    }

    /** Whether this is one of the built-in handlers (whose results are JSON by construction). */
    public static boolean isBuiltIn(JobHandler h) {
        for (JobHandler b : ALL) {
            if (b == h) {
                return true;
            }
        }
        return false;
    }

    static String sleep(JobContext ctx) throws InterruptedException {
        Duration d = durationOf(ctx, "sleep_ms");
        if (!d.isZero()) {
            Thread.sleep(d);
        }
        return "{\"slept_ms\":" + d.toMillis() + "}";
    }

    static String cpu(JobContext ctx) {
        long nanos = durationOf(ctx, "cpu_ms").toNanos();
        long start = System.nanoTime();
        long x = 0x9E3779B97F4A7C15L;
        long rounds = 0;
        while (System.nanoTime() - start < nanos) {
            for (int i = 0; i < 1000; i++) {
                x ^= x << 13;
                x ^= x >>> 7;
                x ^= x << 17;
            }
            rounds++;
        }
        return "{\"rounds\":" + rounds + ",\"checksum\":" + (x & 0xffff) + "}";
    }

    static String fail(JobContext ctx) throws InterruptedException {
        int failAttempts = 1;
        if (ctx.job().payloadJson().contains("fail_attempts")) {
            JsonNode n = ctx.payload().get("fail_attempts");
            if (n != null && n.canConvertToInt()) {
                failAttempts = n.intValue();
            }
        }
        if (ctx.job().attempt() <= failAttempts) {
            throw new IllegalStateException("planned failure of attempt " + ctx.job().attempt()
                    + " (fails the first " + failAttempts + ")");
        }
        return sleep(ctx);
    }

    /**
     * Reads a millisecond field from the payload, falling back to the server's default work time.
     * The payload is only parsed when it mentions the field: the seed route's {@code {"job_id": N}}
     * never does, and parsing it for nothing would cost every job.
     */
    private static Duration durationOf(JobContext ctx, String field) {
        if (ctx.job().payloadJson().contains(field)) {
            JsonNode n = ctx.payload().get(field);
            if (n != null && n.isNumber() && n.longValue() >= 0) {
                return Duration.ofMillis(n.longValue());
            }
            if (n != null) {
                throw new IllegalArgumentException(field + " must be a non-negative number of milliseconds, got " + n);
            }
        }
        return ctx.defaultWork();
    }
}

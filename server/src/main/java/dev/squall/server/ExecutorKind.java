package dev.squall.server;

import java.util.Locale;

/** What runs the queue stage's jobs. */
public enum ExecutorKind {
    THREADS, VIRTUAL, PROCESS;

    public static ExecutorKind fromCli(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "threads", "thread" -> THREADS;
            case "virtual" -> VIRTUAL;
            case "process", "processes" -> PROCESS;
            default -> throw new IllegalArgumentException("unknown executor '" + name + "'; one of: threads, virtual, process");
        };
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }
}

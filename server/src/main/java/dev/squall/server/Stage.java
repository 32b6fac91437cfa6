package dev.squall.server;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The stages of the article, plus Java's own answer ({@code virtual}), each with its one-line lesson. */
public enum Stage {
    HELLO("hello", "the baseline: answers `N done` at once"),
    BLOCKING("blocking", "a blocking call on the one event loop stalls every connection"),
    MULTIPROCESS("multiprocess", "N processes share the port (SO_REUSEPORT): one blocked process per concurrent request"),
    COROUTINE("coroutine", "non-blocking wait (a timer): one loop serves everyone"),
    EXECUTOR("executor", "blocking work on a bounded thread pool frees the loop, up to the pool's capacity"),
    PROCESS_POOL("process-pool", "blocking work in worker JVMs fed JSON: only data crosses to a process"),
    VIRTUAL("virtual", "Java's answer: a virtual thread per job, blocking code at coroutine scale"),
    QUEUE("queue", "producer-consumer: answer `N add` at once, run the job in the background, collect, retry");

    private final String cliName;
    private final String lesson;

    Stage(String cliName, String lesson) {
        this.cliName = cliName;
        this.lesson = lesson;
    }

    public String cliName() {
        return cliName;
    }

    public String lesson() {
        return lesson;
    }

    /** The stage named {@code name} on the command line. */
    public static Stage fromCli(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (Stage s : values()) {
            if (s.cliName.equals(n)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown stage '" + name + "'; one of: " + names());
    }

    public static String names() {
        return Arrays.stream(values()).map(Stage::cliName).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return cliName;
    }
}

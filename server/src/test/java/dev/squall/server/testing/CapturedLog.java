package dev.squall.server.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The lines some loggers write while a test runs, as formatted messages.
 *
 * <pre>{@code
 * try (CapturedLog log = CapturedLog.of(Level.INFO, "squall.access")) {
 *     ... // send a request
 *     await().until(() -> log.lines().size() == 1);
 * }
 * }</pre>
 *
 * Or open one in {@code @BeforeEach} and close it in {@code @AfterEach}.
 */
public final class CapturedLog implements AutoCloseable {
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final List<Logger> loggers;
    private final boolean leveled;

    private CapturedLog(Level level, List<String> names) {
        this.loggers = names.stream().map(n -> (Logger) LoggerFactory.getLogger(n)).toList();
        this.leveled = level != null;
        appender.start();
        for (Logger l : loggers) {
            l.addAppender(appender);
            if (leveled) {
                l.setLevel(level);
            }
        }
    }

    /** Captures the named loggers; {@code level}, when not null, is set on them until {@link #close}. */
    public static CapturedLog of(Level level, String... names) {
        return new CapturedLog(level, List.of(names));
    }

    /** Every line captured so far, oldest first (loggers may write from other threads meanwhile). */
    public List<String> lines() {
        synchronized (appender.list) {
            return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    /** Stops capturing, and gives the loggers back their configured level. */
    @Override
    public void close() {
        for (Logger l : loggers) {
            l.detachAppender(appender);
            if (leveled) {
                l.setLevel(null);
            }
        }
    }
}

package dev.squall.app;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

class LogSetupTest {

    @Test
    void theDatabaseDriversJavaUtilLoggingLinesComeOutAsSquallsOwnAtTheChosenLevel() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> seen = new ListAppender<>();
        seen.setContext(root.getLoggerContext());
        seen.start();
        root.addAppender(seen);
        try {
            LogSetup.level("info");
            // pgjdbc logs through java.util.logging, e.g. when a URL's port is not a number
            java.util.logging.Logger driver = java.util.logging.Logger.getLogger("org.postgresql.util.PGPropertyUtil");
            driver.warning("a warning of the driver");
            driver.fine("a detail of the driver");
            assertThat(seen.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly("a warning of the driver");
            assertThat(seen.list.get(0).getLoggerName()).isEqualTo("org.postgresql.util.PGPropertyUtil");
            assertThat(java.util.logging.Logger.getLogger("").getHandlers()).as("JUL's own console handler is gone")
                    .noneMatch(h -> h instanceof java.util.logging.ConsoleHandler);
        } finally {
            root.detachAppender(seen);
            LogSetup.level("info");
        }
    }
}

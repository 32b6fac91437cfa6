package dev.squall.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.jul.LevelChangePropagator;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Applies {@code --log-level} to Logback's root logger, and routes {@code java.util.logging} (the
 * PostgreSQL driver's) into it, so every line on stderr has Squall's one format and level.
 */
final class LogSetup {
    private LogSetup() {
    }

    static void level(String level) {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        bridgeJavaUtilLogging(root);
        root.setLevel(Level.toLevel(level, Level.INFO));
    }

    private static synchronized void bridgeJavaUtilLogging(Logger root) {
        if (SLF4JBridgeHandler.isInstalled()) {
            return;
        }
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        // Logback's levels set on JUL's loggers too: a driver's FINE call is then refused by JUL
        // itself, before the bridge builds a record for it.
        LevelChangePropagator levels = new LevelChangePropagator();
        levels.setContext(root.getLoggerContext());
        levels.setResetJUL(true);
        levels.start();
        root.getLoggerContext().addListener(levels);
    }
}

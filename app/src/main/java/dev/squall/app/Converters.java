package dev.squall.app;

import dev.squall.core.Durations;
import dev.squall.server.ExecutorKind;
import dev.squall.server.Stage;
import picocli.CommandLine;

import java.time.Duration;
import java.util.Locale;

/** Picocli converters for the flag types of {@code squall}. Each error names what is expected. */
final class Converters {
    private Converters() {
    }

    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return Durations.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static final class StageConverter implements CommandLine.ITypeConverter<Stage> {
        @Override
        public Stage convert(String value) {
            try {
                return Stage.fromCli(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static final class ExecutorConverter implements CommandLine.ITypeConverter<ExecutorKind> {
        @Override
        public ExecutorKind convert(String value) {
            try {
                return ExecutorKind.fromCli(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static final class OnOffConverter implements CommandLine.ITypeConverter<Boolean> {
        @Override
        public Boolean convert(String value) {
            return switch (value.trim().toLowerCase(Locale.ROOT)) {
                case "on", "true", "yes" -> true;
                case "off", "false", "no" -> false;
                default -> throw new CommandLine.TypeConversionException("'" + value + "' is not on or off");
            };
        }
    }

    static final class DurabilityConverter implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            return switch (value.trim().toLowerCase(Locale.ROOT)) {
                case "fsync" -> "fsync";
                case "none" -> "none";
                default -> throw new CommandLine.TypeConversionException("'" + value + "' is not fsync or none");
            };
        }
    }

    static final class LogLevelConverter implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            return switch (v) {
                case "error", "warn", "info", "debug", "trace", "off" -> v;
                default -> throw new CommandLine.TypeConversionException("'" + value + "' is not a log level; one of: error, warn, info, debug, trace, off");
            };
        }
    }
}

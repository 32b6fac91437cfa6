package dev.squall.core;

import dev.squall.core.handler.BuiltInHandlers;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The registry of job kinds: kind name to {@link JobHandler}.
 *
 * <pre>{@code
 * JobHandlers handlers = JobHandlers.builtIn();          // sleep, cpu, echo, fail
 * JobHandler h = handlers.find("sleep").orElseThrow();
 * }</pre>
 */
public final class JobHandlers {
    private final Map<String, JobHandler> byKind;

    private JobHandlers(Map<String, JobHandler> byKind) {
        this.byKind = Map.copyOf(byKind);
    }

    /** The built-in kinds. */
    public static JobHandlers builtIn() {
        return of(BuiltInHandlers.all());
    }

    /** Exactly these handlers; two with the same kind are an error. */
    public static JobHandlers of(Collection<JobHandler> handlers) {
        Map<String, JobHandler> map = new LinkedHashMap<>();
        for (JobHandler h : handlers) {
            if (map.putIfAbsent(h.kind(), h) != null) {
                throw new IllegalArgumentException("two handlers for job kind '" + h.kind() + "'");
            }
        }
        return new JobHandlers(map);
    }

    public Optional<JobHandler> find(String kind) {
        return Optional.ofNullable(byKind.get(kind));
    }

    public Set<String> kinds() {
        return new java.util.TreeSet<>(byKind.keySet());
    }
}

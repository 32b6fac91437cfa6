package dev.squall.core;


import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The registry of job kinds: kind name to {@link JobHandler}.
 *
 * <pre>{@code
 * JobHandlers handlers = JobHandlers.builtIn();          // sleep, cpu, echo, fail
 * JobHandlers all = JobHandlers.discover(Path.of("plugins"));   // plus ServiceLoader plugins
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

    /**
     * The built-in kinds, plus every {@link JobHandler} that {@link ServiceLoader} finds on the class
     * path and, when {@code pluginsDir} is not null, in the jars of that folder (each jar lists its
     * handlers in {@code META-INF/services/dev.squall.core.JobHandler}). Two handlers for one kind
     * are an error: which one runs must never be an accident.
     */
    public static JobHandlers discover(Path pluginsDir) {
        ClassLoader loader = JobHandlers.class.getClassLoader();
        if (pluginsDir != null) {
            if (!Files.isDirectory(pluginsDir)) {
                throw new IllegalArgumentException("--plugins: " + pluginsDir + " is not a folder");
            }
            List<URL> jars = new ArrayList<>();
            try (var files = Files.list(pluginsDir)) {
                for (Path p : files.filter(f -> f.toString().endsWith(".jar")).sorted().toList()) {
                    jars.add(p.toUri().toURL());
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("--plugins: cannot read " + pluginsDir + ": " + e.getMessage(), e);
            }
            loader = new URLClassLoader(jars.toArray(URL[]::new), loader);
        }
        List<JobHandler> all = new ArrayList<>(BuiltInHandlers.all());
        try {
            for (JobHandler h : ServiceLoader.load(JobHandler.class, loader)) {
                all.add(h);
            }
        } catch (ServiceConfigurationError e) {
            throw new IllegalArgumentException("a job handler plugin could not be loaded: " + e.getMessage(), e);
        }
        return of(all);
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

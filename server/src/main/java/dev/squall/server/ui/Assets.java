package dev.squall.server.ui;

import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The files the dashboard and the API docs load, all served by Squall itself under
 * {@code /assets/}: its own script and style, uPlot and Swagger UI from their webjars. Only the
 * names listed here are served (no path from a request ever reaches the class path), each read
 * once and kept.
 */
public final class Assets {
    /** One file: where it is on the class path, and its content type. */
    private record Asset(String resource, String contentType) {
    }

    private final Map<String, Asset> known;
    private final ConcurrentHashMap<String, Buffer> loaded = new ConcurrentHashMap<>();

    public Assets() {
        Properties v = versions();
        String uplot = "META-INF/resources/webjars/uplot/" + v.getProperty("uplot.version") + "/dist/";
        String swagger = "META-INF/resources/webjars/swagger-ui/" + v.getProperty("swagger-ui.version") + "/";
        String own = "dev/squall/server/ui/";
        known = Map.of(
                "/assets/squall.js", new Asset(own + "squall.js", "text/javascript; charset=utf-8"),
                "/assets/squall.css", new Asset(own + "squall.css", "text/css; charset=utf-8"),
                "/assets/docs.js", new Asset(own + "docs.js", "text/javascript; charset=utf-8"),
                "/assets/favicon.svg", new Asset(own + "favicon.svg", "image/svg+xml"),
                "/assets/uplot.js", new Asset(uplot + "uPlot.iife.min.js", "text/javascript; charset=utf-8"),
                "/assets/uplot.css", new Asset(uplot + "uPlot.min.css", "text/css; charset=utf-8"),
                "/assets/swagger-ui.js", new Asset(swagger + "swagger-ui-bundle.js", "text/javascript; charset=utf-8"),
                "/assets/swagger-ui.css", new Asset(swagger + "swagger-ui.css", "text/css; charset=utf-8"));
    }

    private static Properties versions() {
        try (InputStream in = Assets.class.getResourceAsStream("/dev/squall/server/version.properties")) {
            Properties p = new Properties();
            p.load(in);
            return p;
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("the build's version.properties is missing", e);
        }
    }

    /** The content type of {@code path}, or null when it is not an asset. */
    public String contentType(String path) {
        Asset a = known.get(path);
        return a == null ? null : a.contentType();
    }

    /** The bytes of {@code path} (an asset: check {@link #contentType} first). */
    public Buffer bytes(String path) {
        return loaded.computeIfAbsent(path, p -> {
            Asset a = known.get(p);
            try (InputStream in = Assets.class.getClassLoader().getResourceAsStream(a.resource())) {
                if (in == null) {
                    throw new IllegalStateException(a.resource() + " is not on the class path");
                }
                return Buffer.buffer(in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}

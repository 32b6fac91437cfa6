package dev.squall.app;

import dev.squall.bench.BarePostServer;
import dev.squall.server.ServerConfig;
import dev.squall.server.SquallServer;
import dev.squall.server.Stage;
import dev.squall.server.boot.SquallServers;
import dev.squall.server.http.FreePort;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The intake benchmark's floor ({@link BarePostServer}) answers a submit the way Squall does, so
 * "Squall / floor" measures only what Squall adds: the same status, the same headers and a body of
 * the same length as Squall's answer to the benchmark's own request.
 */
class BarePostServerTest {
    private static final String BODY = "{\"kind\": \"sleep\", \"payload\": {\"sleep_ms\": 0}}";

    @Test
    void theFloorAnswersTheBenchmarksSubmitInTheSameShapeAndSizeAsSquall() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(); // as wrk asks
        HttpResponse<String> squall;
        try (SquallServer server = SquallServers.start(ServerConfig.builder().port(0).stage(Stage.QUEUE).store("memory").accessLog(false).build())) {
            squall = client.send(post(server.port()), HttpResponse.BodyHandlers.ofString());
        }
        int port = FreePort.find("127.0.0.1");
        Vertx floor = BarePostServer.start(port, 1);
        HttpResponse<String> bare;
        try {
            bare = client.send(post(port), HttpResponse.BodyHandlers.ofString());
        } finally {
            floor.close().await();
        }
        assertThat(squall.statusCode()).isEqualTo(202);
        assertThat(bare.statusCode()).isEqualTo(squall.statusCode());
        assertThat(names(bare)).isEqualTo(names(squall));
        assertThat(bare.body()).hasSize(squall.body().length());
        assertThat(bare.headers().firstValue("location").orElseThrow())
                .hasSize(squall.headers().firstValue("location").orElseThrow().length());
    }

    private static HttpRequest post(int port) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/jobs")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(BODY)).build();
    }

    private static Set<String> names(HttpResponse<?> r) {
        Set<String> names = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        names.addAll(r.headers().map().keySet());
        return names;
    }
}

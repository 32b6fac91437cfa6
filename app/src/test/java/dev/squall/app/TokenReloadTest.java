package dev.squall.app;

import dev.squall.core.process.JavaLauncher;
import dev.squall.server.http.FreePort;
import dev.squall.server.testing.TestHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A real server with a token file: SIGHUP reads the file again and keeps open connections open. */
class TokenReloadTest {
    private static final String OLD = "old-token-0123456789abcdef";
    private static final String NEW = "new-token-0123456789abcdef";
    @TempDir
    Path dir;

    private static String get(BufferedReader in, OutputStream out, String token) throws Exception {
        out.write(("GET /jobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String status = in.readLine();
        int length = 0;
        String line;
        while (!(line = in.readLine()).isEmpty()) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        for (int i = 0; i < length; i++) {
            in.read(); // the body is ASCII JSON: one char a byte
        }
        return status;
    }

    @Test
    void sighupTakesTheNewTokensWithoutDroppingConnections() throws Exception {
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, OLD + " read\n");
        Files.setPosixFilePermissions(tokens, PosixFilePermissions.fromString("rw-------"));
        int port = FreePort.find("127.0.0.1");
        Process server = JavaLauncher.current(SquallMain.class.getName())
                .processBuilder(List.of("serve", "--store", "memory", "--port", Integer.toString(port), "--access-log", "off",
                        "--token-file", tokens.toString()))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("serve.log").toFile())).start();
        try (Socket s = connectWhenUp(port)) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            OutputStream out = s.getOutputStream();
            assertThat(get(in, out, OLD)).contains(" 200 ");

            Files.writeString(tokens, NEW + " read\n");
            assertThat(new ProcessBuilder("kill", "-HUP", Long.toString(server.pid())).start().waitFor()).isZero();
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    TestHttp.send(port, "GET", "/jobs", null, Map.of("Authorization", "Bearer " + NEW), Duration.ofSeconds(2)).status() == 200);

            // The same connection, opened before the reload, goes on with the new tokens.
            assertThat(get(in, out, OLD)).contains(" 401 ");
            assertThat(get(in, out, NEW)).contains(" 200 ");
            assertThat(Files.readString(dir.resolve("serve.log"))).contains("tokens reloaded").doesNotContain(NEW).doesNotContain(OLD);
        } finally {
            server.destroy();
            server.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static Socket connectWhenUp(int port) {
        return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> {
                    TestHttp.send(port, "GET", "/healthz", null, Duration.ofSeconds(2));
                    return new Socket("127.0.0.1", port);
                }, s -> s != null);
    }
}

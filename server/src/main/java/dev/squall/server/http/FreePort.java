package dev.squall.server.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Finds a port that is free now, for {@code --port 0} where several sockets must share one port. */
public final class FreePort {
    private FreePort() {
    }

    public static int find(String host) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(host, 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("could not find a free port on " + host + ": " + e.getMessage(), e);
        }
    }
}

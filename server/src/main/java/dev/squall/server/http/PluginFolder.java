package dev.squall.server.http;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code --plugins DIR} runs every jar in DIR with the server's rights, in the server and in its
 * worker processes. Whoever can write the folder or a jar in it can run code as Squall, so a folder
 * or jar that group or others may write is refused, named, before anything is loaded.
 */
final class PluginFolder {
    private PluginFolder() {
    }

    static void check(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + " is not a folder");
        }
        writableByOthers(dir);
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> jars = files.filter(f -> f.getFileName().toString().endsWith(".jar")).sorted().toList();
            for (Path jar : jars) {
                writableByOthers(jar);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot list " + dir + ": " + e.getMessage());
        }
    }

    private static void writableByOthers(Path p) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
            if (perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
                throw new IllegalArgumentException(p + " can be written by group or others, and a plugin is code that runs with "
                        + "the server's rights: chmod go-w " + p);
            }
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: nothing to check
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the permissions of " + p + ": " + e.getMessage());
        }
    }
}

package dev.squall.store.sqlite;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One process at a time per store file. A second server on the same file would run its start-up
 * recovery and queue again the jobs the first one is running (each would then run twice), and both
 * would claim from the same table. So the store takes an exclusive lock on {@code FILE.lock}, a
 * file beside the database (never the database itself: closing any descriptor of a file drops the
 * process's POSIX locks on it, and SQLite opens and closes the database as it likes), and writes its
 * pid in it for the message the next one shows. The lock ends with the process, even with SIGKILL.
 *
 * <pre>{@code
 * OwnerLock lock = OwnerLock.take(Path.of("squall-data/squall.db"));   // throws if another process has it
 * ...
 * lock.release();
 * }</pre>
 */
final class OwnerLock {
    private final FileChannel channel;
    private final FileLock lock;

    private OwnerLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static OwnerLock take(Path database) throws IOException {
        Path file = database.resolveSibling(database.getFileName() + ".lock");
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException sameProcess) {
            lock = null;
        }
        if (lock == null) {
            channel.close();
            String owner = Files.readString(file, StandardCharsets.US_ASCII).trim();
            throw new IllegalStateException("it is in use by another Squall" + (owner.isEmpty() ? "" : " (pid " + owner + ")")
                    + "; stop it, or give this server its own --store sqlite:PATH");
        }
        channel.truncate(0);
        channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        channel.force(false);
        return new OwnerLock(channel, lock);
    }

    void release() {
        try {
            lock.release();
            channel.close();
        } catch (IOException ignored) {
            // the process ends soon anyway, and the lock with it
        }
    }
}

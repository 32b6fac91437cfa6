package dev.squall.core;

import java.security.SecureRandom;
import java.util.UUID;

/**
 * Generated job ids: UUIDv7 (RFC 9562), time-ordered, so that a store's index on ids grows at its end
 * (random UUIDv4 keys made SQLite inserts 5-10x slower here, measured on the development machine).
 */
public final class JobIds {
    private static final SecureRandom RANDOM = new SecureRandom();
    /**
     * Random words drawn from {@link #RANDOM} 512 at a time: one draw per id went to the
     * kernel's random source for every few ids and was a twentieth of a {@code POST /jobs}'s
     * event-loop time (bench/scripts/profile-intake.sh). Guarded by the class, like the rest.
     */
    private static final long[] BLOCK = new long[512];
    private static int used = BLOCK.length;
    private static long lastMillis;
    private static long counter;

    private JobIds() {
    }

    /** A new UUIDv7; ids made in the same millisecond by this process still sort in creation order. */
    public static synchronized String next() {
        long now = System.currentTimeMillis();
        if (now <= lastMillis) {
            now = lastMillis;
            counter++;
        } else {
            lastMillis = now;
            counter = random() & ((1 << 10) - 1);
        }
        if (counter >= (1 << 12)) { // 4096 ids in one millisecond: borrow the next one
            lastMillis++;
            now = lastMillis;
            counter = 0;
        }
        long msb = (now << 16) | (0x7L << 12) | (counter & 0xFFF);
        long lsb = (random() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }

    private static long random() {
        if (used == BLOCK.length) {
            java.nio.ByteBuffer.wrap(randomBytes(BLOCK.length * 8)).asLongBuffer().get(BLOCK);
            used = 0;
        }
        long r = BLOCK[used];
        BLOCK[used++] = 0; // a word is used once and not kept
        return r;
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}

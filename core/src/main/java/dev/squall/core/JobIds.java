package dev.squall.core;

import java.security.SecureRandom;
import java.util.UUID;

/**
 * Generated job ids: UUIDv7 (RFC 9562), time-ordered, so that a store's index on ids grows at its end
 * (random UUIDv4 keys made SQLite inserts 5-10x slower here, measured on the development machine).
 */
public final class JobIds {
    private static final SecureRandom RANDOM = new SecureRandom();
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
            counter = RANDOM.nextInt(1 << 10);
        }
        if (counter >= (1 << 12)) { // 4096 ids in one millisecond: borrow the next one
            lastMillis++;
            now = lastMillis;
            counter = 0;
        }
        long msb = (now << 16) | (0x7L << 12) | (counter & 0xFFF);
        long lsb = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }
}

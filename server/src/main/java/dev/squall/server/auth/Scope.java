package dev.squall.server.auth;

import java.util.Locale;

/**
 * What a token allows. {@code submit}: {@code POST /jobs} and the seed route; {@code read}: every
 * {@code GET} (jobs, listings); {@code admin}: {@code DELETE /jobs/{id}}, {@code POST /jobs/{id}/retry}
 * and later admin surfaces. {@code /healthz} needs none.
 */
public enum Scope {
    SUBMIT, READ, ADMIN;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Scope fromWire(String s) {
        for (Scope v : values()) {
            if (v.wireName().equals(s)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown scope '" + s + "'; the scopes are submit, read, admin");
    }
}

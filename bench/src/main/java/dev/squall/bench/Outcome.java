package dev.squall.bench;

/** How one request ended, from the client's side. */
public enum Outcome {
    /** A 2xx answer within the deadline. */
    OK("ok"),
    /** A complete answer with another status code (counted per code). */
    STATUS("status"),
    /** No complete answer by the deadline: the request was aborted. */
    TIMEOUT("timeout"),
    /** The connection was refused (nothing listens). */
    REFUSED("connection refused"),
    /** The peer reset the connection. */
    RESET("reset"),
    /** Anything else: the connection closed before a full answer, an unparsable answer, ... */
    OTHER("other");

    private final String label;

    Outcome(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}

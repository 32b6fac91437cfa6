package dev.squall.core;

/** An executor refused a job because its workers and its waiting line are all taken. */
public final class ExecutorFullException extends RuntimeException {
    public ExecutorFullException(String message) {
        super(message, null, false, false);
    }
}

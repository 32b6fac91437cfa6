package dev.squall.core;

/** The engine's answer to a submitted job. */
public enum Admission {
    /** The job is kept and will run. */
    ACCEPTED,
    /** The buffer is full; the job was not kept. Tell the caller to come back later. */
    FULL,
    /** The engine is shutting down; the job was not kept. */
    STOPPING
}

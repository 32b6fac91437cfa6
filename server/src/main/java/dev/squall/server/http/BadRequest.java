package dev.squall.server.http;

/** A request the server will not serve, with the status and the explanation the client gets. */
public final class BadRequest extends Exception {
    private final int status;
    private final String title;

    public BadRequest(int status, String title, String detail) {
        super(detail, null, false, false);
        this.status = status;
        this.title = title;
    }

    public static BadRequest of(String detail) {
        return new BadRequest(400, "Bad Request", detail);
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }
}

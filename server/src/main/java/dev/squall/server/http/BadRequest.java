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

    /** The first line of a parser's message, for a one-line detail. */
    static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }
}

package dev.squall.server.ui;


/** Escaping for HTML text and attributes, and the frame every page of the dashboard shares. */
final class Html {
    /** No inline script or style anywhere, and nothing from another origin. */
    static final String CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; "
            + "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private Html() {
    }

    /** Text safe inside an element or a quoted attribute. */
    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** A path or query part. */
    static String url(String s) {
        return dev.squall.server.http.Ids.pathSegment(s);
    }

    /** A whole page: head (styles, scripts, the CSRF token for the scripts), header with navigation, {@code main}. */
    static String page(String title, String pageName, String csrf, boolean loggedIn, String main, String... scripts) {
        StringBuilder b = new StringBuilder(4096)
                .append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<meta name=\"color-scheme\" content=\"light dark\">")
                .append("<title>").append(esc(title)).append(" · Squall</title>")
                .append("<link rel=\"icon\" href=\"/assets/favicon.svg\">")
                .append("<link rel=\"stylesheet\" href=\"/assets/uplot.css\"><link rel=\"stylesheet\" href=\"/assets/squall.css\">");
        if (csrf != null) {
            b.append("<meta name=\"squall-csrf\" content=\"").append(esc(csrf)).append("\">");
        }
        for (String s : scripts) {
            b.append("<script src=\"").append(s).append("\" defer></script>");
        }
        b.append("</head><body data-page=\"").append(pageName).append("\">")
                .append("<header><a class=\"brand\" href=\"/ui\">Squall</a><nav>")
                .append("<a href=\"/ui\"").append(pageName.equals("overview") ? " aria-current=\"page\"" : "").append(">Overview</a>")
                .append("<a href=\"/ui/jobs\"").append(pageName.startsWith("job") ? " aria-current=\"page\"" : "").append(">Jobs</a>")
                .append("<a href=\"/docs\">API</a><a href=\"/metrics\">Metrics</a></nav>")
                .append("<span class=\"badge\" id=\"badge\" data-testid=\"live-badge\">static</span>");
        if (loggedIn) {
            b.append("<form class=\"logout\" method=\"post\" action=\"/ui/logout\"><input type=\"hidden\" name=\"csrf\" value=\"")
                    .append(esc(csrf)).append("\"><button type=\"submit\">Log out</button></form>");
        }
        return b.append("</header><main>").append(main).append("</main></body></html>").toString();
    }
}

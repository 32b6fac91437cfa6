package dev.squall.app;

import java.io.Console;

/** Whether we talk to a person at a terminal (then progress lines make sense) or to a pipe or file. */
final class Terminal {
    private Terminal() {
    }

    static boolean isInteractive() {
        Console c = System.console();
        if (c == null) {
            return false;
        }
        try {
            // JDK 22+: System.console() may exist without a terminal; isTerminal() tells.
            return (Boolean) Console.class.getMethod("isTerminal").invoke(c);
        } catch (ReflectiveOperationException e) {
            return true; // JDK 21: a console exists only for a terminal
        }
    }
}

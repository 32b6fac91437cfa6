package dev.squall.core;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The API package names no implementation: its types import nothing from the packages that
 * implement them (engine, executor, process, store), so those depend on the API and never the
 * other way round. Read from the sources, comments left out.
 */
class PackageBoundariesTest {
    private static final Pattern IMPLEMENTATION = Pattern.compile("dev\\.squall\\.core\\.(engine|executor|process|store)\\.[A-Z]\\w*");

    @Test
    void theApiPackageReferencesNoImplementation() throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of("src/main/java/dev/squall/core"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                String code = withoutComments(Files.readString(f));
                Matcher m = IMPLEMENTATION.matcher(code);
                while (m.find()) {
                    found.add(f.getFileName() + ": " + m.group());
                }
            }
        }
        assertThat(found).isEmpty();
    }

    @Test
    void theCheckSeesAReferenceInCode() {
        assertThat(IMPLEMENTATION.matcher(withoutComments("/** {@link dev.squall.core.engine.Engines} */ class A {}")).find()).isFalse();
        assertThat(IMPLEMENTATION.matcher(withoutComments("import dev.squall.core.engine.Engines;")).find()).isTrue();
    }

    static String withoutComments(String code) {
        return code.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "");
    }
}

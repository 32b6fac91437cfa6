package dev.squall.server.auth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokensTest {
    private static final String ALL = "all-scopes-token-0123456789";
    private static final String READER = "read-only-token-0123456789";
    @TempDir
    Path dir;

    private Path file(String text, String perms) throws Exception {
        Path f = dir.resolve("tokens");
        Files.writeString(f, text);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(perms));
        return f;
    }

    @Test
    void aTokenWithoutScopesHasThemAllAndOneWithScopesOnlyThose() throws Exception {
        Tokens t = Tokens.load(file("# comment\n" + ALL + "\n\n" + READER + " read\n", "rw-------"));
        assertThat(t.check("Bearer " + ALL, Scope.ADMIN)).isEqualTo(Tokens.Verdict.ALLOWED);
        assertThat(t.check("Bearer " + READER, Scope.READ)).isEqualTo(Tokens.Verdict.ALLOWED);
        assertThat(t.check("Bearer " + READER, Scope.SUBMIT)).isEqualTo(Tokens.Verdict.FORBIDDEN);
        assertThat(t.check("bearer " + READER, Scope.READ)).as("the scheme is case-insensitive").isEqualTo(Tokens.Verdict.ALLOWED);
        assertThat(t.check("Bearer nope-nope-nope-nope-nope", Scope.READ)).isEqualTo(Tokens.Verdict.UNKNOWN);
        assertThat(t.check(null, Scope.READ)).isEqualTo(Tokens.Verdict.MISSING);
        assertThat(t.check("Basic abc", Scope.READ)).isEqualTo(Tokens.Verdict.MISSING);
    }

    @Test
    void aFileGroupOrOthersCanReadIsRefusedLikeAnSshKey() throws Exception {
        Path f = file(ALL + "\n", "rw-r--r--");
        assertThatThrownBy(() -> Tokens.load(f)).hasMessageContaining("group or others").hasMessageContaining("chmod 600");
    }

    @Test
    void badLinesAreRefusedByLineNumberWithoutTheSecret() {
        assertThatThrownBy(() -> Tokens.parse(List.of(ALL + " read,write"), "f")).hasMessageContaining("line 1")
                .hasMessageContaining("unknown scope 'write'").hasMessageNotContaining(ALL);
        assertThatThrownBy(() -> Tokens.parse(List.of("short"), "f")).hasMessageContaining("shorter than")
                .hasMessageNotContaining("short ");
        assertThatThrownBy(() -> Tokens.parse(List.of("# only a comment"), "f")).hasMessageContaining("no token");
    }
}

package dev.squall.app;

import dev.squall.app.lab.Lab;
import dev.squall.app.lab.LabReport;
import dev.squall.app.lab.LabResult;
import dev.squall.app.lab.LabRow;
import dev.squall.core.process.JavaLauncher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code squall lab --quick}, end to end: every stage in its own server, the article's pattern in the table. */
class LabTest {

    @Test
    void quickLabShowsTheArticlesPattern(@TempDir Path dir) throws Exception {
        Lab lab = new Lab(Lab.Scale.QUICK, JavaLauncher.current(SquallMain.class.getName()), dir.resolve("logs"));
        List<LabResult> printed = new ArrayList<>();
        List<LabResult> results = lab.run(LabRow.all(), printed::add);

        assertThat(printed).hasSize(9);
        assertThat(results).allSatisfy(r -> assertThat(r.error()).as(r.row().stage()).isNull());
        // The article's pattern: the blocked loop and the overrun pool fail most; the non-blocking answers succeed.
        assertThat(success(results, "blocking", 10)).isLessThanOrEqualTo(50);
        assertThat(success(results, "executor", 100)).isLessThan(50);
        assertThat(success(results, "coroutine", 10)).isGreaterThanOrEqualTo(90);
        assertThat(success(results, "virtual", 100)).isGreaterThanOrEqualTo(90);
        assertThat(success(results, "queue", 10)).isGreaterThanOrEqualTo(90);
        assertThat(success(results, "queue", 100)).isGreaterThanOrEqualTo(90);
        // Where the figure cannot match the article, the table says why.
        LabResult multiprocess = results.stream().filter(r -> r.row().stage().equals("multiprocess")).findFirst().orElseThrow();
        if (multiprocess.success() < 90) {
            assertThat(multiprocess.explanation()).contains("one process per core");
        }

        String table = LabReport.table(Lab.Scale.QUICK, results);
        assertThat(table).contains("the article says", "blocking", "virtual", "600/100");
        Path html = dir.resolve("lab.html");
        LabReport.writeHtml(Lab.Scale.QUICK, results, html);
        assertThat(Files.readString(html)).contains("<table>", "<svg").doesNotContain("<script", "src=", "href=");
        // Every child server was stopped.
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).count()).isZero();
    }

    private static double success(List<LabResult> results, String stage, int concurrency) {
        return results.stream().filter(r -> r.row().stage().equals(stage) && r.row().concurrency() == concurrency)
                .findFirst().orElseThrow().success();
    }
}

package dev.squall.server.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SeedBodyTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"job_id\": 1}|1", "{\"job_id\":42}|42", "{\"job_id\": 0}|0", "{\"job_id\": -7}|-7",
            "{\"job_id\": 9223372036854775807}|9223372036854775807"})
    void theFastPathReadsTheArticlesBody(String body, String id) throws BadRequest {
        assertThat(SeedBody.simpleIntegerId(b(body))).isEqualTo(id);
        assertThat(SeedBody.jobId(b(body))).isEqualTo(id);
    }

    @Test
    void anIdWithControlCharactersIsRefusedSoItCannotForgeLogLines() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SeedBody.jobId(b("{\"job_id\": \"a\\u0007b\\nc\"}")))
                .isInstanceOf(BadRequest.class).hasMessageContaining("control characters");
    }

    @Test
    void aSecondJobIdDoesNotSilentlyWin() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SeedBody.jobId(b("{\"job_id\": 1, \"job_id\": 2}")))
                .isInstanceOf(BadRequest.class).hasMessageContaining("'job_id' is given twice");
    }

    @Test
    void parserMessagesNameWhereNotJavasInternals() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SeedBody.jobId(b("{\"job_id\": tru}")))
                .isInstanceOf(BadRequest.class).hasMessageContaining("line 1, column")
                .hasMessageNotContaining("Source:").hasMessageNotContaining("com.fasterxml").hasMessageNotContaining("code ");
    }

    @Test
    void theFastPathAllowsAnySpacing() throws BadRequest {
        assertThat(SeedBody.simpleIntegerId(b(" {\t\"job_id\" :\n-7 }\r\n"))).isEqualTo("-7");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"job_id\": 01}", "{\"job_id\": 1.5}", "{\"job_id\": 1, \"x\": 2}", "{\"job_id\": \"7\"}",
            "{\"job_id\": 1}}", "{\"job_id\": -}", "{\"job_idx\": 1}", "{\"job_id\": 1", "{\"job_id\": 1e3}", ""})
    void everythingElseTakesTheFullParser(String body) {
        assertThat(SeedBody.simpleIntegerId(b(body))).isNull();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"{\"job_id\": 1.5}|1.5", "{\"job_id\": \"7\"}|7", "{\"x\": [1, {}], \"job_id\": 3}|3",
            "{\"job_id\": 1e3}|1e3"})
    void theFullParserReadsOtherValidBodies(String body, String id) throws BadRequest {
        assertThat(SeedBody.jobId(b(body))).isEqualTo(id);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"job_id\": 01}", "{\"job_id\": 1}}", "{\"job_id\": -}", "{\"job_id\": 1"})
    void malformedBodiesAreRefusedEvenWhenTheyLookSimple(String body) {
        assertThatThrownBy(() -> SeedBody.jobId(b(body))).isInstanceOf(BadRequest.class);
    }
}

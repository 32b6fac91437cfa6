package dev.squall.core;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DurationsTest {

    @ParameterizedTest
    @CsvSource({"0, 0", "20ms, 20000000", "1.5s, 1500000000", "2m, 120000000000", "1h, 3600000000000",
            "250us, 250000", "0.5ms, 500000", " 3s , 3000000000"})
    void readsDurationsAsPeopleWriteThem(String text, long nanos) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.ofNanos(nanos));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "20ms", "1.5s", "2m", "1h", "250us"})
    void printsWhatItReadsBack(String text) {
        assertThat(Durations.format(Durations.parse(text))).isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "fast", "-1s", "1 sec", "1.s", "s"})
    void refusesWhatIsNotADuration(String text) {
        assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a duration");
    }

    @ParameterizedTest
    @ValueSource(strings = {"5", "1.5"})
    void refusesANumberWithoutAUnitAndSaysHowToWriteIt(String text) {
        assertThatThrownBy(() -> Durations.parse(text)).hasMessageContaining("has no unit").hasMessageContaining(text + "s");
    }
}

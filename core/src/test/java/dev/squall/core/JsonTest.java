package dev.squall.core;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** Quoting a JSON string quickly gives exactly what Jackson gives. */
class JsonTest {
    private static String jackson(String s) throws Exception {
        return Json.MAPPER.writeValueAsString(s);
    }

    @Test
    void plainTextAndTextToEscapeAreQuotedAsJacksonQuotesThem() throws Exception {
        for (String s : new String[] {"", "order-7", "a b/c", "quote\"d", "back\\slash", "tab\there", "nl\n", "\u0000", "\u001f",
                "\u007f", "é", "日本", "\uD83D\uDE00", "\uD800", "</script>"}) {
            assertThat(Json.quote(s)).as(s).isEqualTo(jackson(s));
        }
        assertThat(Json.quote(null)).isEqualTo("null");
    }

    @Test
    void randomTextIsQuotedAsJacksonQuotesIt() throws Exception {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 100_000; i++) {
            char[] cs = new char[random.nextInt(0, 20)];
            for (int k = 0; k < cs.length; k++) {
                int pick = random.nextInt(10);
                cs[k] = (char) (pick < 7 ? random.nextInt(0x20, 0x7f) : pick < 9 ? random.nextInt(0, 0x20) : random.nextInt(0x7f, 0x10000));
            }
            String s = new String(cs);
            assertThat(Json.quote(s)).isEqualTo(jackson(s));
        }
    }
}

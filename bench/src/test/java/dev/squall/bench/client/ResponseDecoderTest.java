package dev.squall.bench.client;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The bench client's response reader, fed bytes as a server would send them. */
class ResponseDecoderTest {

    private final List<Integer> statuses = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();

    private EmbeddedChannel channel(boolean head) {
        return new EmbeddedChannel(new ResponseDecoder(new ResponseDecoder.Listener() {
            @Override
            public void response(int status, boolean serverCloses) {
                statuses.add(status);
            }

            @Override
            public void failed(Throwable cause, boolean beforeAnyResponseByte) {
                failures.add(cause.toString());
            }

            @Override
            public void closed(boolean midResponse) {
            }
        }, head));
    }

    private static void feed(EmbeddedChannel ch, String bytes) {
        ch.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
    }

    @Test
    void anAnswerToHeadEndsWithItsHeadersThoughItNamesALength() {
        EmbeddedChannel ch = channel(true);
        feed(ch, "HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n");
        feed(ch, "HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n");
        assertThat(statuses).containsExactly(200, 200);
    }

    @Test
    void aGetAnswerWaitsForItsWholeBody() {
        EmbeddedChannel ch = channel(false);
        feed(ch, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab");
        assertThat(statuses).isEmpty();
        feed(ch, "cde");
        assertThat(statuses).containsExactly(200);
    }

    @Test
    void chunkedBodiesAreReadToTheirLastChunk() {
        EmbeddedChannel ch = channel(false);
        feed(ch, "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n");
        assertThat(statuses).isEmpty();
        feed(ch, "0\r\n\r\n");
        assertThat(statuses).containsExactly(201);
    }

    @Test
    void anInterimContinueIsNotTheAnswer() {
        EmbeddedChannel ch = channel(false);
        feed(ch, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n");
        assertThat(statuses).containsExactly(202);
        assertThat(failures).isEmpty();
    }

    @Test
    void anHttp10AnswerWithoutLengthEndsWhenTheServerCloses() {
        EmbeddedChannel ch = channel(false);
        feed(ch, "HTTP/1.0 200 OK\r\n\r\nbody until close");
        assertThat(statuses).isEmpty();
        ch.close();
        assertThat(statuses).containsExactly(200);
    }
}

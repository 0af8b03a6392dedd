package ai.numio.lmgate.meter;

import static ai.numio.lmgate.meter.UsageMeterTest.gzip;
import static ai.numio.lmgate.meter.UsageMeterTest.meter;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Bad input gets null where unknowable, exact values where knowable, and never an exception. */
class UsageMeterRobustnessTest {

  private static final String CHAT_USAGE =
      "\"usage\":{\"prompt_tokens\":31,\"completion_tokens\":7,\"total_tokens\":38}";

  @ParameterizedTest
  @EnumSource(Chunking.class)
  void truncatedJsonBodyYieldsNothing(Chunking chunking) {
    String body = "{\"model\":\"gpt-4o\",\"choices\":[]," + CHAT_USAGE + "}";
    Usage usage = meter("application/json", body.substring(0, body.length() - 1), chunking);
    assertThat(usage).isEqualTo(Usage.NONE);
  }

  @ParameterizedTest
  @EnumSource(Chunking.class)
  void malformedJsonYieldsNothing(Chunking chunking) {
    assertThat(meter("application/json", "{\"model\":\"gpt-4o\",,}", chunking))
        .isEqualTo(Usage.NONE);
    assertThat(meter("text/html", "<html><body>502 Bad Gateway</body></html>", chunking))
        .isEqualTo(Usage.NONE);
    assertThat(meter("application/json", "", chunking)).isEqualTo(Usage.NONE);
  }

  @ParameterizedTest
  @EnumSource(Chunking.class)
  void truncatedStreamKeepsCompleteEvents(Chunking chunking) {
    String body =
        "data: {\"model\":\"gpt-4o\",\"choices\":[{\"delta\":{\"content\":\"a\"}}],\"usage\":null}\n\n"
            + "data: {\"model\":\"gpt-4o\",\"choices\":[],"
            + CHAT_USAGE
            + "}\n\n"
            + "data: {\"model\":\"gpt-4o-other\",\"choices\":[],\"usage\":{\"prompt_tokens\":99";
    assertThat(meter("text/event-stream", body, chunking))
        .isEqualTo(new Usage("gpt-4o", 31L, 7L, null, null, null, null, true));
  }

  @ParameterizedTest
  @EnumSource(Chunking.class)
  void malformedEventDoesNotSpoilTheNext(Chunking chunking) {
    String body =
        "data: {\"model\":\"bad\",\"usage\":{\"prompt_tokens\":1}\n\n" // never closed
            + "data: tru\n\n" // a bare scalar cut short
            + "data: \"open string\n\n"
            + "data: {\"model\":\"gpt-4o\","
            + CHAT_USAGE
            + "}\n\n"
            + "data: [DONE]\n\n";
    assertThat(meter("text/event-stream", body, chunking))
        .isEqualTo(new Usage("gpt-4o", 31L, 7L, null, null, null, null, true));
  }

  @ParameterizedTest
  @EnumSource(Chunking.class)
  void invalidUtf8InsideStringsDoesNotStopMetering(Chunking chunking) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write(
        "{\"model\":\"gpt-4o\",\"choices\":[{\"message\":{\"content\":\"bad ".getBytes(UTF_8));
    body.write(new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF, (byte) 0xE2, (byte) 0x82});
    body.write("\"}}],\"x\u00ff\":1,".getBytes(UTF_8));
    body.write(CHAT_USAGE.getBytes(UTF_8));
    body.write('}');
    assertThat(meter("application/json", null, body.toByteArray(), chunking))
        .isEqualTo(new Usage("gpt-4o", 31L, 7L, null, null, null, null, false));
  }

  @ParameterizedTest
  @EnumSource(Chunking.class)
  void corruptGzipYieldsWhatCameBeforeTheCorruption(Chunking chunking) throws IOException {
    byte[] good = gzip("{\"model\":\"m\",\"usage\":{\"input_tokens\":5,\"output_tokens\":6}}", 1);
    byte[] corrupt = Arrays.copyOf(good, good.length);
    for (int i = 12; i < corrupt.length - 8; i++) {
      corrupt[i] ^= 0x5A;
    }
    assertThat(meter("application/json", "gzip", corrupt, chunking)).isEqualTo(Usage.NONE);
    byte[] notGzip = "{\"usage\":{\"input_tokens\":5}}".getBytes(UTF_8);
    assertThat(meter("application/json", "gzip", notGzip, chunking)).isEqualTo(Usage.NONE);
    byte[] truncated = Arrays.copyOf(good, good.length / 2);
    assertThat(meter("application/json", "gzip", truncated, chunking)).isEqualTo(Usage.NONE);
  }

  @Test
  void unreadableEncodingsAndBinaryBodiesAreNotParsed() {
    byte[] body = ("{\"model\":\"m\"," + CHAT_USAGE + "}").getBytes(UTF_8);
    assertThat(meter("application/json", "br", body, Chunking.WHOLE)).isEqualTo(Usage.NONE);
    assertThat(meter("application/json", "gzip, deflate", body, Chunking.WHOLE))
        .isEqualTo(Usage.NONE);
    assertThat(meter("audio/mpeg", null, body, Chunking.WHOLE)).isEqualTo(Usage.NONE);
    assertThat(meter(null, null, body, Chunking.WHOLE))
        .isEqualTo(new Usage("m", 31L, 7L, null, null, null, null, false));
  }

  @ParameterizedTest
  @EnumSource(Chunking.class)
  void eventOverTheCapCountsWhatWasCompleteBeforeTheCapAndTheNextIsRead(Chunking chunking) {
    String big =
        "data: {\"model\":\"huge\",\"x\":\"" + "y".repeat(5000) + "\"," + CHAT_USAGE + "}\n\n";
    String next =
        "data: {\"model\":\"gpt-4o\",\"usage\":{\"prompt_tokens\":40,\"completion_tokens\":2}}\n\n";
    UsageMeter meter = new UsageMeter(1000);
    meter.onResponse("text/event-stream", null);
    chunking.feed(meter, (big + next).getBytes(UTF_8), 7);
    assertThat(meter.finish())
        .isEqualTo(new Usage("gpt-4o", 40L, 2L, null, null, null, null, true));
    assertThat(meter.cutEvents()).isEqualTo(1);

    UsageMeter alone = new UsageMeter(1000);
    alone.onResponse("text/event-stream", null);
    chunking.feed(alone, big.getBytes(UTF_8), 7);
    assertThat(alone.finish())
        .isEqualTo(new Usage("huge", null, null, null, null, null, null, true));
  }

  @Test
  void hostileNestingAndNumbersAreHarmless() {
    String deep = "[".repeat(100_000);
    assertThat(meter("application/json", deep, Chunking.WHOLE))
        .isEqualTo(new Usage(null, null, null, null, null, null, null, true));
    String huge = "{\"usage\":{\"prompt_tokens\":" + "9".repeat(5000) + "}}";
    assertThat(meter("application/json", huge, Chunking.WHOLE).inputTokens()).isNull();
    String overflow = "{\"usage\":{\"prompt_tokens\":99999999999999999999}}";
    assertThat(meter("application/json", overflow, Chunking.WHOLE).inputTokens()).isNull();
  }

  @Test
  void callsOutOfOrderAreHarmless() {
    UsageMeter meter = new UsageMeter(100);
    meter.onBytes(new byte[] {'{'}, 0, 1); // before onResponse: ignored
    meter.onResponse("application/json", null);
    meter.onBytes(ByteBuffer.allocateDirect(0));
    assertThat(meter.finish()).isEqualTo(Usage.NONE);
    meter.onBytes("{}".getBytes(UTF_8), 0, 2); // after finish: ignored
    assertThat(meter.finish()).isSameAs(meter.finish());
  }

  @ParameterizedTest
  @EnumSource(Chunking.class)
  void directBuffersAreReadWithoutMovingTheirPosition(Chunking chunking) {
    byte[] body = ("{\"model\":\"m\"," + CHAT_USAGE + "}").getBytes(UTF_8);
    UsageMeter meter = new UsageMeter(100);
    meter.onResponse("application/json", null);
    ByteBuffer direct = ByteBuffer.allocateDirect(body.length);
    direct.put(body).flip();
    meter.onBytes(direct);
    assertThat(direct.remaining()).isEqualTo(body.length);
    assertThat(meter.finish()).isEqualTo(new Usage("m", 31L, 7L, null, null, null, null, false));
  }
}

package ai.numio.lmgate.meter;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code stats.max_event_bytes} (SPEC-2 §12): an SSE event over the cap still counts every usage
 * field complete before the cap; only what follows the cap in that event is ignored.
 */
class UsageMeterEventCapTest {

  private static final String MODEL = "gpt-4.1-2025-04-14";
  private static final String OUTPUT =
      "{\"type\":\"message\",\"id\":\"msg_1\",\"status\":\"completed\",\"role\":\"assistant\","
          + "\"content\":[{\"type\":\"output_text\",\"text\":\""
          + "All work and no play. ".repeat(500)
          + "\",\"annotations\":[]}]}";
  private static final String USAGE =
      "{\"input_tokens\":36,\"input_tokens_details\":{\"cached_tokens\":12},"
          + "\"output_tokens\":87,\"output_tokens_details\":{\"reasoning_tokens\":5},"
          + "\"total_tokens\":123}";
  private static final Usage ALL = new Usage(MODEL, 36L, 87L, 12L, null, 5L, null, true);

  /** A Responses API {@code response.completed} event, with its output and usage in that order. */
  private static String completed(boolean usageFirst) {
    String outputField = "\"output\":[" + OUTPUT + "]";
    String usageField = "\"usage\":" + USAGE;
    return "{\"type\":\"response.completed\",\"sequence_number\":9,\"response\":{\"id\":\"resp_1\","
        + "\"object\":\"response\",\"status\":\"completed\",\"model\":\""
        + MODEL
        + "\","
        + (usageFirst ? usageField + "," + outputField : outputField + "," + usageField)
        + ",\"user\":null,\"metadata\":{}}}";
  }

  private static String sse(String... dataOfEvents) {
    StringBuilder out = new StringBuilder();
    for (String data : dataOfEvents) {
      out.append("event: x\ndata: ").append(data).append("\n\n");
    }
    return out.toString();
  }

  private static UsageMeter meter(int maxEventBytes, String body, Chunking chunking) {
    UsageMeter meter = new UsageMeter(maxEventBytes);
    meter.onResponse("text/event-stream", null);
    chunking.feed(meter, body.getBytes(UTF_8), 11);
    meter.finish();
    return meter;
  }

  @ParameterizedTest
  @EnumSource(Chunking.class)
  void usageBeforeAHugeOutputIsCountedWhenTheEventIsOverTheCap(Chunking chunking) {
    UsageMeter meter = meter(1000, sse(completed(true)), chunking);

    assertThat(meter.finish()).isEqualTo(ALL);
    assertThat(meter.cutEvents()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(Chunking.class)
  void usageAfterTheCapIsNotCountedButTheModelBeforeItIs(Chunking chunking) {
    UsageMeter meter = meter(1000, sse(completed(false)), chunking);

    assertThat(meter.finish())
        .isEqualTo(new Usage(MODEL, null, null, null, null, null, null, true));
    assertThat(meter.cutEvents()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(Chunking.class)
  void underTheDefaultCapTheWholeEventCountsInEitherOrder(Chunking chunking) {
    for (boolean usageFirst : new boolean[] {true, false}) {
      UsageMeter meter = meter(64 << 20, sse(completed(usageFirst)), chunking);

      assertThat(meter.finish()).isEqualTo(ALL);
      assertThat(meter.cutEvents()).isZero();
    }
  }

  @ParameterizedTest
  @EnumSource(Chunking.class)
  void aNumberCountsOnlyIfTheByteAfterItIsWithinTheCap(Chunking chunking) {
    String data = completed(true);
    int outputEnd = data.indexOf("\"output_tokens\":87") + "\"output_tokens\":87".length();

    // the cap ends right after "87": more digits could follow, so the number is not complete
    assertThat(meter(outputEnd, sse(data), chunking).finish())
        .isEqualTo(new Usage(MODEL, 36L, null, 12L, null, null, null, true));
    // one byte more: the comma ends it
    assertThat(meter(outputEnd + 1, sse(data), chunking).finish())
        .isEqualTo(new Usage(MODEL, 36L, 87L, 12L, null, null, null, true));
  }

  @ParameterizedTest
  @EnumSource(Chunking.class)
  void aStringCountsOnlyIfItsClosingQuoteIsWithinTheCap(Chunking chunking) {
    String data = "{\"model\":\"gpt-4o\",\"usage\":{\"prompt_tokens\":3}}";
    int closingQuote = data.indexOf("gpt-4o") + "gpt-4o".length();

    assertThat(meter(closingQuote, sse(data), chunking).finish())
        .isEqualTo(new Usage(null, null, null, null, null, null, null, true));
    assertThat(meter(closingQuote + 1, sse(data), chunking).finish())
        .isEqualTo(new Usage("gpt-4o", null, null, null, null, null, null, true));
  }

  @ParameterizedTest
  @EnumSource(Chunking.class)
  void eventsAfterACutEventAreReadWhole(Chunking chunking) {
    String later =
        "{\"type\":\"response.completed\",\"response\":{\"model\":\"m2\","
            + "\"usage\":{\"input_tokens\":1,\"output_tokens\":2}}}";
    UsageMeter meter = meter(1000, sse(completed(true), later), chunking);

    assertThat(meter.finish()).isEqualTo(new Usage("m2", 1L, 2L, 12L, null, 5L, null, true));
    assertThat(meter.cutEvents()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(Chunking.class)
  void theCapCountsTheNewlinesBetweenDataLines(Chunking chunking) {
    // two data lines make one value: {"usage":{"prompt_tokens":7,\n"completion_tokens":9}}
    String body = "data: {\"usage\":{\"prompt_tokens\":7,\ndata: \"completion_tokens\":9}}\n\n";
    int firstLine = "{\"usage\":{\"prompt_tokens\":7,".length();

    assertThat(meter(firstLine, body, chunking).finish().inputTokens()).isEqualTo(7L);
    assertThat(meter(firstLine, body, chunking).finish().outputTokens()).isNull();
    assertThat(meter(firstLine + 1 + "\"completion_tokens\":9}".length(), body, chunking).finish())
        .isEqualTo(new Usage(null, 7L, 9L, null, null, null, null, true));
  }

  @ParameterizedTest
  @EnumSource(Chunking.class)
  void anErrorEventCutAfterItsCodeReportsTheCode(Chunking chunking) {
    String body =
        "event: error\ndata: {\"type\":\"error\",\"code\":\"server_error\",\"message\":\""
            + "x".repeat(5000)
            + "\"}\n\n";

    assertThat(meter(100, body, chunking).finish().errorType()).isEqualTo("server_error");
  }
}

package ai.numio.lmgate.meter;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class UsageMeterTest {

  static Usage meter(String contentType, String encoding, byte[] body, Chunking chunking) {
    UsageMeter meter = new UsageMeter(1 << 20);
    meter.onResponse(contentType, encoding);
    chunking.feed(meter, body, 42);
    return meter.finish();
  }

  static Usage meter(String contentType, String body, Chunking chunking) {
    return meter(contentType, null, body.getBytes(UTF_8), chunking);
  }

  @ParameterizedTest
  @EnumSource(Chunking.class)
  void openAiChatJson(Chunking chunking) {
    String body =
        """
        {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o-2024-08-06",
         "choices":[{"index":0,"message":{"role":"assistant","content":"Hi \\"there\\" \\u00e9 ünï"},
         "finish_reason":"stop"}],
         "usage":{"prompt_tokens":1117,"completion_tokens":233,"total_tokens":1350,
          "prompt_tokens_details":{"cached_tokens":1024,"audio_tokens":0},
          "completion_tokens_details":{"reasoning_tokens":64,"audio_tokens":0}}}
        """;
    assertThat(meter("application/json", body, chunking))
        .isEqualTo(new Usage("gpt-4o-2024-08-06", 1117L, 233L, 1024L, null, 64L, null, false));
  }

  @ParameterizedTest
  @EnumSource(Chunking.class)
  void anthropicStreamOverwritesCumulativeCounts(Chunking chunking) {
    String body =
        "event: message_start\r\n"
            + "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"model\":\"claude-sonnet-4-5\","
            + "\"usage\":{\"input_tokens\":472,\"cache_creation_input_tokens\":31,"
            + "\"cache_read_input_tokens\":2048,\"output_tokens\":3}}}\r\n\r\n"
            + ": ping\r\n\r\n"
            + "event: message_delta\r\n"
            + "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":null},"
            + "\"usage\":{\"output_tokens\":17}}\r\n\r\n"
            + "event: message_delta\r\n"
            + "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\r\n"
            + "data: \"usage\":{\"output_tokens\":89}}\r\n\r\n"
            + "event: message_stop\r\ndata: {\"type\":\"message_stop\"}\r\n\r\n";
    assertThat(meter("text/event-stream", body, chunking))
        .isEqualTo(new Usage("claude-sonnet-4-5", 472L, 89L, 2048L, 31L, null, null, true));
  }

  @ParameterizedTest
  @EnumSource(Chunking.class)
  void geminiStreamedArrayTakesLastCounts(Chunking chunking) {
    String body =
        "[{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"a\"}]}}],"
            + "\"usageMetadata\":{\"promptTokenCount\":11,\"candidatesTokenCount\":2,"
            + "\"promptTokensDetails\":[{\"modality\":\"TEXT\",\"tokenCount\":11}]},"
            + "\"modelVersion\":\"gemini-2.5-flash\"}\r\n,\r\n"
            + "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"b\"}]}}],"
            + "\"usageMetadata\":{\"promptTokenCount\":11,\"candidatesTokenCount\":7,"
            + "\"thoughtsTokenCount\":5,\"cachedContentTokenCount\":3},"
            + "\"modelVersion\":\"gemini-2.5-flash\"}\r\n]";
    assertThat(meter("application/json; charset=UTF-8", body, chunking))
        .isEqualTo(new Usage("gemini-2.5-flash", 11L, 7L, 3L, null, 5L, null, true));
  }

  @ParameterizedTest
  @EnumSource(Chunking.class)
  void gzipAndDeflateAreDecodedOnTheCopy(Chunking chunking) throws IOException {
    String body =
        "{\"model\":\"m\",\"usage\":{\"input_tokens\":5,\"output_tokens\":6},\"pad\":\""
            + "x".repeat(50_000)
            + "\"}";
    Usage expected = new Usage("m", 5L, 6L, null, null, null, null, false);
    assertThat(meter("application/json", "gzip", gzip(body, 2), chunking)).isEqualTo(expected);
    assertThat(meter("application/json", "deflate", deflate(body), chunking)).isEqualTo(expected);
  }

  static byte[] gzip(String text, int members) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] bytes = text.getBytes(UTF_8);
    int step = (bytes.length + members - 1) / members;
    for (int i = 0; i < bytes.length; i += step) {
      try (GZIPOutputStream gz =
          new GZIPOutputStream(out) {
            @Override
            public void close() throws IOException {
              finish(); // keep the underlying stream open for the next member
            }
          }) {
        gz.write(bytes, i, Math.min(step, bytes.length - i));
      }
    }
    return out.toByteArray();
  }

  static byte[] deflate(String text) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (DeflaterOutputStream d = new DeflaterOutputStream(out)) {
      d.write(text.getBytes(UTF_8));
    }
    return out.toByteArray();
  }
}

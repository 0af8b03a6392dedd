package ai.numio.lmgate.stats;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UsageRecordJsonTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static final List<String> SPEC_ORDER =
      List.of(
          "timestamp",
          "lmgate_id",
          "provider",
          "endpoint",
          "model",
          "status",
          "input_tokens",
          "output_tokens",
          "masked_key",
          "error_type",
          "owner",
          "method",
          "stream",
          "duration_ms",
          "ttfb_ms",
          "cache_read_tokens",
          "cache_write_tokens",
          "reasoning_tokens",
          "upstream_request_id",
          "cost_usd");

  /** An Anthropic stream that ended in a mid-stream overloaded error: every field is set. */
  private static final UsageRecord FULL =
      new UsageRecord(
          Instant.parse("2026-02-16T12:00:00Z"),
          "7",
          "anthropic",
          "/anthropic/v1/messages",
          "claude-sonnet-4-5-20250929",
          200,
          1520L,
          312L,
          "Xy9AbQ",
          "overloaded_error",
          "team-alpha",
          "POST",
          true,
          4821L,
          612L,
          1024L,
          256L,
          88L,
          "req_011CPvN2xYz",
          0.0105072);

  /** An upstream that never answered: nothing the response would report is known. */
  private static final UsageRecord UNREACHABLE =
      new UsageRecord(
          Instant.parse("2026-02-16T12:00:01.042Z"),
          "2",
          "openai",
          "/openai/v1/chat/completions",
          null,
          502,
          null,
          null,
          "c0ffee",
          "upstream_unreachable",
          "team-beta",
          "POST",
          false,
          10003L,
          null,
          null,
          null,
          null,
          null,
          null);

  @Test
  void fullRecordIsOneExactLine() throws Exception {
    String line = UsageRecordJson.line(FULL);

    assertThat(line)
        .isEqualTo(
            "{\"timestamp\":\"2026-02-16T12:00:00.000Z\",\"lmgate_id\":\"7\","
                + "\"provider\":\"anthropic\",\"endpoint\":\"/anthropic/v1/messages\","
                + "\"model\":\"claude-sonnet-4-5-20250929\",\"status\":200,"
                + "\"input_tokens\":1520,\"output_tokens\":312,\"masked_key\":\"Xy9AbQ\","
                + "\"error_type\":\"overloaded_error\",\"owner\":\"team-alpha\","
                + "\"method\":\"POST\",\"stream\":true,\"duration_ms\":4821,\"ttfb_ms\":612,"
                + "\"cache_read_tokens\":1024,\"cache_write_tokens\":256,"
                + "\"reasoning_tokens\":88,\"upstream_request_id\":\"req_011CPvN2xYz\","
                + "\"cost_usd\":0.0105072}\n");

    JsonNode node = MAPPER.readTree(line);
    assertThat(fieldNames(node)).isEqualTo(SPEC_ORDER);
    assertThat(node.get("timestamp").textValue()).isEqualTo("2026-02-16T12:00:00.000Z");
    assertThat(node.get("lmgate_id").textValue()).isEqualTo("7");
    assertThat(node.get("status").intValue()).isEqualTo(200);
    assertThat(node.get("input_tokens").longValue()).isEqualTo(1520L);
    assertThat(node.get("stream").booleanValue()).isTrue();
    assertThat(node.get("duration_ms").longValue()).isEqualTo(4821L);
    assertThat(node.get("cache_write_tokens").longValue()).isEqualTo(256L);
    assertThat(node.get("upstream_request_id").textValue()).isEqualTo("req_011CPvN2xYz");
    assertThat(node.get("cost_usd").doubleValue()).isEqualTo(0.0105072);
  }

  @ParameterizedTest
  @CsvSource({
    "0.0105072,   0.0105072",
    "1.5E-6,      0.0000015",
    "0.0,         0.0",
    "12345.678,   12345.678",
    "0.1,         0.1",
  })
  void costIsAPlainNumberWithEveryDigitOfTheDouble(double cost, String expected) throws Exception {
    UsageRecord r = withCost(cost);

    String line = UsageRecordJson.line(r);

    assertThat(line).endsWith(",\"cost_usd\":" + expected + "}\n");
    assertThat(MAPPER.readTree(line).get("cost_usd").doubleValue()).isEqualTo(cost);
  }

  @Test
  void aCostThatIsNotFiniteIsWrittenAsUnknown() throws Exception {
    for (double cost : new double[] {Double.NaN, Double.POSITIVE_INFINITY}) {
      assertThat(MAPPER.readTree(UsageRecordJson.line(withCost(cost))).get("cost_usd").isNull())
          .isTrue();
    }
  }

  @Test
  void nullableFieldsAreWrittenAsNullNotOmitted() throws Exception {
    String line = UsageRecordJson.line(UNREACHABLE);

    assertThat(line)
        .isEqualTo(
            "{\"timestamp\":\"2026-02-16T12:00:01.042Z\",\"lmgate_id\":\"2\","
                + "\"provider\":\"openai\",\"endpoint\":\"/openai/v1/chat/completions\","
                + "\"model\":null,\"status\":502,\"input_tokens\":null,\"output_tokens\":null,"
                + "\"masked_key\":\"c0ffee\",\"error_type\":\"upstream_unreachable\","
                + "\"owner\":\"team-beta\",\"method\":\"POST\",\"stream\":false,"
                + "\"duration_ms\":10003,\"ttfb_ms\":null,\"cache_read_tokens\":null,"
                + "\"cache_write_tokens\":null,\"reasoning_tokens\":null,"
                + "\"upstream_request_id\":null,\"cost_usd\":null}\n");

    JsonNode node = MAPPER.readTree(line);
    assertThat(fieldNames(node)).isEqualTo(SPEC_ORDER);
    for (String field :
        List.of(
            "model",
            "input_tokens",
            "output_tokens",
            "ttfb_ms",
            "cache_read_tokens",
            "cache_write_tokens",
            "reasoning_tokens",
            "upstream_request_id",
            "cost_usd")) {
      assertThat(node.get(field).isNull()).as(field).isTrue();
    }
    assertThat(node.get("error_type").textValue()).isEqualTo("upstream_unreachable");
  }

  @Test
  void identityFieldsMayBeNullToo() {
    UsageRecord r =
        new UsageRecord(
            null, null, null, null, null, 0, null, null, null, null, null, null, false, 0L, null,
            null, null, null, null, null);

    assertThat(UsageRecordJson.line(r))
        .isEqualTo(
            "{\"timestamp\":null,\"lmgate_id\":null,\"provider\":null,\"endpoint\":null,"
                + "\"model\":null,\"status\":0,\"input_tokens\":null,\"output_tokens\":null,"
                + "\"masked_key\":null,\"error_type\":null,\"owner\":null,\"method\":null,"
                + "\"stream\":false,\"duration_ms\":0,\"ttfb_ms\":null,"
                + "\"cache_read_tokens\":null,\"cache_write_tokens\":null,"
                + "\"reasoning_tokens\":null,\"upstream_request_id\":null,\"cost_usd\":null}\n");
  }

  @Test
  void stringsAreEscapedAndUtf8() throws Exception {
    UsageRecord r =
        withModelAndEndpoint("mod\u00e8le \"x\"\\\t\u00e9\u4e2d", "/custom/v1/\u00fcber");

    String line = UsageRecordJson.line(r);

    assertThat(line)
        .contains("\"endpoint\":\"/custom/v1/\u00fcber\"")
        .contains("\"model\":\"mod\u00e8le \\\"x\\\"\\\\\\t\u00e9\u4e2d\"");
    JsonNode node = MAPPER.readTree(line.getBytes(StandardCharsets.UTF_8));
    assertThat(node.get("model").textValue()).isEqualTo("mod\u00e8le \"x\"\\\t\u00e9\u4e2d");
    assertThat(node.get("endpoint").textValue()).isEqualTo("/custom/v1/\u00fcber");
  }

  @Test
  void loneSurrogateFromAnUpstreamEscapeStillYieldsValidJson() throws Exception {
    UsageRecord r = withModelAndEndpoint("gpt-\ud800x", "/openai/v1/chat/completions");

    String line = UsageRecordJson.line(r);

    assertThat(line).contains("\"model\":\"gpt-\\uD800x\"");
    assertThat(MAPPER.readTree(line).get("model").textValue()).isEqualTo("gpt-\ud800x");
  }

  @ParameterizedTest
  @CsvSource({
    "2026-02-16T12:00:00Z,           2026-02-16T12:00:00.000Z",
    "2026-02-16T12:00:00.007Z,       2026-02-16T12:00:00.007Z",
    "2026-02-16T12:00:00.120Z,       2026-02-16T12:00:00.120Z",
    "2026-02-16T23:59:59.999999999Z, 2026-02-16T23:59:59.999Z",
    "2026-02-16T09:05:03.000450Z,    2026-02-16T09:05:03.000Z",
    "2024-02-29T08:05:03.050Z,       2024-02-29T08:05:03.050Z",
    "1970-01-01T00:00:00Z,           1970-01-01T00:00:00.000Z",
    "1969-12-31T23:59:59.999Z,       1969-12-31T23:59:59.999Z",
    "0001-01-01T00:00:00Z,           0001-01-01T00:00:00.000Z",
    "9999-12-31T23:59:59.5Z,         9999-12-31T23:59:59.500Z",
    "+10000-01-01T00:00:00Z,         +10000-01-01T00:00:00.000Z",
  })
  void timestampHasExactlyThreeMillisecondDigitsInUtc(String instant, String expected)
      throws Exception {
    UsageRecord r = withTimestamp(Instant.parse(instant));

    assertThat(MAPPER.readTree(UsageRecordJson.line(r)).get("timestamp").textValue())
        .isEqualTo(expected);
  }

  @Test
  void oneEncoderWritesConsecutiveLinesAcrossDays() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    UsageRecordJson json = new UsageRecordJson(out);
    List<Instant> instants =
        List.of(
            Instant.parse("2026-02-16T23:59:59.998Z"),
            Instant.parse("2026-02-17T00:00:00.001Z"),
            Instant.parse("2026-02-16T00:00:00Z"),
            Instant.parse("2025-12-31T12:34:56.789Z"));

    for (Instant t : instants) {
      json.write(withTimestamp(t));
    }
    json.flush();

    String[] lines = out.toString(StandardCharsets.UTF_8).split("\n", -1);
    assertThat(lines).hasSize(5);
    assertThat(lines[4]).isEmpty();
    List<String> stamps = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      assertThat(lines[i] + "\n").isEqualTo(UsageRecordJson.line(withTimestamp(instants.get(i))));
      stamps.add(MAPPER.readTree(lines[i]).get("timestamp").textValue());
    }
    assertThat(stamps)
        .containsExactly(
            "2026-02-16T23:59:59.998Z",
            "2026-02-17T00:00:00.001Z",
            "2026-02-16T00:00:00.000Z",
            "2025-12-31T12:34:56.789Z");
  }

  private static UsageRecord withTimestamp(Instant t) {
    return new UsageRecord(
        t,
        FULL.lmgateId(),
        FULL.provider(),
        FULL.endpoint(),
        FULL.model(),
        FULL.status(),
        FULL.inputTokens(),
        FULL.outputTokens(),
        FULL.maskedKey(),
        FULL.errorType(),
        FULL.owner(),
        FULL.method(),
        FULL.stream(),
        FULL.durationMs(),
        FULL.ttfbMs(),
        FULL.cacheReadTokens(),
        FULL.cacheWriteTokens(),
        FULL.reasoningTokens(),
        FULL.upstreamRequestId(),
        FULL.costUsd());
  }

  private static UsageRecord withModelAndEndpoint(String model, String endpoint) {
    return new UsageRecord(
        FULL.timestamp(),
        FULL.lmgateId(),
        FULL.provider(),
        endpoint,
        model,
        FULL.status(),
        FULL.inputTokens(),
        FULL.outputTokens(),
        FULL.maskedKey(),
        FULL.errorType(),
        FULL.owner(),
        FULL.method(),
        FULL.stream(),
        FULL.durationMs(),
        FULL.ttfbMs(),
        FULL.cacheReadTokens(),
        FULL.cacheWriteTokens(),
        FULL.reasoningTokens(),
        FULL.upstreamRequestId(),
        FULL.costUsd());
  }

  private static UsageRecord withCost(double cost) {
    return new UsageRecord(
        FULL.timestamp(),
        FULL.lmgateId(),
        FULL.provider(),
        FULL.endpoint(),
        FULL.model(),
        FULL.status(),
        FULL.inputTokens(),
        FULL.outputTokens(),
        FULL.maskedKey(),
        FULL.errorType(),
        FULL.owner(),
        FULL.method(),
        FULL.stream(),
        FULL.durationMs(),
        FULL.ttfbMs(),
        FULL.cacheReadTokens(),
        FULL.cacheWriteTokens(),
        FULL.reasoningTokens(),
        FULL.upstreamRequestId(),
        cost);
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}

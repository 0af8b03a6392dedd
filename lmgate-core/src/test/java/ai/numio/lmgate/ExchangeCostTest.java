package ai.numio.lmgate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.numio.lmgate.auth.AllowListException;
import ai.numio.lmgate.config.ConfigLoader;
import ai.numio.lmgate.config.LMGateConfig;
import ai.numio.lmgate.cost.PriceTableException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * SPEC-2 §13 end to end: a provider's recorded response through admission, the exchange and the
 * meter, to the {@code cost_usd} of the written record, for every format, streamed and not, against
 * values computed by hand from a test price table.
 */
class ExchangeCostTest {

  private static final String KEY = "sk-proj-cost-0123456789abcdefXYZ123";
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Test prices (USD per 1M tokens). The long-context thresholds are low so that recorded fixtures
   * cross them: gpt-5 above 5000 input tokens, gemini-2.5-pro above 2000.
   */
  static final String PRICES =
      """
      models:
        - model: "gpt-4o-mini*"
          input: 0.15
          output: 0.60
          cache_read: 0.075
        - model: "gpt-4o*"
          input: 2.50
          output: 10
          cache_read: 1.25
        - model: "o3-*"
          input: 2
          output: 8
          cache_read: 0.50
        - model: "gpt-5*"
          format: openai
          input: 1.25
          output: 10
          cache_read: 0.125
          long_context: { above_input_tokens: 5000, input: 2.50, output: 15, cache_read: 0.25 }
        - model: "claude-sonnet-4-5*"
          input: 3
          output: 15
          cache_read: 0.30
          cache_write: 3.75
        - model: "claude-haiku-4-5*"
          input: 1
          output: 5
          cache_read: 0.10
          cache_write: 1.25
        - model: "gemini-2.5-pro*"
          input: 1.25
          output: 10
          cache_read: 0.125
          long_context: { above_input_tokens: 2000, input: 2.50, output: 15, cache_read: 0.25 }
        - model: "gemini-2.5-flash*"
          input: 0.30
          output: 2.50
          cache_read: 0.03
      """;

  @TempDir Path dir;
  private final ManualTimeSource time = new ManualTimeSource(Instant.parse("2026-02-16T12:00:00Z"));
  private LMGate gate;

  @BeforeEach
  void setUp() throws Exception {
    Path allowList = dir.resolve("allowlist.csv");
    Files.writeString(allowList, "id,api_key,owner,added\n1," + KEY + ",team-cost,2026-01-15\n");
    Path prices = dir.resolve("prices.yaml");
    Files.writeString(prices, PRICES);
    gate = LMGate.start(config(prices), time);
  }

  private LMGateConfig config(Path prices) throws Exception {
    return ConfigLoader.load(
        Optional.empty(),
        Map.of(
            "LMGATE_AUTH__ALLOWLIST_PATH", dir.resolve("allowlist.csv").toString(),
            "LMGATE_STATS__OUTPUT_PATH", dir.resolve("out/stats.jsonl").toString(),
            "LMGATE_AUTH__POLL_INTERVAL_SECONDS", "3600",
            "LMGATE_PRICING__PATH", prices.toString()),
        dir);
  }

  @AfterEach
  void tearDown() {
    gate.close();
  }

  /**
   * Each case: fixture, the path it answers (its route), content type, and the cost worked out by
   * hand (per million tokens, then / 1e6):
   *
   * <ul>
   *   <li>openai chat, gpt-4o: (2006 − 1792)·2.5 + 1792·1.25 + 161·10 = 535 + 2240 + 1610 = 4385
   *   <li>openai chat stream, gpt-4o-mini: 93·0.15 + 1024·0.075 + 233·0.6 = 13.95 + 76.8 + 139.8 =
   *       230.55
   *   <li>openai responses, o3 (1728 reasoning inside the 1987 output): 257·2 + 2304·0.5 + 1987·8 =
   *       514 + 1152 + 15896 = 17562
   *   <li>openai responses stream, gpt-5, 5233 input &gt; 5000: long tier, 369·2.5 + 4864·0.25 +
   *       2179·15 = 922.5 + 1216 + 32685 = 34823.5
   *   <li>anthropic, sonnet 4.5: 217·3 + 6142·0.3 + 1913·3.75 + 419·15 = 651 + 1842.6 + 7173.75 +
   *       6285 = 15952.35
   *   <li>anthropic stream (cumulative deltas), haiku 4.5: 1046·1 + 12407·0.1 + 3371·1.25 + 691·5 =
   *       1046 + 1240.7 + 4213.75 + 3455 = 9955.45
   *   <li>gemini, 2.5 flash (1093 thoughts outside the 287 candidates): 321·0.3 + 1018·0.03 +
   *       1380·2.5 = 96.3 + 30.54 + 3450 = 3576.84
   *   <li>gemini streamed array, 2.5 pro, 2231 input &gt; 2000: long tier, 219·2.5 + 2012·0.25 +
   *       1534·15 = 547.5 + 503 + 23010 = 24060.5
   *   <li>Claude on Vertex on the google route, priced in Anthropic's shape: 58·3 + 7733·0.3 +
   *       2941·3.75 + 264·15 = 174 + 2319.9 + 11028.75 + 3960 = 17482.65
   * </ul>
   */
  @ParameterizedTest
  @CsvSource({
    "openai/chat-nonstream.json, /openai/v1/chat/completions, application/json, 0.004385, false",
    "openai/chat-stream-include-usage.sse, /openai/v1/chat/completions, text/event-stream,"
        + " 0.00023055, true",
    "openai/responses-nonstream-reasoning.json, /openai/v1/responses, application/json, 0.017562,"
        + " false",
    "openai/responses-stream-reasoning.sse, /openai/v1/responses, text/event-stream, 0.0348235,"
        + " true",
    "anthropic/messages-nonstream.json, /anthropic/v1/messages, application/json, 0.01595235,"
        + " false",
    "anthropic/messages-stream-cumulative-usage.sse, /anthropic/v1/messages, text/event-stream,"
        + " 0.00995545, true",
    "google/gemini-generate-content.json,"
        + " /gemini/v1beta/models/gemini-2.5-flash:generateContent, application/json, 0.00357684,"
        + " false",
    "google/gemini-stream.jsonarray,"
        + " /gemini/v1beta/models/gemini-2.5-pro:streamGenerateContent, application/json,"
        + " 0.0240605, true",
    "google/vertex-claude-rawpredict.json,"
        + " /google/v1/projects/p/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict,"
        + " application/json, 0.01748265, false",
  })
  void costIsComputedFromTheMeteredUsage(
      String fixture, String path, String contentType, double expected, boolean stream)
      throws IOException {
    JsonNode record = run(path, contentType, fixture);

    assertThat(record.get("stream").booleanValue()).isEqualTo(stream);
    assertThat(record.get("cost_usd").isNumber()).as("cost_usd of %s", fixture).isTrue();
    assertThat(record.get("cost_usd").doubleValue()).isCloseTo(expected, within(1e-15));
  }

  @Test
  void aModelWithoutAnEntryIsUnknownNotFree() throws IOException {
    JsonNode record =
        run(
            "/openai/v1/chat/completions",
            "text/event-stream",
            "openai/chat-stream-multiline-data-comments.sse");

    assertThat(record.get("model").asText()).isEqualTo("gpt-4.1-nano-2025-04-14");
    assertThat(record.get("input_tokens").asLong()).isEqualTo(1549);
    assertThat(record.get("cost_usd").isNull()).isTrue();
  }

  @Test
  void aStreamThatReportsNoUsageHasNoCost() throws IOException {
    JsonNode record =
        run(
            "/openai/v1/chat/completions",
            "text/event-stream",
            "openai/chat-stream-no-include-usage.sse");

    assertThat(record.get("model").asText()).isEqualTo("gpt-4o-mini-2024-07-18");
    assertThat(record.get("cost_usd").isNull()).isTrue();
  }

  @Test
  void aBodyInAnotherFormatsShapeIsPricedInItsOwnShape() throws IOException {
    // An OpenAI-shaped stream on the google route (Gemini's OpenAI-compatible endpoint): priced by
    // the openai formula, whose reasoning is inside the output, and matched by the gpt-5* entry
    // limited to format openai. 243·1.25 + 3968·0.125 + 877·10 = 303.75 + 496 + 8770 = 9569.75
    // (the google formula would add the 640 reasoning tokens a second time).
    JsonNode record =
        run(
            "/gemini/v1beta/openai/chat/completions",
            "text/event-stream",
            "openai/chat-stream-reasoning-include-usage.sse");

    assertThat(record.get("model").asText()).isEqualTo("gpt-5-mini-2025-08-07");
    assertThat(record.get("reasoning_tokens").asLong()).isEqualTo(640);
    assertThat(record.get("cost_usd").doubleValue()).isCloseTo(0.00956975, within(1e-15));
  }

  @Test
  void aRequestUnderNoRouteHasNoCost() throws IOException {
    Exchange exchange =
        ((Admission.Admitted)
                gate.admit(
                    new IncomingRequest(
                        "POST", "/app/llm", null, LMGateTest.headers("x-api-key", KEY), "c"),
                    RouteMode.OPTIONAL))
            .exchange();
    exchange.onResponse(200, LMGateTest.headers("content-type", "application/json"));
    byte[] body = fixture("openai/chat-nonstream.json");
    exchange.onBytes(body, 0, body.length);
    exchange.complete();

    JsonNode record = lastRecord();
    assertThat(record.get("provider").asText()).isEqualTo("unknown");
    assertThat(record.get("cost_usd").isNull()).isTrue();
  }

  @Test
  void anEditedPriceFileCostsTheNextRecords() throws IOException {
    Path prices = dir.resolve("prices.yaml");
    Files.writeString(prices, PRICES.replace("input: 0.15", "input: 0.30"));
    Files.setLastModifiedTime(
        prices, java.nio.file.attribute.FileTime.from(Instant.parse("2026-02-16T11:00:00Z")));
    assertThat(gate.reloadPrices()).isTrue();

    JsonNode record =
        run(
            "/openai/v1/chat/completions",
            "text/event-stream",
            "openai/chat-stream-include-usage.sse");

    // 93·0.30 + 1024·0.075 + 233·0.6 = 27.9 + 76.8 + 139.8 = 244.5
    assertThat(record.get("cost_usd").doubleValue()).isCloseTo(0.0002445, within(1e-15));
  }

  @Test
  void withoutPricingPathTheBundledTableIsInForce()
      throws IOException, AllowListException, PriceTableException {
    gate.close();
    LMGateConfig bundled = gate.config().withPricing(LMGateConfig.Pricing.BUNDLED);
    gate = LMGate.start(bundled, time);

    JsonNode record =
        run("/anthropic/v1/messages", "application/json", "anthropic/messages-nonstream.json");

    // the bundled table prices claude-sonnet-4-5 like the test table: 15952.35 per million
    assertThat(record.get("cost_usd").doubleValue()).isCloseTo(0.01595235, within(1e-15));
  }

  private JsonNode run(String path, String contentType, String fixture) throws IOException {
    Exchange exchange =
        ((Admission.Admitted)
                gate.admit(
                    new IncomingRequest(
                        "POST", path, null, LMGateTest.headers("x-api-key", KEY), "c"),
                    RouteMode.REQUIRED))
            .exchange();
    exchange.onRequestSent();
    exchange.onResponse(200, LMGateTest.headers("content-type", contentType));
    byte[] body = fixture(fixture);
    // in uneven pieces, as a network delivers them
    int offset = 0;
    int piece = 7;
    while (offset < body.length) {
      int n = Math.min(piece, body.length - offset);
      exchange.onBytes(body, offset, n);
      offset += n;
      piece = piece * 3 % 1021 + 1;
    }
    exchange.complete();
    return lastRecord();
  }

  private JsonNode lastRecord() throws IOException {
    gate.flushRecords();
    List<String> lines = Files.readAllLines(dir.resolve("out/stats.jsonl"));
    return JSON.readTree(lines.get(lines.size() - 1));
  }

  private static byte[] fixture(String name) throws IOException {
    try (InputStream in = ExchangeCostTest.class.getResourceAsStream("/fixtures/" + name)) {
      return in.readAllBytes();
    }
  }
}

package ai.numio.lmgate.jetty;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.numio.lmgate.testing.PromText;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code GET /metrics} of the real gateway after a scripted mix — JSON and streamed answers of two
 * providers, an upstream error, key denials and a policy refusal: every counter equals what the
 * written usage records say, and the exposition parses strictly (Prometheus text and OpenMetrics).
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"servlet", "lean"})
class GatewayMetricsTest {

  @Parameter String engine;

  @TempDir Path dir;
  private WireMockServer upstream;
  private Gateway gateway;
  private final HttpClient client = HttpClient.newHttpClient();

  @BeforeEach
  void setUp() throws Exception {
    upstream = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    upstream.start();
    upstream.stubFor(
        post(urlPathEqualTo("/v1/chat/completions"))
            .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.containing("stream"))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "text/event-stream")
                    .withBody(Gateway.fixture("openai/chat-stream-include-usage.sse"))));
    upstream.stubFor(
        post(urlPathEqualTo("/v1/chat/completions"))
            .withRequestBody(
                com.github.tomakehurst.wiremock.client.WireMock.notContaining("stream"))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "application/json")
                    .withBody(Gateway.fixture("openai/chat-nonstream.json"))));
    upstream.stubFor(
        post(urlPathEqualTo("/v1/messages"))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "text/event-stream")
                    .withBody(Gateway.fixture("anthropic/messages-stream.sse"))));
    upstream.stubFor(
        post(urlPathEqualTo("/v1/responses"))
            .willReturn(
                aResponse()
                    .withStatus(429)
                    .withHeader("Content-Type", "application/json")
                    .withBody(Gateway.fixture("openai/error-429-rate-limit-tokens.json"))));
  }

  @AfterEach
  void tearDown() {
    if (gateway != null) {
      gateway.close();
    }
    upstream.stop();
  }

  private void startGateway(Map<String, String> env) throws Exception {
    Path policy = dir.resolve("policy.yaml");
    Files.writeString(policy, "keys:\n  '2': { models: [\"gpt-4o*\"] }\n");
    Map<String, String> all = new TreeMap<>(env);
    all.put("LMGATE_POLICY__PATH", policy.toString());
    gateway = Gateway.on(engine).start(dir, URI.create("http://127.0.0.1:" + upstream.port()), all);
  }

  @Test
  void everyCounterEqualsWhatTheRecordsSay() throws Exception {
    startGateway(Map.of());
    String chat = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    String chatStream =
        "{\"model\":\"gpt-4o\",\"stream\":true,\"stream_options\":{\"include_usage\":true}}";
    String other = "{\"model\":\"o3-mini\",\"messages\":[]}";
    assertThat(send("/openai/v1/chat/completions", Gateway.ALPHA_KEY, chat)).isEqualTo(200);
    assertThat(send("/openai/v1/chat/completions", Gateway.ALPHA_KEY, chat)).isEqualTo(200);
    assertThat(send("/openai/v1/chat/completions", Gateway.ALPHA_KEY, chatStream)).isEqualTo(200);
    assertThat(send("/anthropic/v1/messages", Gateway.ALPHA_KEY, "{\"model\":\"c\"}"))
        .isEqualTo(200);
    assertThat(send("/openai/v1/responses", Gateway.ALPHA_KEY, chat)).isEqualTo(429);
    assertThat(send("/openai/v1/chat/completions", Gateway.BETA_KEY, chat)).isEqualTo(200);
    assertThat(send("/openai/v1/chat/completions", Gateway.BETA_KEY, other)).isEqualTo(403);
    assertThat(send("/openai/v1/chat/completions", "sk-not-on-the-list-000000000", chat))
        .isEqualTo(403);
    assertThat(send("/openai/v1/chat/completions", null, chat)).isEqualTo(403);

    List<JsonNode> records = gateway.records();
    assertThat(records).hasSize(7);
    HttpResponse<String> scrape = scrape(null, null);
    assertThat(scrape.statusCode()).isEqualTo(200);
    assertThat(scrape.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("text/plain; version=0.0.4");
    PromText metrics = PromText.parse(scrape.body());

    assertThat(
            metrics.sumBy(
                "lmgate_requests_total", "route", "provider", "model", "status", "error_type"))
        .isEqualTo(
            group(
                records,
                r ->
                    List.of(
                        text(r, "provider"),
                        format(text(r, "provider")),
                        model(r),
                        r.get("status").asText(),
                        text(r, "error_type")),
                r -> 1.0));
    for (String type : List.of("input", "output", "cache_read", "cache_write", "reasoning")) {
      Map<List<String>, Double> expected =
          group(
              records,
              r -> List.of(text(r, "provider"), model(r)),
              r -> r.path(type + "_tokens").asDouble(0));
      expected.values().removeIf(v -> v == 0);
      Map<List<String>, Double> actual = new TreeMap<>(PromTextCompare.ORDER);
      metrics.named("lmgate_tokens_total").stream()
          .filter(s -> s.labels().get("type").equals(type) && s.value() != 0)
          .forEach(
              s ->
                  actual.merge(
                      List.of(s.labels().get("route"), s.labels().get("model")),
                      s.value(),
                      Double::sum));
      assertThat(actual).as(type + " tokens").isEqualTo(expected);
    }
    Map<List<String>, Double> cost =
        group(
            records,
            r -> List.of(text(r, "provider"), model(r)),
            r -> r.path("cost_usd").asDouble(0));
    Map<List<String>, Double> scrapedCost =
        metrics.sumBy("lmgate_cost_usd_total", "route", "model");
    assertThat(scrapedCost.keySet())
        .containsAll(
            cost.entrySet().stream().filter(e -> e.getValue() > 0).map(Map.Entry::getKey).toList());
    cost.forEach(
        (k, v) -> assertThat(scrapedCost.getOrDefault(k, 0.0)).isCloseTo(v, within(1e-12)));
    assertThat(cost.values().stream().mapToDouble(Double::doubleValue).sum()).isPositive();

    assertThat(metrics.sumBy("lmgate_request_duration_seconds_count", "route"))
        .isEqualTo(group(records, r -> List.of(text(r, "provider")), r -> 1.0));
    assertThat(metrics.sumBy("lmgate_ttfb_seconds_count", "route"))
        .isEqualTo(
            group(
                records.stream().filter(r -> r.hasNonNull("ttfb_ms")).toList(),
                r -> List.of(text(r, "provider")),
                r -> 1.0));
    // every record but the policy refusal reached the upstream: its overhead was measured
    long refused =
        records.stream().filter(r -> text(r, "error_type").equals("model_not_allowed")).count();
    assertThat(refused).isEqualTo(1);
    assertThat(metrics.value("lmgate_overhead_seconds_count", Map.of()))
        .isEqualTo(records.size() - refused);
    assertThat(metrics.value("lmgate_overhead_seconds_sum", Map.of())).isPositive();

    assertThat(metrics.value("lmgate_denied_total", Map.of("reason", "unknown_key"))).isEqualTo(1);
    assertThat(metrics.value("lmgate_denied_total", Map.of("reason", "no_key"))).isEqualTo(1);
    assertThat(metrics.value("lmgate_denied_total", Map.of("reason", "model_not_allowed")))
        .isEqualTo(refused);
    assertThat(metrics.sumBy("lmgate_denied_total").values().iterator().next()).isEqualTo(3);
    assertThat(metrics.value("lmgate_records_written_total", Map.of())).isEqualTo(records.size());
    assertThat(metrics.value("lmgate_records_dropped_total", Map.of())).isZero();
    assertThat(metrics.value("lmgate_allowlist_keys", Map.of())).isEqualTo(2);
    assertThat(metrics.value("lmgate_allowlist_reload_errors_total", Map.of())).isZero();
    assertThat(metrics.value("lmgate_limit_store_errors_total", Map.of())).isZero();
    assertThat(metrics.named("lmgate_inflight_requests"))
        .extracting(s -> s.labels().get("route"))
        .containsExactlyInAnyOrder("openai", "anthropic", "google", "gemini", "unknown");
    assertThat(metrics.named("lmgate_inflight_requests")).allMatch(s -> s.value() == 0);
    assertThat(metrics.types())
        .containsEntry("lmgate_requests_total", "counter")
        .containsEntry("lmgate_overhead_seconds", "histogram")
        .containsEntry("lmgate_inflight_requests", "gauge");

    HttpResponse<String> open = scrape(null, "application/openmetrics-text; version=1.0.0");
    assertThat(open.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("application/openmetrics-text");
    PromText openMetrics = PromText.parseOpenMetrics(open.body());
    assertThat(openMetrics.sumBy("lmgate_requests_total"))
        .isEqualTo(metrics.sumBy("lmgate_requests_total"));
    assertThat(openMetrics.types()).containsEntry("lmgate_requests", "counter");

    // Prometheus's own parser and linter over the same scrape (Debian's `prometheus` package)
    assertThat(promtoolCheck(scrape.body())).isEqualTo("");
  }

  /**
   * What {@code promtool check metrics} says of an exposition: "" when it parses and lints clean.
   * Skipped without promtool, except under CI ({@code .ci/run} installs it).
   */
  private static String promtoolCheck(String exposition) throws Exception {
    Process promtool;
    try {
      promtool =
          new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
    } catch (java.io.IOException e) {
      if ("true".equals(System.getenv("CI"))) {
        throw new AssertionError("promtool is required under CI (.ci/run installs it)", e);
      }
      org.junit.jupiter.api.Assumptions.abort("promtool is not installed: " + e.getMessage());
      return "";
    }
    try (java.io.OutputStream in = promtool.getOutputStream()) {
      in.write(exposition.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    String said =
        new String(
            promtool.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(promtool.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(promtool.exitValue()).as(said).isZero();
    return said.trim();
  }

  @Test
  void aTokenIsRequiredWhenSet() throws Exception {
    String token = "scrape-secret-0123456789abcdef";
    startGateway(Map.of("LMGATE_METRICS__TOKEN", token));
    HttpResponse<String> none = scrape(null, null);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(none.body()).contains("\"error\":\"unauthorized\"").doesNotContain(token);
    HttpResponse<String> wrong = scrape("Bearer scrape-secret-0123456789abcdeX", null);
    assertThat(wrong.statusCode()).isEqualTo(403);
    assertThat(wrong.body()).contains("\"error\":\"forbidden\"").doesNotContain(token);
    assertThat(scrape("Basic " + token, null).statusCode()).isEqualTo(401);
    HttpResponse<String> right = scrape("Bearer " + token, null);
    assertThat(right.statusCode()).isEqualTo(200);
    assertThat(PromText.parse(right.body()).types()).containsKey("lmgate_denied_total");
  }

  @Test
  void theOverheadHeaderIsOptIn() throws Exception {
    String chat = "{\"model\":\"gpt-4o\",\"messages\":[]}";
    startGateway(Map.of());
    assertThat(
            response("/openai/v1/chat/completions", chat)
                .headers()
                .firstValue("x-lmgate-overhead-ms"))
        .isEmpty();
    gateway.close();
    gateway = null;
    startGateway(Map.of("LMGATE_SERVER__OVERHEAD_HEADER", "true"));
    HttpResponse<String> response = response("/openai/v1/chat/completions", chat);
    assertThat(response.statusCode()).isEqualTo(200);
    String overhead = response.headers().firstValue("x-lmgate-overhead-ms").orElseThrow();
    assertThat(overhead).matches("[0-9]+\\.[0-9]{3}");
    assertThat(Double.parseDouble(overhead)).isLessThan(5_000);
  }

  private HttpResponse<String> response(String path, String body) throws Exception {
    return client.send(
        HttpRequest.newBuilder(gateway.uri(path))
            .header("Authorization", "Bearer " + Gateway.ALPHA_KEY)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private int send(String path, String key, String body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(gateway.uri(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    HttpResponse<String> response =
        client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return response.statusCode();
  }

  private HttpResponse<String> scrape(String authorization, String accept) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(gateway.uri("/metrics")).GET();
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    if (accept != null) {
      request.header("Accept", accept);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String text(JsonNode record, String field) {
    JsonNode value = record.get(field);
    return value == null || value.isNull() ? "" : value.asText();
  }

  private static String model(JsonNode record) {
    String model = text(record, "model");
    return model.isEmpty() ? "unknown" : model;
  }

  private static String format(String route) {
    return route.equals("gemini") ? "google" : route;
  }

  private static Map<List<String>, Double> group(
      List<JsonNode> records,
      java.util.function.Function<JsonNode, List<String>> key,
      java.util.function.ToDoubleFunction<JsonNode> value) {
    Map<List<String>, Double> sums = new TreeMap<>(PromTextCompare.ORDER);
    for (JsonNode record : records) {
      sums.merge(new ArrayList<>(key.apply(record)), value.applyAsDouble(record), Double::sum);
    }
    return sums;
  }

  /** The order {@link PromText#sumBy} sorts its keys in, so maps compare equal. */
  private static final class PromTextCompare {
    static final java.util.Comparator<List<String>> ORDER =
        (a, b) -> String.join("\u0000", a).compareTo(String.join("\u0000", b));
  }
}

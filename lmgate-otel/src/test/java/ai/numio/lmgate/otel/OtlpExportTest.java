package ai.numio.lmgate.otel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.numio.lmgate.config.ConfigLoader;
import ai.numio.lmgate.config.LMGateConfig;
import ai.numio.lmgate.jetty.LMGateServer;
import ai.numio.lmgate.testing.RawUpstream;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The export end to end: requests through the real gateway (Jetty, a loopback upstream answering
 * with the provider fixtures), spans and GenAI metrics over OTLP/HTTP to a real receiver that
 * decodes them with the OpenTelemetry proto classes; every attribute and data point checked against
 * the usage records.
 */
class OtlpExportTest {

  private static final String KEY = "sk-proj-otel-0123456789abcdefXYZ123";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  @TempDir Path dir;
  private OtlpReceiver receiver;
  private RawUpstream upstream;
  private LMGateServer server;

  @BeforeEach
  void setUp() throws IOException {
    receiver = new OtlpReceiver();
    upstream = new RawUpstream(OtlpExportTest::provider);
    Files.writeString(
        dir.resolve("allowlist.csv"),
        "id,api_key,owner,added\n7," + KEY + ",team-otel,2026-01-15\n");
  }

  @AfterEach
  void tearDown() throws IOException {
    if (server != null) {
      server.close();
    }
    upstream.close();
    receiver.close();
  }

  /** The upstream: each provider's fixture by path, as the provider sends it. */
  private static void provider(
      RawUpstream.Received request, java.net.Socket socket, java.io.OutputStream out)
      throws IOException {
    String path = request.requestLine().split(" ")[1];
    if (path.equals("/v1/chat/completions")) {
      RawUpstream.fixedResponse(
          out,
          200,
          fixture("openai/chat-nonstream.json"),
          "Content-Type",
          "application/json",
          "x-request-id",
          "req_otel_1",
          "Connection",
          "close");
    } else if (path.equals("/v1/messages")) {
      byte[] body = fixture("anthropic/messages-stream.sse");
      RawUpstream.chunkedHead(
          out, 200, "text/event-stream; charset=utf-8", "request-id", "req_otel_2");
      int half = body.length / 2;
      RawUpstream.chunk(out, body, 0, half);
      RawUpstream.chunk(out, body, half, body.length - half);
      RawUpstream.lastChunk(out);
    } else if (path.endsWith(":generateContent")) {
      RawUpstream.fixedResponse(
          out,
          200,
          fixture("google/vertex-generate-content.json"),
          "Content-Type",
          "application/json; charset=UTF-8",
          "Connection",
          "close");
    } else {
      RawUpstream.fixedResponse(
          out,
          429,
          fixture("openai/error-429-insufficient-quota.json"),
          "Content-Type",
          "application/json",
          "Connection",
          "close");
    }
  }

  private void startGateway(Map<String, String> otel) throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("LMGATE_AUTH__ALLOWLIST_PATH", dir.resolve("allowlist.csv").toString());
    env.put("LMGATE_STATS__OUTPUT_PATH", dir.resolve("stats.jsonl").toString());
    env.put("LMGATE_SERVER__HOST", "127.0.0.1");
    for (String route : List.of("OPENAI", "ANTHROPIC", "GOOGLE", "GEMINI")) {
      env.put("LMGATE_PROVIDERS__" + route + "__UPSTREAM", upstream.uri().toString());
    }
    env.putAll(otel);
    LMGateConfig config = ConfigLoader.load(Optional.empty(), env, dir);
    server = LMGateServer.builder(config).port(0).tlsPort(0).start();
  }

  private Map<String, String> exportingEvery(int seconds) {
    return Map.of(
        "LMGATE_OTEL__ENDPOINT",
        receiver.endpoint().toString(),
        "LMGATE_OTEL__SERVICE_NAME",
        "lmgate-test",
        "LMGATE_OTEL__HEADERS",
        "Authorization=Bearer%20collector-t0ken",
        "LMGATE_OTEL__EXPORT_INTERVAL_SECONDS",
        Integer.toString(seconds));
  }

  /** Four requests: an OpenAI JSON answer, an Anthropic stream, Vertex JSON, an OpenAI 429. */
  private void sendTheMix() throws Exception {
    assertThat(post("/openai/v1/chat/completions", "Authorization", "Bearer " + KEY))
        .isEqualTo(200);
    assertThat(post("/anthropic/v1/messages", "x-api-key", KEY)).isEqualTo(200);
    assertThat(
            post(
                "/google/v1/projects/lmgate-demo/locations/us-central1/publishers/google/models/"
                    + "gemini-2.5-pro:generateContent",
                "x-goog-api-key",
                KEY))
        .isEqualTo(200);
    assertThat(post("/openai/v1/responses", "Authorization", "Bearer " + KEY)).isEqualTo(429);
  }

  private int post(String path, String header, String value) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(server.uri().resolve(path))
            .header(header, value)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"stream\":true}"))
            .build();
    return CLIENT.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  /** The usage records by endpoint, waiting until {@code count} are written. */
  private Map<String, JsonNode> records(int count) throws IOException {
    Map<String, JsonNode> byEndpoint = new LinkedHashMap<>();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              server.gate().flushRecords();
              Path stats = dir.resolve("stats.jsonl");
              return Files.exists(stats) && Files.readAllLines(stats).size() == count;
            });
    for (String line : Files.readAllLines(dir.resolve("stats.jsonl"))) {
      JsonNode record = JSON.readTree(line);
      byEndpoint.put(record.get("endpoint").asText(), record);
    }
    return byEndpoint;
  }

  @Test
  void everyRequestBecomesASpanAndGenAiMetricPointsAtTheCollector() throws Exception {
    startGateway(exportingEvery(1));
    // the export, beside the gateway's own /metrics observer
    assertThat(server.gate().recordObservers())
        .filteredOn(observer -> observer.getClass().getPackageName().equals("ai.numio.lmgate.otel"))
        .singleElement()
        .isInstanceOf(OtelExport.class);

    sendTheMix();
    Map<String, JsonNode> records = records(4);

    // spans leave within the export interval; metrics every interval, cumulative
    await().atMost(Duration.ofSeconds(20)).until(() -> receiver.spans().size() >= 4);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> pointCount(receiver.latestMetrics().get("gen_ai.server.request.duration")) == 4);

    List<OtlpReceiver.Received> spans = receiver.spans();
    assertThat(spans).hasSize(4);
    Map<String, Span> byEndpoint = new HashMap<>();
    for (OtlpReceiver.Received received : spans) {
      assertThat(received.scope()).isEqualTo("ai.numio.lmgate");
      assertThat(OtlpReceiver.attributes(received.resource().getAttributesList()))
          .containsEntry("service.name", "lmgate-test")
          .containsEntry("telemetry.sdk.language", "java");
      Map<String, Object> attributes = OtlpReceiver.attributes(received.span().getAttributesList());
      byEndpoint.put((String) attributes.get("lmgate.endpoint"), received.span());
    }
    long port = upstream.port();

    String chat = "/openai/v1/chat/completions";
    assertSpan(
        byEndpoint.get(chat),
        records.get(chat),
        "chat gpt-4o-2024-08-06",
        expected(
            "chat",
            "openai",
            "gpt-4o-2024-08-06",
            port,
            records.get(chat),
            "gen_ai.usage.input_tokens",
            2006L,
            "gen_ai.usage.output_tokens",
            161L,
            "gen_ai.usage.cache_read.input_tokens",
            1792L,
            "gen_ai.usage.reasoning.output_tokens",
            0L,
            "lmgate.upstream_request_id",
            "req_otel_1"));

    String messages = "/anthropic/v1/messages";
    assertSpan(
        byEndpoint.get(messages),
        records.get(messages),
        "chat claude-sonnet-4-5-20250929",
        expected(
            "chat",
            "anthropic",
            "claude-sonnet-4-5-20250929",
            port,
            records.get(messages),
            "gen_ai.usage.input_tokens",
            312L,
            "gen_ai.usage.output_tokens",
            587L,
            "gen_ai.usage.cache_read.input_tokens",
            9154L,
            "gen_ai.usage.cache_creation.input_tokens",
            2207L,
            "lmgate.upstream_request_id",
            "req_otel_2"));

    String vertex =
        "/google/v1/projects/lmgate-demo/locations/us-central1/publishers/google/models/"
            + "gemini-2.5-pro:generateContent";
    assertSpan(
        byEndpoint.get(vertex),
        records.get(vertex),
        "generate_content gemini-2.5-pro",
        expected(
            "generate_content",
            "gcp.gen_ai",
            "gemini-2.5-pro",
            port,
            records.get(vertex),
            "gen_ai.usage.input_tokens",
            5716L,
            "gen_ai.usage.output_tokens",
            612L,
            "gen_ai.usage.cache_read.input_tokens",
            4093L,
            "gen_ai.usage.reasoning.output_tokens",
            1387L));

    String refused = "/openai/v1/responses";
    Map<String, Object> refusedAttributes =
        expected(
            "chat", "openai", null, port, records.get(refused), "error.type", "insufficient_quota");
    assertSpan(byEndpoint.get(refused), records.get(refused), "chat", refusedAttributes);
    assertThat(byEndpoint.get(refused).getStatus().getCode())
        .isEqualTo(Status.StatusCode.STATUS_CODE_ERROR);
    assertThat(byEndpoint.get(refused).getStatus().getMessage()).isEqualTo("insufficient_quota");
    assertThat(byEndpoint.get(chat).getStatus().getCode())
        .isEqualTo(Status.StatusCode.STATUS_CODE_UNSET);

    Map<String, Metric> metrics = receiver.latestMetrics();
    assertThat(OtlpReceiver.attributes(receiver.latestMetricsResource().getAttributesList()))
        .containsEntry("service.name", "lmgate-test");

    Metric tokens = metrics.get("gen_ai.client.token.usage");
    assertThat(tokens.getUnit()).isEqualTo("{token}");
    assertThat(tokens.getHistogram().getAggregationTemporality())
        .isEqualTo(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE);
    assertThat(points(tokens))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                metricKey(
                    "chat", "openai", "gpt-4o-2024-08-06", port, "gen_ai.token.type", "input"),
                "count=1 sum=2006.0",
                metricKey(
                    "chat", "openai", "gpt-4o-2024-08-06", port, "gen_ai.token.type", "output"),
                "count=1 sum=161.0",
                metricKey(
                    "chat",
                    "anthropic",
                    "claude-sonnet-4-5-20250929",
                    port,
                    "gen_ai.token.type",
                    "input"),
                "count=1 sum=312.0",
                metricKey(
                    "chat",
                    "anthropic",
                    "claude-sonnet-4-5-20250929",
                    port,
                    "gen_ai.token.type",
                    "output"),
                "count=1 sum=587.0",
                metricKey(
                    "generate_content",
                    "gcp.gen_ai",
                    "gemini-2.5-pro",
                    port,
                    "gen_ai.token.type",
                    "input"),
                "count=1 sum=5716.0",
                metricKey(
                    "generate_content",
                    "gcp.gen_ai",
                    "gemini-2.5-pro",
                    port,
                    "gen_ai.token.type",
                    "output"),
                "count=1 sum=612.0"));
    assertThat(tokens.getHistogram().getDataPoints(0).getExplicitBoundsList())
        .containsExactlyElementsOf(
            GenAiTelemetry.TOKEN_BUCKETS.stream().map(Long::doubleValue).toList());

    Metric duration = metrics.get("gen_ai.server.request.duration");
    assertThat(duration.getUnit()).isEqualTo("s");
    assertThat(points(duration))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                metricKey("chat", "openai", "gpt-4o-2024-08-06", port),
                seconds(records.get(chat), "duration_ms"),
                metricKey("chat", "anthropic", "claude-sonnet-4-5-20250929", port),
                seconds(records.get(messages), "duration_ms"),
                metricKey("generate_content", "gcp.gen_ai", "gemini-2.5-pro", port),
                seconds(records.get(vertex), "duration_ms"),
                metricKey("chat", "openai", null, port, "error.type", "insufficient_quota"),
                seconds(records.get(refused), "duration_ms")));
    assertThat(duration.getHistogram().getDataPoints(0).getExplicitBoundsList())
        .containsExactlyElementsOf(GenAiTelemetry.DURATION_BUCKETS);

    Metric ttft = metrics.get("gen_ai.server.time_to_first_token");
    assertThat(ttft.getUnit()).isEqualTo("s");
    assertThat(points(ttft))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                metricKey("chat", "openai", "gpt-4o-2024-08-06", port),
                seconds(records.get(chat), "ttfb_ms"),
                metricKey("chat", "anthropic", "claude-sonnet-4-5-20250929", port),
                seconds(records.get(messages), "ttfb_ms"),
                metricKey("generate_content", "gcp.gen_ai", "gemini-2.5-pro", port),
                seconds(records.get(vertex), "ttfb_ms")));
    assertThat(ttft.getHistogram().getDataPoints(0).getExplicitBoundsList())
        .containsExactlyElementsOf(GenAiTelemetry.TTFT_BUCKETS);

    assertThat(receiver.posts)
        .allSatisfy(
            post -> {
              assertThat(post.contentType()).isEqualTo("application/x-protobuf");
              assertThat(post.headers()).containsEntry("Authorization", "Bearer collector-t0ken");
            });
  }

  @Test
  void closingTheGatewaySendsWhatIsStillHeld() throws Exception {
    startGateway(exportingEvery(3600)); // nothing would leave before an hour
    assertThat(post("/openai/v1/chat/completions", "Authorization", "Bearer " + KEY))
        .isEqualTo(200);
    records(1);

    server.close();

    assertThat(receiver.spans())
        .singleElement()
        .satisfies(s -> assertThat(s.span().getName()).isEqualTo("chat gpt-4o-2024-08-06"));
    assertThat(points(receiver.latestMetrics().get("gen_ai.client.token.usage"))).hasSize(2);
  }

  @Test
  void withoutAnEndpointNothingOfOpenTelemetryStartsAndNothingArrives() throws Exception {
    // what an SDK's own defaults would read, pointed at the receiver: LMGate must not follow them
    System.setProperty("otel.exporter.otlp.endpoint", receiver.endpoint().toString());
    try {
      startGateway(
          Map.of(
              "LMGATE_OTEL__SERVICE_NAME", "lmgate-test",
              "LMGATE_OTEL__EXPORT_INTERVAL_SECONDS", "1"));

      assertThat(server.gate().config().otel().enabled()).isFalse();
      // only the gateway's own /metrics observer: nothing of OpenTelemetry
      assertThat(server.gate().recordObservers())
          .noneMatch(
              observer -> observer.getClass().getPackageName().startsWith("ai.numio.lmgate.otel"))
          .hasSize(1);
      assertThat(new OtelObserverProvider().open(server.gate().config())).isEmpty();
      assertThat(Thread.getAllStackTraces().keySet())
          .extracting(Thread::getName)
          .doesNotContain("lmgate-otel");

      sendTheMix();
      records(4);
      server.close(); // would send anything held

      assertThat(receiver.posts).isEmpty();
    } finally {
      System.clearProperty("otel.exporter.otlp.endpoint");
    }
  }

  // --- expectations ---

  private static Map<String, Object> expected(
      String operation,
      String provider,
      String model,
      long port,
      JsonNode record,
      Object... extra) {
    Map<String, Object> attributes = new LinkedHashMap<>();
    attributes.put("gen_ai.operation.name", operation);
    attributes.put("gen_ai.provider.name", provider);
    if (model != null) {
      attributes.put("gen_ai.request.model", model);
      attributes.put("gen_ai.response.model", model);
    }
    attributes.put("server.address", "127.0.0.1");
    attributes.put("server.port", port);
    attributes.put("http.response.status_code", record.get("status").asLong());
    attributes.put("http.request.method", "POST");
    attributes.put("lmgate.route", record.get("provider").asText());
    attributes.put("lmgate.endpoint", record.get("endpoint").asText());
    attributes.put("lmgate.stream", record.get("stream").asBoolean());
    attributes.put("lmgate.id", "7");
    attributes.put("lmgate.owner", "team-otel");
    if (!record.get("ttfb_ms").isNull()) {
      attributes.put("lmgate.ttfb_ms", record.get("ttfb_ms").asLong());
    }
    if (!record.get("cost_usd").isNull()) {
      attributes.put("lmgate.cost_usd", record.get("cost_usd").asDouble());
    }
    for (int i = 0; i < extra.length; i += 2) {
      attributes.put((String) extra[i], extra[i + 1]);
    }
    return attributes;
  }

  private static void assertSpan(
      Span span, JsonNode record, String name, Map<String, Object> attributes) {
    assertThat(span).as("the span of %s", record.get("endpoint")).isNotNull();
    assertThat(span.getName()).isEqualTo(name);
    assertThat(span.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_CLIENT);
    assertThat(span.getParentSpanId().isEmpty()).isTrue();
    Instant start = Instant.parse(record.get("timestamp").asText());
    long startNanos = start.getEpochSecond() * 1_000_000_000L + start.getNano();
    // the record's timestamp is written to the millisecond; the span keeps the arrival's nanos
    assertThat(span.getStartTimeUnixNano()).isBetween(startNanos, startNanos + 999_999);
    assertThat(span.getEndTimeUnixNano() - span.getStartTimeUnixNano())
        .isEqualTo(record.get("duration_ms").asLong() * 1_000_000L);
    Map<String, Object> actual = new HashMap<>(OtlpReceiver.attributes(span.getAttributesList()));
    // every request here reached the upstream, so the gateway's overhead was measured: a share of
    // the request's duration (its exact value depends on the machine)
    Object overhead = actual.remove("lmgate.overhead_ms");
    assertThat(overhead).as("lmgate.overhead_ms").isInstanceOf(Double.class);
    assertThat((Double) overhead).isBetween(0.0, record.get("duration_ms").asDouble() + 1);
    assertThat(actual).containsExactlyInAnyOrderEntriesOf(attributes);
  }

  private static String metricKey(
      String operation, String provider, String model, long port, String... extra) {
    Map<String, Object> attributes = new java.util.TreeMap<>();
    attributes.put("gen_ai.operation.name", operation);
    attributes.put("gen_ai.provider.name", provider);
    if (model != null) {
      attributes.put("gen_ai.request.model", model);
      attributes.put("gen_ai.response.model", model);
    }
    attributes.put("server.address", "127.0.0.1");
    attributes.put("server.port", port);
    for (int i = 0; i < extra.length; i += 2) {
      attributes.put(extra[i], extra[i + 1]);
    }
    return attributes.toString();
  }

  private static String seconds(JsonNode record, String field) {
    return "count=1 sum=" + record.get(field).asLong() / 1000.0;
  }

  /** Each data point as its sorted attributes → "count=N sum=S". */
  private static Map<String, String> points(Metric metric) {
    Map<String, String> points = new HashMap<>();
    for (HistogramDataPoint point : metric.getHistogram().getDataPointsList()) {
      String key =
          new java.util.TreeMap<>(OtlpReceiver.attributes(point.getAttributesList())).toString();
      points.put(key, "count=" + point.getCount() + " sum=" + point.getSum());
    }
    return points;
  }

  private static int pointCount(Metric metric) {
    if (metric == null) {
      return 0;
    }
    long count = 0;
    for (HistogramDataPoint point : metric.getHistogram().getDataPointsList()) {
      count += point.getCount();
    }
    return (int) count;
  }

  private static byte[] fixture(String name) {
    try (InputStream in = OtlpExportTest.class.getResourceAsStream("/fixtures/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}

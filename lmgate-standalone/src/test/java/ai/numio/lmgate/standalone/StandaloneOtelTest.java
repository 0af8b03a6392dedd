package ai.numio.lmgate.standalone;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone gateway carries the OpenTelemetry export (the lmgate-otel module, found through
 * the core's ServiceLoader): with {@code otel.endpoint} set, a stopping gateway sends its spans and
 * metrics to the collector before it exits. (lmgate-otel's own tests check what is sent.)
 */
class StandaloneOtelTest {

  private static final String KEY = "sk-proj-otel-standalone-000111222";

  private static final String CHAT =
      "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"model\":\"gpt-4o-mini-2024-07-18\","
          + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},"
          + "\"finish_reason\":\"stop\"}],"
          + "\"usage\":{\"prompt_tokens\":21,\"completion_tokens\":3,\"total_tokens\":24}}";

  @TempDir Path dir;
  private HttpServer upstream;
  private HttpServer collector;
  private final List<String> posts = new CopyOnWriteArrayList<>();
  private volatile int collectorStatus = 200;
  private GatewayProcess process;

  @BeforeEach
  void setUp() throws IOException {
    upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
    upstream.createContext(
        "/v1/chat/completions",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          byte[] body = CHAT.getBytes(UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    upstream.start();
    collector = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
    collector.createContext(
        "/v1/",
        exchange -> {
          byte[] body = exchange.getRequestBody().readAllBytes();
          posts.add(
              exchange.getRequestMethod()
                  + " "
                  + exchange.getRequestURI().getPath()
                  + " "
                  + exchange.getRequestHeaders().getFirst("Content-Type")
                  + (body.length > 0 ? " with a body" : " empty"));
          exchange.sendResponseHeaders(collectorStatus, -1);
          exchange.close();
        });
    collector.start();
  }

  @AfterEach
  void tearDown() {
    if (process != null) {
      process.close();
    }
    upstream.stop(0);
    collector.stop(0);
  }

  @Test
  void aStoppingGatewaySendsItsSpansAndMetricsToTheCollector() throws Exception {
    int port = GatewayProcess.freePort();
    GatewayProcess.writeConfig(
        dir, KEY, port, URI.create("http://127.0.0.1:" + upstream.getAddress().getPort()), 5, 1);
    process =
        GatewayProcess.start(
            dir,
            Map.of(
                "LMGATE_OTEL__ENDPOINT",
                "http://127.0.0.1:" + collector.getAddress().getPort(),
                // nothing leaves on its own within the test: only the shutdown's flush sends
                "LMGATE_OTEL__EXPORT_INTERVAL_SECONDS",
                "3600"),
            "gateway.log",
            "--config",
            "lmgate.yaml");
    assertThat(process.output())
        .anyMatch(l -> l.contains("OpenTelemetry: a span per request and the GenAI metrics go to"));

    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/openai/v1/chat/completions"))
                    .header("Authorization", "Bearer " + KEY)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o-mini\"}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(posts).isEmpty();

    process.terminate();
    assertThat(process.awaitExit(Duration.ofSeconds(30))).isZero();

    assertThat(posts)
        .containsExactlyInAnyOrder(
            "POST /v1/traces application/x-protobuf with a body",
            "POST /v1/metrics application/x-protobuf with a body");
  }

  /**
   * The OpenTelemetry SDK logs through {@code java.util.logging}: its messages must land in
   * LMGate's log, in LMGate's format, not as JUL's own two-line records on stderr.
   */
  @Test
  void theSdksOwnWarningsLandInLMGatesLog() throws Exception {
    collectorStatus = 500;
    int port = GatewayProcess.freePort();
    GatewayProcess.writeConfig(
        dir, KEY, port, URI.create("http://127.0.0.1:" + upstream.getAddress().getPort()), 5, 1);
    process =
        GatewayProcess.start(
            dir,
            Map.of(
                "LMGATE_OTEL__ENDPOINT",
                "http://127.0.0.1:" + collector.getAddress().getPort(),
                "LMGATE_OTEL__EXPORT_INTERVAL_SECONDS",
                "3600"),
            "gateway.log",
            "--config",
            "lmgate.yaml");
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/openai/v1/chat/completions"))
                    .header("Authorization", "Bearer " + KEY)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o-mini\"}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);

    process.terminate();
    assertThat(process.awaitExit(Duration.ofSeconds(30))).isZero();

    assertThat(posts).contains("POST /v1/traces application/x-protobuf with a body");
    List<String> output = process.output();
    assertThat(output)
        .as("the SDK's export failure, as a line of LMGate's log")
        .anyMatch(
            line ->
                // the SDK's exporter (pinned version) says "Failed to export 1 spans. Server
                // responded with HTTP status code 500 ..."
                line.matches(
                    "\\d{4}-\\d\\d-\\d\\dT\\S+Z WARN  HttpExporter - Failed to export .*"));
    assertThat(output)
        .as("no record in java.util.logging's own console format")
        .noneMatch(line -> line.startsWith("WARNING:") || line.startsWith("SEVERE:"));
  }
}

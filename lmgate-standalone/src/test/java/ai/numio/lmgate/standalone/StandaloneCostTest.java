package ai.numio.lmgate.standalone;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SPEC-2 §13 through the gateway as operators run it: a real request, the record's cost_usd. */
class StandaloneCostTest {

  private static final String KEY = "sk-ant-api03-cost-test-key-000111";

  /** Anthropic's answer as the provider sends it (input excludes cache reads and writes). */
  private static final String MESSAGE =
      "{\"id\":\"msg_01\",\"type\":\"message\",\"role\":\"assistant\","
          + "\"model\":\"claude-sonnet-4-5-20250929\",\"content\":[{\"type\":\"text\","
          + "\"text\":\"ok\"}],\"stop_reason\":\"end_turn\",\"stop_sequence\":null,"
          + "\"usage\":{\"input_tokens\":217,\"cache_creation_input_tokens\":1913,"
          + "\"cache_read_input_tokens\":6142,\"output_tokens\":419}}";

  @TempDir Path dir;
  private HttpServer upstream;
  private GatewayProcess process;

  @BeforeEach
  void setUp() throws IOException {
    upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
    upstream.createContext(
        "/v1/messages",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          byte[] body = MESSAGE.getBytes(UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    upstream.start();
  }

  @AfterEach
  void tearDown() {
    if (process != null) {
      process.close();
    }
    upstream.stop(0);
  }

  @Test
  void aRequestIsPricedByTheBundledTableAndReportedAtThatCost() throws Exception {
    int port = GatewayProcess.freePort();
    GatewayProcess.writeConfig(dir, KEY, port, URI.create("http://127.0.0.1:9"), 5, 1);
    process =
        GatewayProcess.start(
            dir,
            Map.of(
                "LMGATE_PROVIDERS__ANTHROPIC__UPSTREAM",
                "http://127.0.0.1:" + upstream.getAddress().getPort()),
            "gateway.log",
            "--config",
            "lmgate.yaml");
    assertThat(process.output()).anyMatch(l -> l.contains("Prices: the bundled table"));

    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/anthropic/v1/messages"))
                    .header("x-api-key", KEY)
                    .header("anthropic-version", "2023-06-01")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"max_tokens\":8}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);

    Path stats = dir.resolve("out/stats.jsonl");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (UsageRecords.lines(stats).isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    List<String> lines = UsageRecords.lines(stats);
    assertThat(lines).hasSize(1);
    JsonNode record = new ObjectMapper().readTree(lines.get(0));
    // config/prices.yaml, claude-sonnet-4-5*: input 3, output 15, cache read 0.30, write 3.75:
    // 217·3 + 6142·0.3 + 1913·3.75 + 419·15 = 651 + 1842.6 + 7173.75 + 6285 = 15952.35 per 1M
    assertThat(record.get("cost_usd").doubleValue()).isCloseTo(0.01595235, within(1e-15));
    assertThat(lines.get(0)).endsWith(",\"cost_usd\":0.01595235}");

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ExitCode code =
        Main.run(
            List.of("report", "--format", "csv", "--by", "owner", "out/stats.jsonl"),
            new ByteArrayInputStream(new byte[0]),
            new PrintStream(out, true, UTF_8),
            new PrintStream(new ByteArrayOutputStream(), true, UTF_8),
            dir,
            Map.of());
    assertThat(code).isEqualTo(ExitCode.OK);
    assertThat(out.toString(UTF_8)).endsWith("team-ops,1,0,217,419,6142,1913,0,0.01595235,0\n");
  }

  @Test
  void aBadPricingPathIsAConfigurationErrorNamingFileAndLine() throws Exception {
    GatewayProcess.writeConfig(
        dir, KEY, GatewayProcess.freePort(), URI.create("http://127.0.0.1:9"), 5, 1);
    Files.writeString(dir.resolve("prices.yaml"), "models:\n  - model: \"x*\"\n    input: 1\n");
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    ExitCode code =
        Main.run(
            List.of("--config", "lmgate.yaml"),
            new ByteArrayInputStream(new byte[0]),
            new PrintStream(new ByteArrayOutputStream(), true, UTF_8),
            new PrintStream(err, true, UTF_8),
            dir,
            Map.of("LMGATE_PRICING__PATH", "prices.yaml"));

    assertThat(code).isEqualTo(ExitCode.BAD_USAGE_OR_CONFIG);
    assertThat(err.toString(UTF_8))
        .isEqualTo(
            "lmgate: the price table (pricing.path) cannot be used:\n  - "
                + dir.resolve("prices.yaml").toAbsolutePath().normalize()
                + " line 2: models entry 1 (\"x*\"): output: is missing (USD per 1 million"
                + " tokens)\n");
  }
}

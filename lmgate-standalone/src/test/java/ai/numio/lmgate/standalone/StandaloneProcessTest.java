package ai.numio.lmgate.standalone;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway as operators run it: its own process, a config file, SIGTERM (see {@link
 * GatewayProcess}); the jar itself is checked by {@code .ci/run}.
 */
class StandaloneProcessTest {

  private static final String KEY = "sk-proj-process-test-key-000111";
  private static final String CHUNK =
      "data: {\"id\":\"c\",\"model\":\"gpt-4o-mini\",\"choices\":[{\"delta\":{\"content\":\"x\"}}],"
          + "\"usage\":null}\n\n";
  private static final String LAST =
      "data: {\"id\":\"c\",\"model\":\"gpt-4o-mini\",\"choices\":[],\"usage\":{\"prompt_tokens\":12,"
          + "\"completion_tokens\":5,\"total_tokens\":17}}\n\ndata: [DONE]\n\n";

  @TempDir Path dir;
  private HttpServer upstream;
  private GatewayProcess process;

  @BeforeEach
  void setUp() throws IOException {
    upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
    upstream.setExecutor(Executors.newCachedThreadPool());
    upstream.createContext(
        "/v1/chat/completions",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
          exchange.sendResponseHeaders(200, 0);
          try (OutputStream out = exchange.getResponseBody()) {
            for (int i = 0; i < 5; i++) {
              out.write(CHUNK.getBytes(UTF_8));
              out.flush();
              Thread.sleep(200);
            }
            out.write(LAST.getBytes(UTF_8));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
  void servesRecordsAndStopsGracefullyOnSigterm() throws Exception {
    int port = GatewayProcess.freePort();
    GatewayProcess.writeConfig(
        dir, KEY, port, URI.create("http://127.0.0.1:" + upstream.getAddress().getPort()), 10, 1);
    process = GatewayProcess.start(dir, "lmgate.yaml", "gateway.log");
    assertThat(process.output())
        .anyMatch(l -> l.contains("Route openai: /openai/ -> http://127.0.0.1:"));

    HttpClient client = HttpClient.newHttpClient();
    URI uri = URI.create("http://127.0.0.1:" + port + "/openai/v1/chat/completions");
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .header("Authorization", "Bearer " + KEY)
            .POST(HttpRequest.BodyPublishers.ofString("{\"stream\":true}"))
            .build();

    // one request, then its record within the flush interval
    HttpResponse<String> first = client.send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(first.body()).endsWith(LAST);
    Path stats = dir.resolve("out/stats.jsonl");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    while (lines(stats).isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(lines(stats)).hasSize(1);

    // twenty streams in flight, then SIGTERM: each completes and is recorded, exit 0
    List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      inFlight.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
    }
    Thread.sleep(400);
    process.terminate();
    assertThat(process.awaitExit(Duration.ofSeconds(20))).isZero();

    int completed = 0;
    for (CompletableFuture<HttpResponse<String>> f : inFlight) {
      try {
        HttpResponse<String> response = f.get(5, TimeUnit.SECONDS);
        if (response.statusCode() == 200 && response.body().endsWith(LAST)) {
          completed++;
        }
      } catch (Exception e) {
        // not completed: allowed only if it had not reached the gateway
      }
    }
    assertThat(completed).isEqualTo(20);
    List<String> records = lines(stats);
    assertThat(records).hasSize(1 + completed);
    ObjectMapper json = new ObjectMapper();
    for (String line : records) {
      JsonNode record = json.readTree(line);
      assertThat(record.get("input_tokens").asLong()).isEqualTo(12);
      assertThat(record.get("output_tokens").asLong()).isEqualTo(5);
      assertThat(record.get("lmgate_id").asText()).isEqualTo("7");
      assertThat(record.get("error_type").isNull()).isTrue();
    }
    assertThat(process.output()).noneMatch(l -> l.contains(KEY));
    assertThat(process.output())
        .anyMatch(l -> l.contains("Stopped; 21 usage records written, 0 dropped"));
  }

  private static List<String> lines(Path file) throws IOException {
    return UsageRecords.lines(file);
  }
}

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
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * The gateway as operators run it: its own process, a config file, SIGTERM. Uses the test classpath
 * (the jar is built after tests run); the jar itself is checked by {@code .ci/run}.
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
  private Process process;
  private Path log;

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
      process.destroyForcibly();
    }
    upstream.stop(0);
  }

  @Test
  void servesRecordsAndStopsGracefullyOnSigterm() throws Exception {
    log = dir.resolve("gateway.log");
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    Files.writeString(
        dir.resolve("allowlist.csv"),
        "id,api_key,owner,added\n7," + KEY + ",team-ops,2026-03-01\n");
    Files.writeString(
        dir.resolve("lmgate.yaml"),
        "server: { host: 127.0.0.1, port: "
            + port
            + ", shutdown_grace_seconds: 10 }\n"
            + "auth: { allowlist_path: allowlist.csv }\n"
            + "stats: { output_path: out/stats.jsonl, flush_interval_seconds: 1 }\n"
            + "providers:\n  openai: { upstream: 'http://127.0.0.1:"
            + upstream.getAddress().getPort()
            + "' }\n");
    process =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "--config",
                "lmgate.yaml")
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    awaitOutput("Listening on", 20);
    assertThat(output()).anyMatch(l -> l.contains("Route openai: /openai/ -> http://127.0.0.1:"));

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
    process.destroy(); // SIGTERM
    assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isZero();

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
    assertThat(output()).noneMatch(l -> l.contains(KEY));
    assertThat(output()).anyMatch(l -> l.contains("Stopped; 21 usage records written, 0 dropped"));
  }

  private static List<String> lines(Path file) throws IOException {
    return Files.exists(file) ? Files.readAllLines(file) : List.of();
  }

  private List<String> output() throws IOException {
    return lines(log);
  }

  private void awaitOutput(String text, int seconds) throws InterruptedException, IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      if (output().stream().anyMatch(l -> l.contains(text))) {
        return;
      }
      if (!process.isAlive()) {
        break;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no '" + text + "' in gateway output: " + output());
  }
}

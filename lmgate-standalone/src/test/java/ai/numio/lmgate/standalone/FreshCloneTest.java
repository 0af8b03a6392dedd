package ai.numio.lmgate.standalone;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.numio.lmgate.auth.AllowListLoader;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command on a fresh clone: {@code java -jar lmgate.jar} without arguments in a
 * directory holding exactly the files git tracks under {@code config/} and {@code data/}. The
 * gateway starts (on 0.0.0.0, as shipped), answers {@code /healthz}, and refuses every key, the
 * sample keys the documentation once shipped live included.
 */
class FreshCloneTest {

  /** The keys of the sample allow-list the repository used to ship, in plain text and hashed. */
  private static final List<String> SAMPLE_KEYS =
      List.of("sk-replace-me-team-alpha-0001", "sk-replace-me-team-beta-0002");

  private static final String FORBIDDEN =
      "{\"error\":\"forbidden\",\"message\":\"API key not authorized\"}";

  @TempDir Path dir;
  private HttpServer upstream;
  private final AtomicInteger upstreamRequests = new AtomicInteger();
  private GatewayProcess gateway;

  @BeforeEach
  void setUp() throws IOException {
    upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
    upstream.createContext(
        "/",
        exchange -> {
          upstreamRequests.incrementAndGet();
          exchange.getRequestBody().readAllBytes();
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    upstream.start();
  }

  @AfterEach
  void tearDown() {
    if (gateway != null) {
      gateway.close();
    }
    upstream.stop(0);
  }

  @Test
  void freshGatewayStartsAndRefusesTheDocumentedSampleKeys() throws Exception {
    copyTrackedFiles("config", "data");
    assertThat(dir.resolve("config/lmgate.yaml")).exists();
    assertThat(AllowListLoader.load(dir.resolve("data/allowlist.example.csv")).size())
        .as("the shipped example authorizes nothing, even copied into place")
        .isZero();

    int port = GatewayProcess.freePort();
    String local = "http://127.0.0.1:" + upstream.getAddress().getPort();
    gateway =
        GatewayProcess.start(
            dir,
            Map.of(
                "LMGATE_SERVER__PORT", Integer.toString(port),
                "LMGATE_PROVIDERS__OPENAI__UPSTREAM", local,
                "LMGATE_PROVIDERS__ANTHROPIC__UPSTREAM", local),
            "gateway.log");

    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    URI base = URI.create("http://127.0.0.1:" + port);
    HttpResponse<String> health =
        client.send(
            HttpRequest.newBuilder(base.resolve("/healthz")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).isEqualTo("ok");

    for (String key : SAMPLE_KEYS) {
      HttpResponse<String> openai =
          client.send(
              HttpRequest.newBuilder(base.resolve("/openai/v1/chat/completions"))
                  .header("Authorization", "Bearer " + key)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o-mini\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(openai.statusCode()).as("openai, key %s", key).isEqualTo(403);
      assertThat(openai.body()).isEqualTo(FORBIDDEN);
      HttpResponse<String> anthropic =
          client.send(
              HttpRequest.newBuilder(base.resolve("/anthropic/v1/messages"))
                  .header("x-api-key", key)
                  .POST(HttpRequest.BodyPublishers.ofString("{}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(anthropic.statusCode()).as("anthropic, key %s", key).isEqualTo(403);
    }
    assertThat(upstreamRequests).as("requests that reached the upstream").hasValue(0);

    assertThat(String.join("\n", gateway.output()))
        .contains("Listening on http://0.0.0.0:" + port)
        .contains("No keys yet: created " + dir.resolve("data/allowlist.csv").toRealPath());
    assertThat(AllowListLoader.load(dir.resolve("data/allowlist.csv")).size()).isZero();
  }

  /** Copies the files git tracks under {@code paths} from the repository root into {@link #dir}. */
  private void copyTrackedFiles(String... paths) throws IOException, InterruptedException {
    Path root = Path.of("").toAbsolutePath().getParent();
    assumeTrue(
        root != null && Files.exists(root.resolve("pom.xml")), "run from the module directory");
    List<String> command = new ArrayList<>(List.of("git", "ls-files", "-z", "--"));
    command.addAll(List.of(paths));
    Process git;
    try {
      git = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      assumeTrue(false, "git is not available: " + e.getMessage());
      return;
    }
    String listing = new String(git.getInputStream().readAllBytes(), UTF_8);
    assertThat(git.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assumeTrue(git.exitValue() == 0, "not a git work tree: " + listing);
    for (int start = 0, end; (end = listing.indexOf('\0', start)) >= 0; start = end + 1) {
      String name = listing.substring(start, end);
      Path source = root.resolve(name);
      if (!name.isEmpty() && Files.isRegularFile(source)) {
        Path target = dir.resolve(name);
        Files.createDirectories(target.getParent());
        Files.copy(source, target);
      }
    }
  }
}

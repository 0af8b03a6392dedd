package ai.numio.lmgate.jetty;

import ai.numio.lmgate.TimeSource;
import ai.numio.lmgate.auth.Sha256;
import ai.numio.lmgate.config.ConfigLoader;
import ai.numio.lmgate.config.LMGateConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A real gateway for tests: an allow-list and stats file in a temp directory, every default route
 * pointed at one loopback upstream, Jetty on a free port.
 */
final class Gateway implements AutoCloseable {

  static final String ALPHA_KEY = "sk-proj-alpha-0123456789abcdefXYZ123";
  static final String BETA_KEY = "sk-ant-api03-beta-key-for-tests-Q7w9Zz";
  private static final ObjectMapper JSON = new ObjectMapper();

  final Path dir;
  final LMGateServer server;
  final Path stats;
  private int read;

  private Gateway(Path dir, LMGateServer server) {
    this.dir = dir;
    this.server = server;
    this.stats = dir.resolve("stats.jsonl");
  }

  /** A gateway whose four default routes all go to {@code upstream}. */
  static Gateway start(Path dir, URI upstream) throws Exception {
    return start(dir, upstream, Map.of());
  }

  static Gateway start(Path dir, URI upstream, Map<String, String> extraEnv) throws Exception {
    return start(dir, upstream, extraEnv, TimeSource.system());
  }

  /** As {@link #start(Path, URI, Map)}, on the given clocks (record times, warning spacing). */
  static Gateway start(Path dir, URI upstream, Map<String, String> extraEnv, TimeSource time)
      throws Exception {
    return start(dir, upstream, extraEnv, time, builder -> builder);
  }

  /** As {@link #start(Path, URI, Map, TimeSource)}, with more set on the server's builder. */
  static Gateway start(
      Path dir,
      URI upstream,
      Map<String, String> extraEnv,
      TimeSource time,
      java.util.function.UnaryOperator<LMGateServer.Builder> builder)
      throws Exception {
    Files.createDirectories(dir);
    Path allowList = dir.resolve("allowlist.csv");
    Files.writeString(
        allowList,
        "id,api_key,owner,added\n1,"
            + ALPHA_KEY
            + ",team-alpha,2026-01-15\n2,"
            + Sha256.allowListForm(BETA_KEY)
            + ",team-beta,2026-02-01\n");
    Map<String, String> env = new HashMap<>();
    env.put("LMGATE_AUTH__ALLOWLIST_PATH", allowList.toString());
    env.put("LMGATE_STATS__OUTPUT_PATH", dir.resolve("stats.jsonl").toString());
    env.put("LMGATE_SERVER__HOST", "127.0.0.1");
    env.put("LMGATE_UPSTREAM__CONNECT_TIMEOUT_SECONDS", "2");
    for (String route : List.of("OPENAI", "ANTHROPIC", "GOOGLE", "GEMINI")) {
      env.put("LMGATE_PROVIDERS__" + route + "__UPSTREAM", upstream.toString());
    }
    env.putAll(extraEnv);
    LMGateConfig config = ConfigLoader.load(Optional.empty(), env, dir);
    return new Gateway(
        dir, builder.apply(LMGateServer.builder(config).port(0).tlsPort(0).time(time)).start());
  }

  /** Starts gateways on the given {@code server.engine} ({@code servlet} or {@code lean}). */
  static Starter on(String engine) {
    return new Starter(engine);
  }

  /** {@link Gateway#start} with {@code server.engine} set. */
  record Starter(String engine) {
    Gateway start(Path dir, URI upstream) throws Exception {
      return start(dir, upstream, Map.of());
    }

    Gateway start(Path dir, URI upstream, Map<String, String> extraEnv) throws Exception {
      return start(dir, upstream, extraEnv, TimeSource.system());
    }

    Gateway start(Path dir, URI upstream, Map<String, String> extraEnv, TimeSource time)
        throws Exception {
      return start(dir, upstream, extraEnv, time, builder -> builder);
    }

    Gateway start(
        Path dir,
        URI upstream,
        Map<String, String> extraEnv,
        TimeSource time,
        java.util.function.UnaryOperator<LMGateServer.Builder> builder)
        throws Exception {
      Map<String, String> env = new HashMap<>(extraEnv);
      env.put("LMGATE_SERVER__ENGINE", engine);
      return Gateway.start(dir, upstream, env, time, builder);
    }
  }

  URI uri(String pathAndQuery) {
    return server.uri().resolve(pathAndQuery);
  }

  /** Every record written so far (flushes the writer first). */
  List<JsonNode> records() {
    server.gate().flushRecords();
    List<JsonNode> records = new ArrayList<>();
    try {
      if (!Files.exists(stats)) {
        return records;
      }
      for (String line : Files.readAllLines(stats)) {
        records.add(JSON.readTree(line));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return records;
  }

  /** The records written since the last call of this method. */
  List<JsonNode> newRecords() {
    List<JsonNode> all = records();
    List<JsonNode> fresh = List.copyOf(all.subList(read, all.size()));
    read = all.size();
    return fresh;
  }

  /**
   * The one record of the last exchange, waiting up to 10 s: a record is written as the exchange
   * ends, which can be a moment after the client saw the end (or the cut) of the response.
   */
  JsonNode awaitOnlyRecord() throws InterruptedException {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      List<JsonNode> records = newRecords();
      if (!records.isEmpty()) {
        if (records.size() != 1) {
          throw new AssertionError("expected one record, got " + records);
        }
        return records.get(0);
      }
      Thread.sleep(10);
    }
    throw new AssertionError("no usage record within 10 s");
  }

  /** The first {@code count} records written, waiting up to 10 s for them. */
  List<JsonNode> awaitRecords(int count) throws InterruptedException {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    List<JsonNode> all = records();
    while (all.size() < count && System.nanoTime() < deadline) {
      Thread.sleep(10);
      all = records();
    }
    return all;
  }

  /**
   * Sends raw bytes on a new connection (for what an HTTP client refuses to send) and returns the
   * whole response as ISO-8859-1 text, read until the gateway closes the connection (at most 10 s);
   * a connection reset before any byte of response reads as an empty string.
   */
  String raw(String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      ByteArrayOutputStream response = new ByteArrayOutputStream();
      try {
        socket.getInputStream().transferTo(response);
      } catch (SocketException e) {
        // reset after the answer (or instead of one): keep what arrived
      }
      return response.toString(StandardCharsets.ISO_8859_1);
    }
  }

  static byte[] fixture(String name) {
    try (InputStream in = Gateway.class.getResourceAsStream("/fixtures/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    server.stop();
  }
}

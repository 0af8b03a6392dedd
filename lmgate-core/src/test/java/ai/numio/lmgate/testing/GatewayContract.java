package ai.numio.lmgate.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every form of LMGate promises, whatever container runs it: the standalone gateway, the
 * filter in Jetty and in Tomcat, the WAR. A subclass only says how to start its form on a YAML
 * configuration file; everything else — the upstream, the keys, the requests, the assertions — is
 * here once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class GatewayContract implements PolicyContract, ProviderKeyContract {

  /** A running form of LMGate. */
  public interface Target extends AutoCloseable {
    /**
     * Where the routes are served, ending in '/': {@code http://host:port/} or {@code .../lmgate/}.
     */
    URI base();

    /** Makes queued usage records visible now, if the form allows it (the WAR does not). */
    default void flushRecords() {}

    @Override
    void close() throws Exception;
  }

  protected static final String KEY = "sk-proj-contract-0123456789abcdefQW3rty";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  private RawUpstream upstream;
  private Target target;
  private Path stats;
  private int recordsRead;
  private final HttpClient client = HttpClient.newHttpClient();

  /** Starts this form of LMGate on the configuration file (routes, allow-list, stats path). */
  protected abstract Target start(Path configFile) throws Exception;

  @BeforeAll
  void startTarget() throws Exception {
    upstream = new RawUpstream((request, socket, out) -> {});
    stats = dir.resolve("stats.jsonl");
    Path allowList = dir.resolve("allowlist.csv");
    for (String[] keyFile : ProviderKeyContract.keyFiles()) {
      Files.writeString(dir.resolve(keyFile[0]), keyFile[1] + "\n");
    }
    Files.writeString(
        allowList,
        "id,api_key,owner,added,upstream_key\n42,"
            + KEY
            + ",team-contract,2026-11-01\n"
            + ALLOW_LIST_ROWS
            + ProviderKeyContract.allowListRows(dir));
    Path policy = dir.resolve("policy.yaml");
    Files.writeString(policy, POLICY);
    StringBuilder yaml = new StringBuilder();
    yaml.append("auth: { allowlist_path: '").append(allowList).append("' }\n");
    yaml.append("stats: { output_path: '").append(stats).append("', flush_interval_seconds: 1 }\n");
    yaml.append("upstream: { connect_timeout_seconds: 2, idle_timeout_seconds: 10,")
        .append(" forwarded_headers: true }\n");
    yaml.append("policy: { path: '").append(policy).append("' }\n");
    yaml.append("providers:\n");
    for (String route : List.of("openai", "anthropic", "google", "gemini")) {
      yaml.append("  ")
          .append(route)
          .append(": { upstream: '")
          .append(upstream.uri())
          .append("' }\n");
    }
    yaml.append(ProviderKeyContract.routes(dir, upstream.uri()));
    Path config = dir.resolve("lmgate.yaml");
    Files.writeString(config, yaml.toString());
    target = start(config);
    // the same, with provider-shaped errors and a route whose upstream refuses connections
    Files.createDirectories(dir.resolve("provider"));
    providerConfig = dir.resolve("provider/lmgate.yaml");
    Files.writeString(
        providerConfig,
        yaml.toString().replace("stats.jsonl", "provider/stats.jsonl")
            + "  dead: { prefix: /dead/, upstream: 'http://127.0.0.1:"
            + closedPort()
            + "', format: openai }\n"
            + "server: { error_format: provider }\n");
  }

  private Path providerConfig;

  @AfterAll
  void stopTarget() throws Exception {
    if (target != null) {
      target.close();
    }
    upstream.close();
  }

  @BeforeEach
  void noRecordLeftOver() throws InterruptedException {
    Thread.sleep(50);
    assertThat(newRecords()).as("records left by an earlier test").isEmpty();
  }

  @Test
  void aJsonResponseIsForwardedUnchangedAndRecorded() throws Exception {
    byte[] body = fixture("openai/chat-nonstream.json");
    upstream.script(
        (request, socket, out) -> {
          RawUpstream.chunkedHead(out, 200, "application/json", "x-request-id", "req_contract");
          RawUpstream.chunk(out, body, 0, body.length);
          RawUpstream.lastChunk(out);
        });
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(
                    target.base().resolve("openai/v1/chat/completions?trace=a%2Fb&x=1"))
                .header("Authorization", "Bearer " + KEY)
                .header("Via", "1.0 edge")
                .header("X-Forwarded-For", "203.0.113.7")
                .header("X-Forwarded-Proto", "spoofed")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"stream\":true}"))
                .build(),
            HttpResponse.BodyHandlers.ofString(UTF_8));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(new String(body, UTF_8));

    RawUpstream.Received received = upstream.received().get(upstream.received().size() - 1);
    assertThat(received.requestLine())
        .isEqualTo("POST /v1/chat/completions?trace=a%2Fb&x=1 HTTP/1.1");
    assertThat(received.header("authorization")).isEqualTo("Bearer " + KEY);
    assertThat(received.header("host")).isEqualTo(upstream.uri().getAuthority());
    // upstream.forwarded_headers: one rule in every form, appended to what earlier proxies sent
    assertThat(received.header("via")).isEqualTo("1.0 edge, 1.1 lmgate");
    assertThat(received.header("x-forwarded-for")).isEqualTo("203.0.113.7, 127.0.0.1");
    assertThat(received.header("x-forwarded-proto")).isEqualTo("http");
    assertThat(received.header("x-forwarded-host")).isEqualTo(target.base().getAuthority());

    JsonNode record = awaitOnlyRecord();
    assertThat(record.get("lmgate_id").asText()).isEqualTo("42");
    assertThat(record.get("owner").asText()).isEqualTo("team-contract");
    assertThat(record.get("provider").asText()).isEqualTo("openai");
    assertThat(record.get("endpoint").asText()).isEqualTo("/openai/v1/chat/completions");
    assertThat(record.get("method").asText()).isEqualTo("POST");
    assertThat(record.get("status").asInt()).isEqualTo(200);
    assertThat(record.get("model").asText()).isEqualTo("gpt-4o-2024-08-06");
    assertThat(record.get("input_tokens").asLong()).isEqualTo(2006);
    assertThat(record.get("output_tokens").asLong()).isEqualTo(161);
    assertThat(record.get("cache_read_tokens").asLong()).isEqualTo(1792);
    assertThat(record.get("masked_key").asText()).isEqualTo("QW3rty");
    assertThat(record.get("stream").asBoolean()).isFalse();
    assertThat(record.get("error_type").isNull()).isTrue();
    assertThat(record.get("upstream_request_id").asText()).isEqualTo("req_contract");
  }

  @Test
  void anSseStreamIsForwardedUnchangedAndRecorded() throws Exception {
    byte[] body = fixture("anthropic/messages-stream.sse");
    upstream.script(
        (request, socket, out) -> {
          RawUpstream.chunkedHead(out, 200, "text/event-stream; charset=utf-8");
          for (int i = 0; i < body.length; i += 97) {
            RawUpstream.chunk(out, body, i, Math.min(97, body.length - i));
          }
          RawUpstream.lastChunk(out);
        });
    HttpResponse<String> response =
        client.send(
            post("anthropic/v1/messages", "x-api-key", KEY),
            HttpResponse.BodyHandlers.ofString(UTF_8));
    assertThat(response.body()).isEqualTo(new String(body, UTF_8));
    JsonNode expected = manifestExpectation("anthropic/messages-stream.sse");
    JsonNode record = awaitOnlyRecord();
    assertThat(record.get("provider").asText()).isEqualTo("anthropic");
    for (String field :
        List.of(
            "model",
            "input_tokens",
            "output_tokens",
            "cache_read_tokens",
            "cache_write_tokens",
            "reasoning_tokens",
            "error_type",
            "stream")) {
      assertThat(record.get(field)).as(field).isEqualTo(expected.get(field));
    }
  }

  /** SPEC-2 §16: every form serves {@code /metrics} with the same names; a record counts once. */
  @Test
  void metricsAreServedWithTheSameNamesAndCountTheRecord() throws Exception {
    byte[] body = fixture("openai/chat-nonstream.json");
    upstream.script(
        (request, socket, out) -> {
          RawUpstream.chunkedHead(out, 200, "application/json");
          RawUpstream.chunk(out, body, 0, body.length);
          RawUpstream.lastChunk(out);
        });
    double before = requestsCounted(scrapeMetrics());
    HttpResponse<String> response =
        client.send(
            post("openai/v1/chat/completions", "Authorization", "Bearer " + KEY),
            HttpResponse.BodyHandlers.ofString(UTF_8));
    assertThat(response.statusCode()).isEqualTo(200);
    awaitOnlyRecord();
    PromText metrics = scrapeMetrics();
    assertThat(requestsCounted(metrics)).isEqualTo(before + 1);
    assertThat(metrics.types().keySet())
        .contains(
            "lmgate_requests_total",
            "lmgate_tokens_total",
            "lmgate_cost_usd_total",
            "lmgate_request_duration_seconds",
            "lmgate_ttfb_seconds",
            "lmgate_overhead_seconds",
            "lmgate_inflight_requests",
            "lmgate_denied_total",
            "lmgate_records_written_total",
            "lmgate_records_dropped_total",
            "lmgate_allowlist_keys",
            "lmgate_allowlist_reload_errors_total",
            "lmgate_limit_store_errors_total");
    assertThat(metrics.value("lmgate_allowlist_keys", java.util.Map.of())).isPositive();
  }

  private PromText scrapeMetrics() throws Exception {
    HttpResponse<String> scrape =
        client.send(
            HttpRequest.newBuilder(target.base().resolve("metrics")).GET().build(),
            HttpResponse.BodyHandlers.ofString(UTF_8));
    assertThat(scrape.statusCode()).as(scrape.body()).isEqualTo(200);
    return PromText.parse(scrape.body());
  }

  private static double requestsCounted(PromText metrics) {
    return metrics.named("lmgate_requests_total").stream()
        .mapToDouble(PromText.Sample::value)
        .sum();
  }

  @Test
  void aKeyNotOnTheListIsRefusedWithTheExactBodyAndNeverForwarded() throws Exception {
    int before = upstream.received().size();
    for (String[] header :
        new String[][] {
          {"Authorization", "Bearer sk-proj-not-on-the-list"},
          {"x-api-key", "sk-ant-not-on-the-list"},
          {"X-Nothing", "no key at all"},
        }) {
      HttpResponse<String> response =
          client.send(
              post("openai/v1/chat/completions", header[0], header[1]),
              HttpResponse.BodyHandlers.ofString(UTF_8));
      assertThat(response.statusCode()).isEqualTo(403);
      assertThat(response.headers().firstValue("Content-Type").orElse(""))
          .startsWith("application/json");
      assertThat(response.body())
          .isEqualTo("{\"error\":\"forbidden\",\"message\":\"API key not authorized\"}");
    }
    assertThat(upstream.received()).hasSize(before);
    Thread.sleep(1200); // longer than the flush interval
    assertThat(newRecords()).isEmpty();
  }

  /**
   * A refusal leaves the request body unread, so over HTTP/1.1 it says {@code Connection: close}:
   * the client's next request then opens a connection instead of racing the container's close.
   */
  @Test
  void aRefusalWithAnUnreadBodyClosesItsHttp11Connection() throws Exception {
    HttpClient http11 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpResponse<String> withBody =
        http11.send(
            post("openai/v1/chat/completions", "x-api-key", "sk-ant-not-on-the-list"),
            HttpResponse.BodyHandlers.ofString(UTF_8));
    assertThat(withBody.statusCode()).isEqualTo(403);
    assertThat(withBody.headers().allValues("Connection")).containsExactly("close");
    HttpResponse<String> withoutBody =
        http11.send(
            HttpRequest.newBuilder(target.base().resolve("openai/v1/models"))
                .header("x-api-key", "sk-ant-not-on-the-list")
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString(UTF_8));
    assertThat(withoutBody.statusCode()).isEqualTo(403);
    assertThat(withoutBody.headers().allValues("Connection")).doesNotContain("close");
  }

  @Test
  void pathsOutsideEveryRouteAreAnsweredByLMGateAndNotRecorded() throws Exception {
    int before = upstream.received().size();
    HttpResponse<String> notFound =
        client.send(
            HttpRequest.newBuilder(target.base().resolve("nowhere/v1/models")).GET().build(),
            HttpResponse.BodyHandlers.ofString(UTF_8));
    assertThat(notFound.statusCode()).isEqualTo(404);
    assertThat(notFound.body()).startsWith("{\"error\":\"not_found\",\"message\":\"");
    HttpResponse<String> escape =
        client.send(
            HttpRequest.newBuilder(target.base().resolve("openai/%2e%2e/anthropic/v1/messages"))
                .header("x-api-key", KEY)
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString(UTF_8));
    assertThat(escape.statusCode()).isEqualTo(400);
    assertThat(upstream.received()).hasSize(before);
    Thread.sleep(1200); // longer than the flush interval
    assertThat(newRecords()).isEmpty();
  }

  /** Five events 300 ms apart reach the client as they are sent (generous margins). */
  @Test
  void eventsAreNotBuffered() throws Exception {
    long[] sentAt = new long[5];
    upstream.script(
        (request, socket, out) -> {
          RawUpstream.chunkedHead(out, 200, "text/event-stream");
          for (int i = 0; i < 5; i++) {
            sentAt[i] = System.nanoTime();
            RawUpstream.chunk(out, "data: {\"n\":" + i + "}\n\n");
            Thread.sleep(300);
          }
          RawUpstream.lastChunk(out);
        });
    HttpResponse<InputStream> response =
        client.send(
            post("openai/v1/chat/completions", "Authorization", "Bearer " + KEY),
            HttpResponse.BodyHandlers.ofInputStream());
    List<Long> arrivals = new ArrayList<>();
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(response.body(), UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.startsWith("data: ")) {
          arrivals.add(System.nanoTime());
        }
      }
    }
    assertThat(arrivals).hasSize(5);
    assertThat(sentAt[4] - arrivals.get(0)).isGreaterThan(600_000_000L);
    for (int i = 0; i < 5; i++) {
      assertThat(arrivals.get(i) - sentAt[i]).as("event %d", i).isLessThan(250_000_000L);
    }
    assertThat(awaitOnlyRecord().get("status").asInt()).isEqualTo(200);
  }

  /** A client that goes away mid-stream: the upstream is let go at once, the record says so. */
  @Test
  void aClientDisconnectClosesTheUpstreamAndIsRecorded() throws Exception {
    upstream.connectionEnds.clear();
    upstream.script(
        (request, socket, out) -> {
          RawUpstream.chunkedHead(out, 200, "text/event-stream");
          RawUpstream.chunk(
              out,
              "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":"
                  + "\"claude-sonnet-4-5\",\"usage\":{\"input_tokens\":77,\"output_tokens\":1}}}\n\n");
          for (int i = 0; i < 100; i++) {
            Thread.sleep(200);
            RawUpstream.chunk(out, "event: ping\ndata: {\"type\": \"ping\"}\n\n");
          }
          RawUpstream.lastChunk(out);
        });
    HttpResponse<InputStream> response =
        client.send(
            post("anthropic/v1/messages", "x-api-key", KEY),
            HttpResponse.BodyHandlers.ofInputStream());
    InputStream body = response.body();
    assertThat(body.read(new byte[64])).isPositive();
    long abortedAt = System.nanoTime();
    body.close();

    Long closedAt = upstream.connectionEnds.poll(10, TimeUnit.SECONDS);
    assertThat(closedAt).as("upstream connection closed").isNotNull();
    assertThat(Duration.ofNanos(closedAt - abortedAt)).isLessThan(Duration.ofSeconds(2));
    JsonNode record = awaitOnlyRecord();
    assertThat(record.get("error_type").asText()).isEqualTo("client_disconnected");
    assertThat(record.get("input_tokens").asLong()).isEqualTo(77);
  }

  /**
   * A client that gives up while the upstream is still thinking (its head 5 s away), over HTTP/1.1:
   * a socket closed, or the JDK client's request cancelled. The upstream request is aborted at once
   * (the upstream sees its connection close, test bound 3 s) and the record says 499 {@code
   * client_disconnected} without tokens — not the 200 nobody received.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"socket closed", "JDK client cancelled"})
  void aClientThatLeavesBeforeTheResponseHeadAbortsTheUpstream(String how) throws Exception {
    byte[] answer = fixture("anthropic/messages-nonstream.json");
    CountDownLatch thinking = new CountDownLatch(1);
    upstream.connectionEnds.clear();
    upstream.script(
        (request, socket, out) -> {
          thinking.countDown();
          socket.setSoTimeout(100);
          for (int i = 0; i < 50; i++) { // 5 s to the head, unless let go
            try {
              if (socket.getInputStream().read() < 0) {
                return;
              }
            } catch (SocketTimeoutException stillThere) {
              // keep thinking
            }
          }
          RawUpstream.fixedResponse(
              out, 200, answer, "Content-Type", "application/json", "Connection", "close");
        });
    URI uri = target.base().resolve("anthropic/v1/messages");
    long leftAt;
    if (how.equals("socket closed")) {
      try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
        socket
            .getOutputStream()
            .write(
                ("POST "
                        + uri.getRawPath()
                        + " HTTP/1.1\r\nHost: lmgate\r\nx-api-key: "
                        + KEY
                        + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
                    .getBytes(UTF_8));
        socket.getOutputStream().flush();
        assertThat(thinking.await(10, TimeUnit.SECONDS)).as("request upstream").isTrue();
        Thread.sleep(500); // the client gives up after half a second
        leftAt = System.nanoTime();
      }
    } else {
      CompletableFuture<HttpResponse<String>> response =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .build()
              .sendAsync(
                  HttpRequest.newBuilder(uri)
                      .header("x-api-key", KEY)
                      .header("Content-Type", "application/json")
                      .POST(HttpRequest.BodyPublishers.ofString("{}"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(thinking.await(10, TimeUnit.SECONDS)).as("request upstream").isTrue();
      Thread.sleep(500);
      leftAt = System.nanoTime();
      response.cancel(true); // closes its connection (JDK 16+)
    }

    Long closedAt = upstream.connectionEnds.poll(10, TimeUnit.SECONDS);
    assertThat(closedAt).as("upstream connection closed").isNotNull();
    assertThat(Duration.ofNanos(closedAt - leftAt)).isLessThan(Duration.ofSeconds(3));
    JsonNode record = awaitOnlyRecord();
    assertThat(record.get("status").asInt()).as("record %s", record).isEqualTo(499);
    assertThat(record.get("error_type").asText()).isEqualTo("client_disconnected");
    assertThat(record.get("ttfb_ms").isNull()).isTrue();
    assertThat(record.get("input_tokens").isNull()).isTrue();
    assertThat(record.get("output_tokens").isNull()).isTrue();
  }

  /**
   * Watching an HTTP/1.1 connection while the upstream thinks reads nothing of it and sees no false
   * farewell: requests pipelined behind a slow one, and requests one after another on a kept-alive
   * connection, are all answered whole, each with its own 200 record.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"pipelined", "one after another"})
  void requestsBehindASlowOneOnTheSameConnectionAreAllAnswered(String how) throws Exception {
    byte[] answer = fixture("anthropic/messages-nonstream.json");
    upstream.script(
        (request, socket, out) -> {
          Thread.sleep(700); // thinking; the client is watched meanwhile
          RawUpstream.fixedResponse(
              out, 200, answer, "Content-Type", "application/json", "Connection", "close");
        });
    URI uri = target.base().resolve("anthropic/v1/messages");
    String request =
        "POST "
            + uri.getRawPath()
            + " HTTP/1.1\r\nHost: lmgate\r\nx-api-key: "
            + KEY
            + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
    int count = 3;
    try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
      socket.setSoTimeout(10_000);
      java.io.OutputStream out = socket.getOutputStream();
      java.io.DataInputStream in = new java.io.DataInputStream(socket.getInputStream());
      if (how.equals("pipelined")) {
        out.write(request.getBytes(UTF_8));
        out.flush();
        Thread.sleep(300); // the first is waiting for its head when the others arrive
        out.write((request + request).getBytes(UTF_8));
        out.flush();
      }
      for (int i = 0; i < count; i++) {
        if (!how.equals("pipelined")) {
          out.write(request.getBytes(UTF_8));
          out.flush();
        }
        String head = readHead(in);
        assertThat(head).startsWith("HTTP/1.1 200 ");
        assertThat(new String(readBody(head, in), UTF_8)).isEqualTo(new String(answer, UTF_8));
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    List<JsonNode> records = new ArrayList<>();
    while (records.size() < count && System.nanoTime() < deadline) {
      records.addAll(newRecords());
      Thread.sleep(50);
    }
    assertThat(records)
        .extracting(r -> r.get("status").asInt() + " " + r.get("error_type").asText())
        .containsExactly("200 null", "200 null", "200 null");
  }

  private static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed after: " + head);
      }
      head.append((char) b);
    }
    return head.toString();
  }

  /** A response body of a fixed length or chunked, as {@code head} says. */
  private static byte[] readBody(String head, java.io.DataInputStream in) throws IOException {
    String lower = head.toLowerCase(java.util.Locale.ROOT);
    java.util.regex.Matcher length =
        java.util.regex.Pattern.compile("content-length: *(\\d+)").matcher(lower);
    if (length.find()) {
      byte[] body = new byte[Integer.parseInt(length.group(1))];
      in.readFully(body);
      return body;
    }
    assertThat(lower).contains("transfer-encoding: chunked");
    java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
    while (true) {
      String size = readLine(in);
      int n = Integer.parseInt(size.split(";")[0].trim(), 16);
      if (n == 0) {
        readLine(in); // the empty line after the last chunk
        return body.toByteArray();
      }
      byte[] chunk = new byte[n];
      in.readFully(chunk);
      body.write(chunk);
      readLine(in);
    }
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new IOException("connection closed after: " + line);
      }
      if (b != '\r') {
        line.append((char) b);
      }
    }
    return line.toString();
  }

  @Test
  void aStreamedGeminiArrayIsRecordedWithItsLastCounts() throws Exception {
    byte[] body = fixture("google/gemini-stream.jsonarray");
    upstream.script(
        (request, socket, out) -> {
          RawUpstream.chunkedHead(out, 200, "application/json; charset=UTF-8");
          for (int i = 0; i < body.length; i += 211) {
            RawUpstream.chunk(out, body, i, Math.min(211, body.length - i));
          }
          RawUpstream.lastChunk(out);
        });
    HttpResponse<String> response =
        client.send(
            post(
                "gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent",
                "x-goog-api-key",
                KEY),
            HttpResponse.BodyHandlers.ofString(UTF_8));
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode expected = manifestExpectation("google/gemini-stream.jsonarray");
    JsonNode record = awaitOnlyRecord();
    assertThat(record.get("provider").asText()).isEqualTo("gemini");
    assertThat(record.get("input_tokens")).isEqualTo(expected.get("input_tokens"));
    assertThat(record.get("output_tokens")).isEqualTo(expected.get("output_tokens"));
    assertThat(record.get("stream").asBoolean()).isTrue();
  }

  /**
   * A body streamed over HTTP/2 without {@code content-length} (HTTP/2 has no {@code
   * Transfer-Encoding}) reaches the upstream whole, in every form (each container here speaks h2c;
   * one that did not would skip this).
   */
  @Test
  void anHttp2BodyWithoutALengthArrivesWhole() throws Exception {
    byte[] body = fixture("openai/chat-nonstream.json");
    upstream.script(
        (request, socket, out) -> {
          RawUpstream.chunkedHead(out, 200, "application/json");
          RawUpstream.chunk(out, body, 0, body.length);
          RawUpstream.lastChunk(out);
        });
    HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    String sent =
        "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\""
            + "y".repeat(40_000)
            + "\"}]}";
    HttpResponse<String> first = // a first GET asks to upgrade the connection to h2c
        h2.send(
            HttpRequest.newBuilder(target.base().resolve("openai/v1/models"))
                .header("Authorization", "Bearer " + KEY)
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString(UTF_8));
    awaitOnlyRecord();
    org.junit.jupiter.api.Assumptions.assumeTrue(
        first.version() == HttpClient.Version.HTTP_2, "this form does not speak h2c");
    HttpResponse<String> response =
        h2.send(
            HttpRequest.newBuilder(target.base().resolve("openai/v1/chat/completions"))
                .header("Authorization", "Bearer " + KEY)
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofInputStream(
                        () -> new java.io.ByteArrayInputStream(sent.getBytes(UTF_8))))
                .build(),
            HttpResponse.BodyHandlers.ofString(UTF_8));
    assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(response.statusCode()).isEqualTo(200);
    RawUpstream.Received received = upstream.received().get(upstream.received().size() - 1);
    assertThat(received.bodyText()).isEqualTo(sent);
    assertThat(awaitOnlyRecord().get("input_tokens").asLong()).isEqualTo(2006);
  }

  /**
   * {@code server.error_format: provider}: every answer LMGate gives itself is shaped like the
   * route's provider's errors (so official SDKs show the message), LMGate's own shape without a
   * route; the status and the usage records are as in {@code lmgate} mode.
   */
  @Test
  void providerErrorFormatShapesEveryAnswerLikeTheRoutesProvider() throws Exception {
    try (Target shaped = start(providerConfig)) {
      String noKey = "sk-proj-not-on-the-list";
      assertAnswer(
          shaped,
          "openai/v1/chat/completions",
          "Authorization",
          "Bearer " + noKey,
          403,
          "{\"error\":{\"message\":\"API key not authorized\",\"type\":\"permission_error\","
              + "\"param\":null,\"code\":\"forbidden\"}}");
      assertAnswer(
          shaped,
          "anthropic/v1/messages",
          "x-api-key",
          noKey,
          403,
          "{\"type\":\"error\",\"error\":{\"type\":\"permission_error\","
              + "\"message\":\"API key not authorized\"}}");
      assertAnswer(
          shaped,
          "gemini/v1beta/models/gemini-2.5-flash:generateContent",
          "x-goog-api-key",
          noKey,
          403,
          "{\"error\":{\"code\":403,\"message\":\"API key not authorized\","
              + "\"status\":\"PERMISSION_DENIED\",\"details\":[{\"@type\":"
              + "\"type.googleapis.com/google.rpc.ErrorInfo\",\"reason\":\"FORBIDDEN\","
              + "\"domain\":\"lmgate\"}]}}");
      assertAnswer(
          shaped,
          "dead/v1/chat/completions",
          "Authorization",
          "Bearer " + KEY,
          502,
          "{\"error\":{\"message\":\"Upstream provider could not be reached\","
              + "\"type\":\"server_error\",\"param\":null,\"code\":\"upstream_unreachable\"}}");
      HttpResponse<String> notFound =
          client.send(
              HttpRequest.newBuilder(shaped.base().resolve("nowhere/v1/models")).GET().build(),
              HttpResponse.BodyHandlers.ofString(UTF_8));
      assertThat(notFound.statusCode()).isEqualTo(404);
      assertThat(notFound.body()).startsWith("{\"error\":\"not_found\",\"message\":\"");
    }
  }

  // --- helpers ---

  private void assertAnswer(
      Target shaped, String path, String header, String value, int status, String body)
      throws Exception {
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(shaped.base().resolve(path))
                .header(header, value)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString(UTF_8));
    assertThat(response.statusCode()).as(path).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type").orElse(""))
        .startsWith("application/json");
    assertThat(response.body()).as(path).isEqualTo(body);
  }

  /** A loopback port nothing listens on: connections to it are refused. */
  private static int closedPort() throws IOException {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private HttpRequest post(String path, String header, String value) {
    return HttpRequest.newBuilder(target.base().resolve(path))
        .header(header, value)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"stream\":true}"))
        .build();
  }

  @Override
  public URI base() {
    return target.base();
  }

  @Override
  public RawUpstream upstream() {
    return upstream;
  }

  @Override
  public HttpClient client() {
    return client;
  }

  @Override
  public List<JsonNode> newRecords() {
    target.flushRecords();
    List<JsonNode> fresh = new ArrayList<>();
    try {
      if (!Files.exists(stats)) {
        return fresh;
      }
      List<String> lines = Files.readAllLines(stats);
      for (String line : lines.subList(recordsRead, lines.size())) {
        fresh.add(JSON.readTree(line));
      }
      recordsRead = lines.size();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return fresh;
  }

  @Override
  public JsonNode awaitOnlyRecord() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      List<JsonNode> records = newRecords();
      if (!records.isEmpty()) {
        assertThat(records).hasSize(1);
        return records.get(0);
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no usage record within 10 s");
  }

  private static byte[] fixture(String name) throws IOException {
    try (InputStream in = GatewayContract.class.getResourceAsStream("/fixtures/" + name)) {
      return in.readAllBytes();
    }
  }

  private static JsonNode manifestExpectation(String file) throws IOException {
    try (InputStream in = GatewayContract.class.getResourceAsStream("/fixtures/manifest.json")) {
      for (JsonNode entry : JSON.readTree(in)) {
        if (entry.get("file").asText().equals(file)) {
          return entry.get("expect");
        }
      }
    }
    throw new IllegalArgumentException("no fixture " + file);
  }
}

package ai.numio.lmgate.jetty;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.numio.lmgate.testing.RawUpstream;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Upstream and client faults: the client gets the right answer, the record the right class. */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"servlet", "lean"})
class GatewayFaultsTest {

  @Parameter String engine;

  private static final String ANTHROPIC_START =
      "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\","
          + "\"model\":\"claude-sonnet-4-5\",\"usage\":{\"input_tokens\":812,"
          + "\"cache_read_input_tokens\":128,\"output_tokens\":1}}}\n\n";

  @TempDir Path dir;
  private RawUpstream upstream;
  private Gateway gateway;
  private final HttpClient client = HttpClient.newHttpClient();

  @AfterEach
  void tearDown() throws IOException {
    if (gateway != null) {
      gateway.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  private HttpRequest messages() {
    return HttpRequest.newBuilder(gateway.uri("/anthropic/v1/messages"))
        .header("x-api-key", Gateway.ALPHA_KEY)
        .POST(HttpRequest.BodyPublishers.ofString("{\"stream\":true}"))
        .build();
  }

  @Test
  void upstreamDownIs502UpstreamUnreachable() throws Exception {
    URI closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }
    gateway = Gateway.on(engine).start(dir, closedPort);
    HttpResponse<String> response = client.send(messages(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.body())
        .isEqualTo(
            "{\"error\":\"upstream_unreachable\",\"message\":\"Upstream provider could not be"
                + " reached\"}");
    JsonNode record = gateway.awaitOnlyRecord();
    assertThat(record.get("status").asInt()).isEqualTo(502);
    assertThat(record.get("error_type").asText()).isEqualTo("upstream_unreachable");
    assertThat(record.get("ttfb_ms").isNull()).isTrue();
  }

  @Test
  void noFirstByteInTimeIs504UpstreamTimeout() throws Exception {
    upstream = new RawUpstream((request, socket, out) -> Thread.sleep(4000));
    gateway =
        Gateway.on(engine)
            .start(dir, upstream.uri(), Map.of("LMGATE_UPSTREAM__IDLE_TIMEOUT_SECONDS", "1"));
    HttpResponse<String> response = client.send(messages(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(504);
    assertThat(response.body())
        .isEqualTo(
            "{\"error\":\"upstream_timeout\",\"message\":\"Upstream provider did not answer in"
                + " time\"}");
    JsonNode record = gateway.awaitOnlyRecord();
    assertThat(record.get("status").asInt()).isEqualTo(504);
    assertThat(record.get("error_type").asText()).isEqualTo("upstream_timeout");
    assertThat(record.get("ttfb_ms").isNull()).isTrue();
    assertThat(record.get("input_tokens").isNull()).isTrue();
    assertThat(record.get("duration_ms").asLong()).isBetween(900L, 3900L);
  }

  @Test
  void anUpstreamSilentMidStreamIsCutAsUpstreamTimeout() throws Exception {
    upstream =
        new RawUpstream(
            (request, socket, out) -> {
              RawUpstream.chunkedHead(out, 200, "text/event-stream");
              RawUpstream.chunk(out, ANTHROPIC_START);
              Thread.sleep(4000); // longer than the idle timeout
              RawUpstream.lastChunk(out);
            });
    gateway =
        Gateway.on(engine)
            .start(dir, upstream.uri(), Map.of("LMGATE_UPSTREAM__IDLE_TIMEOUT_SECONDS", "1"));
    HttpResponse<InputStream> response =
        client.send(messages(), HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThatThrownBy(() -> response.body().readAllBytes()).isInstanceOf(IOException.class);
    JsonNode record = gateway.awaitOnlyRecord();
    assertThat(record.get("status").asInt()).isEqualTo(200);
    assertThat(record.get("error_type").asText()).isEqualTo("upstream_timeout");
    assertThat(record.get("input_tokens").asLong()).isEqualTo(812);
  }

  @Test
  void resetMidStreamKeepsTheTokensSeenSoFar() throws Exception {
    upstream =
        new RawUpstream(
            (request, socket, out) -> {
              RawUpstream.chunkedHead(out, 200, "text/event-stream", "request-id", "req_reset");
              RawUpstream.chunk(out, ANTHROPIC_START);
              RawUpstream.chunk(out, "event: content_block_delta\ndata: {\"type\":\"content");
              Thread.sleep(200);
              RawUpstream.reset(socket);
            });
    gateway = Gateway.on(engine).start(dir, upstream.uri());
    HttpResponse<InputStream> response =
        client.send(messages(), HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    // the client sees the stream cut, not a clean end
    assertThatThrownBy(() -> response.body().readAllBytes()).isInstanceOf(IOException.class);
    JsonNode record = gateway.awaitOnlyRecord();
    assertThat(record.get("status").asInt()).isEqualTo(200);
    assertThat(record.get("error_type").asText()).isEqualTo("upstream_disconnected");
    assertThat(record.get("model").asText()).isEqualTo("claude-sonnet-4-5");
    assertThat(record.get("input_tokens").asLong()).isEqualTo(812);
    assertThat(record.get("output_tokens").asLong()).isEqualTo(1);
    assertThat(record.get("cache_read_tokens").asLong()).isEqualTo(128);
    assertThat(record.get("upstream_request_id").asText()).isEqualTo("req_reset");
  }

  @Test
  void clientAbortClosesTheUpstreamPromptly() throws Exception {
    upstream =
        new RawUpstream(
            (request, socket, out) -> {
              RawUpstream.chunkedHead(out, 200, "text/event-stream");
              RawUpstream.chunk(out, ANTHROPIC_START);
              for (int i = 0; i < 100; i++) { // 20 s of events unless the gateway lets go
                Thread.sleep(200);
                RawUpstream.chunk(out, "event: ping\ndata: {\"type\": \"ping\"}\n\n");
              }
              RawUpstream.lastChunk(out);
            });
    gateway = Gateway.on(engine).start(dir, upstream.uri());
    HttpResponse<InputStream> response =
        client.send(messages(), HttpResponse.BodyHandlers.ofInputStream());
    InputStream body = response.body();
    byte[] first = new byte[64];
    assertThat(body.read(first)).isPositive();
    long abortedAt = System.nanoTime();
    body.close(); // the client goes away mid-stream

    Long upstreamClosedAt = upstream.connectionEnds.poll(10, TimeUnit.SECONDS);
    assertThat(upstreamClosedAt).as("upstream connection closed").isNotNull();
    assertThat(Duration.ofNanos(upstreamClosedAt - abortedAt)).isLessThan(Duration.ofSeconds(2));
    JsonNode record = gateway.awaitOnlyRecord();
    assertThat(record.get("error_type").asText()).isEqualTo("client_disconnected");
    assertThat(record.get("status").asInt()).isEqualTo(200);
    assertThat(record.get("input_tokens").asLong()).isEqualTo(812);
  }

  /**
   * A client that gives up while the upstream is still thinking (no response head yet, 5 s to go):
   * the upstream request is aborted at once and the record says 499 {@code client_disconnected},
   * not the 200 nobody received — over HTTP/1.1 (a socket closed, the JDK client's request
   * cancelled: nothing reads such a connection, the gateway watches it) as over HTTP/2 (curl
   * killed: Jetty reads the connection and sees it close).
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {"HTTP/1.1 socket closed", "HTTP/1.1 JDK client cancelled", "HTTP/2 curl killed"})
  void aClientThatLeavesBeforeTheResponseHeadAbortsTheUpstream(String client) throws Exception {
    upstream = new RawUpstream(thinkingFor(5000, "anthropic/messages-nonstream.json"));
    gateway = Gateway.on(engine).start(dir, upstream.uri());
    long leftAt;
    switch (client) {
      case "HTTP/1.1 socket closed" -> {
        try (Socket socket = new Socket("127.0.0.1", gateway.server.port())) {
          socket
              .getOutputStream()
              .write(
                  ("POST /anthropic/v1/messages HTTP/1.1\r\nHost: gw\r\nx-api-key: "
                          + Gateway.ALPHA_KEY
                          + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
                      .getBytes(UTF_8));
          socket.getOutputStream().flush();
          awaitThinking();
          leftAt = System.nanoTime();
        }
      }
      case "HTTP/1.1 JDK client cancelled" -> {
        HttpClient http1 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        java.util.concurrent.CompletableFuture<HttpResponse<String>> response =
            http1.sendAsync(messages(), HttpResponse.BodyHandlers.ofString());
        awaitThinking();
        leftAt = System.nanoTime();
        response.cancel(true); // closes its connection (JDK 16+)
      }
      default -> {
        Process curl;
        try {
          curl =
              new ProcessBuilder(
                      "curl",
                      "-s",
                      "--http2-prior-knowledge",
                      "-d",
                      "{}",
                      "-H",
                      "x-api-key: " + Gateway.ALPHA_KEY,
                      gateway.uri("/anthropic/v1/messages").toString())
                  .start();
        } catch (IOException e) {
          org.junit.jupiter.api.Assumptions.abort("curl is not installed");
          return;
        }
        awaitThinking();
        leftAt = System.nanoTime();
        curl.destroyForcibly();
      }
    }
    Long upstreamClosedAt = upstream.connectionEnds.poll(10, TimeUnit.SECONDS);
    assertThat(upstreamClosedAt).as("upstream connection closed").isNotNull();
    assertThat(Duration.ofNanos(upstreamClosedAt - leftAt)).isLessThan(Duration.ofSeconds(3));
    assertThat(upstream.received()).hasSize(1);
    JsonNode record = gateway.awaitOnlyRecord();
    assertThat(record.get("status").asInt()).isEqualTo(499);
    assertThat(record.get("error_type").asText()).isEqualTo("client_disconnected");
    assertThat(record.get("ttfb_ms").isNull()).isTrue();
    assertThat(record.get("input_tokens").isNull()).isTrue();
    assertThat(record.get("output_tokens").isNull()).isTrue();
  }

  /**
   * Watching HTTP/1.1 connections while the upstream thinks reads nothing of them: requests
   * pipelined behind a slow one, and requests one after another on a kept-alive connection, are all
   * answered whole, each with its own 200 record.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"pipelined", "one after another"})
  void requestsBehindASlowOneOnTheSameConnectionAreAllAnswered(String how) throws Exception {
    upstream = new RawUpstream(thinkingFor(700, "anthropic/messages-nonstream.json"));
    gateway = Gateway.on(engine).start(dir, upstream.uri());
    String request =
        "POST /anthropic/v1/messages HTTP/1.1\r\nHost: gw\r\nx-api-key: "
            + Gateway.ALPHA_KEY
            + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
    int count = 3;
    byte[] body = Gateway.fixture("anthropic/messages-nonstream.json");
    try (Socket socket = new Socket("127.0.0.1", gateway.server.port())) {
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
        assertThat(head.toLowerCase(java.util.Locale.ROOT))
            .contains("content-length: " + body.length);
        byte[] received = new byte[body.length];
        in.readFully(received);
        assertThat(new String(received, UTF_8)).isEqualTo(new String(body, UTF_8));
      }
    }
    List<JsonNode> records = gateway.awaitRecords(count);
    assertThat(records).hasSize(count);
    assertThat(records)
        .allSatisfy(
            record -> {
              assertThat(record.get("status").asInt()).isEqualTo(200);
              assertThat(record.get("error_type").isNull()).isTrue();
              assertThat(record.get("input_tokens").isNull()).isFalse();
            });
    assertThat(upstream.received()).hasSize(count);
  }

  /** Returns half a second after the upstream got the request, once it is thinking. */
  private void awaitThinking() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (upstream.received().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(upstream.received()).as("request upstream").hasSize(1);
    Thread.sleep(500); // the client gives up after half a second more
  }

  /** An upstream that takes {@code millis} to answer with {@code fixture}, or less if let go. */
  static RawUpstream.Script thinkingFor(long millis, String fixture) {
    return (request, socket, out) -> {
      // a slow first token; the upstream notices when the gateway lets go of it
      socket.setSoTimeout(100);
      for (long i = 0; i < millis / 100; i++) {
        try {
          if (socket.getInputStream().read() < 0) {
            return;
          }
        } catch (SocketTimeoutException stillThere) {
          // keep thinking
        }
      }
      RawUpstream.fixedResponse(
          out,
          200,
          Gateway.fixture(fixture),
          "Content-Type",
          "application/json",
          "Connection",
          "close"); // one request per upstream connection
    };
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

  /**
   * The upstream accepts the connection and takes the request, but no response head ever comes: the
   * client gets 502 {@code upstream_disconnected} (SPEC-2 §17: the upstream got the request and may
   * have billed it, unlike a refused connection); the WAR classifies alike.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "closes without answering",
        "resets without answering",
        "sends half a response head",
        "sends garbage",
        "sends a bad status line"
      })
  void anUpstreamThatGotTheRequestButGaveNoResponseHeadIs502UpstreamDisconnected(String fault)
      throws Exception {
    upstream =
        new RawUpstream(
            (request, socket, out) -> {
              switch (fault) {
                case "closes without answering" -> {}
                case "resets without answering" -> RawUpstream.reset(socket);
                case "sends half a response head" ->
                    out.write(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n".getBytes(UTF_8));
                case "sends garbage" -> out.write("SSH-2.0-OpenSSH_9.6\r\n\r\n".getBytes(UTF_8));
                case "sends a bad status line" ->
                    out.write("HTTP/1.1 2OO OK\r\nContent-Length: 2\r\n\r\n{}".getBytes(UTF_8));
                default -> throw new IllegalArgumentException(fault);
              }
            });
    gateway = Gateway.on(engine).start(dir, upstream.uri());
    HttpResponse<String> response = client.send(messages(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.body())
        .isEqualTo(
            "{\"error\":\"upstream_disconnected\",\"message\":\"Upstream provider closed the"
                + " connection\"}");
    assertThat(upstream.received()).hasSize(1); // it did reach the upstream: it may have billed it
    JsonNode record = gateway.awaitOnlyRecord();
    assertThat(record.get("status").asInt()).isEqualTo(502);
    assertThat(record.get("error_type").asText()).isEqualTo("upstream_disconnected");
    assertThat(record.get("ttfb_ms").isNull()).isTrue();
    assertThat(record.get("input_tokens").isNull()).isTrue();
  }

  /** A connect that hangs (the upstream's accept queue is full) ends at the connect timeout. */
  @Test
  void aConnectTimeoutIs502UpstreamUnreachable() throws Exception {
    try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        BacklogFiller filler = new BacklogFiller(full.getLocalPort())) {
      gateway =
          Gateway.on(engine).start(dir, URI.create("http://127.0.0.1:" + full.getLocalPort()));
      HttpResponse<String> response = client.send(messages(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(502);
      assertThat(response.body()).startsWith("{\"error\":\"upstream_unreachable\"");
      JsonNode record = gateway.awaitOnlyRecord();
      assertThat(record.get("status").asInt()).isEqualTo(502);
      assertThat(record.get("error_type").asText()).isEqualTo("upstream_unreachable");
      // connect_timeout_seconds is 2 in the test gateway
      assertThat(record.get("duration_ms").asLong()).isBetween(1900L, 6000L);
    }
  }

  /**
   * An upstream that trickles a stream — a few bytes every 100 ms, 3 s in all, three times the idle
   * timeout — is never cut: the idle timeout counts silence, not the length of the response.
   */
  @Test
  void aTricklingUpstreamIsNotCutWhileBytesKeepComing() throws Exception {
    byte[] body = Gateway.fixture("anthropic/messages-stream.sse");
    upstream =
        new RawUpstream(
            (request, socket, out) -> {
              RawUpstream.chunkedHead(out, 200, "text/event-stream");
              for (int i = 0; i < body.length; i += 60) {
                RawUpstream.chunk(out, body, i, Math.min(60, body.length - i));
                Thread.sleep(100);
              }
              RawUpstream.lastChunk(out);
            });
    gateway =
        Gateway.on(engine)
            .start(dir, upstream.uri(), Map.of("LMGATE_UPSTREAM__IDLE_TIMEOUT_SECONDS", "1"));
    HttpResponse<String> response = client.send(messages(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(new String(body, UTF_8));
    JsonNode record = gateway.awaitOnlyRecord();
    assertThat(record.get("error_type").isNull()).isTrue();
    assertThat(record.get("status").asInt()).isEqualTo(200);
    assertThat(record.get("model").asText()).isEqualTo("claude-sonnet-4-5-20250929");
    assertThat(record.get("input_tokens").asLong()).isEqualTo(312);
    assertThat(record.get("output_tokens").asLong()).isEqualTo(587);
    assertThat(record.get("cache_read_tokens").asLong()).isEqualTo(9154);
    assertThat(record.get("cache_write_tokens").asLong()).isEqualTo(2207);
    assertThat(record.get("duration_ms").asLong()).isGreaterThan(2500L);
  }

  @Test
  void brokenChunkedEncodingIsUpstreamDisconnected() throws Exception {
    upstream =
        new RawUpstream(
            (request, socket, out) -> {
              RawUpstream.chunkedHead(out, 200, "text/event-stream");
              RawUpstream.chunk(out, ANTHROPIC_START);
              out.write("zz-not-hex\r\nxx\r\n".getBytes(UTF_8));
              out.flush();
            });
    gateway = Gateway.on(engine).start(dir, upstream.uri());
    HttpResponse<InputStream> response =
        client.send(messages(), HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThatThrownBy(() -> response.body().readAllBytes()).isInstanceOf(IOException.class);
    JsonNode record = gateway.awaitOnlyRecord();
    assertThat(record.get("status").asInt()).isEqualTo(200);
    assertThat(record.get("error_type").asText()).isEqualTo("upstream_disconnected");
    assertThat(record.get("input_tokens").asLong()).isEqualTo(812);
  }

  // --- client faults (a client that goes away mid-stream: clientAbortClosesTheUpstreamPromptly)
  // ---

  /**
   * A request body with a broken chunked coding, sent with an allowed key: the client gets 400
   * JSON, the upstream never gets a whole request, and the record names the client's failure with
   * the status the client was answered.
   */
  @ParameterizedTest(name = "chunk size {0}")
  @ValueSource(strings = {"zz", "-2", "fffffffffffffffff2", "5 (2 bytes sent)"})
  void aMalformedRequestBodyIs400AndTheClientsFailure(String size) throws Exception {
    upstream =
        new RawUpstream((request, socket, out) -> RawUpstream.fixedResponse(out, 200, new byte[0]));
    gateway = Gateway.on(engine).start(dir, upstream.uri());
    String response =
        gateway.raw(
            "POST /openai/v1/chat/completions HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer "
                + Gateway.ALPHA_KEY
                + "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + size.split(" ")[0]
                + "\r\n{}\r\n0\r\n\r\n");
    assertThat(response).startsWith("HTTP/1.1 400 ");
    assertThat(response)
        .endsWith(
            "\r\n\r\n{\"error\":\"bad_request\",\"message\":\"Request body is malformed (chunked"
                + " encoding or length)\"}");
    JsonNode record = gateway.awaitOnlyRecord();
    assertThat(record.get("status").asInt()).isEqualTo(400);
    assertThat(record.get("error_type").asText()).isEqualTo("client_disconnected");
    assertThat(record.get("ttfb_ms").isNull()).isTrue();
    assertThat(upstream.received()).isEmpty();
  }

  /** A client that stops its upload half-way (and half-closes): recorded as gone, never whole. */
  @Test
  void aClientThatAbandonsItsUploadIsRecordedAsGone() throws Exception {
    upstream =
        new RawUpstream((request, socket, out) -> RawUpstream.fixedResponse(out, 200, new byte[0]));
    gateway = Gateway.on(engine).start(dir, upstream.uri());
    try (Socket socket = new Socket("127.0.0.1", gateway.server.port())) {
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              ("POST /openai/v1/chat/completions HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer "
                      + Gateway.ALPHA_KEY
                      + "\r\nContent-Length: 100\r\n\r\n{\"model\":")
                  .getBytes(UTF_8));
      Thread.sleep(200); // the gateway has begun forwarding the body
      socket.shutdownOutput();
      String response = new String(socket.getInputStream().readAllBytes(), UTF_8);
      assertThat(response).startsWith("HTTP/1.1 400 ");
    }
    JsonNode record = gateway.awaitOnlyRecord();
    assertThat(record.get("status").asInt()).isEqualTo(400);
    assertThat(record.get("error_type").asText()).isEqualTo("client_disconnected");
    // the upstream saw at most the 10 bytes sent, then the connection closed: never a whole body
    assertThat(upstream.received()).allSatisfy(r -> assertThat(r.body().length).isLessThan(100));
  }

  /**
   * Clients that send half a request head and stall (slowloris) hold a connection each, not a
   * thread: other clients are served at once meanwhile.
   */
  @Test
  void stalledRequestHeadsDoNotHoldUpOtherClients() throws Exception {
    upstream =
        new RawUpstream(
            (request, socket, out) ->
                RawUpstream.fixedResponse(
                    out,
                    200,
                    "{\"usage\":{\"input_tokens\":5}}".getBytes(UTF_8),
                    "Content-Type",
                    "application/json"));
    gateway = Gateway.on(engine).start(dir, upstream.uri());
    List<Socket> stalled = new ArrayList<>();
    try {
      for (int i = 0; i < 200; i++) {
        Socket socket = new Socket("127.0.0.1", gateway.server.port());
        socket
            .getOutputStream()
            .write(
                "POST /openai/v1/chat/completions HTTP/1.1\r\nHost: gw\r\nAuthori".getBytes(UTF_8));
        stalled.add(socket);
      }
      long start = System.nanoTime();
      HttpResponse<String> response = client.send(messages(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
      for (Socket socket : stalled) { // none was answered or closed
        socket.setSoTimeout(1);
        assertThatThrownBy(() -> socket.getInputStream().read())
            .isInstanceOf(SocketTimeoutException.class);
      }
    } finally {
      for (Socket socket : stalled) {
        socket.close();
      }
    }
    assertThat(gateway.awaitOnlyRecord().get("input_tokens").asLong()).isEqualTo(5);
    assertThat(upstream.received()).hasSize(1);
  }

  /**
   * A stalled request head is closed at {@code server.idle_timeout_seconds} (here 1 s), with no
   * response.
   */
  @Test
  void aStalledRequestHeadIsClosedAtTheServerIdleTimeout() throws Exception {
    upstream =
        new RawUpstream((request, socket, out) -> RawUpstream.fixedResponse(out, 200, new byte[0]));
    gateway =
        Gateway.on(engine)
            .start(dir, upstream.uri(), Map.of("LMGATE_SERVER__IDLE_TIMEOUT_SECONDS", "1"));
    try (Socket socket = new Socket("127.0.0.1", gateway.server.port())) {
      socket.setSoTimeout(20_000);
      long start = System.nanoTime();
      socket
          .getOutputStream()
          .write(
              "POST /openai/v1/chat/completions HTTP/1.1\r\nHost: gw\r\nAuthori".getBytes(UTF_8));
      assertThat(socket.getInputStream().read()).isEqualTo(-1);
      Duration closedAfter = Duration.ofNanos(System.nanoTime() - start);
      assertThat(closedAfter).isBetween(Duration.ofMillis(900), Duration.ofSeconds(15));
    }
    assertThat(upstream.received()).isEmpty();
    assertThat(gateway.records()).isEmpty();
  }

  /**
   * An upstream silent for longer than {@code server.idle_timeout_seconds} (here 1 s) — before its
   * response head, then mid-stream — but within {@code upstream.idle_timeout_seconds} is not cut:
   * long generations may pause for minutes, and the server's idle timeout is for idle clients.
   */
  @Test
  void anUpstreamPausingLongerThanTheServerIdleTimeoutIsNotCut() throws Exception {
    upstream =
        new RawUpstream(
            (request, socket, out) -> {
              Thread.sleep(2500); // thinking, before the head
              RawUpstream.chunkedHead(out, 200, "text/event-stream");
              RawUpstream.chunk(out, ANTHROPIC_START);
              Thread.sleep(2500); // and mid-stream
              RawUpstream.chunk(
                  out,
                  "event: message_delta\ndata: {\"type\":\"message_delta\",\"usage\":"
                      + "{\"output_tokens\":42}}\n\n");
              RawUpstream.lastChunk(out);
            });
    gateway =
        Gateway.on(engine)
            .start(
                dir,
                upstream.uri(),
                Map.of(
                    "LMGATE_SERVER__IDLE_TIMEOUT_SECONDS", "1",
                    "LMGATE_UPSTREAM__IDLE_TIMEOUT_SECONDS", "20"));
    HttpResponse<String> response = client.send(messages(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).endsWith("{\"output_tokens\":42}}\n\n");
    JsonNode record = gateway.awaitOnlyRecord();
    assertThat(record.get("error_type").isNull()).isTrue();
    assertThat(record.get("output_tokens").asLong()).isEqualTo(42);
    assertThat(record.get("duration_ms").asLong()).isGreaterThanOrEqualTo(5_000L);
  }

  /**
   * Fills a listening socket's accept queue (nobody accepts), so that the next connection attempt
   * hangs instead of being refused: Linux drops the SYN of a connection the queue cannot hold.
   */
  private static final class BacklogFiller implements AutoCloseable {
    private final List<Socket> sockets = new ArrayList<>();

    BacklogFiller(int port) throws IOException {
      for (int i = 0; i < 16; i++) {
        Socket socket = new Socket();
        try {
          socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 300);
          sockets.add(socket);
        } catch (SocketTimeoutException e) {
          socket.close();
          return; // the queue is full
        }
      }
      throw new IllegalStateException("accept queue of port " + port + " never filled");
    }

    @Override
    public void close() throws IOException {
      for (Socket socket : sockets) {
        socket.close();
      }
    }
  }
}

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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Upstream and client faults: the client gets the right answer, the record the right class. */
class GatewayFaultsTest {

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
    gateway = Gateway.start(dir, closedPort);
    HttpResponse<String> response = client.send(messages(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.body())
        .isEqualTo(
            "{\"error\":\"upstream_unreachable\",\"message\":\"Upstream provider could not be"
                + " reached\"}");
    JsonNode record = gateway.onlyRecord();
    assertThat(record.get("status").asInt()).isEqualTo(502);
    assertThat(record.get("error_type").asText()).isEqualTo("upstream_unreachable");
    assertThat(record.get("ttfb_ms").isNull()).isTrue();
  }

  @Test
  void noFirstByteInTimeIs504UpstreamTimeout() throws Exception {
    upstream = new RawUpstream((request, socket, out) -> Thread.sleep(4000));
    gateway =
        Gateway.start(dir, upstream.uri(), Map.of("LMGATE_UPSTREAM__IDLE_TIMEOUT_SECONDS", "1"));
    HttpResponse<String> response = client.send(messages(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(504);
    assertThat(response.body()).startsWith("{\"error\":\"upstream_timeout\"");
    JsonNode record = gateway.onlyRecord();
    assertThat(record.get("status").asInt()).isEqualTo(504);
    assertThat(record.get("error_type").asText()).isEqualTo("upstream_timeout");
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
        Gateway.start(dir, upstream.uri(), Map.of("LMGATE_UPSTREAM__IDLE_TIMEOUT_SECONDS", "1"));
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
    gateway = Gateway.start(dir, upstream.uri());
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
    gateway = Gateway.start(dir, upstream.uri());
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

  @Test
  void garbageFromTheUpstreamIs502() throws Exception {
    upstream =
        new RawUpstream(
            (request, socket, out) -> {
              out.write("SSH-2.0-OpenSSH_9.6\r\n\r\n".getBytes(UTF_8));
              out.flush();
            });
    gateway = Gateway.start(dir, upstream.uri());
    HttpResponse<String> response = client.send(messages(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(502);
    JsonNode record = gateway.onlyRecord();
    assertThat(record.get("status").asInt()).isEqualTo(502);
    assertThat(record.get("error_type").asText())
        .isIn("upstream_unreachable", "upstream_disconnected");
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
    gateway = Gateway.start(dir, upstream.uri());
    HttpResponse<InputStream> response =
        client.send(messages(), HttpResponse.BodyHandlers.ofInputStream());
    assertThatThrownBy(() -> response.body().readAllBytes()).isInstanceOf(IOException.class);
    JsonNode record = gateway.awaitOnlyRecord();
    assertThat(record.get("error_type").asText()).isEqualTo("upstream_disconnected");
    assertThat(record.get("input_tokens").asLong()).isEqualTo(812);
  }
}

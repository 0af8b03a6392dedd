package ai.numio.lmgate.forward;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.numio.lmgate.Failure;
import ai.numio.lmgate.testing.RawUpstream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
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

/**
 * Streams and faults through ForwardingServlet in embedded Tomcat: unbuffered events, the JSON
 * answers to an unreachable or slow upstream, and cuts passed on in both directions.
 */
class ForwardingFaultsTest {

  private static final String START =
      "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\","
          + "\"model\":\"claude-sonnet-4-5\",\"usage\":{\"input_tokens\":812,"
          + "\"output_tokens\":1}}}\n\n";

  @TempDir Path dir;
  private RawUpstream upstream;
  private ForwardingTomcat tomcat;
  private final HttpClient client = HttpClient.newHttpClient();

  @AfterEach
  void tearDown() throws Exception {
    if (tomcat != null) {
      tomcat.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  private HttpRequest messages() {
    return HttpRequest.newBuilder(tomcat.uri("/anthropic/v1/messages"))
        .header("x-api-key", "sk-ant-api03-test")
        .POST(HttpRequest.BodyPublishers.ofString("{\"stream\":true}"))
        .build();
  }

  @Test
  void upstreamDownIs502UpstreamUnreachable() throws Exception {
    URI closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }
    tomcat = ForwardingTomcat.start(dir, closedPort);

    HttpResponse<String> response = client.send(messages(), HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(response.body())
        .isEqualTo(
            "{\"error\":\"upstream_unreachable\",\"message\":\"Upstream provider could not be"
                + " reached\"}");
    OutcomeProbe.Outcome outcome = tomcat.probe.next();
    assertThat(outcome.status()).isEqualTo(502);
    assertThat(outcome.failure()).isEqualTo(Failure.UPSTREAM_UNREACHABLE);
    assertThat(outcome.thrown()).isNull();
  }

  @Test
  void noResponseHeadWithinTheIdleTimeoutIs504() throws Exception {
    upstream = new RawUpstream((request, socket, out) -> Thread.sleep(4000));
    tomcat =
        ForwardingTomcat.start(
            dir, upstream.uri(), Map.of("LMGATE_UPSTREAM__IDLE_TIMEOUT_SECONDS", "1"));

    long start = System.nanoTime();
    HttpResponse<String> response = client.send(messages(), HttpResponse.BodyHandlers.ofString());
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(response.statusCode()).isEqualTo(504);
    assertThat(response.body())
        .isEqualTo(
            "{\"error\":\"upstream_timeout\",\"message\":\"Upstream provider did not answer in"
                + " time\"}");
    assertThat(took).isBetween(Duration.ofMillis(900), Duration.ofMillis(3900));
    assertThat(tomcat.probe.next().failure()).isEqualTo(Failure.UPSTREAM_TIMEOUT);
  }

  /**
   * The upstream sends five events 300 ms apart; each must reach the client as it is sent, not when
   * the stream ends. Margins are generous: only gross buffering can fail this.
   */
  @Test
  void eventsReachTheClientAsTheyAreSent() throws Exception {
    long[] sentAt = new long[5];
    upstream =
        new RawUpstream(
            (request, socket, out) -> {
              RawUpstream.chunkedHead(out, 200, "text/event-stream");
              for (int i = 0; i < 5; i++) {
                sentAt[i] = System.nanoTime();
                RawUpstream.chunk(out, "data: {\"n\":" + i + "}\n\n");
                Thread.sleep(300);
              }
              RawUpstream.lastChunk(out);
            });
    tomcat = ForwardingTomcat.start(dir, upstream.uri());

    HttpResponse<InputStream> response =
        client.send(messages(), HttpResponse.BodyHandlers.ofInputStream());
    List<Long> arrivals = new ArrayList<>();
    List<String> events = new ArrayList<>();
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(response.body(), UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.startsWith("data: ")) {
          arrivals.add(System.nanoTime());
          events.add(line);
        }
      }
    }

    assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream");
    assertThat(events)
        .containsExactly(
            "data: {\"n\":0}",
            "data: {\"n\":1}",
            "data: {\"n\":2}",
            "data: {\"n\":3}",
            "data: {\"n\":4}");
    // the first event is at the client long before the last one is even sent
    assertThat(sentAt[4] - arrivals.get(0)).isGreaterThan(600_000_000L);
    for (int i = 0; i < 5; i++) {
      assertThat(arrivals.get(i) - sentAt[i]).as("event %d delay", i).isLessThan(250_000_000L);
    }
    OutcomeProbe.Outcome outcome = tomcat.probe.next();
    assertThat(outcome.status()).isEqualTo(200);
    assertThat(outcome.failure()).isNull();
    assertThat(outcome.thrown()).isNull();
  }

  /**
   * The idle timeout is about silence: a stream longer than it, never silent that long, is fine.
   */
  @Test
  void aStreamLongerThanTheIdleTimeoutIsNotCut() throws Exception {
    upstream =
        new RawUpstream(
            (request, socket, out) -> {
              RawUpstream.chunkedHead(out, 200, "text/event-stream");
              for (int i = 0; i < 6; i++) { // 2.4 s in all, never 1 s silent
                RawUpstream.chunk(out, "data: " + i + "\n\n");
                Thread.sleep(400);
              }
              RawUpstream.lastChunk(out);
            });
    tomcat =
        ForwardingTomcat.start(
            dir, upstream.uri(), Map.of("LMGATE_UPSTREAM__IDLE_TIMEOUT_SECONDS", "1"));

    HttpResponse<String> response = client.send(messages(), HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body())
        .isEqualTo("data: 0\n\ndata: 1\n\ndata: 2\n\ndata: 3\n\ndata: 4\n\ndata: 5\n\n");
    assertThat(tomcat.probe.next().failure()).isNull();
  }

  @Test
  void anUpstreamSilentMidStreamForTheIdleTimeoutIsCut() throws Exception {
    upstream =
        new RawUpstream(
            (request, socket, out) -> {
              RawUpstream.chunkedHead(out, 200, "text/event-stream");
              RawUpstream.chunk(out, START);
              Thread.sleep(6000);
              RawUpstream.lastChunk(out);
            });
    tomcat =
        ForwardingTomcat.start(
            dir, upstream.uri(), Map.of("LMGATE_UPSTREAM__IDLE_TIMEOUT_SECONDS", "1"));

    HttpResponse<InputStream> response =
        client.send(messages(), HttpResponse.BodyHandlers.ofInputStream());
    long start = System.nanoTime();

    assertThat(response.statusCode()).isEqualTo(200);
    InputStream body = response.body();
    assertThat(new String(body.readNBytes(START.length()), UTF_8)).isEqualTo(START);
    assertThatThrownBy(body::readAllBytes).isInstanceOf(IOException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(4000));
    OutcomeProbe.Outcome outcome = tomcat.probe.next();
    assertThat(outcome.failure()).isEqualTo(Failure.UPSTREAM_TIMEOUT);
    assertThat(outcome.thrown()).isInstanceOf(UpstreamDisconnectedException.class);
    assertThat(((UpstreamDisconnectedException) outcome.thrown()).failure())
        .isEqualTo(Failure.UPSTREAM_TIMEOUT);
  }

  @Test
  void anUpstreamResetMidStreamCutsTheClientToo() throws Exception {
    upstream =
        new RawUpstream(
            (request, socket, out) -> {
              RawUpstream.chunkedHead(out, 200, "text/event-stream", "request-id", "req_1");
              RawUpstream.chunk(out, START);
              RawUpstream.chunk(out, "event: content_block_delta\ndata: {\"type\":\"content");
              Thread.sleep(200);
              RawUpstream.reset(socket);
            });
    tomcat = ForwardingTomcat.start(dir, upstream.uri());

    HttpResponse<InputStream> response =
        client.send(messages(), HttpResponse.BodyHandlers.ofInputStream());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("request-id")).hasValue("req_1");
    InputStream body = response.body();
    assertThat(new String(body.readNBytes(START.length()), UTF_8)).isEqualTo(START);
    // the client sees the stream cut, not a clean end
    assertThatThrownBy(body::readAllBytes).isInstanceOf(IOException.class);
    OutcomeProbe.Outcome outcome = tomcat.probe.next();
    assertThat(outcome.status()).isEqualTo(200);
    assertThat(outcome.failure()).isEqualTo(Failure.UPSTREAM_DISCONNECTED);
    assertThat(outcome.thrown()).isInstanceOf(UpstreamDisconnectedException.class);
  }

  @Test
  void aClientAbortClosesTheUpstreamPromptly() throws Exception {
    upstream =
        new RawUpstream(
            (request, socket, out) -> {
              RawUpstream.chunkedHead(out, 200, "text/event-stream");
              RawUpstream.chunk(out, START);
              for (int i = 0; i < 100; i++) { // 20 s of events unless the servlet lets go
                Thread.sleep(200);
                RawUpstream.chunk(out, "event: ping\ndata: {\"type\": \"ping\"}\n\n");
              }
              RawUpstream.lastChunk(out);
            });
    tomcat = ForwardingTomcat.start(dir, upstream.uri());

    HttpResponse<InputStream> response =
        client.send(messages(), HttpResponse.BodyHandlers.ofInputStream());
    InputStream body = response.body();
    assertThat(body.readNBytes(64)).hasSize(64);
    long abortedAt = System.nanoTime();
    body.close(); // the client goes away mid-stream

    Long upstreamClosedAt = upstream.connectionEnds.poll(10, TimeUnit.SECONDS);
    assertThat(upstreamClosedAt).as("upstream connection closed").isNotNull();
    assertThat(Duration.ofNanos(upstreamClosedAt - abortedAt)).isLessThan(Duration.ofSeconds(2));
    OutcomeProbe.Outcome outcome = tomcat.probe.next();
    assertThat(outcome.failure()).isEqualTo(Failure.CLIENT_DISCONNECTED);
    assertThat(outcome.thrown()).isInstanceOf(IOException.class);
  }

  /**
   * A client that leaves while the upstream is still thinking (its head 5 s away): the forwarder
   * aborts the upstream request at once, reports {@code client_disconnected} and throws Tomcat's
   * own exception for a client gone, which Tomcat does not log as an application error.
   */
  @Test
  void aClientThatLeavesBeforeTheHeadAbortsTheUpstream() throws Exception {
    java.util.concurrent.CountDownLatch thinking = new java.util.concurrent.CountDownLatch(1);
    upstream =
        new RawUpstream(
            (request, socket, out) -> {
              thinking.countDown();
              socket.setSoTimeout(100);
              for (int i = 0; i < 50; i++) {
                try {
                  if (socket.getInputStream().read() < 0) {
                    return;
                  }
                } catch (java.net.SocketTimeoutException stillThere) {
                  // keep thinking
                }
              }
              RawUpstream.fixedResponse(out, 200, "{}".getBytes(UTF_8));
            });
    tomcat = ForwardingTomcat.start(dir, upstream.uri());
    URI uri = tomcat.uri("/anthropic/v1/messages");
    long leftAt;
    try (java.net.Socket socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
      socket
          .getOutputStream()
          .write(
              ("POST /anthropic/v1/messages HTTP/1.1\r\nHost: t\r\nContent-Type: application/json"
                      + "\r\nContent-Length: 2\r\n\r\n{}")
                  .getBytes(UTF_8));
      socket.getOutputStream().flush();
      assertThat(thinking.await(10, TimeUnit.SECONDS)).isTrue();
      Thread.sleep(500);
      leftAt = System.nanoTime();
    }

    Long upstreamClosedAt = upstream.connectionEnds.poll(10, TimeUnit.SECONDS);
    assertThat(upstreamClosedAt).as("upstream connection closed").isNotNull();
    assertThat(Duration.ofNanos(upstreamClosedAt - leftAt)).isLessThan(Duration.ofSeconds(3));
    OutcomeProbe.Outcome outcome = tomcat.probe.next();
    assertThat(outcome.failure()).isEqualTo(Failure.CLIENT_DISCONNECTED);
    assertThat(outcome.thrown())
        .isInstanceOf(org.apache.catalina.connector.ClientAbortException.class)
        .hasMessage("client closed the connection before the response head");
  }

  @Test
  void garbageFromTheUpstreamIs502UpstreamDisconnected() throws Exception {
    upstream =
        new RawUpstream(
            (request, socket, out) -> {
              out.write("SSH-2.0-OpenSSH_9.6\r\n\r\n".getBytes(UTF_8));
              out.flush();
            });
    tomcat = ForwardingTomcat.start(dir, upstream.uri());

    HttpResponse<String> response = client.send(messages(), HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(502);
    // the upstream got the request (and may have billed it): not "unreachable" (SPEC-2 §17)
    assertThat(response.body()).startsWith("{\"error\":\"upstream_disconnected\"");
    assertThat(tomcat.probe.next().failure()).isEqualTo(Failure.UPSTREAM_DISCONNECTED);
  }
}

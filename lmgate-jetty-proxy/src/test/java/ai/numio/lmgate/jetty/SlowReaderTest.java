package ai.numio.lmgate.jetty;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import ai.numio.lmgate.testing.RawUpstream;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Clients that do not read (SPEC-2 §17): on the {@code lean} engine they hold no thread, and every
 * other exchange proceeds; on both engines a client that does not read holds back its upstream.
 */
class SlowReaderTest {

  private static final String JSON_BODY =
      "{\"id\":\"c1\",\"object\":\"chat.completion\",\"model\":\"gpt-4o\",\"choices\":[],"
          + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":7,\"total_tokens\":12}}";
  private static final byte[] EVENT = sseEvent(16 * 1024);

  @TempDir Path dir;
  private RawUpstream upstream;
  private Gateway gateway;
  private final List<Socket> clients = new ArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void tearDown() throws IOException {
    release.countDown();
    for (Socket socket : clients) {
      socket.close();
    }
    if (gateway != null) {
      gateway.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  /**
   * 200 clients open an SSE stream and never read it (the upstream sends each 512 KiB, then holds
   * the stream open); meanwhile 50 JSON requests are answered exactly, and the gateway's own
   * threads stay far below one per stalled stream. The servlet engine, whose writes block, holds a
   * thread per stalled stream (issue 14): this is the lean engine's property.
   */
  @Test
  void clientsThatDoNotReadHoldNoThreadAndOthersProceed() throws Exception {
    clientsThatDoNotRead("lean");
  }

  /** What {@link #clientsThatDoNotReadHoldNoThreadAndOthersProceed} measures, on an engine. */
  private void clientsThatDoNotRead(String engine) throws Exception {
    int stalled = 200;
    upstream =
        new RawUpstream(
            (request, socket, out) -> {
              if (request.requestLine().contains("/chat/completions")) {
                // this test upstream serves one request per connection: said so, so that no
                // client reuses one it is closing (the stale-connection case is issue 14's own)
                RawUpstream.fixedResponse(
                    out,
                    200,
                    JSON_BODY.getBytes(UTF_8),
                    "Content-Type",
                    "application/json",
                    "Connection",
                    "close");
                return;
              }
              RawUpstream.chunkedHead(out, 200, "text/event-stream");
              for (int sent = 0; sent < 512 * 1024; sent += EVENT.length) {
                RawUpstream.chunk(out, EVENT, 0, EVENT.length);
              }
              out.flush();
              release.await(60, TimeUnit.SECONDS);
              RawUpstream.lastChunk(out);
            });
    // a busy test machine may take seconds to accept 200 upstream connections
    // 16 KiB of send buffer per client: each stalled stream's write is pending after that much
    gateway =
        Gateway.on(engine)
            .start(
                dir,
                upstream.uri(),
                Map.of("LMGATE_UPSTREAM__CONNECT_TIMEOUT_SECONDS", "20"),
                ai.numio.lmgate.TimeSource.system(),
                builder -> builder.clientSendBuffer(16 * 1024));
    for (int i = 0; i < stalled; i++) {
      clients.add(openStream(4096));
      if ((i + 1) % 20 == 0) {
        awaitUpstreamRequests(i + 1); // in steps, not to overrun the test upstream's accept queue
      }
    }

    HttpClient client = HttpClient.newHttpClient();
    for (int i = 0; i < 50; i++) {
      HttpResponse<String> response =
          client.send(
              HttpRequest.newBuilder(gateway.uri("/openai/v1/chat/completions"))
                  .header("Authorization", "Bearer " + Gateway.ALPHA_KEY)
                  .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(response.body() + gateway.records()).isEqualTo(200);
      assertThat(response.body()).isEqualTo(JSON_BODY);
    }
    int threads = gatewayThreads();
    System.out.println(
        "gateway threads with "
            + stalled
            + " stalled streams open: "
            + threads
            + " ("
            + engine
            + ")");
    assertThat(threads).isLessThan(100);
    List<JsonNode> records = gateway.awaitRecords(50);
    assertThat(records).hasSize(50); // the stalled streams are still open
    assertThat(records).allSatisfy(r -> assertThat(r.get("output_tokens").asLong()).isEqualTo(7));
  }

  /**
   * A client that does not read holds back its upstream: the upstream's writes stall with far less
   * than the response's 96 MiB sent (what the sockets' buffers hold), then, once the client reads,
   * the whole response arrives.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"servlet", "lean"})
  void aClientThatDoesNotReadStallsItsUpstream(String engine) throws Exception {
    long total = 96L * 1024 * 1024;
    AtomicLong written = new AtomicLong();
    upstream =
        new RawUpstream(
            (request, socket, out) -> {
              RawUpstream.chunkedHead(out, 200, "text/event-stream");
              while (written.get() < total) {
                RawUpstream.chunk(out, EVENT, 0, EVENT.length);
                written.addAndGet(EVENT.length);
              }
              RawUpstream.lastChunk(out);
            });
    gateway = Gateway.on(engine).start(dir, upstream.uri());
    Socket socket = openStream(64 * 1024);
    clients.add(socket);

    long stalledAt = awaitStall(written);
    System.out.println(
        engine + ": upstream stalled after " + stalledAt / 1024 + " KiB of " + total / 1024);
    assertThat(stalledAt).isGreaterThan(0).isLessThan(total / 2);

    long received = drain(socket.getInputStream());
    assertThat(written.get()).isEqualTo(total);
    assertThat(received).isGreaterThan(total); // the events, with head and chunk framing
    JsonNode record = gateway.awaitOnlyRecord();
    assertThat(record.get("status").asInt()).isEqualTo(200);
    assertThat(record.get("error_type").isNull()).isTrue();
  }

  /**
   * A client that reads nothing for {@code server.idle_timeout_seconds} (here 1 s) is cut: its
   * pending write fails, the upstream request is aborted (its writes fail long before the
   * response's end) and the record says {@code client_disconnected}.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"servlet", "lean"})
  void aClientThatReadsNothingForTheServerIdleTimeoutIsCut(String engine) throws Exception {
    long total = 96L * 1024 * 1024;
    AtomicLong written = new AtomicLong();
    upstream =
        new RawUpstream(
            (request, socket, out) -> {
              RawUpstream.chunkedHead(out, 200, "text/event-stream");
              while (written.get() < total) {
                RawUpstream.chunk(out, EVENT, 0, EVENT.length);
                written.addAndGet(EVENT.length);
              }
              RawUpstream.lastChunk(out);
            });
    gateway =
        Gateway.on(engine)
            .start(dir, upstream.uri(), Map.of("LMGATE_SERVER__IDLE_TIMEOUT_SECONDS", "1"));
    clients.add(openStream(64 * 1024));

    JsonNode record = gateway.awaitOnlyRecord();
    assertThat(record.get("error_type").asText()).isEqualTo("client_disconnected");
    assertThat(upstream.connectionEnds.poll(10, TimeUnit.SECONDS)).isNotNull();
    assertThat(written.get()).isLessThan(total / 2);
  }

  /** A connection with a small receive window that asks for an SSE stream and reads nothing. */
  private Socket openStream(int receiveBuffer) throws IOException {
    Socket socket = new Socket();
    socket.setReceiveBufferSize(receiveBuffer);
    socket.connect(new InetSocketAddress("127.0.0.1", gateway.server.port()));
    String body = "{\"model\":\"claude\",\"stream\":true}";
    OutputStream out = socket.getOutputStream();
    out.write(
        ("POST /anthropic/v1/messages HTTP/1.1\r\nHost: gw\r\nx-api-key: "
                + Gateway.BETA_KEY
                + "\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length()
                + "\r\nConnection: close\r\n\r\n"
                + body)
            .getBytes(UTF_8));
    out.flush();
    return socket;
  }

  private void awaitUpstreamRequests(int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (upstream.received().size() < count && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(upstream.received())
        .as("requests upstream; records %s", gateway.records())
        .hasSize(count);
  }

  /** The count once it has not moved for a second (at most 60 s). */
  private static long awaitStall(AtomicLong count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    long last = -1;
    int still = 0;
    while (System.nanoTime() < deadline) {
      Thread.sleep(100);
      long now = count.get();
      still = now == last && now > 0 ? still + 1 : 0;
      last = now;
      if (still >= 10) {
        return now;
      }
    }
    throw new AssertionError("the upstream never stalled: " + count.get() + " bytes written");
  }

  private static long drain(InputStream in) throws IOException {
    byte[] buffer = new byte[64 * 1024];
    long total = 0;
    for (int n; (n = in.read(buffer)) >= 0; ) {
      total += n;
    }
    return total;
  }

  /** Threads of the gateway under test: its server pool, upstream client, watch. */
  private static int gatewayThreads() {
    int count = 0;
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (thread.isAlive() && thread.getName().startsWith("lmgate")) {
        count++;
      }
    }
    return count;
  }

  private static byte[] sseEvent(int size) {
    StringBuilder event = new StringBuilder("event: content_block_delta\ndata: {\"t\":\"");
    while (event.length() < size - 4) {
      event.append('x');
    }
    return event.append("\"}\n\n").toString().getBytes(UTF_8);
  }
}

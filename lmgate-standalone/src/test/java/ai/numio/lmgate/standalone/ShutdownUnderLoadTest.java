package ai.numio.lmgate.standalone;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import ai.numio.lmgate.standalone.ChatUpstream.Reply;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SIGTERM with 200 requests in flight (JSON and slow SSE streams, each with its own usage): the
 * gateway exits 0 within {@code server.shutdown_grace_seconds}, and every response a client
 * received in full has exactly one record with its exact tokens.
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"servlet", "lean"})
class ShutdownUnderLoadTest {

  @Parameter String engine;

  private static final String KEY = "sk-proj-shutdown-test-key-4411";
  private static final int IN_FLIGHT = 200;

  @TempDir Path dir;
  private ChatUpstream upstream;
  private GatewayProcess gateway;
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeEach
  void setUp() throws Exception {
    upstream = new ChatUpstream();
  }

  @AfterEach
  void tearDown() {
    if (gateway != null) {
      gateway.close();
    }
    upstream.close();
  }

  /**
   * Grace 5 s; every request finishes within about 3 s of the signal, and a keep-alive connection
   * with no request on it does not hold the exit up.
   */
  @Test
  void everyInFlightRequestFinishesAndIsRecordedOnceExactly() throws Exception {
    Map<Integer, Reply> replies = new TreeMap<>();
    for (int n = 0; n < IN_FLIGHT; n++) {
      // half JSON answered 1 to 3 s after arrival, half streams of 8 events 250 ms apart (2 s)
      replies.put(n, n % 2 == 0 ? Reply.json(1000 + 10 * n) : Reply.stream(8, 250));
    }
    Outcome outcome = runAndTerminate(5, replies);

    assertThat(outcome.exitCode).isZero();
    assertThat(outcome.exitMillis).isLessThan(5_000);
    assertThat(outcome.complete).hasSize(IN_FLIGHT);
    assertThat(outcome.records).hasSize(IN_FLIGHT);
    outcome.records.forEach((n, record) -> UsageRecords.assertExact(record, n, n % 2 == 1));
    assertThat(gateway.output())
        .anyMatch(l -> l.contains("Stopped; " + IN_FLIGHT + " usage records written, 0 dropped"));
    System.out.printf(
        "[shutdown, grace 5 s] new connections refused %d ms after SIGTERM; exit %d after %d ms;"
            + " %d of %d complete with exact records%n",
        outcome.refusedMillis,
        outcome.exitCode,
        outcome.exitMillis,
        outcome.complete.size(),
        IN_FLIGHT);
  }

  /**
   * Grace 3 s: JSON and short streams finish inside it, 40 streams of 10 s do not. The process
   * still exits 0 soon after the grace; every complete response has its one exact record; each cut
   * stream has one record too, with error_type {@code shutdown} (it never claims success), and its
   * upstream request is ended.
   */
  @Test
  void streamsOutlastingTheGraceAreCutAndTheRestRecorded() throws Exception {
    Map<Integer, Reply> replies = new TreeMap<>();
    for (int n = 0; n < IN_FLIGHT; n++) {
      Reply reply;
      if (n % 5 == 0) {
        reply = Reply.stream(40, 250); // 10 s: outlasts the grace
      } else if (n % 5 == 1 || n % 5 == 2) {
        reply = Reply.stream(5, 200); // 1 s
      } else {
        reply = Reply.json(500);
      }
      replies.put(n, reply);
    }
    Outcome outcome = runAndTerminate(3, replies);

    assertThat(outcome.exitCode).isZero();
    assertThat(outcome.exitMillis).isBetween(2_500L, 8_000L);
    // the long streams keep it running for the whole grace: by then it refuses new connections
    assertThat(outcome.refusedMillis).isBetween(0L, 2_500L);
    List<Integer> long10s = replies.keySet().stream().filter(n -> n % 5 == 0).toList();
    List<Integer> short1s = replies.keySet().stream().filter(n -> n % 5 != 0).toList();
    assertThat(outcome.complete).containsAll(short1s).doesNotContainAnyElementsOf(long10s);
    for (int n : short1s) {
      assertThat(outcome.records).containsKey(n);
      UsageRecords.assertExact(outcome.records.get(n), n, replies.get(n).stream());
    }
    for (int n : long10s) {
      assertThat(outcome.records).containsKey(n);
      JsonNode record = outcome.records.get(n);
      assertThat(record.get("error_type").asText())
          .as("cut stream %s", record)
          .isEqualTo("shutdown");
      assertThat(record.get("status").asInt()).as("cut stream %s", record).isEqualTo(200);
    }
    assertThat(gateway.output())
        .anyMatch(l -> l.contains("Stopped; " + IN_FLIGHT + " usage records written, 0 dropped"));
    upstream.awaitCut(long10s.size(), Duration.ofSeconds(5));
    System.out.printf(
        "[shutdown, grace 3 s] new connections refused %d ms after SIGTERM; exit %d after %d ms;"
            + " %d complete; cut streams: %s; upstream responses cut %d; %s%n",
        outcome.refusedMillis,
        outcome.exitCode,
        outcome.exitMillis,
        outcome.complete.size(),
        cutSummary(long10s, outcome),
        upstream.cut(),
        gateway.output().stream().filter(l -> l.contains("Stopped;")).findFirst().orElse(""));
  }

  /**
   * A client that stops reading an 8 MB response for 2 s after SIGTERM, then reads the rest: well
   * inside the 5 s grace, so it gets every byte and its exact record. (Jetty's default graceful
   * shutdown gave every connection a 1 s idle timeout, and this one was cut.)
   */
  @Test
  void aClientThatPausesReadingInsideTheGraceGetsTheWholeResponse() throws Exception {
    int port = startGateway(5);
    int n = 7;
    Reply reply = Reply.largeJson(8 << 20);
    byte[] body = ChatUpstream.requestBody(n, reply).getBytes(UTF_8);
    byte[] received;
    long signalled;
    try (Socket socket = new Socket()) {
      socket.setReceiveBufferSize(4096); // the gateway's writes block as soon as we stop reading
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /openai"
                  + ChatUpstream.PATH
                  + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                  + KEY
                  + "\r\nContent-Type: application/json\r\nContent-Length: "
                  + body.length
                  + "\r\n\r\n")
              .getBytes(US_ASCII));
      out.write(body);
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] head = in.readNBytes(64 * 1024); // the response has begun
      gateway.terminate();
      signalled = System.nanoTime();
      gateway.awaitOutput("Stopping", Duration.ofSeconds(10));
      Thread.sleep(2_000); // the client pauses: part of the scenario, not a wait for a result
      byte[] rest = in.readAllBytes(); // to the end: the gateway closes the connection as it stops
      received = new byte[head.length + rest.length];
      System.arraycopy(head, 0, received, 0, head.length);
      System.arraycopy(rest, 0, received, head.length, rest.length);
    }
    assertThat(gateway.awaitExit(Duration.ofSeconds(20))).isZero();
    long exitMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);

    String response = new String(received, UTF_8);
    assertThat(response).startsWith("HTTP/1.1 200 ");
    String expected = ChatUpstream.responseBody(n, reply);
    assertThat(response.length()).isGreaterThan(expected.length());
    assertThat(response.endsWith(expected))
        .as("the whole body arrived (%d of %d bytes)", received.length, expected.length())
        .isTrue();
    Map<Integer, JsonNode> records =
        UsageRecords.byRequest(UsageRecords.lines(dir.resolve("out/stats.jsonl")));
    assertThat(records).containsOnlyKeys(n);
    UsageRecords.assertExact(records.get(n), n, false);
    System.out.printf(
        "[shutdown, grace 5 s] a client pausing 2 s got all %d bytes; exit 0 %d ms after"
            + " SIGTERM%n",
        expected.length(), exitMillis);
  }

  /** What happened to each request, and the records, after SIGTERM. */
  private static final class Outcome {
    int exitCode;
    long exitMillis;

    /** SIGTERM to the first refused connection while the process still ran, or -1. */
    long refusedMillis;

    final List<Integer> complete = new ArrayList<>();
    final Map<Integer, String> failures = new TreeMap<>();
    Map<Integer, JsonNode> records;
  }

  /**
   * Starts the gateway with this grace, sends every request, waits until all have reached the
   * upstream, sends SIGTERM, and collects what the clients and the usage file got.
   */
  private Outcome runAndTerminate(int graceSeconds, Map<Integer, Reply> replies) throws Exception {
    int port = startGateway(graceSeconds);
    URI base = URI.create("http://127.0.0.1:" + port);

    Map<Integer, CompletableFuture<HttpResponse<String>>> responses = new TreeMap<>();
    replies.forEach(
        (n, reply) ->
            responses.put(
                n,
                client.sendAsync(
                    ChatUpstream.request(base, KEY, n, reply),
                    HttpResponse.BodyHandlers.ofString())));
    upstream.awaitReceived(replies.size(), Duration.ofSeconds(20));
    // and a keep-alive connection with no request on it: it must not hold the shutdown up
    Socket idle = new Socket(InetAddress.getLoopbackAddress(), port);

    long signalled = System.nanoTime();
    gateway.terminate();
    Outcome outcome = new Outcome();
    outcome.refusedMillis = awaitRefused(port, signalled);
    outcome.exitCode = gateway.awaitExit(Duration.ofSeconds(graceSeconds + 20L));
    outcome.exitMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);

    for (Map.Entry<Integer, CompletableFuture<HttpResponse<String>>> e : responses.entrySet()) {
      int n = e.getKey();
      try {
        HttpResponse<String> response = e.getValue().get(10, TimeUnit.SECONDS);
        if (response.statusCode() == 200
            && response.body().equals(ChatUpstream.responseBody(n, replies.get(n)))) {
          outcome.complete.add(n);
        } else {
          outcome.failures.put(
              n, "status " + response.statusCode() + ", " + response.body().length() + " chars");
        }
      } catch (ExecutionException | TimeoutException failure) {
        Throwable cause = failure instanceof ExecutionException ? failure.getCause() : failure;
        outcome.failures.put(n, cause.getClass().getSimpleName() + ": " + cause.getMessage());
      }
    }
    idle.close();
    outcome.records = UsageRecords.byRequest(UsageRecords.lines(dir.resolve("out/stats.jsonl")));
    assertThat(outcome.records.keySet()).isSubsetOf(replies.keySet());
    return outcome;
  }

  /** Starts the gateway with this grace period; returns its port. */
  private int startGateway(int graceSeconds) throws Exception {
    int port = GatewayProcess.freePort();
    GatewayProcess.writeConfig(dir, KEY, port, upstream.uri(), graceSeconds, 1);
    gateway =
        GatewayProcess.start(
            dir, Map.of("LMGATE_SERVER__ENGINE", engine), "gateway.log", "--config", "lmgate.yaml");
    return port;
  }

  /**
   * Connects to the gateway every 10 ms after SIGTERM until a connection is refused while the
   * process still runs (it stopped accepting); returns the time that took, or -1 if the process
   * ended first or 3 s passed.
   */
  private long awaitRefused(int port, long signalled) throws InterruptedException {
    long deadline = signalled + TimeUnit.SECONDS.toNanos(3);
    while (System.nanoTime() < deadline && gateway.isAlive()) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
      } catch (ConnectException e) {
        long refused = System.nanoTime();
        return gateway.isAlive() ? TimeUnit.NANOSECONDS.toMillis(refused - signalled) : -1;
      } catch (IOException e) {
        // timed out: try again
      }
      Thread.sleep(10);
    }
    return -1;
  }

  private static String cutSummary(List<Integer> cut, Outcome outcome) {
    Map<String, Integer> clientSaw = new TreeMap<>();
    Map<String, Integer> recorded = new TreeMap<>();
    for (int n : cut) {
      clientSaw.merge(outcome.failures.getOrDefault(n, "complete"), 1, Integer::sum);
      JsonNode record = outcome.records.get(n);
      String r =
          record == null
              ? "no record"
              : "status " + record.get("status") + " error_type " + record.get("error_type");
      recorded.merge(r, 1, Integer::sum);
    }
    return "client saw " + clientSaw + ", records " + recorded;
  }
}

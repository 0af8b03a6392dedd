package ai.numio.lmgate.jetty;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import ai.numio.lmgate.ManualTimeSource;
import ai.numio.lmgate.stats.StatsWriter;
import ai.numio.lmgate.testing.RawUpstream;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * Metering sink faults through real HTTP (SPEC §5: metering fails open). The usage directory is
 * replaced by a regular file while the gateway serves (chmod would not stop root), and the queue
 * overflows behind an unwritable sink: every request still gets the upstream's exact response;
 * accepted records are written exactly once, as whole lines, once the sink is fixed; dropped ones
 * are counted and warned about once per flush interval.
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"servlet", "lean"})
class GatewaySinkFaultsTest {

  @Parameter String engine;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] CHAT_JSON = Gateway.fixture("openai/chat-nonstream.json");
  private static final byte[] CHAT_SSE = Gateway.fixture("openai/chat-stream-include-usage.sse");

  @TempDir Path dir;
  private Path usageDir;
  private Path usageFile;
  private RawUpstream upstream;
  private Gateway gateway;
  private final HttpClient client = HttpClient.newHttpClient();
  private final AtomicInteger answered = new AtomicInteger();
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @BeforeEach
  void setUp() throws IOException {
    usageDir = dir.resolve("usage");
    usageFile = usageDir.resolve("stats.jsonl");
    logs.start();
    root.addAppender(logs);
    // Request N gets x-request-id req_N; odd requests stream, in chunks of 1,000 bytes. The
    // upstream serves one request per connection, so it says so (Connection: close).
    upstream =
        new RawUpstream(
            (request, socket, out) -> {
              String id = "req_" + request.header("x-test-seq");
              if (request.bodyText().contains("\"stream\":true")) {
                RawUpstream.chunkedHead(
                    out,
                    200,
                    "text/event-stream; charset=utf-8",
                    "x-request-id",
                    id,
                    "Connection",
                    "close");
                for (int at = 0; at < CHAT_SSE.length; at += 1000) {
                  RawUpstream.chunk(out, CHAT_SSE, at, Math.min(1000, CHAT_SSE.length - at));
                }
                RawUpstream.lastChunk(out);
              } else {
                RawUpstream.fixedResponse(
                    out,
                    200,
                    CHAT_JSON,
                    "Content-Type",
                    "application/json",
                    "x-request-id",
                    id,
                    "Connection",
                    "close");
              }
            });
  }

  @AfterEach
  void tearDown() throws IOException {
    if (gateway != null) {
      gateway.close();
    }
    upstream.close();
    root.detachAppender(logs);
  }

  @Test
  void usageDirectoryReplacedByAFileWhileServingThenFixed() throws Exception {
    gateway =
        Gateway.on(engine)
            .start(dir, upstream.uri(), Map.of("LMGATE_STATS__OUTPUT_PATH", usageFile.toString()));
    StatsWriter stats = gateway.server.gate().stats();
    for (int seq = 0; seq < 5; seq++) {
      proxiedExactly(seq);
    }
    gateway.server.gate().flushRecords();
    assertThat(requestIds(usageFile)).containsExactly("req_0", "req_1", "req_2", "req_3", "req_4");

    // The directory is moved away and a regular file put in its place.
    Path movedAway = dir.resolve("usage.before");
    Files.move(usageDir, movedAway);
    Files.writeString(usageDir, "not a directory\n");

    proxiedExactly(5);
    gateway.server.gate().flushRecords();
    assertThat(messages(Level.ERROR))
        .containsExactly(
            "Cannot write usage records to "
                + usageFile
                + ": "
                + usageDir
                + " exists and is not a directory. Records are kept and retried at every flush"
                + " (queue capacity 100000, 1 pending); requests are not affected.");

    // 39 more from 8 clients, JSON and streams, while the writer keeps retrying and failing.
    AtomicBoolean serving = new AtomicBoolean(true);
    AtomicInteger failedFlushes = new AtomicInteger();
    Thread flusher =
        new Thread(
            () -> {
              while (serving.get()) {
                gateway.server.gate().flushRecords();
                failedFlushes.incrementAndGet();
              }
            });
    flusher.start();
    try {
      sendConcurrently(6, 45, 8);
    } finally {
      serving.set(false);
      flusher.join(TimeUnit.SECONDS.toMillis(10));
    }
    gateway.server.gate().flushRecords();

    assertThat(failedFlushes.get()).isPositive();
    assertThat(stats.writtenCount()).isEqualTo(5);
    assertThat(stats.pendingCount()).isEqualTo(40);
    assertThat(stats.droppedCount()).isZero();
    assertThat(Files.readString(usageDir)).isEqualTo("not a directory\n");
    assertThat(requestIds(movedAway.resolve("stats.jsonl")))
        .containsExactly("req_0", "req_1", "req_2", "req_3", "req_4");
    assertThat(messages(Level.ERROR)).hasSize(1);

    Files.delete(usageDir);
    gateway.server.gate().flushRecords();

    assertThat(messages(Level.INFO))
        .contains("Writing usage records to " + usageFile + " works again");
    List<JsonNode> records = wholeLineRecords(usageFile);
    assertThat(records.stream().map(r -> r.get("upstream_request_id").asText()).sorted())
        .containsExactlyElementsOf(
            IntStream.range(5, 45).mapToObj(seq -> "req_" + seq).sorted().toList());
    for (JsonNode record : records) {
      assertRecordOf(
          record, Integer.parseInt(record.get("upstream_request_id").asText().substring(4)));
    }
    assertThat(stats.writtenCount()).isEqualTo(45);
    assertThat(stats.pendingCount()).isZero();

    proxiedExactly(45);
    gateway.server.gate().flushRecords();
    assertThat(requestIds(usageFile)).hasSize(41).last().isEqualTo("req_45");
    assertThat(warningsAndErrors()).as("nothing but the one ERROR about the usage file").hasSize(1);
  }

  @Test
  void queueOverflowBehindAnUnwritableSinkDropsCountsAndWarnsOncePerInterval() throws Exception {
    Files.writeString(usageDir, "not a directory\n");
    ManualTimeSource time = new ManualTimeSource(Instant.now());
    gateway =
        Gateway.on(engine)
            .start(
                dir,
                upstream.uri(),
                Map.of(
                    "LMGATE_STATS__OUTPUT_PATH", usageFile.toString(),
                    "LMGATE_STATS__QUEUE_CAPACITY", "4",
                    "LMGATE_STATS__FLUSH_INTERVAL_SECONDS", "10"),
                time);
    StatsWriter stats = gateway.server.gate().stats();
    assertThat(messages(Level.ERROR))
        .containsExactly(
            "Cannot write usage records to "
                + usageFile
                + ": "
                + usageDir
                + " exists and is not a directory. Records are kept and retried at every flush"
                + " (queue capacity 4, 0 pending); requests are not affected.");

    // The first record is taken from the queue by a failing write and held for the retry; the
    // next four fill the queue.
    proxiedExactly(0);
    gateway.server.gate().flushRecords();
    for (int seq = 1; seq <= 4; seq++) {
      proxiedExactly(seq);
    }
    assertThat(stats.pendingCount()).isEqualTo(5);
    assertThat(stats.droppedCount()).isZero();
    assertThat(messages(Level.WARN)).isEmpty();

    proxiedExactly(5); // dropped: the queue is full
    gateway.server.gate().flushRecords();
    String out = " the writer to " + usageFile + " is falling behind";
    assertThat(messages(Level.WARN))
        .containsExactly(
            "Usage queue full (capacity 4): dropped 1 records since the last warning, 1 in"
                + " total;"
                + out);

    // Ten more from four clients within the same interval: counted, one warning when it ends.
    sendConcurrently(6, 16, 4);
    for (int i = 0; i < 5; i++) {
      gateway.server.gate().flushRecords();
    }
    assertThat(stats.droppedCount()).isEqualTo(11);
    assertThat(messages(Level.WARN)).hasSize(1);
    time.advance(Duration.ofSeconds(10));
    gateway.server.gate().flushRecords();
    assertThat(messages(Level.WARN))
        .hasSize(2)
        .last()
        .isEqualTo(
            "Usage queue full (capacity 4): dropped 10 records since the last warning, 11 in"
                + " total;"
                + out);

    for (int seq = 16; seq <= 20; seq++) {
      proxiedExactly(seq);
    }
    time.advance(Duration.ofSeconds(10).minusMillis(1));
    gateway.server.gate().flushRecords();
    assertThat(messages(Level.WARN)).hasSize(2);
    time.advance(Duration.ofMillis(1));
    gateway.server.gate().flushRecords();
    assertThat(messages(Level.WARN))
        .hasSize(3)
        .last()
        .isEqualTo(
            "Usage queue full (capacity 4): dropped 5 records since the last warning, 16 in"
                + " total;"
                + out);
    assertThat(stats.droppedCount()).isEqualTo(16);
    assertThat(stats.pendingCount()).isEqualTo(5);
    assertThat(stats.writtenCount()).isZero();

    Files.delete(usageDir);
    gateway.server.gate().flushRecords();

    List<JsonNode> records = wholeLineRecords(usageFile);
    assertThat(records.stream().map(r -> r.get("upstream_request_id").asText()))
        .containsExactly("req_0", "req_1", "req_2", "req_3", "req_4");
    for (int seq = 0; seq < 5; seq++) {
      assertRecordOf(records.get(seq), seq);
    }
    proxiedExactly(21);
    gateway.server.gate().flushRecords();
    assertThat(requestIds(usageFile)).hasSize(6).last().isEqualTo("req_21");
    assertThat(stats.droppedCount()).isEqualTo(16);

    String writerThread = StatsWriter.THREAD_NAME;
    String testThread = Thread.currentThread().getName();
    assertThat(events().stream().filter(e -> e.getLevel() == Level.WARN))
        .as("warned by the writer or the flushing test, never by a request thread")
        .allSatisfy(e -> assertThat(e.getThreadName()).isIn(writerThread, testThread));
    assertThat(warningsAndErrors())
        .as("nothing but the one ERROR and the three WARNs of the writer")
        .hasSize(4)
        .allSatisfy(e -> assertThat(e.getLoggerName()).isEqualTo(StatsWriter.class.getName()));
  }

  /**
   * Request {@code seq} (odd ones stream) gets the upstream's exact response through the gate;
   * waits until its record has reached the writer.
   */
  private void proxiedExactly(int seq) throws IOException, InterruptedException {
    boolean stream = seq % 2 == 1;
    HttpResponse<byte[]> response =
        client.send(
            HttpRequest.newBuilder(gateway.uri("/openai/v1/chat/completions"))
                .header("Authorization", "Bearer " + Gateway.ALPHA_KEY)
                .header("x-test-seq", Integer.toString(seq))
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"gpt-4o\",\"stream\":"
                            + stream
                            + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(response.statusCode()).as("status of request %d", seq).isEqualTo(200);
    assertThat(response.headers().firstValue("x-request-id")).hasValue("req_" + seq);
    assertThat(response.body())
        .as("body of request %d", seq)
        .isEqualTo(stream ? CHAT_SSE : CHAT_JSON);
    answered.incrementAndGet();
    allRecorded();
  }

  /**
   * Waits until the record of every answered request has reached the writer (queued, held, written
   * or dropped): a Content-Length response can be complete at the client a moment before its
   * exchange ends.
   */
  private void allRecorded() throws InterruptedException {
    StatsWriter stats = gateway.server.gate().stats();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (stats.pendingCount() + stats.writtenCount() + stats.droppedCount() < answered.get()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("records of " + answered.get() + " requests not offered in 10 s");
      }
      Thread.sleep(5);
    }
  }

  /** Requests {@code from} (inclusive) to {@code to} (exclusive) from {@code clients} threads. */
  private void sendConcurrently(int from, int to, int clients) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<Future<?>> sent = new ArrayList<>();
      for (int seq = from; seq < to; seq++) {
        int n = seq;
        sent.add(
            pool.submit(
                () -> {
                  proxiedExactly(n);
                  return null;
                }));
      }
      for (Future<?> f : sent) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static void assertRecordOf(JsonNode record, int seq) {
    boolean stream = seq % 2 == 1;
    assertThat(record.get("upstream_request_id").asText()).isEqualTo("req_" + seq);
    assertThat(record.get("status").asInt()).isEqualTo(200);
    assertThat(record.get("error_type").isNull()).isTrue();
    assertThat(record.get("stream").asBoolean()).isEqualTo(stream);
    assertThat(record.get("lmgate_id").asText()).isEqualTo("1");
    assertThat(record.get("model").asText())
        .isEqualTo(stream ? "gpt-4o-mini-2024-07-18" : "gpt-4o-2024-08-06");
    assertThat(record.get("input_tokens").asLong()).isEqualTo(stream ? 1117 : 2006);
    assertThat(record.get("output_tokens").asLong()).isEqualTo(stream ? 233 : 161);
  }

  /** The file's records; it must hold only whole lines, each one JSON object. */
  private static List<JsonNode> wholeLineRecords(Path file) throws IOException {
    String content = Files.readString(file, UTF_8);
    assertThat(content).endsWith("\n");
    List<JsonNode> records = new ArrayList<>();
    for (String line : content.substring(0, content.length() - 1).split("\n", -1)) {
      JsonNode record = JSON.readTree(line);
      assertThat(record.isObject()).as(line).isTrue();
      records.add(record);
    }
    return records;
  }

  private static List<String> requestIds(Path file) throws IOException {
    return wholeLineRecords(file).stream().map(r -> r.get("upstream_request_id").asText()).toList();
  }

  /** What was logged so far; appends (synchronized on the appender) may go on meanwhile. */
  private List<ILoggingEvent> events() {
    synchronized (logs) {
      return List.copyOf(logs.list);
    }
  }

  private List<String> messages(Level level) {
    return events().stream()
        .filter(e -> e.getLevel() == level)
        .filter(e -> e.getLoggerName().equals(StatsWriter.class.getName()))
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  private List<ILoggingEvent> warningsAndErrors() {
    return events().stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN)).toList();
  }
}

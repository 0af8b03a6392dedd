package ai.numio.lmgate.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import ai.numio.lmgate.standalone.ChatUpstream.Reply;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 2,000 requests at concurrency 32 through the gateway process (JDK HttpClient, HTTP/1.1), one in
 * four an SSE stream: every one answered 200 in full, exactly 2,000 records, each with its
 * request's exact tokens.
 */
class ConcurrentLoadTest {

  private static final String KEY = "sk-proj-load-test-key-77120";
  private static final int REQUESTS = 2_000;
  private static final int CONCURRENCY = 32;

  @TempDir Path dir;
  private ChatUpstream upstream;
  private GatewayProcess gateway;

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

  @Test
  void twoThousandRequestsAtConcurrency32AllSucceedWithOneExactRecordEach() throws Exception {
    int port = GatewayProcess.freePort();
    GatewayProcess.writeConfig(dir, KEY, port, upstream.uri(), 10, 1);
    gateway = GatewayProcess.start(dir, "lmgate.yaml", "gateway.log");
    URI base = URI.create("http://127.0.0.1:" + port);
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    AtomicInteger next = new AtomicInteger();
    Map<Integer, String> failures = new ConcurrentHashMap<>();
    ExecutorService workers = Executors.newFixedThreadPool(CONCURRENCY);
    long started = System.nanoTime();
    List<Future<?>> done = new ArrayList<>();
    for (int w = 0; w < CONCURRENCY; w++) {
      done.add(
          workers.submit(
              () -> {
                for (int n = next.getAndIncrement(); n < REQUESTS; n = next.getAndIncrement()) {
                  Reply reply = reply(n);
                  try {
                    HttpResponse<String> response =
                        client.send(
                            ChatUpstream.request(base, KEY, n, reply),
                            HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() != 200
                        || !response.body().equals(ChatUpstream.responseBody(n, reply))) {
                      failures.put(n, "status " + response.statusCode() + ": " + response.body());
                    }
                  } catch (Exception e) {
                    failures.put(n, e.toString());
                  }
                }
                return null;
              }));
    }
    for (Future<?> f : done) {
      f.get(60, TimeUnit.SECONDS);
    }
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    workers.shutdown();
    assertThat(failures).isEmpty();

    gateway.terminate(); // writes every queued record before exiting
    assertThat(gateway.awaitExit(Duration.ofSeconds(20))).isZero();
    Map<Integer, JsonNode> records =
        UsageRecords.byRequest(UsageRecords.lines(dir.resolve("out/stats.jsonl")));
    assertThat(records).hasSize(REQUESTS);
    records.forEach((n, record) -> UsageRecords.assertExact(record, n, reply(n).stream()));
    assertThat(gateway.output())
        .anyMatch(l -> l.contains("Stopped; " + REQUESTS + " usage records written, 0 dropped"));
    System.out.printf(
        "[load] %d requests at concurrency %d in %d ms (%.0f req/s), 0 failed, %d exact records%n",
        REQUESTS, CONCURRENCY, millis, REQUESTS * 1000.0 / millis, records.size());
  }

  /** Three JSON completions, then one SSE stream of 5 events sent back to back. */
  private static Reply reply(int n) {
    return n % 4 == 3 ? Reply.stream(5, 0) : Reply.json(0);
  }
}

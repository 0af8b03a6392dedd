package ai.numio.lmgate.standalone;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import ai.numio.lmgate.redis.RedisServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three gateway processes in front of one Redis hold each limit as one gateway would (SPEC-2 §14),
 * and a Redis outage is met as {@code limits.on_store_error} says: three gateways with {@code
 * allow} keep serving, a fourth with {@code deny} answers 503 and records it; Redis back, the
 * limits hold again without a restart.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisReplicasTest {

  private static final String BURST_KEY = "sk-proj-replicas-burst-000000000001";
  private static final String BUDGET_KEY = "sk-proj-replicas-budget-00000000002";
  private static final String OPEN_KEY = "sk-proj-replicas-open-0000000000003";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** 10 input + 5 output tokens, every time. */
  private static final byte[] ANSWER =
      ("{\"id\":\"chatcmpl-r\",\"object\":\"chat.completion\",\"model\":\"gpt-4o-mini\","
              + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},"
              + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":10,"
              + "\"completion_tokens\":5,\"total_tokens\":15}}")
          .getBytes(UTF_8);

  @TempDir static Path dir;
  private RedisServer redis;
  private HttpServer upstream;
  private final AtomicInteger upstreamRequests = new AtomicInteger();
  private final List<GatewayProcess> replicas = new ArrayList<>();
  private final List<Integer> replicaPorts = new ArrayList<>();
  private GatewayProcess denying;
  private int denyingPort;
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  void start() throws Exception {
    redis = RedisServer.start();
    upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
    upstream.setExecutor(Executors.newFixedThreadPool(16));
    upstream.createContext(
        "/",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          upstreamRequests.incrementAndGet();
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, ANSWER.length);
          exchange.getResponseBody().write(ANSWER);
          exchange.close();
        });
    upstream.start();
    Files.writeString(
        dir.resolve("allowlist.csv"),
        "id,api_key,owner,added\n1,"
            + BURST_KEY
            + ",team-burst,\n2,"
            + BUDGET_KEY
            + ",team-budget,\n3,"
            + OPEN_KEY
            + ",team-open,\n");
    Files.writeString(
        dir.resolve("policy.yaml"),
        "keys:\n"
            + "  '1': { rpm: 60 }\n"
            + "  '2': { budget: { tokens: 100, per: day } }\n"
            + "  '3': { rpm: 100000 }\n");
    for (int i = 0; i < 3; i++) {
      int port = GatewayProcess.freePort();
      replicaPorts.add(port);
      replicas.add(replica("replica" + i, port, "allow"));
    }
    denyingPort = GatewayProcess.freePort();
    denying = replica("denying", denyingPort, "deny");
  }

  private GatewayProcess replica(String name, int port, String onStoreError) throws Exception {
    Path home = Files.createDirectories(dir.resolve(name));
    Files.writeString(
        home.resolve("lmgate.yaml"),
        "server: { host: 127.0.0.1, port: "
            + port
            + " }\n"
            + "auth: { allowlist_path: ../allowlist.csv }\n"
            + "policy: { path: ../policy.yaml }\n"
            + "limits: { store: redis, redis_url: '"
            + redis.url()
            + "', on_store_error: "
            + onStoreError
            + " }\n"
            + "stats: { output_path: stats.jsonl, flush_interval_seconds: 1 }\n"
            + "providers:\n  openai: { upstream: 'http://127.0.0.1:"
            + upstream.getAddress().getPort()
            + "' }\n");
    return GatewayProcess.start(home, Map.of(), "gateway.log", "--config", "lmgate.yaml");
  }

  @AfterAll
  void stop() {
    replicas.forEach(GatewayProcess::close);
    if (denying != null) {
      denying.close();
    }
    if (upstream != null) {
      upstream.stop(0);
    }
    if (redis != null) {
      redis.close();
    }
  }

  /** 150 requests at once, spread over the three: 60 pass (plus what refills meanwhile). */
  @Test
  @Order(1)
  void aBurstOverThreeReplicasIsHeldToOneRpmLimit() throws Exception {
    Burst burst = burst(BURST_KEY, 150);
    // rpm 60 refills one request a second: the burst may gain one per second it lasts
    assertThat(burst.ok).isBetween(60, 60 + (int) burst.elapsed.toSeconds() + 1);
    assertThat(burst.ok + burst.limited).isEqualTo(150);
    assertThat(burst.upstream).isEqualTo(burst.ok); // no refused request reached the upstream
  }

  /**
   * 15 tokens a request against a budget of 100 a day, one request after the other, each to the
   * next replica: the seventh crosses the budget and completes; from then on requests are refused,
   * whichever replica they reach. A response is charged when the gateway has seen its end, which
   * may be a moment after the client has it: the eighth request, sent at once, can still find the
   * budget at 90 — the documented overshoot of one request in flight, never more.
   */
  @Test
  @Order(2)
  void aBudgetIsSharedByTheReplicas() throws Exception {
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      statuses.add(send(replicaPorts.get(i % 3), BUDGET_KEY).statusCode());
    }
    int ok = statuses.indexOf(429);
    assertThat(ok).as("%s", statuses).isBetween(7, 8);
    assertThat(statuses.subList(0, ok)).containsOnly(200);
    assertThat(statuses.subList(ok, statuses.size())).containsOnly(429);
    HttpResponse<String> refused = send(replicaPorts.get(0), BUDGET_KEY);
    assertThat(refused.body()).startsWith("{\"error\":\"budget_exceeded\",\"message\":\"");
    assertThat(Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow()))
        .isBetween(1L, 86_400L);
  }

  /**
   * Redis killed: the allow replicas keep serving and log the failure; the deny replica answers 503
   * and records it. Redis back (empty): the limits hold again, with no restart.
   */
  @Test
  @Order(3)
  void aRedisOutageIsMetAsConfiguredAndLimitsResumeAfterIt() throws Exception {
    redis.kill();
    for (int port : replicaPorts) {
      assertThat(send(port, OPEN_KEY).statusCode()).isEqualTo(200);
    }
    HttpResponse<String> denied = send(denyingPort, OPEN_KEY);
    assertThat(denied.statusCode()).isEqualTo(503);
    assertThat(denied.body()).startsWith("{\"error\":\"limit_store_unavailable\",\"message\":\"");
    assertThat(denied.headers().firstValue("Retry-After")).contains("1");
    JsonNode record = awaitRecord(dir.resolve("denying/stats.jsonl"), "limit_store_unavailable");
    assertThat(record.get("status").asInt()).isEqualTo(503);
    assertThat(record.get("lmgate_id").asText()).isEqualTo("3");
    for (GatewayProcess replica : replicas) {
      replica.awaitOutput("The limit store failed", Duration.ofSeconds(10));
    }

    redis.restart(); // empty: the burst key's bucket is full again
    assertThat(send(denyingPort, OPEN_KEY).statusCode()).isEqualTo(200);
    Burst burst = burst(BURST_KEY, 90);
    assertThat(burst.ok).isBetween(60, 60 + (int) burst.elapsed.toSeconds() + 1);
    assertThat(burst.limited).isEqualTo(90 - burst.ok);
  }

  private record Burst(int ok, int limited, int upstream, Duration elapsed) {}

  private Burst burst(String key, int requests) throws Exception {
    int upstreamBefore = upstreamRequests.get();
    ExecutorService threads = Executors.newFixedThreadPool(16);
    long start = System.nanoTime();
    try {
      List<Future<Integer>> statuses = new ArrayList<>();
      for (int i = 0; i < requests; i++) {
        int port = replicaPorts.get(i % 3);
        statuses.add(threads.submit(() -> send(port, key).statusCode()));
      }
      int ok = 0;
      int limited = 0;
      for (Future<Integer> status : statuses) {
        int code = status.get(60, TimeUnit.SECONDS);
        if (code == 200) {
          ok++;
        } else if (code == 429) {
          limited++;
        }
      }
      Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
      return new Burst(ok, limited, upstreamRequests.get() - upstreamBefore, elapsed);
    } finally {
      threads.shutdownNow();
    }
  }

  private HttpResponse<String> send(int port, String key) throws Exception {
    return client.send(
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/openai/v1/chat/completions"))
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o-mini\",\"messages\":[]}"))
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString(UTF_8));
  }

  private static JsonNode awaitRecord(Path stats, String errorType) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (Files.exists(stats)) {
        for (String line : Files.readAllLines(stats)) {
          JsonNode record = JSON.readTree(line);
          if (errorType.equals(record.get("error_type").asText(null))) {
            return record;
          }
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no " + errorType + " record in " + stats + " within 10 s");
  }
}

package ai.numio.lmgate;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import ai.numio.lmgate.config.ConfigLoader;
import ai.numio.lmgate.config.LMGateConfig;
import ai.numio.lmgate.limit.LimitStoreFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The policy steps of {@link LMGate#admit}, on a manual clock (SPEC-2 §14). */
class PolicyAdmissionTest {

  private static final String KEY1 = "sk-proj-policy-one-0123456789abcdef";
  private static final String KEY2 = "sk-proj-policy-two-0123456789abcdef";
  private static final String KEY3 = "sk-proj-policy-three-0123456789abcd";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private final ManualTimeSource time = new ManualTimeSource(Instant.parse("2026-02-16T12:00:00Z"));
  private LMGate gate;

  private final List<Admission> admissions = new java.util.ArrayList<>();

  @AfterEach
  void tearDown() {
    for (Admission admission : admissions) {
      if (admission instanceof Admission.Admitted admitted) {
        admitted.exchange().fail(Failure.CLIENT_DISCONNECTED); // ends those the test left open
      }
    }
    if (gate != null) {
      gate.close();
    }
  }

  private void start(String policy) throws Exception {
    start(policy, Map.of(), LimitStoreFactory.standard());
  }

  private void start(String policy, Map<String, String> env, LimitStoreFactory stores)
      throws Exception {
    Path allowList = dir.resolve("allowlist.csv");
    Files.writeString(
        allowList,
        "id,api_key,owner,added\n1,"
            + KEY1
            + ",team-a,2026-01-01\n2,"
            + KEY2
            + ",team-a,2026-01-01\n3,"
            + KEY3
            + ",team-b,2026-01-01\n");
    Path policyFile = dir.resolve("policy.yaml");
    Files.writeString(policyFile, policy);
    Map<String, String> all = new HashMap<>(env);
    all.put("LMGATE_AUTH__ALLOWLIST_PATH", allowList.toString());
    all.put("LMGATE_STATS__OUTPUT_PATH", dir.resolve("out/stats.jsonl").toString());
    all.put("LMGATE_AUTH__POLL_INTERVAL_SECONDS", "3600");
    all.put("LMGATE_POLICY__PATH", policyFile.toString());
    LMGateConfig config = ConfigLoader.load(Optional.empty(), all, dir);
    gate = LMGate.start(config, time, stores);
  }

  private Admission chat(String key, String model) {
    return post(key, "/openai/v1/chat/completions", chatBody(model));
  }

  private static String chatBody(String model) {
    return "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"model\":\"" + model + "\"}";
  }

  private Admission post(String key, String path, String body) {
    return track(
        gate.admit(
            new IncomingRequest(
                "POST",
                path,
                null,
                LMGateTest.headers("Authorization", "Bearer " + key),
                "10.0.0.1",
                new Body(body.getBytes(UTF_8))),
            RouteMode.REQUIRED));
  }

  private Admission track(Admission admission) {
    admissions.add(admission);
    return admission;
  }

  private List<JsonNode> records() throws IOException {
    gate.flushRecords();
    Path file = dir.resolve("out/stats.jsonl");
    if (!Files.exists(file)) {
      return List.of();
    }
    List<JsonNode> nodes = new java.util.ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      nodes.add(JSON.readTree(line));
    }
    return nodes;
  }

  private static Admission.Refused refused(Admission admission) {
    assertThat(admission).isInstanceOf(Admission.Refused.class);
    return (Admission.Refused) admission;
  }

  /** Completes an admitted exchange with the OpenAI fixture (1117 in, 233 out). */
  private static void completeWithUsage(Admission admission) throws IOException {
    Exchange exchange = ((Admission.Admitted) admission).exchange();
    exchange.onResponse(200, LMGateTest.headers("Content-Type", "text/event-stream"));
    byte[] body = fixture("openai/chat-stream-include-usage.sse");
    exchange.onBytes(body, 0, body.length);
    exchange.complete();
  }

  @Test
  void withoutAPolicyFileNothingIsReadAhead() throws Exception {
    Path allowList = dir.resolve("allowlist.csv");
    Files.writeString(allowList, "id,api_key,owner,added\n1," + KEY1 + ",team-a,2026-01-01\n");
    gate =
        LMGate.start(
            ConfigLoader.load(
                Optional.empty(),
                Map.of(
                    "LMGATE_AUTH__ALLOWLIST_PATH", allowList.toString(),
                    "LMGATE_STATS__OUTPUT_PATH", dir.resolve("out/stats.jsonl").toString()),
                dir),
            time);
    Admission admission =
        track(
            gate.admit(
                new IncomingRequest(
                    "POST",
                    "/openai/v1/chat/completions",
                    null,
                    LMGateTest.headers("Authorization", "Bearer " + KEY1),
                    "10.0.0.1",
                    (b, o, l) -> {
                      throw new AssertionError("the body must not be read");
                    }),
                RouteMode.REQUIRED));
    assertThat(((Admission.Admitted) admission).readAhead()).isSameAs(BodyPrefix.EMPTY);
  }

  @Test
  void noModelRuleReadsNothingEvenWithLimits() throws Exception {
    start("default:\n  models: ['*']\n  rpm: 100\nowners:\n  team-a: { routes: [openai] }\n");
    Admission admission =
        track(
            gate.admit(
                new IncomingRequest(
                    "POST",
                    "/openai/v1/chat/completions",
                    null,
                    LMGateTest.headers("Authorization", "Bearer " + KEY1),
                    "10.0.0.1",
                    (b, o, l) -> {
                      throw new AssertionError("the body must not be read");
                    }),
                RouteMode.REQUIRED));
    assertThat(((Admission.Admitted) admission).readAhead().isEmpty()).isTrue();
  }

  @Test
  void aModelOutsideTheListIsRefused403AndRecorded() throws Exception {
    start("keys:\n  '1': { models: ['gpt-4o-mini*'] }\n");
    Admission.Refused refusal = refused(chat(KEY1, "gpt-4o"));
    assertThat(refusal.error().status()).isEqualTo(403);
    assertThat(new String(refusal.body(), UTF_8))
        .isEqualTo(
            "{\"error\":\"model_not_allowed\",\"message\":\"Model 'gpt-4o' is not allowed for this"
                + " API key\"}");
    JsonNode record = records().get(0);
    assertThat(record.get("status").asInt()).isEqualTo(403);
    assertThat(record.get("error_type").asText()).isEqualTo("model_not_allowed");
    assertThat(record.get("model").asText()).isEqualTo("gpt-4o");
    assertThat(record.get("lmgate_id").asText()).isEqualTo("1");
    assertThat(record.get("owner").asText()).isEqualTo("team-a");
    assertThat(record.get("input_tokens").isNull()).isTrue();
    assertThat(record.get("output_tokens").isNull()).isTrue();
    assertThat(record.get("cost_usd").isNull()).isTrue();
    assertThat(record.get("timestamp").asText()).isEqualTo("2026-02-16T12:00:00.000Z");

    Admission.Admitted admitted = (Admission.Admitted) chat(KEY1, "GPT-4o-mini-2024-07-18");
    assertThat(new String(admitted.readAhead().toByteArray(), UTF_8))
        .isEqualTo(chatBody("GPT-4o-mini-2024-07-18"));
    // key 2 has no model rule
    assertThat(chat(KEY2, "gpt-4o")).isInstanceOf(Admission.Admitted.class);
  }

  @Test
  void aGeminiModelComesFromThePath() throws Exception {
    start("owners:\n  team-a: { models: ['gemini-2.5-flash*'] }\n");
    String body = "{\"contents\":[]}";
    Admission.Refused refusal =
        refused(post(KEY1, "/gemini/v1beta/models/gemini-2.5-pro:generateContent", body));
    assertThat(refusal.error().error()).isEqualTo("model_not_allowed");
    assertThat(records().get(0).get("model").asText()).isEqualTo("gemini-2.5-pro");
    Admission.Admitted ok =
        (Admission.Admitted)
            post(KEY1, "/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent", body);
    assertThat(ok.readAhead().isEmpty()).isTrue();
    Admission.Refused none = refused(post(KEY1, "/gemini/v1beta/files", body));
    assertThat(none.error().status()).isEqualTo(400);
  }

  @Test
  void aRouteOutsideTheListIsRefused403ModelNotAllowed() throws Exception {
    start("owners:\n  team-a: { routes: [anthropic] }\nkeys:\n  '2': { routes: [openai] }\n");
    Admission.Refused refusal = refused(chat(KEY1, "gpt-4o"));
    assertThat(refusal.error().status()).isEqualTo(403);
    assertThat(refusal.error().error()).isEqualTo("model_not_allowed");
    assertThat(refusal.error().message()).contains("route 'openai'");
    assertThat(records().get(0).get("error_type").asText()).isEqualTo("model_not_allowed");
    // the key's rule wins over its owner's
    assertThat(chat(KEY2, "gpt-4o")).isInstanceOf(Admission.Admitted.class);
  }

  @Test
  void aKeyIsValidThroughTheEndOfItsExpiryDayUtc() throws Exception {
    start("keys:\n  '1': { expires: 2026-02-16 }\n");
    time.setWallClock(Instant.parse("2026-02-16T23:59:59.999Z"));
    assertThat(chat(KEY1, "gpt-4o")).isInstanceOf(Admission.Admitted.class);
    time.setWallClock(Instant.parse("2026-02-17T00:00:00Z"));
    Admission.Refused refusal = refused(chat(KEY1, "gpt-4o"));
    assertThat(refusal.error().status()).isEqualTo(403);
    assertThat(refusal.error().error()).isEqualTo("key_expired");
    assertThat(refusal.error().message()).contains("2026-02-16");
    JsonNode record = records().get(0);
    assertThat(record.get("error_type").asText()).isEqualTo("key_expired");
    assertThat(record.get("status").asInt()).isEqualTo(403);
  }

  /**
   * The allow-list's expires column ({@code keys new --expires}) works without any policy file, and
   * a policy rule for the key overrides it.
   */
  @Test
  void theAllowListsExpiresColumnRefusesAndAPolicyRuleForTheKeyOverridesIt() throws Exception {
    Path allowList = dir.resolve("allowlist.csv");
    Files.writeString(
        allowList,
        "id,api_key,owner,added,expires\n1,"
            + KEY1
            + ",team-a,,2026-02-16\n2,"
            + KEY2
            + ",team-a,,\n");
    Map<String, String> env = new HashMap<>();
    env.put("LMGATE_AUTH__ALLOWLIST_PATH", allowList.toString());
    env.put("LMGATE_STATS__OUTPUT_PATH", dir.resolve("out/stats.jsonl").toString());
    time.setWallClock(Instant.parse("2026-02-17T00:00:00Z"));
    gate = LMGate.start(ConfigLoader.load(Optional.empty(), env, dir), time);
    Admission.Refused refusal = refused(chat(KEY1, "gpt-4o"));
    assertThat(refusal.error().status()).isEqualTo(403);
    assertThat(refusal.error().error()).isEqualTo("key_expired");
    assertThat(chat(KEY2, "gpt-4o")).isInstanceOf(Admission.Admitted.class);
    gate.close();
    gate = null;

    Path policy = dir.resolve("later.yaml");
    Files.writeString(policy, "keys:\n  '1': { expires: 2026-03-01 }\n");
    env.put("LMGATE_POLICY__PATH", policy.toString());
    gate = LMGate.start(ConfigLoader.load(Optional.empty(), env, dir), time);
    assertThat(chat(KEY1, "gpt-4o")).isInstanceOf(Admission.Admitted.class);
  }

  @Test
  void rpmRefuses429WithRetryAfterAndRefillsExactly() throws Exception {
    start("default:\n  rpm: 2\n");
    assertThat(chat(KEY1, "m")).isInstanceOf(Admission.Admitted.class);
    assertThat(chat(KEY1, "m")).isInstanceOf(Admission.Admitted.class);
    Admission.Refused refusal = refused(chat(KEY1, "m"));
    assertThat(refusal.error().status()).isEqualTo(429);
    assertThat(refusal.error().error()).isEqualTo("rate_limited");
    assertThat(refusal.error().headers()).containsEntry("Retry-After", "30");
    // default limits are per key: key 2 has its own two
    assertThat(chat(KEY2, "m")).isInstanceOf(Admission.Admitted.class);
    time.advance(Duration.ofMillis(29_999));
    assertThat(refused(chat(KEY1, "m")).error().headers()).containsEntry("Retry-After", "1");
    time.advance(Duration.ofMillis(1));
    assertThat(chat(KEY1, "m")).isInstanceOf(Admission.Admitted.class);
    List<JsonNode> records = records();
    assertThat(records).hasSize(2); // the refusals only: admitted exchanges are not completed here
    assertThat(records.get(0).get("error_type").asText()).isEqualTo("rate_limited");
    assertThat(records.get(0).get("status").asInt()).isEqualTo(429);
  }

  @Test
  void ownerLimitsAreSharedByItsKeys() throws Exception {
    start("owners:\n  team-a: { rpm: 3 }\n");
    assertThat(chat(KEY1, "m")).isInstanceOf(Admission.Admitted.class);
    assertThat(chat(KEY2, "m")).isInstanceOf(Admission.Admitted.class);
    assertThat(chat(KEY1, "m")).isInstanceOf(Admission.Admitted.class);
    Admission.Refused refusal = refused(chat(KEY2, "m"));
    assertThat(refusal.error().message()).contains("owner");
    assertThat(chat(KEY3, "m")).isInstanceOf(Admission.Admitted.class);
  }

  @Test
  void tpmIsChargedWhenTheResponseEndsAndTheCrossingRequestCompletes() throws Exception {
    start("keys:\n  '1': { tpm: 1000 }\n");
    Admission first = chat(KEY1, "gpt-4o-mini");
    Admission second = chat(KEY1, "gpt-4o-mini"); // in flight together: both admitted
    completeWithUsage(first); // 1350 tokens: the bucket goes to -350
    completeWithUsage(second); // -1700
    Admission.Refused refusal = refused(chat(KEY1, "gpt-4o-mini"));
    assertThat(refusal.error().error()).isEqualTo("rate_limited");
    // 1701 tokens at 1000 per minute: 102.06 s
    assertThat(refusal.error().headers()).containsEntry("Retry-After", "103");
    time.advance(Duration.ofMillis(102_060));
    assertThat(chat(KEY1, "gpt-4o-mini")).isInstanceOf(Admission.Admitted.class);
  }

  @Test
  @org.junit.jupiter.api.Timeout(30)
  void aRemoteStoreIsChargedOffTheFinishingThreadAndCloseRunsEveryQueuedCharge() throws Exception {
    SlowRemoteStore store = new SlowRemoteStore();
    start("keys:\n  '1': { tpm: 1000 }\n", Map.of(), LimitStoreFactory.of(store));
    Admission first = chat(KEY1, "gpt-4o-mini");
    completeWithUsage(first); // returns although the store's charge is held
    assertThat(store.charging.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(store.chargingThread).isEqualTo(Charges.THREAD_NAME);
    completeWithUsage(chat(KEY1, "gpt-4o-mini")); // queued behind the held charge
    assertThat(records()).hasSize(2); // records do not wait for charges
    assertThat(store.charged).isEmpty();

    store.release.countDown();
    gate.close();
    gate = null;
    assertThat(store.charged).containsExactly(1350L, 1350L);
    assertThat(store.closedAfterCharges).isTrue();
  }

  /** A store that says it is remote and holds its first charge until released. */
  static final class SlowRemoteStore implements ai.numio.lmgate.limit.LimitStore {
    final java.util.concurrent.CountDownLatch charging = new java.util.concurrent.CountDownLatch(1);
    final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    final List<Long> charged = new java.util.concurrent.CopyOnWriteArrayList<>();
    volatile String chargingThread;
    volatile boolean closedAfterCharges;

    @Override
    public boolean remote() {
      return true;
    }

    @Override
    public ai.numio.lmgate.limit.Verdict acquire(
        List<ai.numio.lmgate.limit.Limit> limits, long nowMillis) {
      return ai.numio.lmgate.limit.Verdict.ADMITTED;
    }

    @Override
    public void charge(
        List<ai.numio.lmgate.limit.Limit> limits,
        long tokens,
        Double usd,
        long arrivalMillis,
        long nowMillis) {
      chargingThread = Thread.currentThread().getName();
      charging.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      charged.add(tokens);
    }

    @Override
    public void close() {
      closedAfterCharges = charged.size() == 2;
    }
  }

  @Test
  void aTokenBudgetRefusesUntilUtcMidnightAndAMonthlyOneUntilTheMonthEnds() throws Exception {
    start(
        "keys:\n  '1': { budget: { tokens: 1000, per: day } }\n"
            + "  '2': { budget: { tokens: 1000, per: month } }\n");
    completeWithUsage(chat(KEY1, "m"));
    Admission.Refused refusal = refused(chat(KEY1, "m"));
    assertThat(refusal.error().status()).isEqualTo(429);
    assertThat(refusal.error().error()).isEqualTo("budget_exceeded");
    assertThat(refusal.error().headers()).containsEntry("Retry-After", "43200");
    completeWithUsage(chat(KEY2, "m"));
    // 2026-02-16T12:00 to 2026-03-01T00:00: 12.5 days
    assertThat(refused(chat(KEY2, "m")).error().headers()).containsEntry("Retry-After", "1080000");
    time.setWallClock(Instant.parse("2026-02-17T00:00:00Z"));
    assertThat(chat(KEY1, "m")).isInstanceOf(Admission.Admitted.class);
    assertThat(refused(chat(KEY2, "m")).error().error()).isEqualTo("budget_exceeded");
    time.setWallClock(Instant.parse("2026-03-01T00:00:00Z"));
    assertThat(chat(KEY2, "m")).isInstanceOf(Admission.Admitted.class);
    List<JsonNode> records = records();
    assertThat(records.stream().filter(r -> r.get("status").asInt() == 429).count()).isEqualTo(3);
  }

  @Test
  void theProviderShapeGivesSdksTheirRateLimitError() throws Exception {
    start(
        "default:\n  rpm: 1\n",
        Map.of("LMGATE_SERVER__ERROR_FORMAT", "provider"),
        LimitStoreFactory.standard());
    chat(KEY1, "m");
    Admission.Refused refusal = refused(chat(KEY1, "m"));
    JsonNode body = JSON.readTree(refusal.body());
    assertThat(body.at("/error/type").asText()).isEqualTo("rate_limit_error");
    assertThat(body.at("/error/code").asText()).isEqualTo("rate_limited");
  }

  @Test
  void aStoreFailureLetsRequestsThroughByDefaultAndIsCounted() throws Exception {
    start("default:\n  rpm: 1\n", Map.of(), LimitStoreFactory.of(new FailingStore()));
    assertThat(chat(KEY1, "m")).isInstanceOf(Admission.Admitted.class);
    assertThat(chat(KEY1, "m")).isInstanceOf(Admission.Admitted.class);
    assertThat(gate.limitStoreErrorCount()).isEqualTo(2);
  }

  @Test
  void aStoreFailureRefuses503WhenConfiguredToDeny() throws Exception {
    start(
        "default:\n  rpm: 1\n",
        Map.of("LMGATE_LIMITS__ON_STORE_ERROR", "deny"),
        LimitStoreFactory.of(new FailingStore()));
    Admission.Refused refusal = refused(chat(KEY1, "m"));
    assertThat(refusal.error().status()).isEqualTo(503);
    assertThat(refusal.error().error()).isEqualTo("limit_store_unavailable");
    assertThat(records().get(0).get("error_type").asText()).isEqualTo("limit_store_unavailable");
  }

  @Test
  void aBodyWithoutAModelIsRefused400() throws Exception {
    start("default:\n  models: ['gpt-*']\n");
    Admission.Refused missing = refused(post(KEY1, "/openai/v1/chat/completions", "{\"a\":1}"));
    assertThat(missing.error().status()).isEqualTo(400);
    assertThat(missing.error().error()).isEqualTo("bad_request");
    assertThat(missing.error().message()).contains("no top-level \"model\"");
    Admission.Refused malformed = refused(post(KEY1, "/openai/v1/chat/completions", "[1,2]"));
    assertThat(malformed.error().message()).contains("not a JSON object");
    assertThat(records())
        .hasSize(2)
        .allSatisfy(r -> assertThat(r.get("status").asInt()).isEqualTo(400));
  }

  @Test
  void aModelBeyondTheCapIsRefused400() throws Exception {
    start(
        "default:\n  models: ['gpt-*']\n",
        Map.of("LMGATE_POLICY__MAX_READ_AHEAD_BYTES", "65536"),
        LimitStoreFactory.standard());
    String body = "{\"messages\":\"" + "x".repeat(70_000) + "\",\"model\":\"gpt-4o\"}";
    Admission.Refused refusal = refused(post(KEY1, "/openai/v1/chat/completions", body));
    assertThat(refusal.error().status()).isEqualTo(400);
    assertThat(refusal.error().message()).contains("65536 bytes");
  }

  private static byte[] fixture(String name) throws IOException {
    try (InputStream in = PolicyAdmissionTest.class.getResourceAsStream("/fixtures/" + name)) {
      return in.readAllBytes();
    }
  }

  /** A body served from an array, in reads of at most 1000 bytes. */
  static final class Body implements RequestBody {
    private final byte[] bytes;
    private int at;
    final AtomicInteger reads = new AtomicInteger();

    Body(byte[] bytes) {
      this.bytes = bytes;
    }

    @Override
    public int read(byte[] into, int offset, int length) {
      reads.incrementAndGet();
      if (at == bytes.length) {
        return -1;
      }
      int n = Math.min(Math.min(length, 1000), bytes.length - at);
      System.arraycopy(bytes, at, into, offset, n);
      at += n;
      return n;
    }
  }

  /** A store that always fails. */
  static final class FailingStore implements ai.numio.lmgate.limit.LimitStore {
    @Override
    public ai.numio.lmgate.limit.Verdict acquire(
        List<ai.numio.lmgate.limit.Limit> limits, long nowMillis)
        throws ai.numio.lmgate.limit.LimitStoreException {
      throw new ai.numio.lmgate.limit.LimitStoreException("down", null);
    }

    @Override
    public void charge(
        List<ai.numio.lmgate.limit.Limit> limits,
        long tokens,
        Double usd,
        long arrivalMillis,
        long nowMillis)
        throws ai.numio.lmgate.limit.LimitStoreException {
      throw new ai.numio.lmgate.limit.LimitStoreException("down", null);
    }

    @Override
    public void close() {}
  }
}

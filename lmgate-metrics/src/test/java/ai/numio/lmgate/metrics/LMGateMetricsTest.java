package ai.numio.lmgate.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import ai.numio.lmgate.LMGate;
import ai.numio.lmgate.config.ConfigLoader;
import ai.numio.lmgate.stats.UsageRecord;
import ai.numio.lmgate.testing.PromText;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The metrics' bounded labels and series, the scrape's token check and the exposition. */
class LMGateMetricsTest {

  @TempDir Path dir;
  private LMGate gate;

  @AfterEach
  void tearDown() {
    if (gate != null) {
      gate.close();
    }
  }

  private LMGateMetrics start(Map<String, String> extra) throws Exception {
    Path allowList = dir.resolve("allowlist.csv");
    Files.writeString(allowList, "id,api_key,owner,added\n1,sk-test-0123456789abcdef,team,\n");
    Map<String, String> env = new HashMap<>(extra);
    env.put("LMGATE_AUTH__ALLOWLIST_PATH", allowList.toString());
    env.put("LMGATE_STATS__OUTPUT_PATH", dir.resolve("stats.jsonl").toString());
    gate = LMGate.start(ConfigLoader.load(Optional.empty(), env, dir));
    return LMGateMetrics.attach(gate);
  }

  private static UsageRecord record(String route, String model, String owner, String errorType) {
    return new UsageRecord(
        Instant.now(),
        "1",
        route,
        "/x",
        model,
        200,
        10L,
        5L,
        "abcdef",
        errorType,
        owner,
        "POST",
        false,
        12,
        3L,
        null,
        null,
        null,
        null,
        0.001);
  }

  private static String scrape(LMGateMetrics metrics) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    metrics.write(null, out);
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void fiftyThousandModelsAndOwnersStayWithinMaxSeriesAndMemoryStaysFlat() throws Exception {
    int max = 100;
    LMGateMetrics metrics =
        start(
            Map.of("LMGATE_METRICS__MAX_SERIES", "" + max, "LMGATE_METRICS__OWNER_LABEL", "true"));
    // warm up to the cap, then measure what 50,000 more distinct values cost
    for (int i = 0; i < 1000; i++) {
      metrics.recorded(record("openai", "warm-" + i, "o-" + i, "e-" + i), 1000);
    }
    long before = usedHeapAfterGc();
    for (int i = 0; i < 50_000; i++) {
      metrics.recorded(record("openai", "model-" + i, "owner-" + i, "type-" + i), 1000);
    }
    long after = usedHeapAfterGc();
    PromText text = PromText.parse(scrape(metrics));

    assertThat(text.named("lmgate_requests_total")).hasSizeLessThanOrEqualTo(max + 1);
    assertThat(text.named("lmgate_cost_usd_total")).hasSizeLessThanOrEqualTo(max + 1);
    // five token types per (route, model, owner) series
    assertThat(text.named("lmgate_tokens_total")).hasSizeLessThanOrEqualTo((max + 1) * 5);
    Set<String> models =
        text.named("lmgate_requests_total").stream()
            .map(s -> s.labels().get("model"))
            .collect(Collectors.toSet());
    assertThat(models).contains("other").hasSizeLessThanOrEqualTo(max + 1);
    // nothing is lost: every record is counted, the overflow in `other`
    double total =
        text.named("lmgate_requests_total").stream().mapToDouble(PromText.Sample::value).sum();
    assertThat(total).isEqualTo(51_000);
    assertThat(
            text.value(
                "lmgate_requests_total",
                Map.of(
                    "route",
                    "other",
                    "provider",
                    "other",
                    "model",
                    "other",
                    "status",
                    "other",
                    "error_type",
                    "other",
                    "owner",
                    "other")))
        .isGreaterThanOrEqualTo(50_000);
    // generous: 50,000 kept label values would take several MB
    assertThat(after - before).isLessThan(2L * 1024 * 1024);
  }

  @Test
  void theTokenIsComparedAsABearerCredential() throws Exception {
    LMGateMetrics open = start(Map.of());
    assertThat(open.access(null)).isEqualTo(LMGateMetrics.Access.ALLOWED);
    gate.close();
    LMGateMetrics guarded = start(Map.of("LMGATE_METRICS__TOKEN", "0123456789abcdef-token"));
    assertThat(guarded.access(null)).isEqualTo(LMGateMetrics.Access.UNAUTHORIZED);
    assertThat(guarded.access("Basic abc")).isEqualTo(LMGateMetrics.Access.UNAUTHORIZED);
    assertThat(guarded.access("Bearer 0123456789abcdef-tokem"))
        .isEqualTo(LMGateMetrics.Access.FORBIDDEN);
    assertThat(guarded.access("Bearer 0123456789abcdef-token"))
        .isEqualTo(LMGateMetrics.Access.ALLOWED);
    assertThat(guarded.access("bearer   0123456789abcdef-token "))
        .isEqualTo(LMGateMetrics.Access.ALLOWED);
    assertThat(gate.config().metrics().toString()).doesNotContain("0123456789abcdef-token");
  }

  @Test
  void labelsThatNeedEscapingParse() throws Exception {
    LMGateMetrics metrics = start(Map.of());
    metrics.recorded(record("openai", "we\"ird\\model\nx", "team", "bad \"type\""), -1);
    PromText text = PromText.parse(scrape(metrics));
    assertThat(text.named("lmgate_requests_total"))
        .extracting(s -> s.labels().get("model"))
        .containsExactly("we\"ird\\model\nx");
    assertThat(text.value("lmgate_overhead_seconds_count", Map.of())).isZero();
  }

  @Test
  void theGrafanaDashboardQueriesOnlyMetricsThatExist() throws Exception {
    LMGateMetrics metrics = start(Map.of());
    metrics.recorded(record("openai", "gpt-4o", "team", null), 50_000);
    PromText text = PromText.parse(scrape(metrics));
    Set<String> samples =
        text.samples().stream().map(PromText.Sample::name).collect(Collectors.toSet());
    com.fasterxml.jackson.databind.JsonNode dashboard =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(Path.of("../examples/grafana/lmgate-dashboard.json").toFile());
    assertThat(dashboard.get("title").asText()).isEqualTo("LMGate");
    Set<String> queried = new java.util.TreeSet<>();
    for (com.fasterxml.jackson.databind.JsonNode panel : dashboard.get("panels")) {
      for (com.fasterxml.jackson.databind.JsonNode target : panel.path("targets")) {
        java.util.regex.Matcher names =
            java.util.regex.Pattern.compile("lmgate_[a-z_]+").matcher(target.get("expr").asText());
        while (names.find()) {
          queried.add(names.group());
        }
      }
    }
    assertThat(queried).hasSizeGreaterThan(10);
    assertThat(samples).containsAll(queried);
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(50);
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}

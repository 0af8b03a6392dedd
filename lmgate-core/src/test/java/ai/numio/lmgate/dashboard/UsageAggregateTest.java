package ai.numio.lmgate.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import ai.numio.lmgate.ManualTimeSource;
import ai.numio.lmgate.stats.UsageRecord;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The aggregate's arithmetic: ranges, buckets, groups, caps and percentiles. */
class UsageAggregateTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant NOW = Instant.parse("2026-03-10T12:30:30Z");

  private final ManualTimeSource time = new ManualTimeSource(NOW);
  private final UsageAggregate aggregate = new UsageAggregate(time, () -> 3);

  static UsageRecord record(
      Instant at,
      String owner,
      String model,
      String route,
      long input,
      long output,
      Double cost,
      String errorType,
      long durationMs) {
    return new UsageRecord(
        at,
        "1",
        route,
        "/" + route + "/v1/x",
        model,
        errorType == null ? 200 : 429,
        input,
        output,
        "abcdef",
        errorType,
        owner,
        "POST",
        false,
        durationMs,
        durationMs / 2,
        5L,
        7L,
        null,
        null,
        cost);
  }

  private JsonNode summary(Range range, Dimension by) throws Exception {
    return JSON.readTree(aggregate.summaryJson(range, by));
  }

  @Test
  void eachRangeCountsWhatFallsInIt() throws Exception {
    aggregate.recorded(
        record(NOW.minusSeconds(10), "a", "m1", "openai", 100, 10, 0.25, null, 40), 2_000_000);
    aggregate.recorded(
        record(NOW.minus(Duration.ofMinutes(59)), "b", "m2", "anthropic", 200, 20, 0.5, null, 40),
        -1);
    aggregate.recorded(
        record(
            NOW.minus(Duration.ofMinutes(61)),
            "a",
            "m1",
            "openai",
            400,
            40,
            1.0,
            "rate_limited",
            40),
        -1);
    aggregate.recorded(
        record(
            NOW.minus(Duration.ofDays(29)),
            "c",
            "m1",
            "openai",
            800,
            80,
            2.0,
            "upstream_error",
            40),
        -1);
    aggregate.recorded(
        record(NOW.minus(Duration.ofDays(31)), "c", "m1", "openai", 1600, 160, 4.0, null, 40), -1);

    JsonNode hour = summary(Range.HOUR, Dimension.OWNER);
    assertThat(hour.get("totals").toString())
        .isEqualTo(
            "{\"requests\":2,\"errors\":0,\"refusals\":0,\"input_tokens\":300,\"output_tokens\":30,"
                + "\"cache_read_tokens\":10,\"cache_write_tokens\":14,\"unpriced\":0,\"cost_usd\":0.75}");
    assertThat(hour.get("inflight").asInt()).isEqualTo(3);
    assertThat(hour.get("buckets").get(59).asLong())
        .isEqualTo(Instant.parse("2026-03-10T12:30:00Z").toEpochMilli());
    assertThat(hour.get("series").get("requests").get(59).asLong()).isEqualTo(1);
    assertThat(hour.get("series").get("requests").get(0).asLong()).isEqualTo(1); // 11:31

    JsonNode day = summary(Range.DAY, Dimension.OWNER).get("totals");
    assertThat(day.get("requests").asLong()).isEqualTo(3);
    assertThat(day.get("refusals").asLong()).isEqualTo(1);
    JsonNode month = summary(Range.MONTH, Dimension.OWNER);
    assertThat(month.get("totals").get("requests").asLong()).isEqualTo(4);
    assertThat(month.get("totals").get("errors").asLong()).isEqualTo(1);
    assertThat(month.get("totals").get("cost_usd").decimalValue()).isEqualByComparingTo("3.75");
    assertThat(month.get("top_spenders").findValuesAsText("owner")).containsExactly("c", "a", "b");
    // overhead: only the live record had one (2 ms → bucket [1.792, 2.048) ms)
    assertThat(hour.get("latency").get("overhead_ms").toString())
        .isEqualTo("{\"count\":1,\"p50\":2.048,\"p90\":2.048,\"p99\":2.048}");
  }

  @Test
  void aBucketIsReusedWhenItsPeriodComesRoundAgain() throws Exception {
    aggregate.recorded(record(NOW, "a", "m", "openai", 1, 1, 1.0, null, 1), -1);
    time.setWallClock(NOW.plus(Duration.ofHours(1)));
    aggregate.recorded(
        record(NOW.plus(Duration.ofHours(1)), "a", "m", "openai", 2, 2, 2.0, null, 1), -1);
    // the same minute slot, an hour later: the old minute is gone from the hour ring
    JsonNode hour = summary(Range.HOUR, Dimension.OWNER).get("totals");
    assertThat(hour.get("requests").asLong()).isEqualTo(1);
    assertThat(hour.get("input_tokens").asLong()).isEqualTo(2);
    assertThat(summary(Range.DAY, Dimension.OWNER).get("totals").get("requests").asLong())
        .isEqualTo(2);
    // a record older than what its slot holds is outside the ring
    aggregate.recorded(
        record(NOW.minus(Duration.ofHours(2)), "a", "m", "openai", 4, 4, 4.0, null, 1), -1);
    assertThat(summary(Range.HOUR, Dimension.OWNER).get("totals").get("requests").asLong())
        .isEqualTo(1);
  }

  @Test
  void distinctValuesAreCappedAndTheRestIsOther() throws Exception {
    for (int i = 0; i < 50_000; i++) {
      aggregate.recorded(
          record(NOW, "owner-" + i, "model-" + i, "openai", 1, 0, 0.001, null, 1), -1);
    }
    JsonNode byModel = summary(Range.HOUR, Dimension.MODEL);
    assertThat(byModel.get("totals").get("requests").asLong()).isEqualTo(50_000);
    JsonNode groups = byModel.get("groups");
    assertThat(groups.size()).isEqualTo(Snapshot.CHART_GROUPS + 1);
    JsonNode other = groups.get(groups.size() - 1);
    assertThat(other.get("name").asText()).isEqualTo("(other)");
    assertThat(other.get("requests").asLong()).isEqualTo(50_000 - Snapshot.CHART_GROUPS);
    JsonNode spenders = summary(Range.HOUR, Dimension.OWNER).get("top_spenders");
    assertThat(spenders.get(0).get("owner").asText()).isEqualTo("(other)");
    assertThat(spenders.get(0).get("requests").asLong()).isEqualTo(50_000 - Dimension.OWNER.cap());
    assertThat(aggregate.summaryJson(Range.MONTH, Dimension.OWNER).length).isLessThan(64 * 1024);
  }

  @Test
  void theHistogramBoundsEveryValueWithinAQuarter() {
    for (long v = 0; v < 5_000_000; v += 7) {
      int b = LogHistogram.bucket(v);
      long upper = LogHistogram.upperBound(b);
      assertThat(upper).isGreaterThan(v);
      assertThat(upper).isLessThanOrEqualTo(Math.max(v + 1, (long) Math.ceil(v * 1.25) + 1));
      if (b > 0) {
        assertThat(LogHistogram.upperBound(b - 1)).isLessThanOrEqualTo(v);
      }
    }
    assertThat(LogHistogram.bucket(Long.MAX_VALUE)).isEqualTo(LogHistogram.BUCKETS - 1);
  }
}

package ai.numio.lmgate.standalone;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import ai.numio.lmgate.standalone.UsageReport.Counts;
import ai.numio.lmgate.standalone.UsageReport.LineResult;
import ai.numio.lmgate.standalone.UsageReport.Row;
import ai.numio.lmgate.standalone.UsageReport.Summary;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UsageReportTest {

  private final UsageReport report = new UsageReport();

  private LineResult add(String line) {
    byte[] bytes = ("##" + line + "##").getBytes(UTF_8); // the offset and length are honoured
    return report.addLine(bytes, 2, bytes.length - 4);
  }

  /** A full SPEC §5 record. */
  private static String record(
      String timestamp,
      String owner,
      String provider,
      String model,
      String errorType,
      Long input,
      Long output,
      Long cacheRead,
      Long reasoning) {
    return "{\"timestamp\":"
        + json(timestamp)
        + ",\"lmgate_id\":\"7\",\"provider\":"
        + json(provider)
        + ",\"endpoint\":\"/"
        + provider
        + "/v1/x\",\"model\":"
        + json(model)
        + ",\"status\":"
        + (errorType == null ? 200 : 500)
        + ",\"input_tokens\":"
        + input
        + ",\"output_tokens\":"
        + output
        + ",\"masked_key\":\"abc123\",\"error_type\":"
        + json(errorType)
        + ",\"owner\":"
        + json(owner)
        + ",\"method\":\"POST\",\"stream\":false,\"duration_ms\":12,\"ttfb_ms\":null"
        + ",\"cache_read_tokens\":"
        + cacheRead
        + ",\"cache_write_tokens\":null,\"reasoning_tokens\":"
        + reasoning
        + ",\"upstream_request_id\":null}";
  }

  /** Counts of records without cost_usd: every request is unpriced, nothing cache-written. */
  private static Counts unpriced(
      long requests, long errors, long input, long output, long cacheRead, long reasoning) {
    return new Counts(requests, errors, input, output, cacheRead, 0, reasoning, null, requests);
  }

  private static String json(String s) {
    return s == null ? "null" : "\"" + s + "\"";
  }

  @Test
  void sumsPerOwnerProviderModelWithNullTokensAddingNothing() {
    assertThat(
            add(
                record(
                    "2026-02-16T12:00:00.000Z",
                    "team",
                    "openai",
                    "gpt-4o",
                    null,
                    100L,
                    20L,
                    64L,
                    null)))
        .isEqualTo(LineResult.RECORD);
    add(record("2026-02-16T12:00:01.000Z", "team", "openai", "gpt-4o", null, 7L, 3L, null, 2L));
    add(
        record(
            "2026-02-16T12:00:02.000Z",
            "team",
            "openai",
            "gpt-4o",
            "server_error",
            null,
            null,
            null,
            null));

    Summary s = report.summary();

    Counts expected = unpriced(3, 1, 107, 23, 64, 2);
    assertThat(s.rows())
        .containsExactly(new Row(Arrays.asList("team", "openai", "gpt-4o"), expected));
    assertThat(s.subtotals()).containsExactly(new Row(Arrays.asList("team"), expected));
    assertThat(s.total()).isEqualTo(expected);
    assertThat(s.records()).isEqualTo(3);
    assertThat(s.malformedLines()).isZero();
  }

  @Test
  void rowsAndOwnersSortedWithNullsFirst() {
    add(record("2026-02-16T12:00:00.000Z", "zoe", "openai", "b", null, 1L, 0L, 0L, 0L));
    add(record("2026-02-16T12:00:00.000Z", "amy", "openai", "b", null, 2L, 0L, 0L, 0L));
    add(record("2026-02-16T12:00:00.000Z", "amy", "openai", null, "x", 4L, 0L, 0L, 0L));
    add(record("2026-02-16T12:00:00.000Z", "amy", "anthropic", "z", null, 8L, 0L, 0L, 0L));
    add(record("2026-02-16T12:00:00.000Z", null, "openai", "a", null, 16L, 0L, 0L, 0L));
    add(record("2026-02-16T12:00:00.000Z", "amy", "openai", "a", null, 32L, 0L, 0L, 0L));

    Summary s = report.summary();

    assertThat(s.rows())
        .extracting(
            r ->
                String.join(
                        "/",
                        String.valueOf(r.keys().get(0)),
                        String.valueOf(r.keys().get(1)),
                        String.valueOf(r.keys().get(2)))
                    + "="
                    + r.counts().inputTokens())
        .containsExactly(
            "null/openai/a=16",
            "amy/anthropic/z=8",
            "amy/openai/null=4",
            "amy/openai/a=32",
            "amy/openai/b=2",
            "zoe/openai/b=1");
    assertThat(s.subtotals())
        .containsExactly(
            new Row(Arrays.asList((String) null), unpriced(1, 0, 16, 0, 0, 0)),
            new Row(Arrays.asList("amy"), unpriced(4, 1, 46, 0, 0, 0)),
            new Row(Arrays.asList("zoe"), unpriced(1, 0, 1, 0, 0, 0)));
    assertThat(s.total()).isEqualTo(unpriced(6, 1, 63, 0, 0, 0));
  }

  @Test
  void timeSpanIsEarliestToLatestWhateverTheOrder() {
    add(record("2026-02-16T12:00:05.000Z", "t", "openai", "m", null, 1L, 1L, 1L, 1L));
    add(record("2026-02-16T11:59:59.999Z", "t", "openai", "m", null, 1L, 1L, 1L, 1L));
    add(record("2026-02-16T12:00:01.000Z", "t", "openai", "m", null, 1L, 1L, 1L, 1L));
    add("{\"owner\":\"t\",\"provider\":\"openai\",\"model\":\"m\"}"); // no timestamp: still counts

    Summary s = report.summary();

    assertThat(s.firstTimestamp()).isEqualTo(Instant.parse("2026-02-16T11:59:59.999Z"));
    assertThat(s.lastTimestamp()).isEqualTo(Instant.parse("2026-02-16T12:00:05.000Z"));
    assertThat(s.records()).isEqualTo(4);
  }

  @Test
  void noRecordsNoTimeSpan() {
    Summary s = report.summary();
    assertThat(s.rows()).isEmpty();
    assertThat(s.subtotals()).isEmpty();
    assertThat(s.total()).isEqualTo(unpriced(0, 0, 0, 0, 0, 0));
    assertThat(s.firstTimestamp()).isNull();
    assertThat(s.lastTimestamp()).isNull();
  }

  @Test
  void absentFieldsAreNull() {
    assertThat(add("{\"timestamp\":\"2026-02-16T12:00:00Z\",\"input_tokens\":5}"))
        .isEqualTo(LineResult.RECORD);
    assertThat(report.summary().rows())
        .containsExactly(new Row(Arrays.asList(null, null, null), unpriced(1, 0, 5, 0, 0, 0)));
  }

  @Test
  void unknownFieldsAreIgnored() {
    assertThat(add("{\"owner\":\"t\",\"input_tokens\":5,\"region\":{\"a\":[1,2]},\"x\":1.5}"))
        .isEqualTo(LineResult.RECORD);
    assertThat(report.summary().total()).isEqualTo(unpriced(1, 0, 5, 0, 0, 0));
  }

  @Test
  void timestampWithOffsetIsAccepted() {
    assertThat(add("{\"timestamp\":\"2026-02-16T13:00:00+01:00\"}")).isEqualTo(LineResult.RECORD);
    assertThat(report.summary().firstTimestamp()).isEqualTo(Instant.parse("2026-02-16T12:00:00Z"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "\t \r", "\r"})
  void blankLinesAreSkippedNotCounted(String line) {
    assertThat(add(line)).isEqualTo(LineResult.BLANK);
    Summary s = report.summary();
    assertThat(s.records()).isZero();
    assertThat(s.malformedLines()).isZero();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "not json",
        "[1,2,3]",
        "\"a string\"",
        "42",
        "null",
        "{\"owner\":\"t\",\"input_tokens\":5",
        "{\"owner\":\"t\"} {\"owner\":\"u\"}",
        "{\"owner\":\"t\"} trailing",
        "{\"owner\":\"t\",\"owner\":\"u\"}",
        "{\"input_tokens\":\"12\"}",
        "{\"input_tokens\":1.5}",
        "{\"input_tokens\":-1}",
        "{\"input_tokens\":true}",
        "{\"output_tokens\":99999999999999999999}",
        "{\"cache_read_tokens\":{}}",
        "{\"reasoning_tokens\":[1]}",
        "{\"owner\":7}",
        "{\"provider\":false}",
        "{\"model\":[\"gpt-4o\"]}",
        "{\"error_type\":500}",
        "{\"timestamp\":1771243200000}",
        "{\"timestamp\":\"yesterday\"}",
        "{\"timestamp\":\"2026-02-16T12:00:00\"}",
        "{\"timestamp\":\"2026-02-16T11:31:00.000Z\",\"lmgate_id\":\"1\",\"endpoint\":\"/openai/v1/ch"
      })
  void malformedLinesAreCountedAndAddNothing(String line) {
    add(record("2026-02-16T12:00:00.000Z", "team", "openai", "gpt-4o", null, 10L, 1L, 0L, 0L));

    assertThat(add(line)).isEqualTo(LineResult.MALFORMED);

    Summary s = report.summary();
    assertThat(s.malformedLines()).isEqualTo(1);
    assertThat(s.records()).isEqualTo(1);
    assertThat(s.total()).isEqualTo(unpriced(1, 0, 10, 1, 0, 0));
    assertThat(s.rows()).hasSize(1);
    assertThat(s.lastTimestamp()).isEqualTo(Instant.parse("2026-02-16T12:00:00Z"));
  }

  @Test
  void invalidUtf8IsMalformed() {
    byte[] bytes = "{\"owner\":\"t\u00e9\"}".getBytes(UTF_8);
    bytes[bytes.length - 4] = (byte) 0xFF;
    assertThat(report.addLine(bytes, 0, bytes.length)).isEqualTo(LineResult.MALFORMED);
  }

  @Test
  void lineThatWouldOverflowATotalIsMalformedAndTheTotalsStayExact() {
    long big = Long.MAX_VALUE - 10;
    assertThat(add("{\"owner\":\"a\",\"input_tokens\":" + big + "}")).isEqualTo(LineResult.RECORD);
    assertThat(add("{\"owner\":\"b\",\"input_tokens\":11}")).isEqualTo(LineResult.MALFORMED);
    assertThat(add("{\"owner\":\"b\",\"input_tokens\":10}")).isEqualTo(LineResult.RECORD);

    Summary s = report.summary();
    assertThat(s.total()).isEqualTo(unpriced(2, 0, Long.MAX_VALUE, 0, 0, 0));
    assertThat(s.malformedLines()).isEqualTo(1);
  }

  @Test
  void errorsAreRecordsWithAnyNonNullErrorType() {
    add("{\"owner\":\"t\",\"status\":200,\"error_type\":null}");
    add("{\"owner\":\"t\",\"status\":499,\"error_type\":\"client_disconnected\"}");
    add("{\"owner\":\"t\",\"status\":200,\"error_type\":\"upstream_disconnected\"}");
    add("{\"owner\":\"t\",\"status\":404}");

    assertThat(report.summary().total()).isEqualTo(unpriced(4, 2, 0, 0, 0, 0));
  }

  @Test
  void overlongLinesCountAsMalformed() {
    report.addMalformedLine();
    assertThat(report.summary().malformedLines()).isEqualTo(1);
    assertThat(report.summary().records()).isZero();
  }

  /** A record with the fields part 2 adds: cache writes, the key's id and the cost. */
  private static String priced(
      String timestamp, String id, String owner, String model, Long cacheWrite, String cost) {
    return "{\"timestamp\":\""
        + timestamp
        + "\",\"lmgate_id\":\""
        + id
        + "\",\"provider\":\"anthropic\",\"model\":\""
        + model
        + "\",\"input_tokens\":10,\"output_tokens\":2,\"error_type\":null,\"owner\":\""
        + owner
        + "\",\"cache_read_tokens\":null,\"cache_write_tokens\":"
        + cacheWrite
        + ",\"reasoning_tokens\":null,\"cost_usd\":"
        + cost
        + "}";
  }

  @Test
  void costsAreSummedExactlyAndRecordsWithoutOneAreUnpricedNotFree() {
    UsageReport r = new UsageReport(List.of(ReportDimension.MODEL), null, null);
    addTo(r, priced("2026-02-16T12:00:00Z", "1", "a", "m1", 100L, "0.1"));
    addTo(r, priced("2026-02-16T12:00:01Z", "1", "a", "m1", 7L, "0.2"));
    addTo(r, priced("2026-02-16T12:00:02Z", "1", "a", "m1", null, "0.0000015"));
    addTo(r, priced("2026-02-16T12:00:03Z", "1", "a", "m1", null, "null"));
    addTo(r, priced("2026-02-16T12:00:04Z", "1", "a", "m2", null, "null"));
    // an older file: no cost_usd at all
    addTo(r, record("2026-02-16T12:00:05.000Z", "a", "openai", "m3", null, 1L, 1L, null, null));

    Summary s = r.summary();

    // 0.1 + 0.2 + 0.0000015 = 0.3000015 exactly (as doubles it would be 0.30000150000000004)
    assertThat(s.rows())
        .containsExactly(
            new Row(
                List.of("m1"), new Counts(4, 0, 40, 8, 0, 107, 0, new BigDecimal("0.3000015"), 1)),
            new Row(List.of("m2"), new Counts(1, 0, 10, 2, 0, 0, 0, null, 1)),
            new Row(List.of("m3"), new Counts(1, 0, 1, 1, 0, 0, 0, null, 1)));
    assertThat(s.subtotals()).isEmpty();
    assertThat(s.total())
        .isEqualTo(new Counts(6, 0, 51, 11, 0, 107, 0, new BigDecimal("0.3000015"), 3));
  }

  @ParameterizedTest
  @ValueSource(strings = {"-0.5", "\"0.5\"", "true", "{}"})
  void aCostThatIsNotANonNegativeNumberIsMalformed(String cost) {
    UsageReport r = new UsageReport();
    assertThat(addTo(r, priced("2026-02-16T12:00:00Z", "1", "a", "m", null, cost)))
        .isEqualTo(LineResult.MALFORMED);
  }

  @Test
  void groupsByDayAndKeyInTheOrderGivenWithSubtotalsOfTheFirst() {
    UsageReport r = new UsageReport(List.of(ReportDimension.DAY, ReportDimension.KEY), null, null);
    addTo(r, priced("2026-02-16T23:59:59.999Z", "2", "a", "m", null, "1"));
    addTo(r, priced("2026-02-17T00:00:00Z", "1", "a", "m", null, "2"));
    addTo(r, priced("2026-02-16T08:00:00Z", "1", "b", "m", null, "4"));
    addTo(r, priced("2026-02-16T09:00:00Z", "1", "b", "m", null, "8"));

    Summary s = r.summary();

    assertThat(s.rows())
        .extracting(row -> row.keys() + "=" + row.counts().costUsd())
        .containsExactly("[2026-02-16, 1]=12", "[2026-02-16, 2]=1", "[2026-02-17, 1]=2");
    assertThat(s.subtotals())
        .extracting(row -> row.keys() + "=" + row.counts().costUsd())
        .containsExactly("[2026-02-16]=13", "[2026-02-17]=2");
  }

  @Test
  void sinceIsInclusiveUntilExclusiveAndUndatedRecordsAreOutsideAPeriod() {
    UsageReport r =
        new UsageReport(
            ReportDimension.DEFAULT,
            Instant.parse("2026-02-16T00:00:00Z"),
            Instant.parse("2026-02-17T00:00:00Z"));
    assertThat(addTo(r, priced("2026-02-15T23:59:59.999Z", "1", "a", "m", null, "1")))
        .isEqualTo(LineResult.OUTSIDE_PERIOD);
    assertThat(addTo(r, priced("2026-02-16T00:00:00Z", "1", "a", "m", null, "2")))
        .isEqualTo(LineResult.RECORD);
    assertThat(addTo(r, priced("2026-02-16T23:59:59.999Z", "1", "a", "m", null, "4")))
        .isEqualTo(LineResult.RECORD);
    assertThat(addTo(r, priced("2026-02-17T00:00:00Z", "1", "a", "m", null, "8")))
        .isEqualTo(LineResult.OUTSIDE_PERIOD);
    assertThat(addTo(r, "{\"owner\":\"a\",\"cost_usd\":16}")).isEqualTo(LineResult.OUTSIDE_PERIOD);

    Summary s = r.summary();
    assertThat(s.records()).isEqualTo(2);
    assertThat(s.outsidePeriod()).isEqualTo(3);
    assertThat(s.total().costUsd()).isEqualByComparingTo("6");
    assertThat(s.firstTimestamp()).isEqualTo(Instant.parse("2026-02-16T00:00:00Z"));
  }

  private static LineResult addTo(UsageReport r, String line) {
    byte[] bytes = line.getBytes(UTF_8);
    return r.addLine(bytes, 0, bytes.length);
  }
}

package ai.numio.lmgate.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Reading stats lines back: what the writer wrote comes back equal; anything else is null. */
class UsageRecordReaderTest {

  private final UsageRecordReader reader = new UsageRecordReader();

  private UsageRecord read(String line) {
    byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
    return reader.read(bytes, 0, bytes.length);
  }

  static UsageRecord full(Instant at) {
    return new UsageRecord(
        at,
        "7",
        "anthropic",
        "/anthropic/v1/messages",
        "claude-sonnet-4-5",
        200,
        1520L,
        312L,
        "Xy9AbQ",
        "overloaded_error",
        "team-alpha",
        "POST",
        true,
        4821L,
        612L,
        1024L,
        256L,
        88L,
        "req_011CPvN2xYz",
        0.0105072);
  }

  @Test
  void whatTheWriterWroteReadsBackEqual() {
    UsageRecord full = full(Instant.parse("2026-02-16T12:00:00.042Z"));
    assertThat(read(UsageRecordJson.line(full).strip())).isEqualTo(full);
    UsageRecord sparse =
        new UsageRecord(
            Instant.parse("2024-02-29T23:59:59.999Z"),
            "2",
            "openai",
            "/openai/v1/x",
            null,
            502,
            null,
            null,
            "c0ffee",
            "upstream_unreachable",
            "team-beta",
            "POST",
            false,
            10003L,
            null,
            null,
            null,
            null,
            null,
            null);
    assertThat(read(UsageRecordJson.line(sparse).strip())).isEqualTo(sparse);
  }

  @Test
  void theFastTimestampPathAgreesWithInstantParse() throws Exception {
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 100_000; i++) {
      // 1970 … 2199, any millisecond
      Instant t = Instant.ofEpochMilli(random.nextLong(0, 7_258_118_400_000L));
      String line = UsageRecordJson.line(full(t)).strip();
      assertThat(read(line).timestamp()).as(line).isEqualTo(t);
    }
    assertThat(UsageRecordReader.instant("2026-02-16T12:00:00Z"))
        .isEqualTo(Instant.parse("2026-02-16T12:00:00Z"));
  }

  @Test
  void anythingElseIsNotARecord() {
    assertThat(read("not json")).isNull();
    assertThat(read("[1,2]")).isNull();
    assertThat(read("{\"timestamp\":\"yesterday\"}")).isNull();
    assertThat(read("{\"input_tokens\":-1}")).isNull();
    assertThat(read("{\"input_tokens\":\"12\"}")).isNull();
    assertThat(read("{\"owner\":5}")).isNull();
    assertThat(read("{\"cost_usd\":-0.5}")).isNull();
    assertThat(read("{\"owner\":\"a\"} {\"owner\":\"b\"}")).isNull();
    assertThat(read("{\"owner\":\"a\"")).isNull();
    // unknown fields are skipped; missing ones read as null
    assertThat(read("{\"owner\":\"a\",\"extra\":{\"x\":[1]}}").owner()).isEqualTo("a");
  }
}

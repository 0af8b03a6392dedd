package ai.numio.lmgate.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import ai.numio.lmgate.ManualTimeSource;
import ai.numio.lmgate.stats.UsageRecord;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** History from the stats files: read once, and never a record this process also observed. */
class HistorySeederTest {

  private static final Instant NOW = Instant.parse("2026-03-10T12:30:30Z");

  @TempDir Path dir;
  private final ManualTimeSource time = new ManualTimeSource(NOW);
  private final UsageAggregate aggregate = new UsageAggregate(time, () -> 0);

  private static String line(Instant at, String owner, long input) {
    return "{\"timestamp\":\""
        + at
        + "\",\"owner\":\""
        + owner
        + "\",\"provider\":\"openai\",\"model\":\"m\",\"input_tokens\":"
        + input
        + ",\"duration_ms\":5}\n";
  }

  private long requests(Range range) throws Exception {
    return new ObjectMapper()
        .readTree(aggregate.summaryJson(range, Dimension.OWNER))
        .get("totals")
        .get("requests")
        .asLong();
  }

  @Test
  void whatIsWrittenAfterTheSnapshotIsNotReadAgain() throws Exception {
    Path live = dir.resolve("stats.jsonl");
    Files.writeString(
        dir.resolve("stats.jsonl.20260310110000"), line(NOW.minusSeconds(7200), "old", 1));
    Files.writeString(
        dir.resolve("stats.jsonl.20260110110000"), line(NOW.minus(Duration.ofDays(59)), "x", 1));
    Files.writeString(live, line(NOW.minusSeconds(60), "a", 10) + "garbage\n");

    // The gateway: observe, snapshot, then serve — records arrive live and reach the file too,
    // and the file rotates, all before the history is read.
    HistorySeeder seeder = HistorySeeder.snapshot(live, time);
    assertThat(seeder.files())
        .containsExactly(dir.resolve("stats.jsonl.20260310110000"), live); // 59 days: skipped
    UsageRecord liveRecord =
        UsageAggregateTest.record(NOW.minusSeconds(5), "b", "m", "openai", 20, 0, null, null, 5);
    aggregate.recorded(liveRecord, 1000);
    Files.writeString(live, line(NOW.minusSeconds(5), "b", 20), StandardOpenOption.APPEND);
    Files.move(live, dir.resolve("stats.jsonl.20260310123000"));
    Files.writeString(live, line(NOW.minusSeconds(1), "b", 40), StandardCharsets.UTF_8);

    seeder.seed(aggregate);

    assertThat(aggregate.history().state()).isEqualTo(History.State.DONE);
    assertThat(aggregate.history().records()).isEqualTo(2); // "old" and "a"
    assertThat(aggregate.history().malformed()).isEqualTo(1);
    assertThat(requests(Range.HOUR)).isEqualTo(2); // a (history) + b (live), each once
    assertThat(requests(Range.DAY)).isEqualTo(3);
  }

  @Test
  void withoutFilesThereIsNothingToRead() throws Exception {
    HistorySeeder seeder = HistorySeeder.snapshot(dir.resolve("none/stats.jsonl"), time);
    assertThat(seeder.files()).isEmpty();
    seeder.seed(aggregate);
    assertThat(aggregate.history().state()).isEqualTo(History.State.DONE);
    assertThat(requests(Range.MONTH)).isZero();
  }
}

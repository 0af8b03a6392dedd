package ai.numio.lmgate.bench;

import ai.numio.lmgate.TimeSource;
import ai.numio.lmgate.dashboard.Dimension;
import ai.numio.lmgate.dashboard.HistorySeeder;
import ai.numio.lmgate.dashboard.Range;
import ai.numio.lmgate.dashboard.UsageAggregate;
import ai.numio.lmgate.stats.StatsWriter;
import ai.numio.lmgate.stats.UsageRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The dashboard's aggregate: one record counted on the finishing thread ({@code record}, one
 * thread; {@code recordContended}, two threads on one lock), the summary a poll of the page builds,
 * and, with {@code -p historyLines=1000000}, reading a month of stats files at start.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DashboardBenchmark {

  private UsageAggregate aggregate;
  private UsageRecord[] records;
  private int next;

  @Setup(Level.Trial)
  public void setUp() {
    aggregate = new UsageAggregate(TimeSource.system(), () -> 0);
    records = new UsageRecord[256];
    Instant now = Instant.now();
    for (int i = 0; i < records.length; i++) {
      records[i] =
          new UsageRecord(
              now.minusSeconds(i * 7L),
              "17",
              i % 3 == 0 ? "anthropic" : "openai",
              "/openai/v1/chat/completions",
              "gpt-4o-mini-" + (i % 8),
              200,
              1117L,
              233L,
              "XYZ123",
              i % 50 == 0 ? "rate_limited" : null,
              "team-" + (i % 20),
              "POST",
              true,
              1834L,
              212L,
              1024L,
              null,
              0L,
              "req_8f2a0c1d9e",
              0.000255);
    }
    for (UsageRecord r : records) {
      aggregate.recorded(r, 150_000);
    }
  }

  @Benchmark
  public void record() {
    aggregate.recorded(records[next++ & 255], 150_000);
  }

  @Benchmark
  @Threads(2)
  public void recordContended(PerThread t) {
    aggregate.recorded(records[t.next++ & 255], 150_000);
  }

  /** Each thread's position in the records. */
  @State(Scope.Thread)
  public static class PerThread {
    int next;
  }

  @Benchmark
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public byte[] summaryMonth() {
    return aggregate.summaryJson(Range.MONTH, Dimension.OWNER);
  }

  /** A month of stats files written by the real writer, read back as the gateway does at start. */
  @State(Scope.Benchmark)
  public static class History {
    @org.openjdk.jmh.annotations.Param({"100000"})
    public int historyLines;

    Path dir;

    @Setup(Level.Trial)
    public void write() throws IOException {
      dir = Files.createTempDirectory("lmgate-history");
      Instant now = Instant.now();
      long step = Duration.ofDays(30).toMillis() / historyLines;
      try (StatsWriter writer =
          new StatsWriter(
              dir.resolve("stats.jsonl"),
              Duration.ofHours(1),
              64L << 20,
              8192,
              TimeSource.system())) {
        writer.start();
        for (int i = 0; i < historyLines; i++) {
          UsageRecord r =
              new UsageRecord(
                  now.minusMillis((long) (historyLines - i) * step),
                  Integer.toString(i % 300),
                  i % 3 == 0 ? "anthropic" : "openai",
                  "/openai/v1/chat/completions",
                  "gpt-4o-mini-" + (i % 12),
                  200,
                  1117L,
                  233L,
                  "XYZ123",
                  i % 50 == 0 ? "rate_limited" : null,
                  "team-" + (i % 40),
                  "POST",
                  i % 2 == 0,
                  1834L,
                  212L,
                  1024L,
                  null,
                  0L,
                  "req_8f2a0c1d9e" + i,
                  0.000255);
          while (!writer.offer(r)) {
            writer.flush();
          }
        }
      }
    }

    @TearDown(Level.Trial)
    public void delete() throws IOException {
      try (var files = Files.list(dir)) {
        for (Path p : (Iterable<Path>) files::iterator) {
          Files.delete(p);
        }
      }
      Files.delete(dir);
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Warmup(iterations = 1)
  @Measurement(iterations = 3)
  public long seedHistory(History h) {
    UsageAggregate fresh = new UsageAggregate(TimeSource.system(), () -> 0);
    HistorySeeder.snapshot(h.dir.resolve("stats.jsonl"), TimeSource.system()).seed(fresh);
    return fresh.history().records();
  }
}

package ai.numio.lmgate.bench;

import ai.numio.lmgate.TimeSource;
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
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The writer's sustained rate: records offered to the queue, serialized and appended to a real file
 * (rotating every 100 MiB), in batches of {@value #BATCH}. Score is records per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class StatsWriterBenchmark {

  static final int BATCH = 10_000;

  private Path dir;
  private StatsWriter writer;
  private UsageRecord record;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    dir = Files.createTempDirectory("lmgate-bench");
    writer =
        new StatsWriter(
            dir.resolve("stats.jsonl"),
            Duration.ofHours(1),
            100L << 20,
            BATCH * 2,
            TimeSource.system());
    record =
        new UsageRecord(
            Instant.now(),
            "17",
            "openai",
            "/openai/v1/chat/completions",
            "gpt-4o-mini-2024-07-18",
            200,
            1117L,
            233L,
            "XYZ123",
            null,
            "team-alpha",
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

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    writer.close();
    try (var files = Files.list(dir)) {
      for (Path p : files.toList()) {
        Files.delete(p);
      }
    }
    Files.delete(dir);
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long offerAndWrite() {
    for (int i = 0; i < BATCH; i++) {
      writer.offer(record);
    }
    writer.flush();
    return writer.writtenCount();
  }
}

package ai.numio.lmgate.bench;

import ai.numio.lmgate.auth.AllowList;
import ai.numio.lmgate.auth.AllowListException;
import ai.numio.lmgate.auth.AllowListLoader;
import ai.numio.lmgate.auth.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Loading a {@value #ROWS}-row allow-list file from disk: read, UTF-8 check, CSV parse, every rule
 * checked, both maps built. Keys are shaped like real ones (OpenAI project keys of 164 characters,
 * Anthropic keys of 108); every fourth row holds the {@code sha256:} form. Score is milliseconds
 * per load; the target is under one second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AllowListLoadBenchmark {

  static final int ROWS = 100_000;

  private static final String ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

  private Path dir;
  private Path file;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    dir = Files.createTempDirectory("lmgate-bench");
    file = dir.resolve("allowlist.csv");
    SplittableRandom random = new SplittableRandom(20_260_115);
    StringBuilder csv = new StringBuilder("id,api_key,owner,added\n");
    for (int i = 0; i < ROWS; i++) {
      String key =
          i % 2 == 0 ? "sk-proj-" + random(random, 156) : "sk-ant-api03-" + random(random, 95);
      csv.append(i)
          .append(',')
          .append(i % 4 == 3 ? Sha256.allowListForm(key) : key)
          .append(",team-")
          .append(i % 97)
          .append(",2026-01-15\n");
    }
    Files.writeString(file, csv, StandardCharsets.UTF_8);
  }

  private static String random(SplittableRandom random, int length) {
    StringBuilder text = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      text.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return text.toString();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    Files.delete(file);
    Files.delete(dir);
  }

  @Benchmark
  public AllowList load() throws AllowListException {
    return AllowListLoader.load(file);
  }
}

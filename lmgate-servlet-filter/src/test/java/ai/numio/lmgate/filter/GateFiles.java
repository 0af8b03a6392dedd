package ai.numio.lmgate.filter;

import ai.numio.lmgate.LMGate;
import ai.numio.lmgate.TimeSource;
import ai.numio.lmgate.auth.Sha256;
import ai.numio.lmgate.config.ConfigLoader;
import ai.numio.lmgate.config.LMGateConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A gate's files in a temp directory: an allow-list (one plaintext and one hashed key), the stats
 * file, and a YAML file naming both for filters configured from {@code web.xml}.
 */
final class GateFiles {

  static final String ALPHA_KEY = "sk-proj-alpha-0123456789abcdefXYZ123";
  static final String BETA_KEY = "sk-ant-api03-beta-key-for-tests-Q7w9Zz";
  static final ObjectMapper JSON = new ObjectMapper();

  final Path dir;
  final Path allowList;
  final Path stats;
  final Path yaml;

  private GateFiles(Path dir) {
    this.dir = dir;
    this.allowList = dir.resolve("allowlist.csv");
    this.stats = dir.resolve("stats.jsonl");
    this.yaml = dir.resolve("lmgate.yaml");
  }

  /** Alpha (id 1, team-alpha, plaintext) and beta (id 2, team-beta, hashed) are allowed. */
  static GateFiles create(Path dir) throws IOException {
    return create(dir, "1," + ALPHA_KEY + ",team-alpha", "2," + hashed(BETA_KEY) + ",team-beta");
  }

  /** An allow-list of these {@code id,api_key,owner} rows; records flushed every 3600 s. */
  static GateFiles create(Path dir, String... rows) throws IOException {
    GateFiles files = new GateFiles(Files.createDirectories(dir));
    StringBuilder csv = new StringBuilder("id,api_key,owner,added\n");
    for (String row : rows) {
      csv.append(row).append(",2026-01-15\n");
    }
    Files.writeString(files.allowList, csv);
    Files.writeString(
        files.yaml,
        "auth:\n  allowlist_path: '"
            + files.allowList
            + "'\nstats:\n  output_path: '"
            + files.stats
            + "'\n  flush_interval_seconds: 3600\n");
    return files;
  }

  static String hashed(String key) {
    return Sha256.allowListForm(key);
  }

  /** A core on these files and clocks, configured through {@code LMGATE_*} variables. */
  LMGate startGate(TimeSource time) throws Exception {
    Map<String, String> env =
        Map.of(
            "LMGATE_AUTH__ALLOWLIST_PATH", allowList.toString(),
            "LMGATE_STATS__OUTPUT_PATH", stats.toString(),
            "LMGATE_STATS__FLUSH_INTERVAL_SECONDS", "3600");
    LMGateConfig config = ConfigLoader.load(Optional.empty(), env, dir);
    return LMGate.start(config, time);
  }

  /** Every record in the stats file now. */
  List<JsonNode> records() {
    List<JsonNode> records = new ArrayList<>();
    try {
      if (!Files.exists(stats)) {
        return records;
      }
      for (String line : Files.readAllLines(stats)) {
        records.add(JSON.readTree(line));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return records;
  }

  /**
   * Waits up to 10 s until {@code count} records are written ({@code flush} writes the queue), then
   * returns them; fails if there are more. A record is written as the exchange ends, which can be a
   * moment after the client saw the end of the response.
   */
  List<JsonNode> awaitRecords(int count, Runnable flush) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    List<JsonNode> records = List.of();
    while (System.nanoTime() < deadline) {
      flush.run();
      records = records();
      if (records.size() >= count) {
        break;
      }
      Thread.sleep(10);
    }
    if (records.size() != count) {
      throw new AssertionError("expected " + count + " records, got " + records);
    }
    return records;
  }

  /** The one record written by {@code gate}, waiting for it as {@link #awaitRecords} does. */
  JsonNode awaitOnlyRecord(LMGate gate) throws InterruptedException {
    return awaitRecords(1, gate::flushRecords).get(0);
  }

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] fixture(String name) {
    try (InputStream in = GateFiles.class.getResourceAsStream("/fixtures/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

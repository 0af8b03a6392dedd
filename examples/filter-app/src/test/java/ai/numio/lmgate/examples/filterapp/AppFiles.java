package ai.numio.lmgate.examples.filterapp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * LMGate's files for one test in a temp directory: an allow-list with one key (id 7, owner
 * team-search), the stats file, and the YAML configuration naming both, with the {@code openai}
 * route's upstream set to the test's upstream and records flushed every second.
 */
final class AppFiles {

  static final String KEY = "sk-proj-filterapp-0123456789abcdefAPP777";
  static final String CHAT_REQUEST =
      "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hi\"}]}";
  static final String FORBIDDEN_BODY =
      "{\"error\":\"forbidden\",\"message\":\"API key not authorized\"}";

  private static final ObjectMapper JSON = new ObjectMapper();

  final Path allowList;
  final Path stats;
  final Path yaml;
  private int recordsRead;

  private AppFiles(Path dir) {
    this.allowList = dir.resolve("allowlist.csv");
    this.stats = dir.resolve("stats.jsonl");
    this.yaml = dir.resolve("lmgate.yaml");
  }

  static AppFiles create(Path dir, URI openAiUpstream) throws IOException {
    AppFiles files = new AppFiles(Files.createDirectories(dir));
    Files.writeString(
        files.allowList, "id,api_key,owner,added\n7," + KEY + ",team-search,2026-03-01\n");
    Files.writeString(
        files.yaml,
        "auth: { allowlist_path: '"
            + files.allowList
            + "' }\n"
            + "stats: { output_path: '"
            + files.stats
            + "', flush_interval_seconds: 1 }\n"
            + "providers:\n"
            + "  openai: { upstream: '"
            + openAiUpstream
            + "' }\n");
    return files;
  }

  /** Records written since the last call. */
  List<JsonNode> newRecords() {
    List<JsonNode> fresh = new ArrayList<>();
    try {
      if (!Files.exists(stats)) {
        return fresh;
      }
      List<String> lines = Files.readAllLines(stats);
      for (String line : lines.subList(recordsRead, lines.size())) {
        fresh.add(JSON.readTree(line));
      }
      recordsRead = lines.size();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return fresh;
  }

  /**
   * Waits up to 10 s for the next record ({@code flush} makes queued records visible, where the
   * test can), then checks that it is the only new one.
   */
  JsonNode awaitOnlyRecord(Runnable flush) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      flush.run();
      List<JsonNode> records = newRecords();
      if (!records.isEmpty()) {
        assertThat(records).hasSize(1);
        return records.get(0);
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no usage record in " + stats + " within 10 s");
  }

  /**
   * Checks a record written on the system clock: its timestamp lies between {@code sent} and {@code
   * answered}, its durations within that span and time to first byte within the duration; every
   * other field must equal {@code expected} exactly.
   */
  static void assertRecord(JsonNode record, String expected, Instant sent, Instant answered) {
    Instant timestamp = Instant.parse(record.get("timestamp").asText());
    assertThat(timestamp).isBetween(sent.truncatedTo(ChronoUnit.MILLIS), answered);
    long span = Duration.between(sent, answered).toMillis() + 1;
    long duration = record.get("duration_ms").asLong(-1);
    assertThat(record.get("duration_ms").isIntegralNumber()).isTrue();
    assertThat(duration).isBetween(0L, span);
    assertThat(record.get("ttfb_ms").isIntegralNumber()).as("ttfb_ms").isTrue();
    assertThat(record.get("ttfb_ms").asLong()).isBetween(0L, duration);
    ObjectNode rest = record.deepCopy();
    rest.remove(List.of("timestamp", "duration_ms", "ttfb_ms"));
    assertThat(rest).isEqualTo(json(expected));
  }

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] fixture(String name) {
    try (InputStream in = AppFiles.class.getResourceAsStream("/fixtures/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

package ai.numio.lmgate.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The usage records of a {@link ChatUpstream} test run, by request number, checked exactly. */
final class UsageRecords {

  private static final ObjectMapper JSON = new ObjectMapper();

  private UsageRecords() {}

  /** The lines of {@code file}, or none if it does not exist yet. */
  static List<String> lines(Path file) throws IOException {
    return Files.exists(file) ? Files.readAllLines(file) : List.of();
  }

  /** The records in {@code lines} by request number; fails on a second record for a number. */
  static Map<Integer, JsonNode> byRequest(List<String> lines) {
    Map<Integer, JsonNode> records = new TreeMap<>();
    for (String line : lines) {
      JsonNode record;
      try {
        record = JSON.readTree(line);
      } catch (IOException e) {
        throw new UncheckedIOException("not a JSON line: " + line, e);
      }
      JsonNode previous = records.put(ChatUpstream.number(record), record);
      assertThat(previous).as("a second record for the same request: %s", line).isNull();
    }
    return records;
  }

  /** Asserts that {@code record} is the exact record of the complete request {@code n}. */
  static void assertExact(JsonNode record, int n, boolean stream) {
    assertExact(record, n, stream, "/openai" + ChatUpstream.PATH);
  }

  /** As {@link #assertExact(JsonNode, int, boolean)}, for a request to {@code endpoint}. */
  static void assertExact(JsonNode record, int n, boolean stream, String endpoint) {
    assertThat(record.get("status").asInt()).as("status of %s", record).isEqualTo(200);
    assertThat(record.get("error_type").isNull()).as("error_type of %s", record).isTrue();
    assertThat(record.get("input_tokens").asLong())
        .as("input_tokens of %s", record)
        .isEqualTo(ChatUpstream.inputTokens(n));
    assertThat(record.get("output_tokens").asLong())
        .as("output_tokens of %s", record)
        .isEqualTo(ChatUpstream.outputTokens(n));
    assertThat(record.get("stream").asBoolean()).as("stream of %s", record).isEqualTo(stream);
    assertThat(record.get("model").asText()).isEqualTo(ChatUpstream.MODEL);
    assertThat(record.get("lmgate_id").asText()).isEqualTo("7");
    assertThat(record.get("owner").asText()).isEqualTo("team-ops");
    assertThat(record.get("provider").asText()).isEqualTo("openai");
    assertThat(record.get("endpoint").asText()).isEqualTo(endpoint);
    assertThat(record.get("method").asText()).isEqualTo("POST");
  }
}

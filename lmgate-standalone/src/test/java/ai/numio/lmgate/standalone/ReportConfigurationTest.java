package ai.numio.lmgate.standalone;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code report} finds the stats file where the gateway writes it: {@code stats.output_path} of the
 * configuration that {@code serve} would read ({@code --config}, {@code LMGATE_CONFIG}, {@code
 * config/lmgate.yaml}, {@code LMGATE_*} overrides), through {@link Main} as an operator runs it.
 */
class ReportConfigurationTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int report(Map<String, String> env, String... args) {
    return Main.run(
            List.of(args),
            new ByteArrayInputStream(new byte[0]),
            new PrintStream(out, true, UTF_8),
            new PrintStream(err, true, UTF_8),
            dir,
            env)
        .status();
  }

  private JsonNode json() throws IOException {
    return MAPPER.readTree(out.toString(UTF_8));
  }

  /** A stats file holding one record of {@code inputTokens}. */
  private void records(String file, int inputTokens) throws IOException {
    Path path = dir.resolve(file);
    Files.createDirectories(path.getParent());
    Files.writeString(
        path,
        "{\"timestamp\":\"2026-02-16T12:00:00.000Z\",\"owner\":\"team-ops\",\"provider\":\"openai\","
            + "\"model\":\"gpt-4o\",\"status\":200,\"input_tokens\":"
            + inputTokens
            + ",\"output_tokens\":1,\"error_type\":null}\n");
  }

  private Path config(String file, String outputPath) throws IOException {
    Path path = dir.resolve(file);
    Files.createDirectories(path.getParent());
    return Files.writeString(path, "stats:\n  output_path: " + outputPath + "\n");
  }

  @Test
  void configFileOptionMovesTheDefaultStatsFile() throws IOException {
    config("etc/moved.yaml", "var/usage/stats.jsonl");
    records("var/usage/stats.jsonl.20260216110000", 10);
    records("var/usage/stats.jsonl", 20);
    records("data/stats.jsonl", 999);

    assertThat(report(Map.of(), "report", "--config", "etc/moved.yaml", "--format", "json"))
        .isZero();

    assertThat(err.toString(UTF_8)).isEmpty();
    assertThat(json().get("files"))
        .isEqualTo(
            MAPPER
                .createArrayNode()
                .add("var/usage/stats.jsonl.20260216110000")
                .add("var/usage/stats.jsonl"));
    assertThat(json().get("total").get("input_tokens").asLong()).isEqualTo(30);
  }

  @Test
  void configOptionWithEqualsSign() throws IOException {
    config("moved.yaml", "elsewhere/stats.jsonl");
    records("elsewhere/stats.jsonl", 7);

    assertThat(report(Map.of(), "report", "--format=json", "--config=moved.yaml")).isZero();

    assertThat(json().get("files").get(0).asText()).isEqualTo("elsewhere/stats.jsonl");
  }

  @Test
  void environmentOverrideMovesTheDefaultStatsFile() throws IOException {
    records("var/lmgate/stats.jsonl", 5);

    assertThat(
            report(
                Map.of("LMGATE_STATS__OUTPUT_PATH", "var/lmgate/stats.jsonl"),
                "report",
                "--format",
                "json"))
        .isZero();

    assertThat(json().get("files").get(0).asText()).isEqualTo("var/lmgate/stats.jsonl");
  }

  @Test
  void environmentOverrideWinsOverTheFileAsForServe() throws IOException {
    config("moved.yaml", "from-file/stats.jsonl");
    records("from-file/stats.jsonl", 1);
    records("from-env/stats.jsonl", 2);

    assertThat(
            report(
                Map.of("LMGATE_STATS__OUTPUT_PATH", "from-env/stats.jsonl"),
                "report",
                "--config",
                "moved.yaml",
                "--format",
                "json"))
        .isZero();

    assertThat(json().get("total").get("input_tokens").asLong()).isEqualTo(2);
  }

  @Test
  void lmgateConfigVariableNamesTheFile() throws IOException {
    Path config = config("etc/lmgate.yaml", "'" + dir.resolve("abs/stats.jsonl") + "'");
    records("abs/stats.jsonl", 3);

    assertThat(report(Map.of("LMGATE_CONFIG", config.toString()), "report", "--format", "json"))
        .isZero();

    assertThat(json().get("files").get(0).asText()).isEqualTo("abs/stats.jsonl");
  }

  @Test
  void conventionalConfigFileIsReadFromTheWorkingDirectory() throws IOException {
    config("config/lmgate.yaml", "logs/usage.jsonl");
    records("logs/usage.jsonl", 4);

    assertThat(report(Map.of(), "report", "--format", "json")).isZero();

    assertThat(json().get("files").get(0).asText()).isEqualTo("logs/usage.jsonl");
  }

  @Test
  void namedFilesWinAndTheConfigurationIsThenNotRead() throws IOException {
    Files.writeString(dir.resolve("broken.yaml"), "stats: { outptu_path: x }\n");
    records("named.jsonl", 8);

    assertThat(
            report(
                Map.of("LMGATE_SERVER__PORT", "99999"),
                "report",
                "--config",
                "broken.yaml",
                "--format",
                "json",
                "named.jsonl"))
        .isZero();

    assertThat(json().get("files").get(0).asText()).isEqualTo("named.jsonl");
  }

  @Test
  void invalidConfigurationExits2ListingEveryProblemWithoutAStackTrace() throws IOException {
    Files.writeString(dir.resolve("broken.yaml"), "stats:\n  outptu_path: x\n");

    assertThat(
            report(
                Map.of("LMGATE_STATS__QUEUE_CAPACITY", "0"), "report", "--config", "broken.yaml"))
        .isEqualTo(2);

    String message = err.toString(UTF_8);
    assertThat(message)
        .startsWith("lmgate report: invalid configuration:\n  - ")
        .contains("stats.outptu_path")
        .contains("LMGATE_STATS__QUEUE_CAPACITY")
        .doesNotContain("Exception")
        .doesNotContain("\tat ");
    assertThat(out.toString(UTF_8)).isEmpty();
  }

  @Test
  void missingConfigFileExits2AsForServe() {
    assertThat(report(Map.of(), "report", "--config", "nowhere.yaml")).isEqualTo(2);

    assertThat(err.toString(UTF_8))
        .startsWith("lmgate report: invalid configuration:\n")
        .contains("nowhere.yaml not found");
  }

  @Test
  void configOptionNeedsAFile() {
    assertThat(report(Map.of(), "report", "--config")).isEqualTo(2);
    assertThat(err.toString(UTF_8)).startsWith("lmgate report: --config needs a value: a file\n");
    err.reset();
    assertThat(report(Map.of(), "report", "--config=")).isEqualTo(2);
    assertThat(err.toString(UTF_8)).startsWith("lmgate report: --config needs a value: a file\n");
  }
}

package ai.numio.lmgate.standalone;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The resolve and summarise steps of {@code report}, each on its own. */
class ReportInputsTest {

  @TempDir Path dir;

  private static ReportOptions files(String... names) {
    return new ReportOptions(
        ReportFormat.TABLE,
        ReportDimension.DEFAULT,
        null,
        null,
        List.of(names),
        Optional.empty(),
        false);
  }

  @Test
  void namedFilesAndStandardInputInTheGivenOrder() throws Exception {
    Files.writeString(dir.resolve("a.jsonl"), "");

    assertThat(ReportInputs.resolve(files("a.jsonl", "-"), dir, Map.of()))
        .containsExactly(new ReportInput("a.jsonl", dir.resolve("a.jsonl")), ReportInput.stdin());
  }

  @Test
  void configuredFileWithItsRotatedSiblingsOldestFirst() throws Exception {
    Path usage = Files.createDirectories(dir.resolve("usage"));
    Files.writeString(usage.resolve("s.jsonl"), "");
    Files.writeString(usage.resolve("s.jsonl.20260216110000-1"), "");
    Files.writeString(usage.resolve("s.jsonl.20260216110000"), "");

    List<ReportInput> inputs =
        ReportInputs.resolve(files(), dir, Map.of("LMGATE_STATS__OUTPUT_PATH", "usage/s.jsonl"));

    assertThat(inputs)
        .extracting(ReportInput::name)
        .containsExactly(
            "usage/s.jsonl.20260216110000", "usage/s.jsonl.20260216110000-1", "usage/s.jsonl");
  }

  @Test
  void filesOutsideTheWorkingDirectoryKeepTheirAbsoluteName(@TempDir Path elsewhere)
      throws Exception {
    Files.writeString(elsewhere.resolve("stats.jsonl"), "");

    assertThat(ReportInputs.statsFiles(elsewhere.resolve("stats.jsonl"), dir))
        .extracting(ReportInput::name)
        .containsExactly(elsewhere.resolve("stats.jsonl").toAbsolutePath().normalize().toString());
  }

  @Test
  void invalidConfigurationIsBadUsageListingTheProblems() {
    CommandFailure failure =
        catchThrowableOfType(
            CommandFailure.class,
            () -> ReportInputs.resolve(files(), dir, Map.of("LMGATE_STATS__QUEUE_CAPACITY", "x")));

    assertThat(failure.exitCode()).isEqualTo(ExitCode.BAD_USAGE_OR_CONFIG);
    assertThat(failure).hasMessage("invalid configuration:");
  }

  @Test
  void summariseReadsEveryInputIntoOneResult() throws Exception {
    Files.writeString(
        dir.resolve("a.jsonl"), "{\"owner\":\"t\",\"provider\":\"openai\",\"input_tokens\":2}\n");
    byte[] stdin =
        "{\"owner\":\"t\",\"provider\":\"openai\",\"input_tokens\":3}\nnot json\n".getBytes(UTF_8);

    ReportFormat.Result result =
        ReportCommand.summarise(
            List.of(new ReportInput("a.jsonl", dir.resolve("a.jsonl")), ReportInput.stdin()),
            new ByteArrayInputStream(stdin));

    assertThat(result.files()).containsExactly("a.jsonl", "(standard input)");
    assertThat(result.firstMalformed()).isEqualTo(new ReportFormat.Location("(standard input)", 2));
    assertThat(result.summary().total().inputTokens()).isEqualTo(5);
  }
}

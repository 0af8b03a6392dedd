package ai.numio.lmgate.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReportOptionsTest {

  private static ReportOptions parse(String... args) throws ReportOptions.BadUsage {
    return ReportOptions.parse(List.of(args));
  }

  @Test
  void noArgumentsMeanTheConfiguredStatsFileAsText() throws Exception {
    assertThat(parse())
        .isEqualTo(new ReportOptions(ReportFormat.TEXT, List.of(), Optional.empty(), false));
  }

  @Test
  void optionsAndFilesMix() throws Exception {
    assertThat(parse("a.jsonl", "--format", "json", "--config=etc/x.yaml", "-", "b.jsonl"))
        .isEqualTo(
            new ReportOptions(
                ReportFormat.JSON,
                List.of("a.jsonl", "-", "b.jsonl"),
                Optional.of(Path.of("etc/x.yaml")),
                false));
  }

  @Test
  void doubleDashEndsOptions() throws Exception {
    assertThat(parse("--", "--format", "-x").files()).containsExactly("--format", "-x");
  }

  @Test
  void helpWinsOverWhatFollowsButNotOverWhatCameBefore() throws Exception {
    assertThat(parse("x.jsonl", "-h", "--bogus").help()).isTrue();
    assertThatThrownBy(() -> parse("--bogus", "--help"))
        .isInstanceOf(ReportOptions.BadUsage.class)
        .hasMessage("unknown option '--bogus'");
  }

  @Test
  void badUsage() {
    assertThatThrownBy(() -> parse("--format")).hasMessage("--format needs a value: text or json");
    assertThatThrownBy(() -> parse("--format=csv"))
        .hasMessage("unknown --format 'csv'; use text or json");
    assertThatThrownBy(() -> parse("--config")).hasMessage("--config needs a value: a file");
    assertThatThrownBy(() -> parse("--config", " ")).hasMessage("--config needs a value: a file");
    assertThatThrownBy(() -> parse("-", "-"))
        .hasMessage("standard input (-) can be read only once");
  }

  @Test
  void filesAreImmutable() throws Exception {
    assertThatThrownBy(() -> parse("a").files().add("b"))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}

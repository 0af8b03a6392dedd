package ai.numio.lmgate.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
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
        .isEqualTo(
            new ReportOptions(
                ReportFormat.TABLE,
                ReportDimension.DEFAULT,
                null,
                null,
                List.of(),
                Optional.empty(),
                false));
  }

  @Test
  void optionsAndFilesMix() throws Exception {
    assertThat(parse("a.jsonl", "--format", "json", "--config=etc/x.yaml", "-", "b.jsonl"))
        .isEqualTo(
            new ReportOptions(
                ReportFormat.JSON,
                ReportDimension.DEFAULT,
                null,
                null,
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
    assertThatThrownBy(() -> parse("--format"))
        .hasMessage("--format needs a value: table, csv or json");
    assertThatThrownBy(() -> parse("--format=xml"))
        .hasMessage("unknown --format 'xml'; use table, csv or json");
    assertThatThrownBy(() -> parse("--config")).hasMessage("--config needs a value: a file");
    assertThatThrownBy(() -> parse("--config", " ")).hasMessage("--config needs a value: a file");
    assertThatThrownBy(() -> parse("-", "-"))
        .hasMessage("standard input (-) can be read only once");
  }

  @Test
  void formatsAndTheTablesOlderName() throws Exception {
    assertThat(parse("--format", "table").format()).isEqualTo(ReportFormat.TABLE);
    assertThat(parse("--format=text").format()).isEqualTo(ReportFormat.TABLE);
    assertThat(parse("--format", "csv").format()).isEqualTo(ReportFormat.CSV);
  }

  @Test
  void byIsRepeatedOrCommaSeparatedInColumnOrder() throws Exception {
    assertThat(parse("--by", "model", "--by=owner").by())
        .containsExactly(ReportDimension.MODEL, ReportDimension.OWNER);
    assertThat(parse("--by", "day,key", "--by", "provider").by())
        .containsExactly(ReportDimension.DAY, ReportDimension.KEY, ReportDimension.PROVIDER);
    assertThatThrownBy(() -> parse("--by", "team"))
        .hasMessage("unknown --by 'team'; use owner, model, provider, key or day");
    assertThatThrownBy(() -> parse("--by", "owner,owner")).hasMessage("--by owner is given twice");
    assertThatThrownBy(() -> parse("--by"))
        .hasMessage("--by needs a value: owner, model, provider, key or day");
  }

  @Test
  void aDateStartsItsUtcDayForSinceAndEndsItForUntil() throws Exception {
    ReportOptions o = parse("--since", "2026-02-16", "--until", "2026-02-16");
    assertThat(o.since()).isEqualTo(Instant.parse("2026-02-16T00:00:00Z"));
    assertThat(o.until()).isEqualTo(Instant.parse("2026-02-17T00:00:00Z"));
  }

  @Test
  void aDateTimeIsThatInstantUtcWithoutAnOffset() throws Exception {
    assertThat(parse("--since=2026-02-16T12:30:00+02:00").since())
        .isEqualTo(Instant.parse("2026-02-16T10:30:00Z"));
    assertThat(parse("--until", "2026-02-16T12:30").until())
        .isEqualTo(Instant.parse("2026-02-16T12:30:00Z"));
    assertThat(parse("--until", "2026-02-16T12:30:00.250Z").until())
        .isEqualTo(Instant.parse("2026-02-16T12:30:00.250Z"));
  }

  @Test
  void aBadPeriodIsBadUsageNamingTheValue() {
    assertThatThrownBy(() -> parse("--since", "yesterday"))
        .hasMessage(
            "--since 'yesterday' is not an ISO date (2026-02-16) or date-time"
                + " (2026-02-16T12:00:00Z)");
    assertThatThrownBy(() -> parse("--until=2026-02-30"))
        .hasMessageStartingWith("--until '2026-02-30' is not an ISO date");
    assertThatThrownBy(() -> parse("--since", "2026-02-17", "--until", "2026-02-16"))
        .hasMessage(
            "--since 2026-02-17T00:00:00Z is not before --until 2026-02-17T00:00:00Z: no record"
                + " can match");
  }

  @Test
  void filesAreImmutable() throws Exception {
    assertThatThrownBy(() -> parse("a").files().add("b"))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}

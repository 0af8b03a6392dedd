package ai.numio.lmgate;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The rate-limited denial log, on a clock the test moves: nothing sleeps. */
class DenialLogTest {

  private final ManualTimeSource time = new ManualTimeSource(Instant.parse("2026-02-16T12:00:00Z"));
  private final Logger logger = (Logger) LoggerFactory.getLogger(DenialLog.class);
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final DenialLog denials = new DenialLog(time);

  @BeforeEach
  void captureLogs() {
    logs.start();
    logger.addAppender(logs);
  }

  @AfterEach
  void releaseLogs() {
    logger.detachAppender(logs);
  }

  private void deny(int n) {
    for (int i = 0; i < n; i++) {
      denials.denied("key not on the allow-list", "…abc123", "192.0.2." + i);
    }
  }

  private List<String> messages() {
    return logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  private List<String> summaries() {
    return messages().stream().filter(m -> m.contains("not logged")).toList();
  }

  @Test
  void logsUnderItsOwnLogger() {
    deny(1);

    assertThat(logs.list).hasSize(1);
    assertThat(logs.list.get(0).getLoggerName()).isEqualTo("ai.numio.lmgate.DenialLog");
    assertThat(messages())
        .containsExactly("Denied request from 192.0.2.0: key not on the allow-list (key …abc123)");
  }

  @Test
  void floodIsCutAtTheLimitAndSummarisedAtTheEndOfTheSecondWithoutAnotherDenial() {
    deny(DenialLog.PER_SECOND + 5);

    assertThat(messages()).hasSize(DenialLog.PER_SECOND);
    time.advance(Duration.ofMillis(999));
    denials.tick();
    assertThat(summaries()).as("the second is not over yet").isEmpty();

    time.advance(Duration.ofMillis(1));
    denials.tick();
    assertThat(summaries())
        .containsExactly("5 more denied requests were not logged (at most 20 are logged a second)");

    time.advance(Duration.ofSeconds(5));
    denials.tick();
    assertThat(summaries()).as("written once").hasSize(1);
  }

  @Test
  void nextWindowLogsAgainAfterATickSummary() {
    deny(DenialLog.PER_SECOND + 1);
    time.advance(Duration.ofSeconds(1));
    denials.tick();
    logs.list.clear();

    deny(1);

    assertThat(messages()).hasSize(1).allMatch(m -> m.startsWith("Denied request from"));
  }

  @Test
  void aDenialAfterTheSecondStillWritesTheSummaryFirst() {
    deny(DenialLog.PER_SECOND + 3);
    time.advance(Duration.ofMillis(1500));

    deny(1);

    List<String> messages = messages();
    assertThat(messages).hasSize(DenialLog.PER_SECOND + 2);
    assertThat(messages.get(DenialLog.PER_SECOND)).startsWith("3 more denied requests");
    assertThat(messages.get(DenialLog.PER_SECOND + 1)).startsWith("Denied request from");
    denials.tick();
    assertThat(summaries()).hasSize(1);
  }

  @Test
  void quietLogHasNoSummary() {
    deny(DenialLog.PER_SECOND);
    time.advance(Duration.ofSeconds(2));
    denials.tick();
    denials.flush();

    assertThat(summaries()).isEmpty();
  }

  @Test
  void flushWritesThePendingSummaryBeforeTheSecondIsOver() {
    deny(DenialLog.PER_SECOND + 2);

    denials.flush();

    assertThat(summaries())
        .containsExactly("2 more denied requests were not logged (at most 20 are logged a second)");
  }
}

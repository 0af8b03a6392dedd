package ai.numio.lmgate.otel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.numio.lmgate.stats.UsageRecord;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The hand-off between request threads and the export's thread: bounded, never blocking. */
class OtelExportTest {

  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final AtomicLong clock = new AtomicLong(1_000_000_000L);

  @BeforeEach
  void setUp() {
    logs.start();
    ((Logger) LoggerFactory.getLogger(OtelExport.class)).addAppender(logs);
  }

  @AfterEach
  void tearDown() {
    ((Logger) LoggerFactory.getLogger(OtelExport.class)).detachAppender(logs);
  }

  /** A telemetry that holds its thread at the first record until released. */
  private static final class Stuck implements Telemetry {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final List<Integer> emitted = new CopyOnWriteArrayList<>();
    volatile boolean shutDown;

    @Override
    public void emit(UsageRecord record, long overheadNanos) {
      entered.countDown();
      try {
        release.await(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      emitted.add(record.status());
    }

    @Override
    public boolean shutdown(Duration timeout) {
      shutDown = true;
      return true;
    }
  }

  private static UsageRecord record(int status) {
    return new UsageRecord(
        Instant.parse("2026-12-03T12:00:00Z"),
        "1",
        "openai",
        "/openai/v1/chat/completions",
        null,
        status,
        null,
        null,
        "abcdef",
        null,
        "team",
        "POST",
        false,
        5,
        4L,
        null,
        null,
        null,
        null,
        null);
  }

  @Test
  void aFullQueueDropsAndCountsWithoutBlockingTheRequestThread() throws Exception {
    Stuck telemetry = new Stuck();
    OtelExport export = OtelExport.start(telemetry, 2, clock::get);
    export.recorded(record(200), -1);
    assertThat(telemetry.entered.await(10, TimeUnit.SECONDS)).isTrue(); // the thread holds it

    export.recorded(record(201), -1);
    export.recorded(record(202), -1); // the queue (2) is full now
    long start = System.nanoTime();
    for (int i = 0; i < 1000; i++) {
      export.recorded(record(500), -1);
    }
    long took = System.nanoTime() - start;

    assertThat(export.droppedCount()).isEqualTo(1000);
    assertThat(took).as("1000 dropped records never wait").isLessThan(TimeUnit.SECONDS.toNanos(1));
    telemetry.release.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> export.exportedCount() == 3);
    export.close();

    assertThat(telemetry.emitted).containsExactly(200, 201, 202);
    assertThat(telemetry.shutDown).isTrue();
    assertThat(logs.list)
        .extracting(ILoggingEvent::getFormattedMessage)
        .containsExactly(
            "OpenTelemetry: 1000 records were not exported, their queue (otel.queue_capacity: 2)"
                + " being full (1000 since start); requests are not affected. Raise"
                + " otel.queue_capacity, or check the collector");
  }

  @Test
  void closeEmitsWhatIsQueuedThenShutsTheSdkDown() {
    List<Integer> emitted = new CopyOnWriteArrayList<>();
    List<String> order = new CopyOnWriteArrayList<>();
    Telemetry telemetry =
        new Telemetry() {
          @Override
          public void emit(UsageRecord record, long overheadNanos) {
            emitted.add(record.status());
            order.add("emit");
          }

          @Override
          public boolean shutdown(Duration timeout) {
            order.add("shutdown");
            return true;
          }
        };
    OtelExport export = OtelExport.start(telemetry, 100, clock::get);
    for (int i = 0; i < 50; i++) {
      export.recorded(record(200 + i), -1);
    }

    export.close();
    export.close();

    assertThat(emitted).hasSize(50).startsWith(200, 201).endsWith(249);
    assertThat(order).last().isEqualTo("shutdown");
    assertThat(order).filteredOn("shutdown"::equals).hasSize(1);
    assertThat(Thread.getAllStackTraces().keySet())
        .filteredOn(t -> t.getName().equals("lmgate-otel") && t.isAlive())
        .isEmpty();
  }

  @Test
  void aRecordThatFailsToBecomeASpanIsLoggedOnceAndTheRestGoOn() {
    List<Integer> emitted = new CopyOnWriteArrayList<>();
    Telemetry telemetry =
        new Telemetry() {
          @Override
          public void emit(UsageRecord record, long overheadNanos) {
            if (record.status() >= 500) {
              throw new IllegalStateException("bug");
            }
            emitted.add(record.status());
          }

          @Override
          public boolean shutdown(Duration timeout) {
            return true;
          }
        };
    OtelExport export = OtelExport.start(telemetry, 100, clock::get);
    export.recorded(record(500), -1);
    export.recorded(record(200), -1);
    export.recorded(record(502), -1);
    export.recorded(record(201), -1);

    export.close();

    assertThat(emitted).containsExactly(200, 201);
    assertThat(logs.list)
        .filteredOn(e -> e.getFormattedMessage().contains("could not become a span"))
        .hasSize(1);
  }
}

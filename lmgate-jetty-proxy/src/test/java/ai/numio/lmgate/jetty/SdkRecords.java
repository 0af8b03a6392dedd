package ai.numio.lmgate.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Usage records of SDK exchanges, ready for an exact comparison. */
final class SdkRecords {

  private SdkRecords() {}

  /**
   * The one record of the last exchange. A record is written as the exchange ends, which can be a
   * moment after the SDK returned (it stops reading at the last event), so this waits up to 10 s.
   */
  static JsonNode awaitOnlyRecord(Gateway gateway) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      List<JsonNode> records = gateway.newRecords();
      if (!records.isEmpty()) {
        assertThat(records).hasSize(1);
        return records.get(0);
      }
      Thread.sleep(10);
    }
    throw new AssertionError("no usage record within 10 s");
  }

  /**
   * The record without its clock fields ({@code timestamp}, {@code duration_ms}, {@code ttfb_ms}),
   * after checking those are well-formed, so the rest can be compared exactly.
   */
  static ObjectNode withoutTimings(JsonNode record) {
    assertThat(record.get("timestamp").asText())
        .matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
    long duration = record.get("duration_ms").asLong();
    assertThat(duration).isBetween(0L, 10_000L);
    assertThat(record.get("ttfb_ms").asLong()).isBetween(0L, duration);
    ObjectNode rest = record.deepCopy();
    rest.remove(List.of("timestamp", "duration_ms", "ttfb_ms"));
    return rest;
  }
}

package ai.numio.lmgate.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** Usage records of SDK exchanges, ready for an exact comparison. */
final class SdkRecords {

  private SdkRecords() {}

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

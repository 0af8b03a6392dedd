package ai.numio.lmgate.otel;

import ai.numio.lmgate.stats.UsageRecord;
import java.time.Duration;

/** Where {@link OtelExport}'s thread sends each record: the SDK ({@link GenAiTelemetry}). */
interface Telemetry {

  /** One record's span and metric points. */
  void emit(UsageRecord record, long overheadNanos);

  /**
   * Sends what is held and stops, waiting at most {@code timeout}.
   *
   * @return whether everything was sent in time
   */
  boolean shutdown(Duration timeout);
}

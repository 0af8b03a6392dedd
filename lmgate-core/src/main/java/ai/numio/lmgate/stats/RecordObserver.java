package ai.numio.lmgate.stats;

/**
 * Told of every usage record the stats writer accepted (SPEC-2 §16: metrics and the dashboard's
 * aggregate count exactly what the records say). Called on the thread that finished the exchange,
 * right after the record was queued: it must be quick (well under a microsecond), must not block,
 * and must not throw — a throw is logged once per observer and ignored, never failing the request.
 * A record the writer dropped (queue full) is not observed.
 */
@FunctionalInterface
public interface RecordObserver {

  /**
   * One more record, accepted for writing.
   *
   * @param overheadNanos the time the gateway itself added to this exchange (SPEC-2 §16: arrival →
   *     upstream request sent, plus upstream first byte → client first byte), or -1 when not
   *     measured (a refusal, an exchange that never reached the upstream)
   */
  void recorded(UsageRecord record, long overheadNanos);
}

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

  /** One more record, accepted for writing. */
  void recorded(UsageRecord record);
}

package ai.numio.lmgate;

import ai.numio.lmgate.stats.UsageRecord;

/** Where a finished exchange or a refusal sends its one record, with the overhead it measured. */
@FunctionalInterface
interface RecordSink {

  /**
   * @param overheadNanos the gateway's own share of the exchange's time (SPEC-2 §16), or -1 when
   *     not measured
   */
  void accept(UsageRecord record, long overheadNanos);
}

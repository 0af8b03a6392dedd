package ai.numio.lmgate.meter;

/** Receives a range of bytes; the array is only valid during the call. */
@FunctionalInterface
interface ByteSink {
  void accept(byte[] bytes, int offset, int length);
}

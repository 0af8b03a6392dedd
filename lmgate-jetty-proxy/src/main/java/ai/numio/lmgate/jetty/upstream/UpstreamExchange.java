package ai.numio.lmgate.jetty.upstream;

/** One request sent upstream, as its sender may still stop it. */
public interface UpstreamExchange {

  /**
   * Stops the exchange at once: its connection is closed (never returned to a pool), no retry is
   * made, and the listener is told, if it has not been told of the outcome yet ({@link
   * UpstreamListener#onFailure} before the head; a failure chunk from the body source after it).
   */
  void abort(Throwable cause);
}

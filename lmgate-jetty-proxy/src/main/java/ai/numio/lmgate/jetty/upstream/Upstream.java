package ai.numio.lmgate.jetty.upstream;

/**
 * Sends requests to upstreams and streams their responses back, without holding a thread while
 * either side waits. Implementations own their connections (pooling, TLS, timeouts) and are started
 * and stopped with the gateway. A request that failed on a reused connection is retried once on a
 * fresh one only as {@code shared/SPEC-2.md} §17 allows.
 */
public interface Upstream extends AutoCloseable {

  /**
   * Sends one request; every outcome reaches {@code listener} exactly once: {@link
   * UpstreamListener#onResponse} with the head (the body then streams through the source it gives),
   * or {@link UpstreamListener#onFailure} when no head arrived.
   *
   * @return a handle that aborts the exchange, e.g. when the client went away
   */
  UpstreamExchange send(UpstreamRequest request, UpstreamListener listener);

  /** Closes every connection; exchanges still running fail. */
  @Override
  void close();
}

package ai.numio.lmgate;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * Names what went wrong on the way to the upstream from the exception an HTTP client reported:
 * {@code upstream_timeout}, {@code upstream_unreachable} (no connection: refused, DNS, no route,
 * TLS handshake), else {@code upstream_disconnected} (the connection broke). The exchange then
 * corrects unreachable/disconnected by whether the request had been sent ({@link
 * Exchange#fail(Failure)}).
 */
public final class UpstreamErrors {

  private static final int MAX_CAUSES = 16; // a cause chain is short; a cyclic one must end

  private UpstreamErrors() {}

  /** The failure an upstream exception means. */
  public static Failure classify(Throwable failure) {
    Throwable t = failure;
    for (int depth = 0; t != null && depth < MAX_CAUSES; depth++, t = t.getCause()) {
      if (t instanceof HttpConnectTimeoutException || isUnreachable(t)) {
        return Failure.UPSTREAM_UNREACHABLE;
      }
      if (t instanceof TimeoutException || t instanceof HttpTimeoutException) {
        return Failure.UPSTREAM_TIMEOUT;
      }
    }
    return Failure.UPSTREAM_DISCONNECTED;
  }

  private static boolean isUnreachable(Throwable t) {
    return t instanceof ConnectException
        || t instanceof UnknownHostException
        || t instanceof NoRouteToHostException
        || t instanceof UnresolvedAddressException
        || t instanceof SSLException;
  }
}

package ai.numio.lmgate.jetty;

import ai.numio.lmgate.Failure;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import org.eclipse.jetty.http.HttpException;

/** Names what went wrong with a proxied exchange, from the failure Jetty's client reports. */
final class UpstreamFailures {

  private UpstreamFailures() {}

  /**
   * @param clientGone the client side failed first (a write to it failed, it disconnected, or its
   *     request body broke off or was malformed)
   * @param responseStarted the upstream's response head had arrived
   */
  static Failure classify(Throwable failure, boolean clientGone, boolean responseStarted) {
    if (clientGone) {
      return Failure.CLIENT_DISCONNECTED;
    }
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof TimeoutException) {
        return Failure.UPSTREAM_TIMEOUT;
      }
      if (!responseStarted && isUnreachable(t)) {
        return Failure.UPSTREAM_UNREACHABLE;
      }
    }
    return responseStarted ? Failure.UPSTREAM_DISCONNECTED : Failure.UPSTREAM_UNREACHABLE;
  }

  /** Whether Jetty failed the exchange because the client's request was malformed (a 4xx). */
  static boolean isMalformedRequest(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof HttpException http && http.getCode() >= 400 && http.getCode() < 500) {
        return true;
      }
    }
    return false;
  }

  private static boolean isUnreachable(Throwable t) {
    return t instanceof ConnectException
        || t instanceof UnknownHostException
        || t instanceof NoRouteToHostException
        || t instanceof UnresolvedAddressException
        || t instanceof SSLException;
  }
}

package ai.numio.lmgate.filter;

import ai.numio.lmgate.servlet.ClientCloseProbe;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client connection in Jetty 12 (ee10), where the filter can reach Jetty's request: over HTTP/2
 * Jetty reads the connection all the time and its request failure listener hears a reset stream or
 * a closed connection; over HTTP/1.1 nothing reads a connection whose request body is whole, so the
 * socket is looked at ({@link ClientCloseProbe}). Used only when Jetty's classes are visible to the
 * filter: embedded Jetty; a webapp deployed in a Jetty distribution does not see them.
 */
final class JettyClientConnection implements ClientConnection {

  private static final Logger log = LoggerFactory.getLogger(JettyClientConnection.class);

  private final EndPoint endPoint; // null over HTTP/2: the whole connection's, not the request's
  private final SocketChannel channel; // null over HTTP/2
  private final ClientCloseProbe probe;
  private volatile boolean failed;

  private JettyClientConnection(EndPoint endPoint, SocketChannel channel, ClientCloseProbe probe) {
    this.endPoint = endPoint;
    this.channel = channel;
    this.probe = probe;
  }

  /** Null if {@code request} is not Jetty's. */
  static ClientConnection of(HttpServletRequest request, ClientCloseProbe probe) {
    try {
      ServletContextRequest jetty = ServletContextRequest.getServletContextRequest(request);
      if (jetty == null) {
        return null;
      }
      ConnectionMetaData connection = jetty.getConnectionMetaData();
      boolean multiplexed = connection.getHttpVersion().getVersion() >= 20;
      EndPoint endPoint = multiplexed ? null : connection.getConnection().getEndPoint();
      SocketChannel channel = multiplexed ? null : socketOf(endPoint);
      JettyClientConnection client = new JettyClientConnection(endPoint, channel, probe);
      jetty.addFailureListener(failure -> client.failed = true);
      return client;
    } catch (RuntimeException | LinkageError e) {
      log.debug("Jetty's request is not reachable: {}", e.toString());
      return null;
    }
  }

  /** The socket under {@code endPoint} and its wrappers (TLS, PROXY protocol); null if none. */
  private static SocketChannel socketOf(EndPoint endPoint) {
    EndPoint socket = endPoint;
    for (int depth = 0; depth < 8 && socket instanceof EndPoint.Wrapper wrapper; depth++) {
      socket = wrapper.unwrap();
    }
    return socket.getTransport() instanceof SocketChannel channel ? channel : null;
  }

  @Override
  public boolean left() {
    return failed || (channel != null && probe.closed(channel));
  }

  /**
   * Over HTTP/1.1 closes the connection; over HTTP/2 nothing: the endpoint is the whole connection,
   * whose other streams may still be wanted, and Jetty fails the writes of a failed stream itself.
   */
  @Override
  public void close() {
    if (endPoint != null) {
      endPoint.close(new EofException("client closed the connection before the response head"));
    }
  }

  @Override
  public IOException gone(String message) {
    return new EofException(message);
  }
}

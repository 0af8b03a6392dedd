package ai.numio.lmgate.filter;

import ai.numio.lmgate.servlet.ClientCloseProbe;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;

/**
 * What LMGate can tell of a request's client connection: whether the client has gone. The servlet
 * API says so only when a read or a write fails, which comes too late for a client that leaves
 * while the application waits for its upstream: the response it then writes would be recorded as
 * received. Embedded Jetty 12 says more ({@link JettyClientConnection}), and so does Tomcat 10.1
 * over HTTP/1.1 with its NIO connector ({@link TomcatClientConnection}); elsewhere (a webapp in a
 * Jetty distribution, Tomcat over HTTP/2 or NIO2) LMGate knows only what the servlet API tells.
 * Used by {@code LMGateFilter} when the response head is set and by the WAR's forwarder while it
 * waits for the upstream's head.
 */
public interface ClientConnection {

  /** A container that tells nothing more than the servlet API. */
  ClientConnection UNKNOWN =
      new ClientConnection() {
        @Override
        public boolean left() {
          return false;
        }

        @Override
        public void close() {}
      };

  /**
   * Whether the client has closed or reset its connection, as far as can be seen now. Ask only when
   * the container is not reading the connection (the application is not reading the body).
   */
  boolean left();

  /** Closes the connection of a client that left, so the application's writes fail at once. */
  void close();

  /**
   * The exception to throw from a servlet whose client left: the container's own kind for a client
   * that went away, which it does not log as an application error.
   */
  default IOException gone(String message) {
    return new IOException(message);
  }

  /**
   * Whether any container whose connections LMGate can look at is visible from here: a probe is
   * worth opening.
   */
  static boolean visible() {
    return VisibleContainers.JETTY || VisibleContainers.TOMCAT;
  }

  /**
   * The connection of {@code request}, as far as its container tells; {@code probe} is null where
   * no such container is {@link #visible()}.
   */
  static ClientConnection of(HttpServletRequest request, ClientCloseProbe probe) {
    if (probe == null) {
      return UNKNOWN;
    }
    if (VisibleContainers.JETTY) {
      ClientConnection jetty = JettyClientConnection.of(request, probe);
      if (jetty != null) {
        return jetty;
      }
    }
    if (VisibleContainers.TOMCAT) {
      ClientConnection tomcat = TomcatClientConnection.of(request, probe);
      if (tomcat != null) {
        return tomcat;
      }
    }
    return UNKNOWN;
  }
}

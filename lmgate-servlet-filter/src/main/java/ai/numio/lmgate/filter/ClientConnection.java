package ai.numio.lmgate.filter;

import ai.numio.lmgate.servlet.ClientCloseProbe;
import jakarta.servlet.http.HttpServletRequest;

/**
 * What the filter can tell of a request's client connection: whether the client has gone. The
 * servlet API says so only when a read or a write fails, which comes too late for a client that
 * leaves while the application waits for its upstream: the response it then writes would be
 * recorded as received. Embedded Jetty 12 says more ({@link JettyClientConnection}); in other
 * containers (Tomcat) the filter knows only what the servlet API tells.
 */
interface ClientConnection {

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
   * Whether Jetty's classes are visible from here (embedded Jetty), checked without loading {@link
   * JettyClientConnection}, which cannot even be loaded without them.
   */
  static boolean jettyVisible() {
    try {
      Class.forName(
          "org.eclipse.jetty.ee10.servlet.ServletContextRequest",
          false,
          ClientConnection.class.getClassLoader());
      Class.forName(
          "org.eclipse.jetty.io.EofException", false, ClientConnection.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /**
   * The connection of {@code request}, as far as its container tells; {@code probe} is null where
   * Jetty's classes are not visible.
   */
  static ClientConnection of(HttpServletRequest request, ClientCloseProbe probe) {
    if (probe != null) {
      ClientConnection jetty = JettyClientConnection.of(request, probe);
      if (jetty != null) {
        return jetty;
      }
    }
    return UNKNOWN;
  }
}

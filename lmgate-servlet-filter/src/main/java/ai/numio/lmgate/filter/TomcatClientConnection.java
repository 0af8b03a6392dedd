package ai.numio.lmgate.filter;

import ai.numio.lmgate.servlet.ClientCloseProbe;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.catalina.connector.ClientAbortException;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.RequestFacade;
import org.apache.coyote.http11.Http11InputBuffer;
import org.apache.tomcat.util.net.NioChannel;
import org.apache.tomcat.util.net.SocketWrapperBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP/1.1 client connection in Tomcat 10.1 with the NIO connector (its default), where the
 * filter can reach the client's socket: Tomcat reads a connection only while a request's body is
 * read or between requests, so the socket is looked at ({@link ClientCloseProbe}).
 *
 * <p>The way there is Tomcat's own: the {@link RequestFacade} the application sees holds Catalina's
 * {@link Request} (a protected field), whose {@link Request#getCoyoteRequest() coyote request}
 * reads from an {@link Http11InputBuffer} over HTTP/1.1, which holds the connection's {@link
 * SocketWrapperBase} (a private field), whose socket is a {@link NioChannel} over the client's
 * {@link SocketChannel}. Two fields are read by reflection, resolved once. Anything else — HTTP/2
 * (the coyote request reads from its stream), the NIO2 connector, a Tomcat whose fields changed, a
 * security manager that forbids the reflection — is {@link ClientConnection#UNKNOWN}, said once in
 * the log.
 *
 * <p>Closing closes the client's {@link SocketChannel} only, not Tomcat's socket wrapper: closing
 * the wrapper would recycle the processor and pool its channel while the application still runs on
 * them. The application's next write then fails ({@link ClientAbortException}) and Tomcat closes
 * the rest once the request ends.
 */
final class TomcatClientConnection implements ClientConnection {

  private static final Logger log = LoggerFactory.getLogger(TomcatClientConnection.class);

  /** What was already said in the log, once each. */
  private static final Set<String> said = ConcurrentHashMap.newKeySet();

  private static final Field FACADE_REQUEST = field(RequestFacade.class, "request");
  private static final Field INPUT_WRAPPER = field(Http11InputBuffer.class, "wrapper");

  private final SocketChannel channel;
  private final ClientCloseProbe probe;

  private TomcatClientConnection(SocketChannel channel, ClientCloseProbe probe) {
    this.channel = channel;
    this.probe = probe;
  }

  /** Null if {@code request} is not Tomcat's, or its connection cannot be looked at. */
  static ClientConnection of(ServletRequest request, ClientCloseProbe probe) {
    ServletRequest inner = request;
    for (int depth = 0; depth < 32 && inner instanceof ServletRequestWrapper wrapper; depth++) {
      inner = wrapper.getRequest();
    }
    if (!(inner instanceof RequestFacade facade)) {
      return null;
    }
    if (FACADE_REQUEST == null || INPUT_WRAPPER == null) {
      once("reflection", "Tomcat's request fields are not accessible");
      return null;
    }
    try {
      Request catalina = (Request) FACADE_REQUEST.get(facade);
      Object input = catalina == null ? null : catalina.getCoyoteRequest().getInputBuffer();
      if (!(input instanceof Http11InputBuffer http11)) { // HTTP/2 (a stream's buffer), AJP
        String reader = input == null ? "no input buffer" : input.getClass().getName();
        once(reader, "requests over " + inner.getProtocol() + " read by " + reader);
        return null;
      }
      Object socket =
          INPUT_WRAPPER.get(http11) instanceof SocketWrapperBase<?> wrapper
              ? wrapper.getSocket()
              : null;
      if (!(socket instanceof NioChannel nio) || nio.getIOChannel() == null) {
        once(
            "connector",
            "a connector other than NIO ("
                + (socket == null ? "no socket" : socket.getClass().getName())
                + ")");
        return null;
      }
      return new TomcatClientConnection(nio.getIOChannel(), probe);
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      once("failure", "Tomcat's connection is not reachable: " + e);
      return null;
    }
  }

  private static Field field(Class<?> type, String name) {
    try {
      Field field = type.getDeclaredField(name);
      field.setAccessible(true);
      return field;
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.debug("Tomcat's {}.{} is not accessible: {}", type.getName(), name, e.toString());
      return null;
    }
  }

  /** Forgets what was said, so that a test sees the first time again. */
  static void forgetSaid() {
    said.clear();
  }

  private static void once(String what, String why) {
    if (said.add(what)) {
      log.info(
          "LMGate cannot look at Tomcat's client connections for {}: a client that leaves before"
              + " the response head is noticed only when a write to it fails",
          why);
    }
  }

  @Override
  public boolean left() {
    return probe.closed(channel);
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      log.debug("Closing a client connection failed: {}", e.toString());
    }
  }

  @Override
  public IOException gone(String message) {
    return new ClientAbortException(message);
  }
}

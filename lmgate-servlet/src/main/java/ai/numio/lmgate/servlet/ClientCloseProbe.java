package ai.numio.lmgate.servlet;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the client of an HTTP/1.1 connection has closed it, looked at without reading it: the
 * socket is readable and holds no unread byte — it received the client's end (or a reset), what
 * nginx records as a client that "prematurely closed the connection" (its 499). A readable socket
 * that holds bytes (a pipelined request, a TLS record) is left for the container to read and counts
 * as open. Only meaningful while the container is not reading the connection itself: after the
 * request's body has been read whole, before the response completes.
 */
public final class ClientCloseProbe implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ClientCloseProbe.class);

  private final Selector selector;

  private ClientCloseProbe(Selector selector) {
    this.selector = selector;
  }

  /** A probe with a selector of its own (a channel may belong to several). */
  public static ClientCloseProbe open() {
    try {
      return new ClientCloseProbe(Selector.open());
    } catch (IOException e) {
      throw new IllegalStateException("Cannot open a selector to look at client connections", e);
    }
  }

  /** Whether the client has closed {@code channel} (or it is closed); false if it cannot tell. */
  public synchronized boolean closed(SocketChannel channel) {
    if (!channel.isOpen()) {
      return true;
    }
    SelectionKey key = null;
    try {
      key = channel.register(selector, SelectionKey.OP_READ);
      boolean readable = selector.selectNow() > 0 && key.isReadable();
      return readable && unreadBytes(channel) == 0;
    } catch (ClosedChannelException e) {
      return true;
    } catch (IOException | IllegalStateException e) { // blocking, cancelled, probe closed
      log.debug("Cannot look at a client connection: {}", e.toString());
      return false;
    } finally {
      if (key != null) {
        key.cancel();
        try {
          selector.selectNow(); // deregisters it, so the channel can be looked at again
        } catch (IOException e) {
          log.debug("Cannot deregister a client connection: {}", e.toString());
        }
      }
    }
  }

  /**
   * The bytes {@code channel} has received and nobody has read yet ({@code FIONREAD}): 0 at its
   * end, after a reset, or when it is closed.
   */
  @SuppressWarnings("resource") // closing this stream would close the channel
  public static int unreadBytes(SocketChannel channel) {
    try {
      InputStream unread = channel.socket().getInputStream();
      return unread.available();
    } catch (IOException e) {
      return 0;
    }
  }

  @Override
  public synchronized void close() {
    try {
      selector.close();
    } catch (IOException e) {
      log.debug("Closing a client probe's selector failed", e);
    }
  }
}

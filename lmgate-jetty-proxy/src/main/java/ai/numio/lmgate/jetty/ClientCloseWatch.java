package ai.numio.lmgate.jetty;

import ai.numio.lmgate.servlet.ClientCloseProbe;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices an HTTP/1.1 client that closes its connection while the gateway waits for the upstream's
 * response head. Jetty reads an HTTP/1.1 connection only while a request's body is wanted or
 * between requests, so it sees such a close only at the first write; over HTTP/2 it reads all the
 * time, and Jetty's own request failure listener sees it.
 *
 * <p>Each watched connection is registered, for readability, with this watch's own selector (a
 * channel may belong to several selectors; Jetty's, which is not reading it then, is untouched).
 * When it becomes readable, the bytes waiting in the socket are counted without reading them
 * ({@link ClientCloseProbe#unreadBytes}): none means the client closed its side or reset the
 * connection — what nginx calls a client that "prematurely closed the connection" (its 499) — and
 * {@code onClose} runs; some means the client sent more (a pipelined request, a TLS record), which
 * are left for Jetty to read and only end the watch. The watch must end ({@link Watch#end}) before
 * Jetty reads the connection again, that is before the response completes.
 */
final class ClientCloseWatch implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ClientCloseWatch.class);

  private final Selector selector;
  private final Thread thread;
  private final ConcurrentLinkedQueue<Watch> starting = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Watch> ending = new ConcurrentLinkedQueue<>();
  private volatile boolean open = true;

  private ClientCloseWatch(Selector selector) {
    this.selector = selector;
    this.thread = new Thread(this::run, "lmgate-client-close-watch");
    this.thread.setDaemon(true);
  }

  /** A watch with its own selector thread, running. */
  static ClientCloseWatch start() {
    try {
      ClientCloseWatch watch = new ClientCloseWatch(Selector.open());
      watch.thread.start();
      return watch;
    } catch (IOException e) {
      throw new IllegalStateException("Cannot open a selector to watch client connections", e);
    }
  }

  /**
   * Watches {@code channel} until {@code onClose} runs (on this watch's thread: it must not block)
   * or the returned watch is ended. Call it only once the request's body has been read whole.
   */
  Watch watch(SocketChannel channel, Runnable onClose) {
    Watch watch = new Watch(channel, onClose);
    starting.add(watch);
    selector.wakeup();
    return watch;
  }

  private void run() {
    while (open) {
      try {
        selector.select(this::selected);
        if (!ending.isEmpty()) {
          for (Watch watch = ending.poll(); watch != null; watch = ending.poll()) {
            watch.cancelKey();
          }
          // deregisters the cancelled keys, so that a new request on the same connection can be
          // registered below
          selector.selectNow(this::selected);
        }
        List<Watch> deferred = new ArrayList<>();
        for (Watch watch = starting.poll(); watch != null; watch = starting.poll()) {
          if (!watch.register(selector)) {
            deferred.add(watch); // its connection's previous key is still being deregistered
          }
        }
        if (!deferred.isEmpty()) {
          starting.addAll(deferred);
          selector.selectNow(this::selected); // deregisters it
          selector.wakeup(); // so that the next select returns at once and they are tried again
        }
      } catch (IOException | RuntimeException e) {
        if (open) {
          log.warn("Watching client connections failed: {}", e.toString());
        }
      }
    }
  }

  private void selected(SelectionKey key) {
    ((Watch) key.attachment()).readable();
  }

  @Override
  public void close() {
    open = false;
    selector.wakeup();
    try {
      thread.join(5000);
      selector.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      log.debug("Closing the client watch's selector failed", e);
    }
  }

  /** One request's watch over its client's connection. */
  final class Watch {
    private final SocketChannel channel;
    private final Runnable onClose;
    private boolean active = true;
    private SelectionKey key;

    private Watch(SocketChannel channel, Runnable onClose) {
      this.channel = channel;
      this.onClose = onClose;
    }

    /**
     * Ends the watch: once this returns, the connection is not looked at again, so Jetty may read
     * it ({@code onClose} may be running if the close was seen before).
     */
    void end() {
      boolean registered;
      synchronized (this) {
        if (!active) {
          return;
        }
        active = false;
        registered = key != null;
      }
      if (registered) {
        ending.add(this);
        selector.wakeup();
      }
    }

    /** False if the connection's previous key is not deregistered yet: try again. */
    private boolean register(Selector selector) {
      synchronized (this) {
        if (!active) {
          return true;
        }
        try {
          key = channel.register(selector, SelectionKey.OP_READ, this);
          return true;
        } catch (ClosedChannelException e) {
          active = false; // Jetty closed it: Jetty has seen the client go and said so
          return true;
        } catch (java.nio.channels.CancelledKeyException e) {
          return false;
        }
      }
    }

    private void cancelKey() {
      SelectionKey k;
      synchronized (this) {
        k = key;
      }
      if (k != null) {
        k.cancel();
      }
    }

    private void readable() {
      boolean closed;
      synchronized (this) {
        key.cancel(); // one look is enough: either way the watch is over
        if (!active) {
          return;
        }
        active = false;
        closed = ClientCloseProbe.unreadBytes(channel) == 0;
      }
      if (closed) {
        onClose.run();
      }
    }
  }
}

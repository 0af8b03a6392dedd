package ai.numio.lmgate.jetty;

import ai.numio.lmgate.Exchange;
import ai.numio.lmgate.Failure;
import java.nio.channels.SocketChannel;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.ConnectionMetaData;

/**
 * An HTTP/1.1 request whose client's connection is watched ({@link ClientCloseWatch}) from when the
 * whole request has gone upstream — so its body has been read whole — until the upstream's response
 * head arrives. A client that closes meanwhile is treated as one that went away after the head: the
 * upstream request is aborted at once, the exchange notes {@code client_disconnected} (recorded
 * 499), and the client's connection is closed.
 */
final class HeadWait {

  private final ClientCloseWatch watcher;
  private final SocketChannel channel;
  private final EndPoint endPoint;
  private final Executor executor;
  private final Exchange exchange;
  private boolean ended;
  private ClientCloseWatch.Watch watch;

  private HeadWait(
      ClientCloseWatch watcher,
      SocketChannel channel,
      EndPoint endPoint,
      Executor executor,
      Exchange exchange) {
    this.watcher = watcher;
    this.channel = channel;
    this.endPoint = endPoint;
    this.executor = executor;
    this.exchange = exchange;
  }

  /**
   * A wait to follow for an HTTP/1.x request on a socket; none over HTTP/2, where Jetty reads the
   * connection all the time and its request failure listener sees the client go.
   */
  static Optional<HeadWait> of(
      org.eclipse.jetty.server.Request request, ClientCloseWatch watcher, Exchange exchange) {
    ConnectionMetaData connection = request.getConnectionMetaData();
    if (watcher == null || connection.getHttpVersion().getVersion() >= 20) {
      return Optional.empty();
    }
    EndPoint endPoint = connection.getConnection().getEndPoint();
    SocketChannel channel = socketOf(endPoint);
    if (channel == null) {
      return Optional.empty();
    }
    return Optional.of(
        new HeadWait(watcher, channel, endPoint, request.getComponents().getExecutor(), exchange));
  }

  /** The socket under {@code endPoint} and its wrappers (TLS, PROXY protocol); null if none. */
  static SocketChannel socketOf(EndPoint endPoint) {
    EndPoint socket = endPoint;
    for (int depth = 0; depth < 8 && socket instanceof EndPoint.Wrapper wrapper; depth++) {
      socket = wrapper.unwrap();
    }
    return socket.getTransport() instanceof SocketChannel channel ? channel : null;
  }

  /** Watches the client from the request's end upstream to the response's beginning. */
  void follow(Request proxyRequest) {
    proxyRequest.onRequestSuccess(
        sent ->
            begin(
                failure -> {
                  var unused = proxyRequest.abort(failure);
                }));
    proxyRequest.onResponseBegin(response -> end());
    proxyRequest.onComplete(result -> end());
  }

  /**
   * Starts watching, once the client's request has been read whole; a client that closes before
   * {@link #end} has its upstream request aborted through {@code abortUpstream}. Nothing once
   * ended.
   */
  void begin(Consumer<Throwable> abortUpstream) {
    synchronized (this) {
      if (ended || watch != null) {
        return;
      }
      watch = watcher.watch(channel, () -> executor.execute(() -> clientLeft(abortUpstream)));
    }
  }

  /** Stops watching: the response head came, or the exchange ended. Idempotent. */
  void end() {
    ClientCloseWatch.Watch started;
    synchronized (this) {
      ended = true;
      started = watch;
    }
    if (started != null) {
      started.end(); // before the response can complete and Jetty read the connection again
    }
  }

  private void clientLeft(Consumer<Throwable> abortUpstream) {
    EofException gone = new EofException("client closed the connection before the response head");
    exchange.noteFailure(Failure.CLIENT_DISCONNECTED);
    abortUpstream.accept(gone);
    endPoint.close(gone);
  }
}

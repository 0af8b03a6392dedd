package ai.numio.lmgate.jetty.upstream;

import ai.numio.lmgate.config.LMGateConfig;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.ClientConnectionFactory;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.Transport;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * LMGate's own upstream engine: non-blocking HTTP/1.1 (and HTTPS) to providers on Jetty's I/O and
 * HTTP codec, with a LIFO pool of idle connections per origin that the selector watches, and no
 * more machinery than forwarding one request and streaming one response needs. HTTP/2 to upstreams
 * is not spoken here.
 *
 * <p>Pool and retry rules ({@code shared/SPEC-2.md} §17): an idle connection is reused for at most
 * {@code upstream.pool_idle_timeout_seconds}, or one second less than the upstream's {@code
 * Keep-Alive: timeout=}; one the upstream closed while idle leaves the pool at once; {@code
 * Connection: close} either way and a body not read to its end keep a connection out of it. A
 * request is sent a second time, on a fresh connection, only when a reused connection failed before
 * the request was written, or when the upstream closed without a byte of response and the request
 * has an {@code Idempotency-Key} and a body of at most 64 KiB still held.
 */
public final class LeanUpstream implements Upstream {

  private static final String POOL_KEY = "lmgate.upstream.pool";
  private static final String CONNECTION_KEY = "lmgate.upstream.connection";

  private final LeanSettings settings;
  private final ClientConnector connector;
  private final QueuedThreadPool threads;
  private final ConcurrentHashMap<URI, OriginPool> pools = new ConcurrentHashMap<>();
  private final ClientConnectionFactory plain = this::newConnection;
  private final ClientConnectionFactory secure;
  private volatile boolean closed;

  /**
   * Starts an engine that verifies upstream certificates and host names with the JDK's trust store.
   */
  public static LeanUpstream start(LMGateConfig.Upstream config) {
    return start(LeanSettings.from(config), new SslContextFactory.Client());
  }

  /** Starts an engine; tests pass a TLS factory that trusts their own CA. */
  static LeanUpstream start(LeanSettings settings, SslContextFactory.Client tls) {
    return start(settings, tls, new ArrayByteBufferPool());
  }

  /** Starts an engine on a given buffer pool (tests track it for leaks). */
  static LeanUpstream start(
      LeanSettings settings, SslContextFactory.Client tls, ByteBufferPool buffers) {
    LeanUpstream upstream = new LeanUpstream(settings, tls, buffers);
    try {
      upstream.connector.start();
    } catch (Exception x) {
      throw new IllegalStateException("could not start the upstream connector", x);
    }
    return upstream;
  }

  private LeanUpstream(
      LeanSettings settings, SslContextFactory.Client tls, ByteBufferPool buffers) {
    this.settings = settings;
    this.threads = new QueuedThreadPool(64, 2);
    threads.setName("lmgate-upstream");
    threads.setDaemon(true);
    this.connector = new ClientConnector();
    connector.setExecutor(threads);
    connector.setByteBufferPool(buffers); // before the TLS factory takes it
    connector.setSslContextFactory(tls);
    connector.setConnectTimeout(settings.connectTimeout());
    connector.setIdleTimeout(settings.idleTimeout());
    this.secure = connector.newSslClientConnectionFactory(null, plain);
  }

  LeanSettings settings() {
    return settings;
  }

  Executor executor() {
    return threads;
  }

  @Override
  public UpstreamExchange send(UpstreamRequest request, UpstreamListener listener) {
    URI origin = request.origin();
    OriginPool pool = pools.get(origin);
    if (pool == null) {
      pool = pools.computeIfAbsent(origin, OriginPool::new);
    }
    LeanExchange exchange = new LeanExchange(this, pool, request, listener);
    if (closed) {
      exchange.attemptFailed(
          new ConnectException("the upstream engine is closed"), false, false, false, false);
      return exchange;
    }
    long now = System.nanoTime();
    LeanConnection connection;
    while ((connection = pool.poll()) != null) {
      if (connection.reuse(exchange, now)) {
        return exchange;
      }
      connection.close();
    }
    connect(exchange);
    return exchange;
  }

  /** Opens a fresh connection for an exchange (its first attempt or its one retry). */
  void connect(LeanExchange exchange) {
    OriginPool pool = exchange.pool;
    Map<String, Object> context = new HashMap<>();
    context.put(Transport.CONTEXT_KEY, Transport.TCP_IP);
    context.put(ClientConnectionFactory.CONTEXT_KEY, pool.secure() ? secure : plain);
    context.put(POOL_KEY, pool);
    context.put(
        ClientConnector.CONNECTION_PROMISE_CONTEXT_KEY,
        new Promise<Connection>() {
          @Override
          public void succeeded(Connection opened) {
            ((LeanConnection) context.get(CONNECTION_KEY)).startFresh(exchange);
          }

          @Override
          public void failed(Throwable x) {
            exchange.attemptFailed(unreachable(pool, x), false, false, false, false);
          }
        });
    try {
      // a name may need DNS: resolve off the caller's thread (only new connections pay this)
      threads.execute(
          () -> {
            try {
              InetSocketAddress address = new InetSocketAddress(pool.host(), pool.port());
              if (address.isUnresolved()) {
                throw new UnknownHostException(pool.host());
              }
              connector.connect(address, context);
            } catch (Throwable x) {
              exchange.attemptFailed(unreachable(pool, x), false, false, false, false);
            }
          });
    } catch (RuntimeException rejected) {
      exchange.attemptFailed(unreachable(pool, rejected), false, false, false, false);
    }
  }

  private static Throwable unreachable(OriginPool pool, Throwable x) {
    if (LeanExchange.isUnreachable(x)) {
      return x;
    }
    ConnectException connect = new ConnectException("could not connect to " + pool + ": " + x);
    connect.initCause(x);
    return connect;
  }

  private Connection newConnection(EndPoint endPoint, Map<String, Object> context)
      throws IOException {
    OriginPool pool = (OriginPool) context.get(POOL_KEY);
    LeanConnection connection =
        new LeanConnection(endPoint, this, pool, connector.getByteBufferPool());
    context.put(CONNECTION_KEY, connection);
    if (endPoint instanceof SslConnection.SslEndPoint tls) {
      tls.getSslConnection().addHandshakeListener(connection.handshakes());
    }
    return connection;
  }

  /** Idle pooled connections to an origin (for tests and metrics). */
  int idleConnections(URI origin) {
    OriginPool pool = pools.get(origin);
    return pool == null ? 0 : pool.size();
  }

  @Override
  public void close() {
    closed = true;
    for (OriginPool pool : pools.values()) {
      for (LeanConnection connection : pool.drain()) {
        connection.close();
      }
    }
    try {
      connector.stop();
    } catch (Exception x) {
      throw new IllegalStateException("could not stop the upstream connector", x);
    }
  }
}

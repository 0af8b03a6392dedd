package ai.numio.lmgate.jetty.upstream;

import ai.numio.lmgate.config.LMGateConfig;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * An {@link Upstream} on Jetty's {@link HttpClient}, set up as {@code LMGateProxyServlet} sets up
 * its own: connect timeout and idle timeout from {@code upstream.*}, no total timeout (long
 * generations stream slowly), no redirects, cookies, content decoding or authentication handling
 * (the client's bytes and the upstream's pass as they are), TLS verifying certificates and host
 * names. The response body is the client's own demand-driven {@link Content.Source}: nothing more
 * is read from the upstream until the gateway asks. No retry: this form makes none.
 */
public final class JettyClientUpstream implements Upstream {

  private final HttpClient client;
  private final long idleTimeoutMillis;

  private JettyClientUpstream(HttpClient client, long idleTimeoutMillis) {
    this.client = client;
    this.idleTimeoutMillis = idleTimeoutMillis;
  }

  /** A started client for {@code upstream}'s timeouts. */
  public static JettyClientUpstream start(LMGateConfig.Upstream upstream) throws Exception {
    ClientConnector connector = new ClientConnector();
    connector.setSslContextFactory(new SslContextFactory.Client()); // verifies certificates, host
    QueuedThreadPool threads = new QueuedThreadPool(256);
    threads.setName("lmgate-upstream");
    connector.setExecutor(threads);
    HttpClient client = new HttpClient(new HttpClientTransportOverHTTP(connector));
    client.setExecutor(threads);
    client.setName("lmgate-upstream");
    long idleMillis = TimeUnit.SECONDS.toMillis(upstream.idleTimeoutSeconds());
    client.setConnectTimeout(TimeUnit.SECONDS.toMillis(upstream.connectTimeoutSeconds()));
    client.setIdleTimeout(idleMillis);
    client.setFollowRedirects(false);
    client.setHttpCookieStore(new HttpCookieStore.Empty());
    client.setMaxConnectionsPerDestination(4096);
    client.setUserAgentField(null); // the client's own User-Agent, or none
    client.start();
    client.getContentDecoderFactories().clear(); // bytes pass as the upstream encoded them
    client.getProtocolHandlers().clear(); // a 401, a redirect, a 100 go to the client as they are
    return new JettyClientUpstream(client, idleMillis);
  }

  @Override
  public UpstreamExchange send(UpstreamRequest request, UpstreamListener listener) {
    Request outgoing = newRequest(request);
    outgoing.onRequestBegin(sent -> listener.onRequestBegin());
    outgoing.send(new Relay(listener));
    return failure -> {
      var unused = outgoing.abort(failure);
    };
  }

  private Request newRequest(UpstreamRequest request) {
    URI origin = request.origin();
    String authority = origin.getRawAuthority();
    int colon = authority.lastIndexOf(':');
    boolean hasPort = colon >= 0 && colon > authority.lastIndexOf(']');
    String host = hasPort ? authority.substring(0, colon) : authority;
    String scheme = origin.getScheme();
    int port =
        hasPort
            ? Integer.parseInt(authority.substring(colon + 1))
            : "https".equals(scheme) ? 443 : 80;
    // the URI of a host URI cannot parse (a Compose service `my_vllm`) is made with a placeholder,
    // then given the real host, which Jetty resolves and sends as Host
    Request outgoing =
        client
            .newRequest(URI.create(scheme + "://upstream.invalid:" + port + request.target()))
            .host(host.startsWith("[") ? host.substring(1, host.length() - 1) : host)
            .method(request.method())
            .idleTimeout(idleTimeoutMillis, TimeUnit.MILLISECONDS)
            .timeout(0, TimeUnit.MILLISECONDS)
            .headers(headers -> headers.clear().add(request.headers()));
    if (request.body() != null) {
      outgoing.body(new Body(request.body(), request.contentLength()));
    }
    return outgoing;
  }

  @Override
  public void close() {
    try {
      client.stop();
    } catch (Exception e) {
      throw new IllegalStateException("Could not stop the upstream client", e);
    }
  }

  /** The request body as Jetty's client reads it, with its length (-1: sent chunked). */
  private static final class Body implements Request.Content {
    private final Content.Source source;
    private final long length;

    Body(Content.Source source, long length) {
      this.source = source;
      this.length = length;
    }

    @Override
    public String getContentType() {
      return null; // the client's Content-Type header is among the headers already
    }

    @Override
    public long getLength() {
      return length;
    }

    @Override
    public Content.Chunk read() {
      return source.read();
    }

    @Override
    public void demand(Runnable demandCallback) {
      source.demand(demandCallback);
    }

    @Override
    public void fail(Throwable failure) {
      source.fail(failure);
    }

    @Override
    public void fail(Throwable failure, boolean last) {
      source.fail(failure, last);
    }

    @Override
    public boolean rewind() {
      return false;
    }
  }

  /**
   * Turns Jetty's response events into one {@link UpstreamListener#onResponse} (head and body
   * source together) or one {@link UpstreamListener#onFailure}.
   */
  private static final class Relay implements Response.Listener {
    private final UpstreamListener listener;
    private boolean told; // the listener had onResponse or onFailure (Jetty calls in order)

    Relay(UpstreamListener listener) {
      this.listener = listener;
    }

    @Override
    public void onContentSource(Response response, Content.Source body) {
      tell(response, body);
    }

    @Override
    public void onSuccess(Response response) {
      tell(response, new EmptySource()); // a response without body: no content source came
    }

    @Override
    public void onComplete(Result result) {
      if (!told && result.isFailed()) {
        told = true;
        listener.onFailure(result.getFailure());
      }
    }

    private void tell(Response response, Content.Source body) {
      if (!told) {
        told = true;
        HttpFields headers = response.getHeaders();
        listener.onResponse(response.getStatus(), headers, body);
      }
    }
  }

  /** The body of a response that has none. */
  private static final class EmptySource implements Content.Source {
    @Override
    public Content.Chunk read() {
      return Content.Chunk.EOF;
    }

    @Override
    public void demand(Runnable demandCallback) {
      demandCallback.run();
    }

    @Override
    public void fail(Throwable failure) {}
  }
}

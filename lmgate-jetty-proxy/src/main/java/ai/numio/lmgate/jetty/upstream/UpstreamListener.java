package ai.numio.lmgate.jetty.upstream;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.io.Content;

/**
 * What happens to one request sent upstream. Called on the upstream's I/O threads: no method may
 * block.
 */
public interface UpstreamListener {

  /**
   * The request's first byte is about to be written on a connection (the last attempt's, if it was
   * retried). The gateway's overhead ends here.
   */
  void onRequestBegin();

  /**
   * The response head. The body is read from {@code body} ({@link Content.Source#read()}, {@link
   * Content.Source#demand(Runnable)}): nothing more is read from the upstream until the listener
   * asks, so a slow client holds back its upstream and no memory grows. Its last chunk ends the
   * exchange and frees the connection; a failure chunk reports a break ({@link
   * java.util.concurrent.TimeoutException} for {@code upstream.idle_timeout_seconds}, otherwise an
   * {@link java.io.IOException}). Each chunk must be released once used.
   *
   * @param status the status code
   * @param headers the response headers as the upstream sent them (hop-by-hop ones included)
   * @param body the response body; empty (a last chunk at once) for none
   */
  void onResponse(int status, HttpFields headers, Content.Source body);

  /**
   * No response head will come. {@code failure} is classified by {@link
   * ai.numio.lmgate.UpstreamErrors#classify}: a {@link java.net.ConnectException} (or other
   * unreachable kind) only when the upstream never received the request; a {@link
   * java.util.concurrent.TimeoutException} when the head did not come within {@code
   * upstream.idle_timeout_seconds}; otherwise an {@link java.io.IOException}. A failure of the
   * request body's own source (the client's) is passed as the source reported it.
   */
  void onFailure(Throwable failure);
}

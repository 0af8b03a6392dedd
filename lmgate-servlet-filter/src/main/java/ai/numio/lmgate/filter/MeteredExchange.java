package ai.numio.lmgate.filter;

import ai.numio.lmgate.Exchange;
import ai.numio.lmgate.Failure;
import ai.numio.lmgate.servlet.OverheadHeader;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The filter's view of a core {@link Exchange}: it reads the response head from the servlet
 * response when the head is decided, and the failure an application reported under the legacy
 * request attribute. Everything else — first failure wins, response started, the status recorded —
 * is the exchange's own bookkeeping, and no exchange call throws into the application.
 */
final class MeteredExchange {

  private final Exchange exchange;
  private final HttpServletResponse response;
  private final ClientConnection client;
  private final boolean overheadHeader;
  private volatile boolean clientLeft;
  private boolean bodyStarted;

  MeteredExchange(
      Exchange exchange,
      HttpServletResponse response,
      ClientConnection client,
      boolean overheadHeader) {
    this.exchange = exchange;
    this.response = response;
    this.client = client;
    this.overheadHeader = overheadHeader;
  }

  /**
   * The request goes to the application, the filter's upstream: the end of the first part of the
   * gateway's overhead (SPEC-2 §16).
   */
  void handedOver() {
    exchange.onRequestSent();
  }

  /**
   * The response head is decided (first body byte, flush, error or redirect): announced once — or,
   * if the client has already closed its connection, the exchange ends now as {@code
   * client_disconnected}, recorded 499 without tokens, and the connection is closed so that the
   * application's writes fail rather than fill a socket nobody reads.
   */
  void head() {
    if (exchange.responseStarted() || clientLeft) {
      return;
    }
    if (client.left()) {
      clientLeft = true;
      exchange.fail(Failure.CLIENT_DISCONNECTED);
      client.close();
      return;
    }
    if (overheadHeader) {
      OverheadHeader.add(exchange, response);
    }
    exchange.onResponse(response.getStatus(), this::headerValues);
  }

  /** The application writes body bytes: the first time, the relay's share of overhead starts. */
  void beforeBytes() {
    if (!bodyStarted) {
      bodyStarted = true;
      exchange.onUpstreamBytes();
    }
  }

  /** Body bytes the application wrote and the container accepted. */
  void bytes(byte[] bytes, int offset, int length) {
    exchange.onBytes(bytes, offset, length);
  }

  /** Writing to the client failed: the client went away. */
  void clientGone() {
    exchange.noteFailure(Failure.CLIENT_DISCONNECTED);
  }

  /** A failure the container reported for an asynchronous request. */
  void noteFailure(Failure failure) {
    exchange.noteFailure(failure);
  }

  /**
   * Takes a failure an application reported under the legacy request attribute {@link
   * Failure#REQUEST_ATTRIBUTE}, if any (new code calls {@code GatedRequest.reportFailure}).
   */
  void noteReportedFailure(ServletRequest request) {
    if (request.getAttribute(Failure.REQUEST_ATTRIBUTE) instanceof Failure reported) {
      exchange.noteFailure(reported);
    }
  }

  /** The application threw: the record is written now, as a failure (the container answers). */
  void failNow() {
    exchange.fail(Failure.GATEWAY_ERROR);
  }

  /**
   * The response is over: reads the final status (a later {@code sendError}, a reset or the
   * container's own error answer can change it after the first byte) and writes the record.
   */
  void finish() {
    head(); // a response without a body: its head is decided now
    if (!clientLeft) {
      exchange.onResponse(response.getStatus(), this::headerValues);
      exchange.complete();
    }
  }

  private List<String> headerValues(String name) {
    if ("content-type".equalsIgnoreCase(name)) {
      String type = response.getContentType();
      return type == null ? List.of() : List.of(type);
    }
    Collection<String> values = response.getHeaders(name);
    return values == null ? List.of() : new ArrayList<>(values);
  }
}

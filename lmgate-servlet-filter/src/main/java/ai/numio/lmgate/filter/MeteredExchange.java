package ai.numio.lmgate.filter;

import ai.numio.lmgate.Exchange;
import ai.numio.lmgate.Failure;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One metered request as the filter sees it: the core {@link Exchange}, the response whose head it
 * reads, and what went wrong first. Every call into the exchange is guarded here, so nothing from
 * metering can reach the application: a failure is logged at WARN and the response goes on.
 */
final class MeteredExchange {

  private static final Logger log = LoggerFactory.getLogger(MeteredExchange.class);

  private final Exchange exchange;
  private final HttpServletResponse response;
  private final AtomicBoolean headAnnounced = new AtomicBoolean();
  private final AtomicReference<Failure> firstFailure = new AtomicReference<>();
  private volatile boolean bytesBroken;

  MeteredExchange(Exchange exchange, HttpServletResponse response) {
    this.exchange = exchange;
    this.response = response;
  }

  /**
   * The response head is decided (first body byte, flush, error or redirect): tells the exchange
   * its status and headers, once.
   */
  void head() {
    if (headAnnounced.compareAndSet(false, true)) {
      announceHead();
    }
  }

  /** Body bytes the application wrote and the container accepted. */
  void bytes(byte[] bytes, int offset, int length) {
    if (bytesBroken) {
      return;
    }
    try {
      exchange.onBytes(bytes, offset, length);
    } catch (RuntimeException e) {
      bytesBroken = true; // one warning, not one per chunk
      warn("reading the response body; the rest of this body is not metered", e);
    }
  }

  /** Writing to the client failed: the client went away. */
  void clientGone() {
    noteFailure(Failure.CLIENT_DISCONNECTED);
  }

  /**
   * Takes the failure the application reported under {@link Failure#REQUEST_ATTRIBUTE}, if any
   * (LMGate's {@code ForwardingServlet} reports every failed forward there).
   */
  void noteReportedFailure(ServletRequest request) {
    try {
      if (request.getAttribute(Failure.REQUEST_ATTRIBUTE) instanceof Failure reported) {
        noteFailure(reported);
      }
    } catch (RuntimeException e) {
      warn("reading the reported failure", e);
    }
  }

  /** Remembers why the exchange is failing; the first reason wins, the record waits for the end. */
  void noteFailure(Failure failure) {
    firstFailure.compareAndSet(null, failure);
  }

  /**
   * The application threw: the record is written now, as a failure. The container will answer 500
   * unless the response had started, and the exchange records exactly that.
   */
  void failNow() {
    Failure noted = firstFailure.get();
    Failure failure = noted != null ? noted : Failure.GATEWAY_ERROR;
    try {
      exchange.fail(failure);
    } catch (RuntimeException e) {
      warn("recording the failed exchange", e);
    }
  }

  /**
   * The response is over: reads the final status (a later {@code sendError}, a reset or the
   * container's own error answer can change it after the first byte) and writes the record, as a
   * failure if one was noted.
   */
  void finish() {
    headAnnounced.set(true);
    announceHead(); // the first announcement fixes time to first byte; this one the final status
    Failure failure = firstFailure.get();
    try {
      if (failure == null) {
        exchange.complete();
      } else {
        exchange.fail(failure);
      }
    } catch (RuntimeException e) {
      warn("recording the exchange", e);
    }
  }

  private void announceHead() {
    try {
      exchange.onResponse(response.getStatus(), this::headerValues);
    } catch (RuntimeException e) {
      warn("reading the response head", e);
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

  private static void warn(String step, RuntimeException e) {
    log.warn("LMGate metering failed while {}; the response is not affected", step, e);
  }
}

package ai.numio.lmgate.servlet;

import ai.numio.lmgate.Caller;
import ai.numio.lmgate.Exchange;
import ai.numio.lmgate.Failure;
import jakarta.servlet.ServletRequest;
import java.util.Optional;

/**
 * A request LMGate let in, as the one typed request attribute {@value #ATTRIBUTE}: its caller and
 * its exchange (null when metering could not start; the request then goes on unmetered). An
 * application — or LMGate's own forwarder — behind the filter reports how its egress failed through
 * {@link #reportFailure}.
 */
public final class GatedRequest {

  /** The request attribute holding the {@code GatedRequest}. */
  public static final String ATTRIBUTE = GatedRequest.class.getName();

  private final Caller caller;
  private final Exchange exchange;

  private GatedRequest(Caller caller, Exchange exchange) {
    this.caller = caller;
    this.exchange = exchange;
  }

  /** Marks {@code request} as let in by LMGate. */
  public static GatedRequest attach(ServletRequest request, Caller caller, Exchange exchange) {
    GatedRequest gated = new GatedRequest(caller, exchange);
    request.setAttribute(ATTRIBUTE, gated);
    return gated;
  }

  /** The holder of a request LMGate let in; empty for any other request. */
  public static Optional<GatedRequest> of(ServletRequest request) {
    return request.getAttribute(ATTRIBUTE) instanceof GatedRequest gated
        ? Optional.of(gated)
        : Optional.empty();
  }

  /**
   * Tells LMGate how the egress of this request failed, so its record carries {@code failure} (e.g.
   * {@code upstream_timeout}) rather than only the status class. Does nothing for a request LMGate
   * did not let in. Only the first failure reported counts.
   */
  public static void reportFailure(ServletRequest request, Failure failure) {
    of(request).ifPresent(gated -> gated.noteFailure(failure));
  }

  /** Who made the request. */
  public Caller caller() {
    return caller;
  }

  /** The exchange, if metering started. */
  public Optional<Exchange> exchange() {
    return Optional.ofNullable(exchange);
  }

  /** Notes a failure on the exchange (first one wins). */
  public void noteFailure(Failure failure) {
    if (exchange != null) {
      exchange.noteFailure(failure);
    }
  }
}

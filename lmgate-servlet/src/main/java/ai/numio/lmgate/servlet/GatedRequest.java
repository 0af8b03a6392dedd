package ai.numio.lmgate.servlet;

import ai.numio.lmgate.Caller;
import ai.numio.lmgate.Exchange;
import jakarta.servlet.ServletRequest;
import java.util.Optional;

/**
 * A request LMGate let in, as the one typed request attribute {@value #ATTRIBUTE}: its caller and
 * its exchange. A later dispatch of the same request finds it and is not admitted twice.
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

  /** Who made the request. */
  public Caller caller() {
    return caller;
  }

  /** The request's exchange. */
  public Exchange exchange() {
    return exchange;
  }
}

package ai.numio.lmgate.servlet;

import ai.numio.lmgate.Caller;
import ai.numio.lmgate.Exchange;
import ai.numio.lmgate.UpstreamCredential;
import jakarta.servlet.ServletRequest;
import java.util.Optional;

/**
 * A request LMGate let in, as the one typed request attribute {@value #ATTRIBUTE}: its caller, its
 * exchange and the credential its upstream request must carry. A later dispatch of the same request
 * finds it and is not admitted twice; the egress behind the filter (the WAR's forwarder, or an
 * application's own client) applies {@link #upstreamCredential()}.
 */
public final class GatedRequest {

  /** The request attribute holding the {@code GatedRequest}. */
  public static final String ATTRIBUTE = GatedRequest.class.getName();

  private final Caller caller;
  private final Exchange exchange;
  private final UpstreamCredential upstreamCredential;

  private GatedRequest(Caller caller, Exchange exchange, UpstreamCredential upstreamCredential) {
    this.caller = caller;
    this.exchange = exchange;
    this.upstreamCredential = upstreamCredential;
  }

  /** Marks {@code request} as let in by LMGate, its client credentials to pass as sent. */
  public static GatedRequest attach(ServletRequest request, Caller caller, Exchange exchange) {
    return attach(request, caller, exchange, UpstreamCredential.PASS_THROUGH);
  }

  /**
   * Marks {@code request} as let in by LMGate.
   *
   * @param upstreamCredential the core's decision on the client's credentials upstream
   */
  public static GatedRequest attach(
      ServletRequest request,
      Caller caller,
      Exchange exchange,
      UpstreamCredential upstreamCredential) {
    GatedRequest gated = new GatedRequest(caller, exchange, upstreamCredential);
    request.setAttribute(ATTRIBUTE, gated);
    return gated;
  }

  /**
   * What the request's upstream call does with the client's credentials (SPEC-2 §15): pass them as
   * sent, or drop them all and send the provider key the gateway holds.
   */
  public UpstreamCredential upstreamCredential() {
    return upstreamCredential;
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

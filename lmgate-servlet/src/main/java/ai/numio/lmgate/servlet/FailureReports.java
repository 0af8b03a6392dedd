package ai.numio.lmgate.servlet;

import ai.numio.lmgate.Failure;
import jakarta.servlet.ServletRequest;
import java.util.function.Consumer;

/**
 * How the egress behind LMGate's filter — the WAR's forwarder, or an application's own HTTP client
 * — tells the filter why it failed, so the record carries {@code upstream_timeout} or {@code
 * upstream_unreachable} rather than only the status class: the filter {@link #listen listens} on
 * each request it lets in, the egress {@link #report reports}. Typed, unlike the legacy {@link
 * Failure#REQUEST_ATTRIBUTE} string attribute, which the filter still reads.
 */
public final class FailureReports {

  private static final String ATTRIBUTE = FailureReports.class.getName();

  /** The one listener of a request, under a typed attribute. */
  private record Listener(Consumer<Failure> consumer) {}

  private FailureReports() {}

  /** Failures reported on {@code request} from now on go to {@code listener}. */
  public static void listen(ServletRequest request, Consumer<Failure> listener) {
    request.setAttribute(ATTRIBUTE, new Listener(listener));
  }

  /** Tells whoever listens on {@code request} how its egress failed; nothing if nobody listens. */
  public static void report(ServletRequest request, Failure failure) {
    if (request.getAttribute(ATTRIBUTE) instanceof Listener listener) {
      listener.consumer().accept(failure);
    }
  }
}

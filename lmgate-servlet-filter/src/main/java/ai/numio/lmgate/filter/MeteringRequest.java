package ai.numio.lmgate.filter;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;

/**
 * The request the application sees. Its one change: {@link #startAsync()} hands the async context
 * this request and the metering response, where the container would hand the unwrapped originals,
 * so an application writing through {@code asyncContext.getResponse()} is metered too.
 */
final class MeteringRequest extends HttpServletRequestWrapper {

  private final MeteringResponse response;

  MeteringRequest(HttpServletRequest request, MeteringResponse response) {
    super(request);
    this.response = response;
  }

  @Override
  public AsyncContext startAsync() {
    return getRequest().startAsync(this, response);
  }
}

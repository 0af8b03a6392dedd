package ai.numio.lmgate.filter;

import ai.numio.lmgate.ErrorResponse;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** Writes LMGate's own JSON answers ({@link ErrorResponse}) for {@link ForwardingServlet}. */
final class ForwardingReplies {

  private ForwardingReplies() {}

  /** Sends {@code error} if nothing was sent yet; returns false if it could not be sent. */
  static boolean send(HttpServletResponse response, ErrorResponse error) {
    if (response.isCommitted()) {
      return false;
    }
    try {
      response.reset();
      byte[] body = error.body();
      response.setStatus(error.status());
      response.setContentType(ErrorResponse.CONTENT_TYPE);
      response.setContentLength(body.length);
      response.getOutputStream().write(body);
      response.flushBuffer();
      return true;
    } catch (IOException | IllegalStateException e) {
      return false; // the client is gone; nothing more to tell it
    }
  }
}

package ai.numio.lmgate.jetty;

import ai.numio.lmgate.ErrorResponse;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** Writes LMGate's own JSON answers to a servlet response. */
final class ErrorResponses {

  private ErrorResponses() {}

  /** Sends {@code error} if nothing was sent yet; returns false if the response was committed. */
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

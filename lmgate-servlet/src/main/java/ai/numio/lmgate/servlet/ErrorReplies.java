package ai.numio.lmgate.servlet;

import ai.numio.lmgate.Admission;
import ai.numio.lmgate.ErrorResponse;
import ai.numio.lmgate.ErrorShape;
import ai.numio.lmgate.RequestFraming;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** Writes LMGate's own answers ({@link ErrorResponse}) to a servlet response: the one writer. */
public final class ErrorReplies {

  private ErrorReplies() {}

  /**
   * Answers a request the core refused before anything went upstream. A refused request's body is
   * left unread; over HTTP/1.1 the answer then says {@code Connection: close}, so the client opens
   * a new connection for its next request instead of reusing one the container may close after this
   * answer (a client racing that close sees its next request fail with no response at all).
   */
  public static boolean refuse(
      HttpServletRequest request, HttpServletResponse response, Admission.Refused refused) {
    if (!response.isCommitted()
        && RequestFraming.closeAfterRefusal(
            request.getProtocol().startsWith("HTTP/1."), ServletRequests.hasBody(request))) {
      response.setHeader("Connection", "close");
    }
    return send(response, refused.error(), refused.shape(), false);
  }

  /**
   * Sends {@code error} in {@code shape} if nothing was sent yet. Headers set earlier (by a filter
   * before LMGate's, CORS say) are kept unless {@code reset}.
   *
   * @param reset clear what the response holds first (a proxy's half-copied upstream headers)
   * @return false if the response was committed or the client is gone
   */
  public static boolean send(
      HttpServletResponse response, ErrorResponse error, ErrorShape shape, boolean reset) {
    if (response.isCommitted()) {
      return false;
    }
    try {
      if (reset) {
        response.reset();
      }
      byte[] body = error.body(shape);
      response.setStatus(error.status());
      error.headers().forEach(response::setHeader);
      response.setContentType(ErrorResponse.CONTENT_TYPE);
      response.setContentLength(body.length);
      // not flushed: the container completes the response, and can still close a connection whose
      // request body went unread (a refusal) with a Connection: close the client sees
      response.getOutputStream().write(body);
      return true;
    } catch (IOException | IllegalStateException e) {
      return false; // the client is gone; nothing more to tell it
    }
  }
}

package ai.numio.lmgate.jetty;

import ai.numio.lmgate.ErrorResponse;
import ai.numio.lmgate.ErrorShape;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.function.Function;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The answers Jetty gives itself, before LMGate sees a request (a malformed request line or header,
 * an ambiguous URI, headers too large: 400, 414, 431), in LMGate's JSON form {@code
 * {"error":"bad_request","message":"Line Folding not supported"}} instead of Jetty's HTML page. The
 * message is the rule Jetty names, cut before anything it quotes of the request ({@link
 * #ruleOnly}).
 */
final class JsonErrorHandler extends ErrorHandler {

  private final Function<String, ErrorShape> shapes;

  /**
   * @param shapes the error shape for a raw request path ({@code server.error_format} and the
   *     path's route)
   */
  JsonErrorHandler(Function<String, ErrorShape> shapes) {
    this.shapes = shapes;
    setShowStacks(false);
    setShowCauses(false);
  }

  @Override
  public boolean errorPageForMethod(String method) {
    return true; // an API client gets the JSON whatever its method
  }

  @Override
  protected void generateResponse(
      Request request,
      Response response,
      int code,
      String message,
      Throwable cause,
      Callback callback) {
    String reason = HttpStatus.getMessage(code);
    // Jetty falls back to the exception's toString(): class names say nothing to a client
    boolean useful = message != null && (cause == null || !message.equals(cause.toString()));
    String text = useful ? ruleOnly(message, reason) : reason;
    byte[] body = new ErrorResponse(code, errorType(code, reason), text).body(shape(request));
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, ErrorResponse.CONTENT_TYPE);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, ByteBuffer.wrap(body), callback);
  }

  private ErrorShape shape(Request request) {
    try {
      String path = request.getHttpURI().getPath();
      return path == null ? ErrorShape.LMGATE : shapes.apply(path);
    } catch (RuntimeException e) {
      return ErrorShape.LMGATE; // a request Jetty could not parse may have no usable path
    }
  }

  /**
   * The rule Jetty's message names, without what follows it: Jetty's HTTP/2 and parser messages may
   * quote the offending header value (an {@code authorization} value, a key), and no answer echoes
   * the request. The text up to the first {@code :}, quote, {@code =} or bracket is kept if it is
   * short printable ASCII; else the status's reason phrase.
   */
  static String ruleOnly(String message, String reason) {
    int cut = message.length();
    for (int i = 0; i < message.length(); i++) {
      if (":\"'`=<[{(".indexOf(message.charAt(i)) >= 0) {
        cut = i;
        break;
      }
    }
    String rule = message.substring(0, cut).trim();
    if (rule.isEmpty() || rule.length() > 100) {
      return reason;
    }
    for (int i = 0; i < rule.length(); i++) {
      char c = rule.charAt(i);
      if (c < 0x20 || c > 0x7E) {
        return reason;
      }
    }
    return rule;
  }

  /** {@code bad_request}, {@code uri_too_long}, {@code request_header_fields_too_large} … */
  static String errorType(int code, String reason) {
    if (code >= 500) {
      return "gateway_error";
    }
    return reason.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_|_$", "");
  }
}

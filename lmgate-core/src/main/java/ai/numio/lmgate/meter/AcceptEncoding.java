package ai.numio.lmgate.meter;

import java.util.Locale;

/**
 * Narrows a client's {@code Accept-Encoding} to the codings the meter can decode (gzip, deflate,
 * identity), so the provider still compresses but never in a coding LMGate cannot read (brotli,
 * zstd). Quality values are kept; a coding the client refused ({@code q=0}) stays refused.
 */
public final class AcceptEncoding {

  private AcceptEncoding() {}

  /**
   * The value to forward, or null to forward none (when the client sent none, the provider answers
   * uncompressed).
   */
  public static String narrow(String clientValue) {
    if (clientValue == null) {
      return null;
    }
    StringBuilder out = new StringBuilder();
    for (String element : clientValue.split(",")) {
      String trimmed = element.trim();
      int semicolon = trimmed.indexOf(';');
      String coding =
          (semicolon < 0 ? trimmed : trimmed.substring(0, semicolon))
              .trim()
              .toLowerCase(Locale.ROOT);
      if (coding.equals("gzip")
          || coding.equals("x-gzip")
          || coding.equals("deflate")
          || coding.equals("identity")) {
        if (out.length() > 0) {
          out.append(", ");
        }
        out.append(trimmed);
      }
    }
    return out.length() == 0 ? "identity" : out.toString();
  }
}

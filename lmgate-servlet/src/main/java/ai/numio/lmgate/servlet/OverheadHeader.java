package ai.numio.lmgate.servlet;

import ai.numio.lmgate.Exchange;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Locale;

/**
 * {@code x-lmgate-overhead-ms} ({@code server.overhead_header: true}): the gateway's overhead known
 * when the response head goes out — admission to the upstream request being sent, in milliseconds
 * with three decimals. The rest of the overhead (the first body chunk's way to the client) comes
 * after the head and is only in the {@code lmgate_overhead_seconds} histogram.
 */
public final class OverheadHeader {

  /** The header's name. */
  public static final String NAME = "x-lmgate-overhead-ms";

  private OverheadHeader() {}

  /** Adds the header if the request was sent and the response is not committed yet. */
  public static void add(Exchange exchange, HttpServletResponse response) {
    String value = value(exchange);
    if (value != null && !response.isCommitted()) {
      response.setHeader(NAME, value);
    }
  }

  /** The header's value for {@code exchange}; null before its request was sent. */
  public static String value(Exchange exchange) {
    long nanos = exchange.requestOverheadNanos();
    return nanos < 0 ? null : format(nanos);
  }

  /** Nanoseconds as milliseconds with three decimals: {@code 0.153}. */
  static String format(long nanos) {
    return String.format(Locale.ROOT, "%.3f", nanos / 1e6);
  }
}

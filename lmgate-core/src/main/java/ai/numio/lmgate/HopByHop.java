package ai.numio.lmgate;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1), which a proxy never passes on: {@code Connection} and every
 * header it names, {@code Keep-Alive}, {@code Proxy-*}, {@code TE}, {@code Trailer}, {@code
 * Transfer-Encoding}, {@code Upgrade}. One rule for every adapter that forwards headers.
 */
public final class HopByHop {

  private static final Set<String> NAMES =
      Set.of("connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade");

  private HopByHop() {}

  /**
   * Whether a header stays on its own connection.
   *
   * @param lowerName the header name in lower case
   * @param namedByConnection the names the message's {@code Connection} header lists, from {@link
   *     #connectionTokens}
   */
  public static boolean isHopByHop(String lowerName, Set<String> namedByConnection) {
    return NAMES.contains(lowerName)
        || lowerName.startsWith("proxy-")
        || namedByConnection.contains(lowerName);
  }

  /** The header names listed in {@code Connection} values, in lower case; empty if none. */
  public static Set<String> connectionTokens(List<String> connectionValues) {
    if (connectionValues.isEmpty()) {
      return Set.of();
    }
    Set<String> tokens = new HashSet<>();
    for (String value : connectionValues) {
      for (String token : value.split(",")) {
        String trimmed = token.trim();
        if (!trimmed.isEmpty()) {
          tokens.add(trimmed.toLowerCase(Locale.ROOT));
        }
      }
    }
    return tokens;
  }
}

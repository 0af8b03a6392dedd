package ai.numio.lmgate;

import ai.numio.lmgate.auth.ApiKeys;
import ai.numio.lmgate.auth.KeyMask;
import ai.numio.lmgate.route.Format;
import java.util.Objects;

/**
 * The credential an admitted request carries upstream (SPEC-2 §15), decided by the core once; the
 * adapters only apply it while they build the upstream request.
 *
 * <p>{@link #PASS_THROUGH}: no provider key is held for the request, and the client's credentials
 * go upstream as sent (the allow-listed key is the provider key). Otherwise the gateway holds the
 * provider key: every client credential is dropped — every header for which {@link
 * #isClientCredential} is true, and every credential parameter of the query ({@link
 * #upstreamQuery}: the Gemini {@code key}, kept parameters byte for byte) — and the one header
 * {@link #headerName()}: {@link #headerValue()} is set in the route format's style: OpenAI {@code
 * Authorization: Bearer <key>}, Anthropic {@code x-api-key}, Google {@code x-goog-api-key}.
 */
public final class UpstreamCredential {

  /** The client's credentials pass as sent. */
  public static final UpstreamCredential PASS_THROUGH = new UpstreamCredential(null, null, null);

  private final String headerName;
  private final String headerValue;
  private final String key;

  private UpstreamCredential(String headerName, String headerValue, String key) {
    this.headerName = headerName;
    this.headerValue = headerValue;
    this.key = key;
  }

  /** The provider key {@code key}, in the header a route of {@code format} authenticates with. */
  static UpstreamCredential replacing(Format format, String key) {
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(key, "key");
    return switch (format) {
      case OPENAI -> new UpstreamCredential("Authorization", "Bearer " + key, key);
      case ANTHROPIC -> new UpstreamCredential("x-api-key", key, key);
      case GOOGLE -> new UpstreamCredential("x-goog-api-key", key, key);
    };
  }

  /** Whether the gateway replaces the client's credentials with a provider key it holds. */
  public boolean replacesClientCredentials() {
    return key != null;
  }

  /**
   * Whether a request header must not go upstream: when a provider key replaces the client's
   * credentials, every credential header ({@code Authorization}, {@code x-api-key}, {@code
   * x-goog-api-key}, {@code api-key}, any case, also spelled with {@code _}); never otherwise.
   */
  public boolean isClientCredential(String headerName) {
    return key != null && ApiKeys.isCredentialName(headerName);
  }

  /** The header to set upstream; null for {@link #PASS_THROUGH}. */
  public String headerName() {
    return headerName;
  }

  /** The value of {@link #headerName()}: the provider key, with {@code Bearer } for OpenAI. */
  public String headerValue() {
    return headerValue;
  }

  /**
   * The query to send upstream: as sent for {@link #PASS_THROUGH}; else without its credential
   * parameters ({@code key}, {@code apikey} or a credential header's name, any case, {@code _} for
   * {@code -}), the others and their separators byte for byte. Null or empty in, the same out; null
   * when nothing is left.
   */
  public String upstreamQuery(String rawQuery) {
    if (key == null || rawQuery == null || rawQuery.isEmpty()) {
      return rawQuery;
    }
    StringBuilder kept = new StringBuilder(rawQuery.length());
    boolean dropped = false;
    boolean first = true;
    int start = 0;
    while (true) {
      int end = nextSeparator(rawQuery, start);
      if (isCredentialParameter(rawQuery.substring(start, end))) {
        dropped = true;
      } else {
        // each kept pair keeps the separator sent before it; the first kept one has none
        kept.append(rawQuery, first || start == 0 ? start : start - 1, end);
        first = false;
      }
      if (end == rawQuery.length()) {
        break;
      }
      start = end + 1;
    }
    if (!dropped) {
      return rawQuery;
    }
    return kept.length() == 0 ? null : kept.toString();
  }

  private static int nextSeparator(String query, int from) {
    for (int i = from; i < query.length(); i++) {
      char c = query.charAt(i);
      if (c == '&' || c == ';') {
        return i;
      }
    }
    return query.length();
  }

  private static boolean isCredentialParameter(String pair) {
    int eq = pair.indexOf('=');
    return ApiKeys.isCredentialParameterName(eq < 0 ? pair : pair.substring(0, eq));
  }

  /** Never the key. */
  @Override
  public String toString() {
    return key == null
        ? "UpstreamCredential[pass-through]"
        : "UpstreamCredential[" + headerName + ": " + KeyMask.forLog(key) + "]";
  }
}

package ai.numio.lmgate.auth;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Finds the API key a request presents (SPEC §4).
 *
 * <p>The credential headers, in order of precedence:
 *
 * <ol>
 *   <li>{@code Authorization: Bearer <key>} (OpenAI style): the scheme is case-insensitive and
 *       surrounding spaces are trimmed; an empty token gives no key, and any other scheme (such as
 *       {@code Basic}) gives no key from that header;
 *   <li>{@code x-api-key} (Anthropic style);
 *   <li>{@code x-goog-api-key} (Gemini API style);
 *   <li>{@code api-key}: Azure OpenAI authenticates with this header instead of {@code
 *       Authorization}, so an Azure route would otherwise pass a key that was never checked, or be
 *       checked against a key the provider never sees.
 * </ol>
 *
 * <p><b>Fail closed on every credential.</b> Whatever credential could reach the provider must be
 * the one LMGate checked. An {@code Authorization} value in any other scheme ({@code Basic}, {@code
 * Token}, {@code Bearer:…}, {@code Bearer} followed by a no-break space) and a credential header
 * spelled with underscores ({@code x_api_key}: servers that map {@code _} to {@code -} read it as
 * {@code x-api-key}) are credentials LMGate cannot check: the outcome is {@link
 * KeyExtraction.Reason#UNCHECKED_CREDENTIAL} and the request is refused.
 *
 * <p><b>Fail closed on ambiguity.</b> The provider, not LMGate, decides which of these headers it
 * authenticates with, and it may pick a different one than precedence says. So every credential in
 * these headers (every line of each) is collected, and the request has a usable key only if they
 * are all the same string; otherwise the outcome is {@link
 * KeyExtraction.Reason#CONFLICTING_CREDENTIALS} and the request is refused. A header value with
 * control characters, or a key with whitespace inside it, makes the outcome {@link
 * KeyExtraction.Reason#MALFORMED}. An empty value (or a bare {@code Bearer}) is not a credential.
 */
public final class ApiKeys {

  /** Credential header names, lower case, in precedence order. */
  static final List<String> CREDENTIAL_HEADERS =
      List.of("authorization", "x-api-key", "x-goog-api-key", "api-key");

  private static final String AUTHORIZATION = "authorization";
  private static final String BEARER = "Bearer";

  private ApiKeys() {}

  /**
   * The request's key.
   *
   * @param headerValues every value of a request header, looked up by lower-case name
   *     case-insensitively; an empty list when the header is absent
   */
  public static KeyExtraction extract(Function<String, List<String>> headerValues) {
    return extract(headerValues, List.of());
  }

  /**
   * The request's key, also refusing credential headers spelled with underscores.
   *
   * @param headerNames every header name of the request, as sent
   */
  public static KeyExtraction extract(
      Function<String, List<String>> headerValues, Iterable<String> headerNames) {
    for (String name : headerNames) {
      if (name.indexOf('_') >= 0 && isCredentialName(name)) {
        return KeyExtraction.UNCHECKED_CREDENTIAL;
      }
    }
    String key = null;
    for (int h = 0; h < CREDENTIAL_HEADERS.size(); h++) {
      String header = CREDENTIAL_HEADERS.get(h);
      List<String> values = headerValues.apply(header);
      if (values == null) {
        continue;
      }
      for (int v = 0; v < values.size(); v++) {
        String value = values.get(v);
        if (value == null) {
          continue;
        }
        if (hasControl(value)) {
          return KeyExtraction.MALFORMED;
        }
        String credential = header.equals(AUTHORIZATION) ? bearerToken(value) : value.trim();
        if (credential == null) {
          return KeyExtraction.UNCHECKED_CREDENTIAL; // another scheme: a credential never checked
        }
        if (credential.isEmpty()) {
          continue;
        }
        if (hasWhitespaceOrControl(credential)) {
          return KeyExtraction.MALFORMED;
        }
        if (key == null) {
          key = credential;
        } else if (!key.equals(credential)) {
          return KeyExtraction.CONFLICTING_CREDENTIALS;
        }
      }
    }
    return key == null ? KeyExtraction.NO_CREDENTIAL : KeyExtraction.found(key);
  }

  /**
   * Whether a header or query parameter name, compared case-insensitively with {@code _} read as
   * {@code -}, names a credential a provider may authenticate with.
   */
  public static boolean isCredentialName(String name) {
    String normalized = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
    return CREDENTIAL_HEADERS.contains(normalized);
  }

  /**
   * The token of a {@code Bearer} value (possibly empty), an empty string for an empty value, or
   * null for any other scheme.
   */
  private static String bearerToken(String value) {
    String credentials = value.trim();
    if (credentials.isEmpty()) {
      return "";
    }
    if (!credentials.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return null;
    }
    if (credentials.length() == BEARER.length()) {
      return "";
    }
    if (credentials.charAt(BEARER.length()) != ' ') {
      return null; // e.g. "Bearerish ..." is another scheme
    }
    return credentials.substring(BEARER.length() + 1).trim();
  }

  private static boolean hasControl(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x20 || c >= 0x7F) && Character.isISOControl(c)) { // printable ASCII: fast path
        return true;
      }
    }
    return false;
  }

  /** True if {@code text} has any whitespace (including no-break spaces) or control character. */
  static boolean hasWhitespaceOrControl(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c > 0x20 && c < 0x7F) {
        continue; // printable ASCII other than space: the usual key character
      }
      if (Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.isISOControl(c)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The Gemini API also takes its key from the {@code key} query parameter, and servers differ in
   * how they read a query: a parameter whose name is {@code key} or a credential header's name, in
   * any case, with {@code _} for {@code -}, between {@code &} or {@code ;} separators, must carry
   * the key that was checked, or the provider might use a key the gate never saw.
   */
  public static boolean queryKeyAgrees(String rawQuery, String apiKey) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return true;
    }
    for (String pair : rawQuery.split("[&;]", -1)) {
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq));
      if (isCredentialParameter(name)) {
        String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
        if (!value.equals(apiKey)) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Whether a query parameter, by its raw (percent-encoded) name, is one {@link #queryKeyAgrees}
   * treats as a credential: {@code key}, {@code apikey} or a credential header's name, any case,
   * {@code _} for {@code -}. A name whose encoding is invalid is none.
   */
  public static boolean isCredentialParameterName(String rawName) {
    return isCredentialParameter(decode(rawName));
  }

  private static boolean isCredentialParameter(String name) {
    String normalized = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
    return normalized.equals("key") || normalized.equals("apikey") || isCredentialName(normalized);
  }

  private static String decode(String s) {
    if (s.indexOf('%') < 0 && s.indexOf('+') < 0) {
      return s;
    }
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return "\u0000invalid"; // never equal to a key
    }
  }
}

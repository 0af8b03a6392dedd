package ai.numio.lmgate.examples;

import java.util.Map;

/** Where the gateway is: {@code LMGATE_URL}, default {@code http://localhost:8080}. */
final class Gateway {

  static final String DEFAULT_URL = "http://localhost:8080";

  private Gateway() {}

  /** The gateway's URL without a trailing slash. */
  static String url(Map<String, String> env) {
    String url = env.getOrDefault("LMGATE_URL", DEFAULT_URL).trim();
    while (url.endsWith("/")) {
      url = url.substring(0, url.length() - 1);
    }
    return url.isEmpty() ? DEFAULT_URL : url;
  }
}

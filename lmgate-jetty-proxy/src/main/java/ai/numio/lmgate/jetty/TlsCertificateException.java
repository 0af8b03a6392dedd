package ai.numio.lmgate.jetty;

/**
 * The TLS certificate or key file cannot be used ({@code server.tls.cert_path}, {@code
 * server.tls.key_path}): missing, unreadable, not PEM, of an unsupported form, or a key that does
 * not belong to the certificate. The message names the file and what is wrong, and says how to fix
 * it where there is a known way (an {@code openssl} conversion); it never holds key material.
 */
public final class TlsCertificateException extends Exception {

  private static final long serialVersionUID = 1L;

  /** An exception with the operator's message. */
  public TlsCertificateException(String message) {
    super(message);
  }
}

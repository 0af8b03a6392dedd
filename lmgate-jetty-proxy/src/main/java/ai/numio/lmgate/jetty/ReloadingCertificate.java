package ai.numio.lmgate.jetty;

import ai.numio.lmgate.TimeSource;
import ai.numio.lmgate.config.LMGateConfig;
import ai.numio.lmgate.files.ReloadingFile;
import ai.numio.lmgate.files.WatchedFileKind;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.eclipse.jetty.http2.HTTP2Cipher;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS listener's certificate: a PEM chain and key ({@code server.tls.cert_path}, {@code
 * key_path}) in Jetty's {@link SslContextFactory}, swapped when the files change.
 *
 * <p>Each file is a {@link ReloadingFile} (settle time, atomic renames, Kubernetes symlink swaps).
 * A check that finds either changed takes the pair once both parse and the key matches the
 * certificate, and {@linkplain SslContextFactory#reload reloads} the factory: new handshakes get
 * the new certificate; open connections, and the streams on them, continue on theirs. A bad new
 * file or a mismatched pair keeps the certificate in use and logs one ERROR naming the file (a
 * certificate written a moment before its key is taken at the check after the key).
 *
 * <p>TLS 1.2 and 1.3 only, the JDK's cipher suites less Jetty's exclusions (no RSA key exchange,
 * SHA-1, NULL, anonymous or export suites), HTTP/2-approved ones first.
 */
final class ReloadingCertificate {

  private static final Logger log = LoggerFactory.getLogger(ReloadingCertificate.class);

  static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private static final String ALIAS = "lmgate";

  private final ReloadingFile<List<X509Certificate>> certificate;
  private final ReloadingFile<PrivateKey> key;
  private final SslContextFactory.Server factory;
  private final char[] password;
  private final TimeSource time;

  // Guarded by this.
  private X509Certificate active;
  private String lastPairProblem;

  private ReloadingCertificate(
      ReloadingFile<List<X509Certificate>> certificate,
      ReloadingFile<PrivateKey> key,
      SslContextFactory.Server factory,
      char[] password,
      TimeSource time,
      X509Certificate active) {
    this.certificate = certificate;
    this.key = key;
    this.factory = factory;
    this.password = password;
    this.time = time;
    this.active = active;
  }

  /**
   * Reads and checks both files.
   *
   * @throws TlsCertificateException naming the file and the problem: missing, unreadable, not PEM,
   *     an unsupported key form, or a key that is not the certificate's
   */
  static ReloadingCertificate open(LMGateConfig.Tls tls, TimeSource time)
      throws TlsCertificateException {
    if (!tls.enabled()) {
      throw new IllegalArgumentException("server.tls: no certificate configured");
    }
    ReloadingFile<List<X509Certificate>> certificate =
        ReloadingFile.open(
            new WatchedFileKind<>(
                "TLS certificate",
                "certificate chain",
                "certificate(s)",
                "server.tls.cert_path",
                PemFiles::chain,
                TlsCertificateException::new,
                List::size,
                log),
            tls.certPath(),
            time);
    ReloadingFile<PrivateKey> key =
        ReloadingFile.open(
            new WatchedFileKind<>(
                "TLS private key",
                "key",
                "key(s)",
                "server.tls.key_path",
                PemFiles::privateKey,
                TlsCertificateException::new,
                k -> 1,
                log),
            tls.keyPath(),
            time);
    List<X509Certificate> chain = certificate.current();
    PemFiles.checkPair(chain, key.current(), tls.certPath().toString(), tls.keyPath().toString());

    byte[] secret = new byte[24];
    new SecureRandom().nextBytes(secret);
    char[] password = Base64.getEncoder().encodeToString(secret).toCharArray();
    SslContextFactory.Server factory = new SslContextFactory.Server();
    factory.setKeyStore(PemFiles.keyStore(chain, key.current(), ALIAS, password));
    factory.setKeyStorePassword(new String(password));
    factory.setCertAlias(ALIAS);
    factory.setIncludeProtocols(PROTOCOLS);
    factory.setCipherComparator(HTTP2Cipher.COMPARATOR);
    factory.setUseCipherSuitesOrder(true);
    ReloadingCertificate loaded =
        new ReloadingCertificate(certificate, key, factory, password, time, chain.get(0));
    loaded.warnIfNotValidNow(chain.get(0), time.now());
    return loaded;
  }

  /** The factory of the TLS connector. */
  SslContextFactory.Server factory() {
    return factory;
  }

  /** The server certificate new connections get. */
  synchronized X509Certificate active() {
    return active;
  }

  /**
   * Checks both files and, if either changed and the pair is good, swaps the certificate for new
   * connections. Never throws for file problems: they are logged once and the certificate in use
   * stays.
   *
   * @return true if a new certificate was put in use
   */
  synchronized boolean reloadIfChanged() {
    boolean certificateChanged = certificate.reloadIfChanged();
    boolean keyChanged = key.reloadIfChanged();
    if (!certificateChanged && !keyChanged) {
      return false;
    }
    List<X509Certificate> chain = certificate.current();
    PrivateKey privateKey = key.current();
    try {
      PemFiles.checkPair(chain, privateKey, certificate.file().toString(), key.file().toString());
    } catch (TlsCertificateException e) {
      if (!e.getMessage().equals(lastPairProblem)) {
        lastPairProblem = e.getMessage();
        log.error(
            "TLS certificate not reloaded; new connections keep getting {}: {}",
            PemFiles.describe(active),
            e.getMessage());
      }
      return false;
    }
    KeyStore store = PemFiles.keyStore(chain, privateKey, ALIAS, password);
    try {
      factory.reload(f -> f.setKeyStore(store));
    } catch (Exception e) {
      log.error(
          "TLS certificate not reloaded; new connections keep getting {}: {} ({})",
          PemFiles.describe(active),
          certificate.file(),
          e.toString());
      return false;
    }
    X509Certificate previous = active;
    active = chain.get(0);
    lastPairProblem = null;
    log.info(
        "TLS certificate reloaded from {} and {}: new connections get {} (before: {}); open"
            + " connections continue",
        certificate.file(),
        key.file(),
        PemFiles.describe(active),
        PemFiles.describe(previous));
    warnIfNotValidNow(active, time.now());
    return true;
  }

  /** One scheduled check; an exception escaping would cancel every later one. */
  void reloadIfChangedLoggingErrors() {
    try {
      reloadIfChanged();
    } catch (RuntimeException e) {
      log.error("TLS certificate check failed; keeping the certificate in use", e);
    }
  }

  private void warnIfNotValidNow(X509Certificate leaf, Instant now) {
    if (now.isAfter(leaf.getNotAfter().toInstant())) {
      log.warn(
          "TLS certificate {} has expired ({}); clients will refuse it",
          certificate.file(),
          PemFiles.describe(leaf));
    } else if (now.isBefore(leaf.getNotBefore().toInstant())) {
      log.warn(
          "TLS certificate {} is not valid before {}; clients will refuse it until then",
          certificate.file(),
          leaf.getNotBefore().toInstant());
    }
  }
}

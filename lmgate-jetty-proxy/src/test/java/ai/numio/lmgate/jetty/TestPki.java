package ai.numio.lmgate.jetty;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A test certificate authority, made at test time with BouncyCastle (test scope only: the gateway
 * reads PEM with the JDK): server certificates for {@code localhost} and {@code 127.0.0.1}, PEM
 * files as cert-manager and openssl write them, and client {@link SSLContext}s that trust the CA.
 */
final class TestPki {

  private static final AtomicLong SERIALS = new AtomicLong(0x1000);

  /** A server certificate and its key. */
  record Issued(X509Certificate certificate, X509Certificate ca, KeyPair keys) {
    BigInteger serial() {
      return certificate.getSerialNumber();
    }
  }

  private final KeyPair caKeys;
  private final X509Certificate ca;

  private TestPki(String name) throws Exception {
    caKeys = ec();
    X500Name subject = new X500Name("CN=" + name);
    JcaX509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            subject,
            BigInteger.valueOf(SERIALS.incrementAndGet()),
            Date.from(Instant.now().minus(Duration.ofHours(1))),
            Date.from(Instant.now().plus(Duration.ofDays(2))),
            subject,
            caKeys.getPublic());
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    builder.addExtension(
        Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    ca = sign(builder, caKeys.getPrivate());
  }

  /** A new CA with an EC P-256 key. */
  static TestPki create(String name) throws Exception {
    return new TestPki(name);
  }

  X509Certificate ca() {
    return ca;
  }

  /** A server certificate for localhost and 127.0.0.1, with an RSA or EC key. */
  Issued issue(String commonName, boolean rsa) throws Exception {
    KeyPair keys = rsa ? rsa() : ec();
    JcaX509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            ca,
            BigInteger.valueOf(SERIALS.incrementAndGet()),
            Date.from(Instant.now().minus(Duration.ofHours(1))),
            Date.from(Instant.now().plus(Duration.ofDays(1))),
            new X500Name("CN=" + commonName),
            keys.getPublic());
    builder.addExtension(
        Extension.subjectAlternativeName,
        false,
        new GeneralNames(
            new GeneralName[] {
              new GeneralName(GeneralName.dNSName, "localhost"),
              new GeneralName(GeneralName.iPAddress, "127.0.0.1")
            }));
    builder.addExtension(
        Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    return new Issued(sign(builder, caKeys.getPrivate()), ca, keys);
  }

  /** A client context trusting this CA only. */
  SSLContext clientContext() throws GeneralSecurityException, IOException {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca);
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, factory.getTrustManagers(), null);
    return context;
  }

  /** Writes the CA certificate as PEM (for curl's --cacert). */
  Path writeCa(Path file) throws IOException {
    return write(file, pem(ca));
  }

  /** The chain as PEM: the server certificate, then the CA (as cert-manager's tls.crt). */
  static String chainPem(Issued issued) throws IOException {
    return pem(issued.certificate()) + pem(issued.ca());
  }

  /** The key as PKCS#8 PEM ({@code BEGIN PRIVATE KEY}), written with the JDK. */
  static String pkcs8Pem(PrivateKey key) {
    return "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(key.getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
  }

  /**
   * The key in openssl's traditional form: {@code BEGIN RSA PRIVATE KEY} (PKCS#1) or {@code BEGIN
   * EC PRIVATE KEY} (SEC1).
   */
  static String traditionalPem(PrivateKey key) throws IOException {
    return pem(key);
  }

  /** Writes a file and dates it a minute back, so a reload check takes it at once. */
  static Path write(Path file, String text) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, text, StandardCharsets.US_ASCII);
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(60)));
    return file;
  }

  private static String pem(Object object) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    }
    return out.toString();
  }

  private static X509Certificate sign(JcaX509v3CertificateBuilder builder, PrivateKey key)
      throws Exception {
    return new JcaX509CertificateConverter()
        .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
  }

  private static KeyPair ec() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static KeyPair rsa() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    return generator.generateKeyPair();
  }
}

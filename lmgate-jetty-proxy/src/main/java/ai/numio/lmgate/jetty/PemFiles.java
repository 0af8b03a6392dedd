package ai.numio.lmgate.jetty;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a PEM certificate chain and private key with the JDK alone, and checks that they belong
 * together. Accepted: {@code CERTIFICATE} blocks (the server certificate first, then its
 * intermediates); a {@code PRIVATE KEY} (PKCS#8, RSA or EC, also Ed25519/Ed448 and RSASSA-PSS) or a
 * {@code RSA PRIVATE KEY} (PKCS#1, what cert-manager writes for RSA by default). Refused with the
 * {@code openssl} command that converts it: a SEC1 {@code EC PRIVATE KEY} and any encrypted key.
 * Every message starts with the file, and never shows key material.
 */
final class PemFiles {

  private static final Pattern BLOCK =
      Pattern.compile(
          "-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END ([A-Z0-9 ]+)-----", Pattern.DOTALL);

  /** The key algorithms a PKCS#8 key is tried as, in order. */
  private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "EdDSA", "RSASSA-PSS");

  private static final String CONVERT = "openssl pkey -in %s -out %s.pkcs8";

  private PemFiles() {}

  /** One PEM block: its label ({@code CERTIFICATE}) and the base64 text between the lines. */
  private record Block(String label, String body) {}

  /**
   * The certificate chain of a PEM file, the server certificate first.
   *
   * @param source the file as the operator named it, for messages
   */
  static List<X509Certificate> chain(byte[] content, String source) throws TlsCertificateException {
    List<Block> blocks = blocks(content, source);
    List<X509Certificate> chain = new ArrayList<>();
    long certificates = blocks.stream().filter(b -> b.label().equals("CERTIFICATE")).count();
    CertificateFactory factory = x509();
    for (Block block : blocks) {
      if (!block.label().equals("CERTIFICATE")) {
        continue; // a private key beside the chain (a combined file) is left alone
      }
      byte[] der = decode(block, source);
      try {
        chain.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
      } catch (CertificateException | ClassCastException e) {
        throw new TlsCertificateException(
            source
                + ": certificate "
                + (chain.size() + 1)
                + " of "
                + certificates
                + " is not a valid X.509 certificate ("
                + e.getMessage()
                + ")");
      }
    }
    if (chain.isEmpty()) {
      boolean hasKey = blocks.stream().anyMatch(b -> b.label().endsWith("PRIVATE KEY"));
      throw new TlsCertificateException(
          source
              + (hasKey
                  ? ": holds a private key but no certificate; server.tls.cert_path names the"
                      + " certificate chain (tls.crt), server.tls.key_path the key (tls.key)"
                  : ": no PEM certificate found (expected -----BEGIN CERTIFICATE----- blocks,"
                      + " the server certificate first)"));
    }
    return List.copyOf(chain);
  }

  /**
   * The one private key of a PEM file.
   *
   * @param source the file as the operator named it, for messages
   */
  static PrivateKey privateKey(byte[] content, String source) throws TlsCertificateException {
    List<Block> keys = new ArrayList<>();
    boolean hasCertificate = false;
    for (Block block : blocks(content, source)) {
      if (block.label().endsWith("PRIVATE KEY")) {
        keys.add(block);
      } else if (block.label().equals("CERTIFICATE")) {
        hasCertificate = true;
      }
    }
    if (keys.isEmpty()) {
      throw new TlsCertificateException(
          source
              + (hasCertificate
                  ? ": holds a certificate but no private key; server.tls.key_path names the"
                      + " private key (tls.key), server.tls.cert_path the certificate chain"
                  : ": no PEM private key found (expected -----BEGIN PRIVATE KEY-----, PKCS#8)"));
    }
    if (keys.size() > 1) {
      throw new TlsCertificateException(
          source + ": holds " + keys.size() + " private keys; expected exactly one");
    }
    Block key = keys.get(0);
    String convert = String.format(CONVERT, source, source);
    switch (key.label()) {
      case "PRIVATE KEY":
        return pkcs8(decode(key, source), source);
      case "RSA PRIVATE KEY":
        if (key.body().contains("ENCRYPTED")) {
          throw encrypted(source, convert);
        }
        return rsaPkcs1(decode(key, source), source);
      case "ENCRYPTED PRIVATE KEY":
        throw encrypted(source, convert);
      case "EC PRIVATE KEY":
        throw new TlsCertificateException(
            source
                + ": holds an EC key in SEC1 form (BEGIN EC PRIVATE KEY); LMGate reads PKCS#8."
                + " Convert it with `"
                + convert
                + "` (cert-manager: set privateKey.encoding: PKCS8 on the Certificate)");
      default:
        throw new TlsCertificateException(
            source
                + ": unsupported key type BEGIN "
                + key.label()
                + "; convert it to PKCS#8 (BEGIN PRIVATE KEY) with `"
                + convert
                + "`");
    }
  }

  /**
   * Checks that {@code key} is the private key of the chain's first certificate.
   *
   * @throws TlsCertificateException naming both files: the key belongs to another certificate, or
   *     to a later one of the chain (which must then come first)
   */
  static void checkPair(
      List<X509Certificate> chain, PrivateKey key, String certSource, String keySource)
      throws TlsCertificateException {
    if (matches(key, chain.get(0).getPublicKey())) {
      return;
    }
    for (int i = 1; i < chain.size(); i++) {
      if (matches(key, chain.get(i).getPublicKey())) {
        throw new TlsCertificateException(
            keySource
                + ": the key belongs to certificate "
                + (i + 1)
                + " of "
                + certSource
                + "; the server certificate (the key's) must come first in the chain");
      }
    }
    throw new TlsCertificateException(
        keySource
            + ": the private key does not match the certificate in "
            + certSource
            + " ("
            + describe(chain.get(0))
            + "); both files must be of the same certificate");
  }

  /** A PKCS12 key store in memory holding the key and its chain under {@code alias}. */
  static KeyStore keyStore(
      List<X509Certificate> chain, PrivateKey key, String alias, char[] password) {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry(alias, key, password, chain.toArray(new X509Certificate[0]));
      return store;
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("cannot build an in-memory PKCS12 key store", e);
    }
  }

  /** Subject, serial and expiry of a certificate, for messages and log lines. */
  static String describe(X509Certificate certificate) {
    return certificate.getSubjectX500Principal().getName()
        + ", serial "
        + certificate.getSerialNumber().toString(16)
        + ", valid until "
        + certificate.getNotAfter().toInstant();
  }

  private static boolean matches(PrivateKey key, PublicKey publicKey) {
    if (key instanceof RSAKey rsa) {
      return publicKey instanceof RSAKey rsaPublic
          && rsa.getModulus().equals(rsaPublic.getModulus());
    }
    String algorithm =
        key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : key.getAlgorithm(); // EdDSA, Ed25519
    try {
      byte[] challenge = new byte[32];
      new SecureRandom().nextBytes(challenge);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(challenge);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false; // another algorithm, another curve: not this certificate's key
    }
  }

  private static PrivateKey pkcs8(byte[] der, String source) throws TlsCertificateException {
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    for (String algorithm : KEY_ALGORITHMS) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (GeneralSecurityException | RuntimeException e) {
        // not this algorithm: try the next
      }
    }
    throw new TlsCertificateException(
        source + ": the PKCS#8 private key cannot be read: it is damaged, or neither RSA nor EC");
  }

  /** A PKCS#1 RSAPrivateKey, wrapped as the PKCS#8 PrivateKeyInfo the JDK reads. */
  private static PrivateKey rsaPkcs1(byte[] pkcs1, String source) throws TlsCertificateException {
    byte[] version = {0x02, 0x01, 0x00};
    byte[] rsaEncryption = {
      0x30,
      0x0d,
      0x06,
      0x09,
      0x2a,
      (byte) 0x86,
      0x48,
      (byte) 0x86,
      (byte) 0xf7,
      0x0d,
      0x01,
      0x01,
      0x01,
      0x05,
      0x00
    };
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(version);
    body.writeBytes(rsaEncryption);
    body.writeBytes(derElement(0x04, pkcs1));
    try {
      return KeyFactory.getInstance("RSA")
          .generatePrivate(new PKCS8EncodedKeySpec(derElement(0x30, body.toByteArray())));
    } catch (GeneralSecurityException e) {
      throw new TlsCertificateException(
          source + ": the PKCS#1 RSA private key cannot be read: it is damaged");
    }
  }

  private static byte[] derElement(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int length = content.length;
    if (length < 0x80) {
      out.write(length);
    } else {
      int bytes = (32 - Integer.numberOfLeadingZeros(length) + 7) / 8;
      out.write(0x80 | bytes);
      for (int i = bytes - 1; i >= 0; i--) {
        out.write(length >>> (8 * i));
      }
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  private static TlsCertificateException encrypted(String source, String convert) {
    return new TlsCertificateException(
        source
            + ": the private key is encrypted; LMGate needs it unencrypted (protect the file"
            + " with its permissions instead). Decrypt it with `"
            + convert
            + "` (asks for the passphrase)");
  }

  private static List<Block> blocks(byte[] content, String source) throws TlsCertificateException {
    String text = new String(content, StandardCharsets.US_ASCII);
    List<Block> blocks = new ArrayList<>();
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      if (!m.group(1).equals(m.group(3))) {
        throw new TlsCertificateException(
            source
                + ": a PEM block opened with BEGIN "
                + m.group(1)
                + " ends with END "
                + m.group(3));
      }
      blocks.add(new Block(m.group(1), m.group(2)));
    }
    if (blocks.isEmpty()) {
      boolean der = content.length > 0 && (content[0] & 0xff) == 0x30;
      throw new TlsCertificateException(
          source
              + (content.length == 0
                  ? ": the file is empty"
                  : der
                      ? ": is binary (DER), not PEM; convert it with `openssl x509 -inform der`"
                          + " (a certificate) or `openssl pkey -inform der` (a key)"
                      : ": is not PEM (no -----BEGIN ...----- line)"));
    }
    return blocks;
  }

  private static byte[] decode(Block block, String source) throws TlsCertificateException {
    if (block.body().contains(":")) {
      // RFC 1421 headers (Proc-Type: 4,ENCRYPTED / DEK-Info): an encrypted traditional key
      throw encrypted(source, String.format(CONVERT, source, source));
    }
    try {
      return Base64.getMimeDecoder().decode(block.body().strip());
    } catch (IllegalArgumentException e) {
      throw new TlsCertificateException(
          source + ": the " + block.label() + " block is not valid base64");
    }
  }

  private static CertificateFactory x509() {
    try {
      return CertificateFactory.getInstance("X.509");
    } catch (CertificateException e) {
      throw new IllegalStateException("X.509 is required of every JVM", e);
    }
  }
}

package ai.numio.lmgate.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import ai.numio.lmgate.config.ConfigLoader;
import ai.numio.lmgate.config.LMGateConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certificate and key files that cannot be used stop the start with a message naming the file and
 * the problem (and the openssl command that fixes a known one); the forms that work, work.
 */
class TlsStartTest {

  private static TestPki pki;
  private static TestPki.Issued rsa;
  private static TestPki.Issued ec;

  @TempDir Path dir;

  @BeforeAll
  static void certificates() throws Exception {
    pki = TestPki.create("LMGate Test CA");
    rsa = pki.issue("rsa.example", true);
    ec = pki.issue("ec.example", false);
  }

  private Path cert(String text) throws Exception {
    return TestPki.write(dir.resolve("tls.crt"), text);
  }

  private Path key(String text) throws Exception {
    return TestPki.write(dir.resolve("tls.key"), text);
  }

  private LMGateServer start(Path cert, Path key) throws Exception {
    Path allowList = dir.resolve("allowlist.csv");
    Files.writeString(allowList, "id,api_key,owner,added\n");
    LMGateConfig config =
        ConfigLoader.load(
            Optional.empty(),
            Map.of(
                "LMGATE_AUTH__ALLOWLIST_PATH", allowList.toString(),
                "LMGATE_STATS__OUTPUT_PATH", dir.resolve("stats.jsonl").toString(),
                "LMGATE_SERVER__HOST", "127.0.0.1",
                "LMGATE_SERVER__TLS__CERT_PATH", cert.toString(),
                "LMGATE_SERVER__TLS__KEY_PATH", key.toString()),
            dir);
    return LMGateServer.builder(config).port(0).tlsPort(0).start();
  }

  private String startFailure(Path cert, Path key) {
    Throwable thrown =
        org.assertj.core.api.Assertions.catchThrowable(() -> start(cert, key).close());
    assertThat(thrown).isInstanceOf(TlsCertificateException.class);
    assertThat(thrown.getMessage()).doesNotContain("MII"); // never key material
    return thrown.getMessage();
  }

  private void serves(LMGateServer server, TestPki.Issued issued) throws Exception {
    HttpResponse<String> response =
        HttpClient.newBuilder()
            .sslContext(pki.clientContext())
            .build()
            .send(
                HttpRequest.newBuilder(server.tlsUri().resolve("/healthz")).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(
            ((X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0])
                .getSerialNumber())
        .isEqualTo(issued.serial());
  }

  @Test
  void pkcs8RsaAndEcKeysAndAPkcs1RsaKeyWork() throws Exception {
    try (LMGateServer server =
        start(cert(TestPki.chainPem(rsa)), key(TestPki.pkcs8Pem(rsa.keys().getPrivate())))) {
      serves(server, rsa);
    }
    try (LMGateServer server =
        start(cert(TestPki.chainPem(ec)), key(TestPki.pkcs8Pem(ec.keys().getPrivate())))) {
      serves(server, ec);
    }
    String pkcs1 = TestPki.traditionalPem(rsa.keys().getPrivate());
    assertThat(pkcs1).startsWith("-----BEGIN RSA PRIVATE KEY-----");
    try (LMGateServer server = start(cert(TestPki.chainPem(rsa)), key(pkcs1))) {
      serves(server, rsa);
      assertThat(server.uri().getScheme()).isEqualTo("http");
      assertThat(server.tlsUri())
          .isEqualTo(URI.create("https://127.0.0.1:" + server.tlsPort() + "/"));
    }
  }

  @Test
  void aKeyOfAnotherCertificateIsNamedAsSuch() throws Exception {
    Path key = key(TestPki.pkcs8Pem(ec.keys().getPrivate()));
    assertThat(startFailure(cert(TestPki.chainPem(rsa)), key))
        .isEqualTo(
            key
                + ": the private key does not match the certificate in "
                + dir.resolve("tls.crt")
                + " (CN=rsa.example, serial "
                + rsa.serial().toString(16)
                + ", valid until "
                + rsa.certificate().getNotAfter().toInstant()
                + "); both files must be of the same certificate");
  }

  @Test
  void aChainThatDoesNotStartWithTheServerCertificateIsRefused() throws Exception {
    String caFirst =
        TestPki.chainPem(rsa)
                .substring(TestPki.chainPem(rsa).indexOf("-----END CERTIFICATE-----") + 26)
            + TestPki.chainPem(rsa);
    Path key = key(TestPki.pkcs8Pem(rsa.keys().getPrivate()));
    assertThat(startFailure(cert(caFirst), key))
        .isEqualTo(
            key
                + ": the key belongs to certificate 2 of "
                + dir.resolve("tls.crt")
                + "; the server certificate (the key's) must come first in the chain");
  }

  @Test
  void badKeyFilesSayWhatIsWrongAndHowToFixIt() throws Exception {
    Path cert = cert(TestPki.chainPem(ec));
    Path key = dir.resolve("tls.key");
    assertThat(startFailure(cert, key)).isEqualTo(key + ": file not found");
    key("hello\n");
    assertThat(startFailure(cert, key))
        .isEqualTo(key + ": is not PEM (no -----BEGIN ...----- line)");
    key("");
    assertThat(startFailure(cert, key)).isEqualTo(key + ": the file is empty");
    key(TestPki.traditionalPem(ec.keys().getPrivate()));
    assertThat(startFailure(cert, key))
        .isEqualTo(
            key
                + ": holds an EC key in SEC1 form (BEGIN EC PRIVATE KEY); LMGate reads PKCS#8."
                + " Convert it with `openssl pkey -in "
                + key
                + " -out "
                + key
                + ".pkcs8` (cert-manager: set privateKey.encoding: PKCS8 on the Certificate)");
    key(
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkq\n-----END ENCRYPTED PRIVATE KEY-----\n");
    assertThat(startFailure(cert, key))
        .startsWith(key + ": the private key is encrypted; LMGate needs it unencrypted")
        .contains("openssl pkey -in " + key);
    key(
        "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n"
            + "AAAA\n-----END RSA PRIVATE KEY-----\n");
    assertThat(startFailure(cert, key)).startsWith(key + ": the private key is encrypted");
    key("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
    assertThat(startFailure(cert, key))
        .isEqualTo(
            key + ": the PKCS#8 private key cannot be read: it is damaged, or neither RSA nor EC");
    key(TestPki.chainPem(ec));
    assertThat(startFailure(cert, key))
        .startsWith(key + ": holds a certificate but no private key; server.tls.key_path names");
    key(TestPki.pkcs8Pem(ec.keys().getPrivate()) + TestPki.pkcs8Pem(rsa.keys().getPrivate()));
    assertThat(startFailure(cert, key))
        .isEqualTo(key + ": holds 2 private keys; expected exactly one");
  }

  @Test
  void badCertificateFilesSayWhatIsWrong() throws Exception {
    Path key = key(TestPki.pkcs8Pem(ec.keys().getPrivate()));
    Path cert = cert(TestPki.pkcs8Pem(ec.keys().getPrivate()));
    assertThat(startFailure(cert, key))
        .startsWith(cert + ": holds a private key but no certificate; server.tls.cert_path names");
    cert("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    assertThat(startFailure(cert, key))
        .startsWith(cert + ": certificate 1 of 1 is not a valid X.509 certificate");
    Files.write(cert, ec.certificate().getEncoded());
    assertThat(startFailure(cert, key)).startsWith(cert + ": is binary (DER), not PEM");
  }
}

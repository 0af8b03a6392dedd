package ai.numio.lmgate.jetty.upstream;

import static ai.numio.lmgate.jetty.upstream.Requests.get;
import static ai.numio.lmgate.jetty.upstream.Requests.post;
import static ai.numio.lmgate.jetty.upstream.Requests.utf8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import ai.numio.lmgate.Failure;
import ai.numio.lmgate.UpstreamErrors;
import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * HTTPS upstreams: a local Jetty with a self-signed certificate, trusted by the test engine only.
 */
@Timeout(30)
class LeanUpstreamTlsTest {

  private static Server server;
  private static URI origin;
  private static KeyStore trust;
  private static final Set<String> connections = ConcurrentHashMap.newKeySet();

  @BeforeAll
  static void start() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(256);
    KeyPair keys = generator.generateKeyPair();
    X500Name name = new X500Name("CN=localhost");
    JcaX509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            name,
            BigInteger.valueOf(System.nanoTime()),
            Date.from(Instant.now().minus(Duration.ofHours(1))),
            Date.from(Instant.now().plus(Duration.ofDays(1))),
            name,
            keys.getPublic());
    builder.addExtension(
        Extension.subjectAlternativeName,
        false,
        new GeneralNames(
            new GeneralName[] {
              new GeneralName(GeneralName.dNSName, "localhost"),
              new GeneralName(GeneralName.iPAddress, "127.0.0.1")
            }));
    X509Certificate certificate =
        new JcaX509CertificateConverter()
            .getCertificate(
                builder.build(
                    new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
    KeyStore keyStore = KeyStore.getInstance("PKCS12");
    keyStore.load(null, null);
    keyStore.setKeyEntry(
        "server", keys.getPrivate(), "secret".toCharArray(), new X509Certificate[] {certificate});
    trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("server", certificate);

    SslContextFactory.Server tls = new SslContextFactory.Server();
    tls.setKeyStore(keyStore);
    tls.setKeyStorePassword("secret");
    server = new Server();
    ServerConnector connector =
        new ServerConnector(
            server, new SslConnectionFactory(tls, "http/1.1"), new HttpConnectionFactory());
    connector.setHost("127.0.0.1");
    server.addConnector(connector);
    server.setHandler(
        new Handler.Abstract() {
          @Override
          public boolean handle(Request request, Response response, Callback callback)
              throws Exception {
            connections.add(request.getConnectionMetaData().getId());
            String body = Content.Source.asString(request, StandardCharsets.UTF_8);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
            Content.Sink.write(
                response,
                true,
                request.getMethod() + " " + request.getHttpURI().getPathQuery() + " " + body,
                callback);
            return true;
          }
        });
    server.start();
    origin = URI.create("https://localhost:" + connector.getLocalPort());
  }

  @AfterAll
  static void stop() throws Exception {
    server.stop();
  }

  @Test
  void requestsGoOverVerifiedTlsOnOneConnection() throws Exception {
    SslContextFactory.Client tls = new SslContextFactory.Client(); // verifies host names too
    tls.setTrustStore(trust);
    connections.clear();
    try (LeanUpstream engine =
        LeanUpstream.start(
            new LeanSettings(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(4)),
            tls)) {
      for (int i = 0; i < 5; i++) {
        Recorder r = new Recorder();
        engine.send(
            i % 2 == 0
                ? get(origin, "/v1/models?i=" + i)
                : post(origin, "/v1/chat/completions", utf8("{\"i\":" + i + "}")),
            r);
        assertThat(r.body.get(5, SECONDS))
            .isEqualTo(
                i % 2 == 0
                    ? "GET /v1/models?i=" + i + " "
                    : "POST /v1/chat/completions {\"i\":" + i + "}");
      }
      assertThat(connections).hasSize(1);
    }
  }

  @Test
  void productionTlsRejectsAnUntrustedCertificateAsUnreachable() throws Exception {
    try (LeanUpstream engine = Requests.engine()) {
      Recorder r = new Recorder();
      engine.send(post(origin, "/v1/chat/completions", utf8("{}"), "Idempotency-Key", "k"), r);
      Throwable failure = r.failure.get(5, SECONDS);
      assertThat(failure).isInstanceOf(SSLException.class);
      assertThat(UpstreamErrors.classify(failure)).isEqualTo(Failure.UPSTREAM_UNREACHABLE);
      assertThat(r.requestBegins.get()).as("nothing of the request was sent").isZero();
    }
  }

  @Test
  void aCertificateForAnotherHostIsRejected() throws Exception {
    SslContextFactory.Client tls = new SslContextFactory.Client();
    tls.setTrustStore(trust);
    try (LeanUpstream engine =
        LeanUpstream.start(
            new LeanSettings(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(4)),
            tls)) {
      Recorder r = new Recorder();
      // 127.0.0.2 reaches the same loopback server; the certificate names localhost, 127.0.0.1
      engine.send(get(URI.create("https://127.0.0.2:" + origin.getPort()), "/"), r);
      Throwable failure = r.failure.get(5, SECONDS);
      assertThat(UpstreamErrors.classify(failure)).isEqualTo(Failure.UPSTREAM_UNREACHABLE);
    }
  }
}

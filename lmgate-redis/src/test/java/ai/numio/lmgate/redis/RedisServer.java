package ai.numio.lmgate.redis;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A real {@code redis-server} for a test class: its own process on a free loopback port, without
 * persistence, that a test can kill, stall and restart on the same port. Tests that only need a
 * server may use the run's shared one instead ({@link #sharedUrl()}: {@code LMGATE_TEST_REDIS_URL},
 * set by {@code .ci/run}).
 *
 * <p>Without {@code redis-server} installed the test is skipped with an assumption message, except
 * under CI ({@code CI=true}), where it fails.
 */
public final class RedisServer implements AutoCloseable {

  private static final List<String> CANDIDATES =
      List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server", "/usr/sbin/redis-server");

  private final String binary;
  private final int port;
  private Process process;

  private RedisServer(String binary, int port) {
    this.binary = binary;
    this.port = port;
  }

  /** Starts a server of this test class's own on a free loopback port. */
  public static RedisServer start() throws IOException, InterruptedException {
    String binary = binary();
    RedisServer server = new RedisServer(binary, freePort());
    server.launch();
    return server;
  }

  /**
   * A Redis URL for tests that need no process of their own: {@code LMGATE_TEST_REDIS_URL} when
   * set, else null (the caller then {@link #start()}s one).
   */
  public static String sharedUrl() {
    String url = System.getenv("LMGATE_TEST_REDIS_URL");
    return url == null || url.isBlank() ? null : url.strip();
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** Kills the server at once (SIGKILL), as a crash would. */
  public void kill() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly();
      process.waitFor();
      process = null;
    }
  }

  /** Starts the server again on the same port, empty. */
  public void restart() throws IOException, InterruptedException {
    kill();
    launch();
  }

  /** Freezes the server (SIGSTOP): connections stay open, nothing answers. */
  public void stall() throws IOException, InterruptedException {
    signal("STOP");
  }

  /** Thaws a {@link #stall()}ed server (SIGCONT). */
  public void resume() throws IOException, InterruptedException {
    signal("CONT");
  }

  @Override
  public void close() {
    if (process != null) {
      process.destroyForcibly(); // SIGKILL ends a stalled (SIGSTOPped) server too
      try {
        process.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process = null;
    }
  }

  private void signal(String name) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
    if (kill.waitFor() != 0) {
      throw new IOException("kill -" + name + " failed");
    }
  }

  private void launch() throws IOException, InterruptedException {
    Path log = Files.createTempFile("redis-" + port + "-", ".log");
    log.toFile().deleteOnExit();
    process =
        new ProcessBuilder(
                binary,
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException(
            "redis-server exited: " + Files.readString(log, StandardCharsets.UTF_8));
      }
      if (answersPing()) {
        return;
      }
      Thread.sleep(20);
    }
    process.destroyForcibly();
    throw new IOException("redis-server did not answer on port " + port + " within 10 s");
  }

  private boolean answersPing() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
      socket.setSoTimeout(500);
      OutputStream out = socket.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] reply = new byte[7];
      int n = in.readNBytes(reply, 0, 7);
      return new String(reply, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
    } catch (IOException e) {
      return false;
    }
  }

  private static String binary() {
    for (String candidate : CANDIDATES) {
      if (new File(candidate).canExecute()) {
        return candidate;
      }
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator, -1)) {
        File f = new File(dir, "redis-server");
        if (f.canExecute()) {
          return f.getPath();
        }
      }
    }
    String message =
        "redis-server is not installed (apt-get install -y redis-server): the Redis limit store"
            + " tests need a real server";
    if ("true".equals(System.getenv("CI"))) {
      fail(message);
    }
    assumeTrue(false, message);
    throw new AssertionError("unreachable");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }
}

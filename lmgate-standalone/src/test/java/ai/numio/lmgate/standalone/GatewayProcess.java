package ai.numio.lmgate.standalone;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The gateway as operators run it, for process-level tests: {@code Main --config FILE} in a child
 * JVM started from the test classpath (the jar is built after the tests run), working in a test
 * directory, its output going to a log file there. Stopped with SIGTERM or SIGKILL like a real one.
 */
final class GatewayProcess implements AutoCloseable {

  /** How long a child JVM may take to start listening on a slow, busy machine. */
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final Process process;
  private final Path log;

  private GatewayProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /**
   * Starts {@code Main --config config} in {@code dir}, logging to {@code dir/<logName>}, and waits
   * until it listens.
   */
  static GatewayProcess start(Path dir, String config, String logName)
      throws IOException, InterruptedException {
    return start(dir, Map.of(), logName, "--config", config);
  }

  /**
   * Starts {@code Main args} in {@code dir} with {@code env} added to the environment (any {@code
   * LMGATE_*} variable of the test's own environment removed), logging to {@code dir/<logName>},
   * and waits until it listens.
   */
  static GatewayProcess start(Path dir, Map<String, String> env, String logName, String... args)
      throws IOException, InterruptedException {
    Path log = dir.resolve(logName);
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().keySet().removeIf(name -> name.startsWith("LMGATE_"));
    builder.environment().putAll(env);
    Process process = builder.start();
    GatewayProcess gateway = new GatewayProcess(process, log);
    try {
      gateway.awaitOutput("Listening on", START_TIMEOUT);
    } catch (AssertionError | InterruptedException e) {
      process.destroyForcibly();
      throw e;
    }
    return gateway;
  }

  /** A port nothing listens on right now. */
  static int freePort() throws IOException {
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return free.getLocalPort();
    }
  }

  /**
   * Writes {@code allowlist.csv} (one key, id 7, owner team-ops) and {@code lmgate.yaml} into
   * {@code dir}: the gateway on {@code 127.0.0.1:port}, the openai route to {@code upstream}, usage
   * records to {@code out/stats.jsonl}.
   */
  static void writeConfig(
      Path dir, String key, int port, URI upstream, int graceSeconds, int flushSeconds)
      throws IOException {
    Files.writeString(
        dir.resolve("allowlist.csv"),
        "id,api_key,owner,added\n7," + key + ",team-ops,2026-03-01\n");
    Files.writeString(
        dir.resolve("lmgate.yaml"),
        "server: { host: 127.0.0.1, port: "
            + port
            + ", shutdown_grace_seconds: "
            + graceSeconds
            + " }\n"
            + "auth: { allowlist_path: allowlist.csv }\n"
            + "stats: { output_path: out/stats.jsonl, flush_interval_seconds: "
            + flushSeconds
            + " }\n"
            + "providers:\n  openai: { upstream: '"
            + upstream
            + "' }\n");
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Sends SIGTERM. */
  void terminate() {
    process.destroy();
  }

  /** Sends SIGKILL: the JVM gets no chance to do anything. */
  void kill() {
    process.destroyForcibly();
  }

  /** Waits for the process to end; returns its exit code, or fails after {@code timeout}. */
  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("gateway still running after " + timeout);
    }
    return process.exitValue();
  }

  /** Everything the gateway logged so far. */
  List<String> output() throws IOException {
    return Files.exists(log) ? Files.readAllLines(log) : List.of();
  }

  /** Waits until a logged line contains {@code text}. */
  void awaitOutput(String text, Duration timeout) throws InterruptedException, IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (output().stream().anyMatch(l -> l.contains(text))) {
        return;
      }
      if (!process.isAlive()) {
        break;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no '" + text + "' in gateway output: " + output());
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }
}

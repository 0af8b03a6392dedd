package ai.numio.lmgate.standalone;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * {@code java -jar lmgate.jar [command]}: serve (the default), report, hash-key, keys, --help,
 * --version. Exit codes: 0 ok, 1 runtime failure, 2 bad usage or invalid configuration.
 */
public final class Main {

  static final String HELP =
      """
      LMGate %s — a transparent gateway in front of LLM provider APIs.

      Usage:
        java -jar lmgate.jar [--config FILE]     serve (the default command)
        java -jar lmgate.jar serve [--config FILE]
        java -jar lmgate.jar report [--by DIMENSION ...] [--since WHEN] [--until WHEN]
                                    [--format table|csv|json] [--config FILE] [FILE ...]
                                                 usage and cost per owner, provider and model (or
                                                 --by owner|model|provider|key|day) from stats
                                                 files (default: the configured stats.output_path,
                                                 data/stats.jsonl, and its rotated siblings);
                                                 malformed lines are counted
        java -jar lmgate.jar hash-key            read a key on stdin, print sha256:<hex> for the
                                                 allow-list
        java -jar lmgate.jar keys new --owner NAME [--id ID] [--expires YYYY-MM-DD]
        java -jar lmgate.jar keys list | keys revoke ID
                                                 issue, list and revoke LMGate keys (lmg-...) in
                                                 the allow-list (see keys --help)
        java -jar lmgate.jar --help | --version

      Configuration (serve, and report without FILE): --config FILE, else $LMGATE_CONFIG, else
      config/lmgate.yaml if present, else built-in defaults; LMGATE_<SECTION>__<KEY> environment
      variables override the file.
      Exit codes: 0 ok, 1 runtime failure, 2 bad usage or invalid configuration.
      """;

  private Main() {}

  public static void main(String[] args) {
    ExitCode code =
        run(
            List.of(args),
            System.in,
            System.out,
            System.err,
            Path.of("").toAbsolutePath(),
            System.getenv());
    System.exit(code.status());
  }

  /** Runs one command; returns how it ended. */
  static ExitCode run(
      List<String> args,
      InputStream stdin,
      PrintStream out,
      PrintStream err,
      Path workingDir,
      Map<String, String> env) {
    String command = args.isEmpty() ? "serve" : args.get(0);
    List<String> rest = args.isEmpty() ? List.of() : args.subList(1, args.size());
    switch (command) {
      case "--help", "-h", "help":
        out.print(String.format(HELP, version()));
        return ExitCode.OK;
      case "--version", "-V", "version":
        out.println("lmgate " + version());
        return ExitCode.OK;
      case "serve":
        return ServeCommand.run(rest, out, err, workingDir, env);
      case "report":
        return ReportCommand.run(rest, stdin, out, err, workingDir, env);
      case "hash-key":
        return HashKeyCommand.run(rest, stdin, out, err, workingDir);
      case "keys":
        return KeysCommand.run(rest, out, err, workingDir, env);
      default:
        if (command.startsWith("--config")) {
          return ServeCommand.run(args, out, err, workingDir, env);
        }
        err.println("lmgate: unknown command or option '" + command + "'; see --help");
        return ExitCode.BAD_USAGE_OR_CONFIG;
    }
  }

  /** The version this jar was built as. */
  static String version() {
    try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
      Properties properties = new Properties();
      if (in != null) {
        properties.load(in);
      }
      return properties.getProperty("version", "dev");
    } catch (IOException e) {
      return "dev";
    }
  }
}

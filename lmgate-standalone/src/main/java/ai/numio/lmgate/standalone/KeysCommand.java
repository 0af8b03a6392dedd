package ai.numio.lmgate.standalone;

import ai.numio.lmgate.auth.AllowListText;
import ai.numio.lmgate.auth.KeyMask;
import ai.numio.lmgate.auth.Sha256;
import ai.numio.lmgate.config.LMGateConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code lmgate keys new|list|revoke}: issues LMGate's own keys into the allow-list file (stored
 * only as {@code sha256:}, the key printed once), lists them without ever printing a key, and
 * revokes one by id. Every change goes through {@link AllowListEdit}: locked, validated and renamed
 * into place in one step, so a running gateway picks it up at its next poll and never reads half a
 * row.
 */
final class KeysCommand {

  /** The text {@code keys --help} prints. */
  static final String USAGE =
      """
      Usage: lmgate keys new --owner NAME [--id ID] [--expires YYYY-MM-DD] [--config FILE]
             lmgate keys list [--config FILE]
             lmgate keys revoke ID [--config FILE]

      Manages LMGate keys in the allow-list file (auth.allowlist_path of the configuration,
      found as serve finds it: --config FILE, else $LMGATE_CONFIG, else config/lmgate.yaml).

        new      creates a random key (256 bits, prefix lmg-), appends its sha256: row
                 (id, owner, today's date, the optional expiry) and prints the key on
                 standard output: the only time it is shown. --id defaults to the next
                 number after the largest numeric id; --expires is the last day (UTC) the
                 key works.
        list     prints id, owner, added, expires and status of every row, with the key
                 masked (a sha256: row shows the start of its digest): never a key.
        revoke   removes the row of that id.

      A running gateway applies a change within auth.poll_interval_seconds.
      Exit status: 0 ok, 1 the file cannot be read or replaced, 2 bad usage, an unknown id
      or an invalid allow-list or configuration.
      """;

  /** The prefix of every key {@code keys new} creates. */
  static final String KEY_PREFIX = "lmg-";

  /** Random bytes per key: 256 bits. */
  static final int KEY_BYTES = 32;

  private static final String NAME = "lmgate keys: ";
  private static final SecureRandom RANDOM = new SecureRandom();

  private KeysCommand() {}

  static ExitCode run(
      List<String> args,
      PrintStream out,
      PrintStream err,
      Path workingDir,
      Map<String, String> env) {
    return run(args, out, err, workingDir, env, Clock.systemUTC());
  }

  static ExitCode run(
      List<String> args,
      PrintStream out,
      PrintStream err,
      Path workingDir,
      Map<String, String> env,
      Clock clock) {
    try {
      if (args.isEmpty()) {
        throw usage("which: new, list or revoke?");
      }
      String action = args.get(0);
      if (action.equals("-h") || action.equals("--help") || action.equals("help")) {
        out.print(USAGE);
        return ExitCode.OK;
      }
      Options options = Options.parse(args.subList(1, args.size()));
      LMGateConfig.Auth auth =
          CommandConfig.load(options.config.map(workingDir::resolve), env, workingDir)
              .config()
              .auth();
      switch (action) {
        case "new":
          issue(options, auth, out, err, clock);
          break;
        case "list":
          options.refuseExcept("list", List.of());
          list(auth.allowlistPath(), out, clock);
          break;
        case "revoke":
          revoke(options, auth, err);
          break;
        default:
          throw usage("unknown action '" + action + "'; use new, list or revoke");
      }
      out.flush();
      return ExitCode.OK;
    } catch (CommandFailure e) {
      e.print(err, NAME);
      return e.exitCode();
    }
  }

  private static void issue(
      Options options, LMGateConfig.Auth auth, PrintStream out, PrintStream err, Clock clock)
      throws CommandFailure {
    options.refuseExcept("new", List.of("--owner", "--id", "--expires"));
    if (!options.positional.isEmpty()) {
      throw usage("new takes no argument '" + options.positional.get(0) + "'");
    }
    String owner = options.value("--owner").orElseThrow(() -> usage("new needs --owner NAME"));
    LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
    Optional<String> expires = options.value("--expires");
    if (expires.isPresent()) {
      LocalDate last;
      try {
        last = LocalDate.parse(expires.get());
      } catch (DateTimeParseException e) {
        throw usage("--expires '" + expires.get() + "' is not a date; write YYYY-MM-DD");
      }
      if (last.isBefore(today)) {
        throw usage("--expires " + last + " is in the past (today is " + today + " UTC)");
      }
    }
    String key = newKey();
    String[] id = new String[1];
    AllowListEdit.apply(
        auth.allowlistPath(),
        current -> {
          id[0] = options.value("--id").orElseGet(() -> nextId(current));
          Map<String, String> row = new LinkedHashMap<>();
          row.put("id", id[0]);
          row.put("api_key", Sha256.allowListForm(key));
          row.put("owner", owner);
          row.put("added", today.toString());
          expires.ifPresent(date -> row.put("expires", date));
          return current.withRow(row);
        });
    out.println(key);
    err.println(
        NAME
            + "key "
            + id[0]
            + " for "
            + owner
            + " added to "
            + auth.allowlistPath()
            + " (stored as its sha256: digest). It is shown only now: hand it over safely."
            + " A running gateway accepts it within "
            + auth.pollIntervalSeconds()
            + " s.");
  }

  private static void list(Path file, PrintStream out, Clock clock) throws CommandFailure {
    AllowListText text = AllowListEdit.read(file);
    LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
    List<String[]> table = new ArrayList<>();
    table.add(new String[] {"ID", "OWNER", "ADDED", "EXPIRES", "STATUS", "KEY"});
    for (AllowListText.Row row : text.rows()) {
      String status = "active";
      if (!row.expires().isEmpty() && LocalDate.parse(row.expires()).isBefore(today)) {
        status = "expired";
      }
      table.add(
          new String[] {
            row.id(),
            row.owner(),
            row.added(),
            row.expires().isEmpty() ? "-" : row.expires(),
            status,
            masked(row.apiKey())
          });
    }
    int[] widths = new int[table.get(0).length];
    for (String[] cells : table) {
      for (int i = 0; i < cells.length; i++) {
        widths[i] = Math.max(widths[i], cells[i].length());
      }
    }
    for (String[] cells : table) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < cells.length; i++) {
        line.append(cells[i]);
        if (i < cells.length - 1) {
          line.append(" ".repeat(widths[i] - cells[i].length() + 2));
        }
      }
      out.println(line);
    }
  }

  private static void revoke(Options options, LMGateConfig.Auth auth, PrintStream err)
      throws CommandFailure {
    options.refuseExcept("revoke", List.of());
    if (options.positional.size() != 1) {
      throw usage("revoke takes one id");
    }
    String id = options.positional.get(0);
    String[] owner = new String[1];
    AllowListEdit.apply(
        auth.allowlistPath(),
        current -> {
          for (AllowListText.Row row : current.rows()) {
            if (row.id().equals(id)) {
              owner[0] = row.owner();
            }
          }
          String next = current.withoutRow(id);
          if (next == null) {
            throw new CommandFailure(
                ExitCode.BAD_USAGE_OR_CONFIG,
                "no key with id '"
                    + id
                    + "' in "
                    + auth.allowlistPath()
                    + "; see lmgate keys list");
          }
          return next;
        });
    err.println(
        NAME
            + "key "
            + id
            + " ("
            + owner[0]
            + ") removed from "
            + auth.allowlistPath()
            + ". A running gateway refuses it within "
            + auth.pollIntervalSeconds()
            + " s.");
  }

  /** A new key: {@code lmg-} and 256 random bits in URL-safe Base64 (43 characters). */
  static String newKey() {
    byte[] bytes = new byte[KEY_BYTES];
    RANDOM.nextBytes(bytes);
    return KEY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** One more than the largest numeric id (1 for none). */
  static String nextId(AllowListText text) {
    long max = 0;
    for (AllowListText.Row row : text.rows()) {
      String id = row.id();
      if (!id.isEmpty() && id.length() < 19 && id.chars().allMatch(Character::isDigit)) {
        max = Math.max(max, Long.parseLong(id));
      }
    }
    return Long.toString(max + 1);
  }

  /** Never the key: a plaintext key's last characters, a digest's first ones. */
  static String masked(String apiKey) {
    if (apiKey.regionMatches(true, 0, Sha256.PREFIX, 0, Sha256.PREFIX.length())) {
      int end = Math.min(apiKey.length(), Sha256.PREFIX.length() + 12);
      return apiKey.substring(0, end) + "…";
    }
    return KeyMask.forLog(apiKey);
  }

  private static CommandFailure usage(String message) {
    return new CommandFailure(ExitCode.BAD_USAGE_OR_CONFIG, message + " (see lmgate keys --help)");
  }

  /** The options after the action: {@code --name value} pairs and positional arguments. */
  private static final class Options {
    final Map<String, String> values = new LinkedHashMap<>();
    final List<String> positional = new ArrayList<>();
    Optional<Path> config = Optional.empty();

    static Options parse(List<String> args) throws CommandFailure {
      Options options = new Options();
      for (int i = 0; i < args.size(); i++) {
        String arg = args.get(i);
        if (arg.startsWith("--")) {
          String name = arg;
          String value;
          int eq = arg.indexOf('=');
          if (eq > 0) {
            name = arg.substring(0, eq);
            value = arg.substring(eq + 1);
          } else if (i + 1 < args.size()) {
            value = args.get(++i);
          } else {
            throw usage(name + " needs a value");
          }
          if (options.values.put(name, value) != null) {
            throw usage(name + " given twice");
          }
          if (name.equals(CommandConfig.OPTION)) {
            options.config = Optional.of(Path.of(value));
          }
        } else {
          options.positional.add(arg);
        }
      }
      return options;
    }

    Optional<String> value(String name) {
      return Optional.ofNullable(values.get(name)).map(String::strip).filter(v -> !v.isEmpty());
    }

    void refuseExcept(String action, List<String> allowed) throws CommandFailure {
      for (String name : values.keySet()) {
        if (!name.equals(CommandConfig.OPTION) && !allowed.contains(name)) {
          throw usage(action + " has no option " + name);
        }
      }
    }
  }
}

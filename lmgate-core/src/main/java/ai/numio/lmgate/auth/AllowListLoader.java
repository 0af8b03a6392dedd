package ai.numio.lmgate.auth;

import ai.numio.lmgate.providerkey.KeyReference;
import ai.numio.lmgate.text.Quoted;
import ai.numio.lmgate.text.StrictUtf8;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the allow-list CSV file (SPEC §4) into an {@link AllowList}.
 *
 * <p>UTF-8, an optional byte-order mark, a header row naming the columns {@code id, api_key, owner,
 * added} in any order (case-insensitive; other columns are ignored, but for the optional {@code
 * expires}: the last day, {@code YYYY-MM-DD} UTC, the key works, and the optional {@code
 * upstream_key}: a reference {@code env:NAME} or {@code file:/path} to the provider key the gateway
 * sends for the row's caller, SPEC-2 §15), standard CSV quoting, blank lines, comment lines (first
 * non-blank character {@code #}, before or after the header) and rows of only empty fields ignored,
 * fields trimmed. {@code id} and {@code api_key} must not be empty; {@code owner} and {@code added}
 * may be. {@code api_key} is the key itself or {@code sha256:} and the 64 hex digits of its
 * SHA-256. Every problem in the file is collected and reported together, naming the file and line;
 * a key is never shown in full.
 */
public final class AllowListLoader {

  private static final Logger LOG = LoggerFactory.getLogger(AllowListLoader.class);

  private static final List<String> REQUIRED_COLUMNS = List.of("id", "api_key", "owner", "added");

  /** The optional column with the last day (UTC) a key works. */
  static final String EXPIRES_COLUMN = "expires";

  /** The optional column with a reference to the caller's own provider key. */
  static final String UPSTREAM_KEY_COLUMN = "upstream_key";

  /**
   * Whether an {@code upstream_key} reference has a key; the gateway resolves it (the variable is
   * set, the file readable), other readers of the file only check its form.
   */
  @FunctionalInterface
  public interface ReferenceCheck {
    /** Null when the reference has a key; else why not, naming the reference, never a key. */
    String problem(KeyReference reference);
  }

  /** Checks a reference's form only. */
  public static final ReferenceCheck FORM_ONLY = reference -> null;

  /** Longer header names are masked when echoed, in case the "header" is really a data row. */
  private static final int MAX_SHOWN_COLUMN_NAME = 32;

  private static final CsvMapper CSV =
      CsvMapper.builder()
          .enable(CsvParser.Feature.WRAP_AS_ARRAY)
          .enable(CsvParser.Feature.SKIP_EMPTY_LINES)
          .enable(CsvParser.Feature.ALLOW_COMMENTS)
          .enable(CsvParser.Feature.TRIM_SPACES)
          .build();

  private AllowListLoader() {}

  /** Reads and validates the file; the exception lists every problem found. */
  public static AllowList load(Path file) throws AllowListException {
    return parse(read(file), file.toString());
  }

  /** Validates CSV text; {@code source} names it in messages (usually the file's path). */
  public static AllowList parse(String csv, String source) throws AllowListException {
    return parse(csv, source, FORM_ONLY);
  }

  /**
   * Validates CSV text, resolving each {@code upstream_key} through {@code references}: a row whose
   * reference has no key is a problem naming its line.
   */
  public static AllowList parse(String csv, String source, ReferenceCheck references)
      throws AllowListException {
    String text = !csv.isEmpty() && csv.charAt(0) == '\uFEFF' ? csv.substring(1) : csv;
    return new Parse(source, lineCount(text), references).run(text);
  }

  private static int lineCount(String text) {
    int lines = 1;
    for (int i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
      lines++;
    }
    return lines;
  }

  /** Validates the file's bytes, which must be UTF-8. */
  static AllowList parse(byte[] content, String source) throws AllowListException {
    return parse(decodeUtf8(content, source), source);
  }

  /** Validates the file's bytes, which must be UTF-8, resolving references as above. */
  static AllowList parse(byte[] content, String source, ReferenceCheck references)
      throws AllowListException {
    return parse(decodeUtf8(content, source), source, references);
  }

  static byte[] read(Path file) throws AllowListException {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new AllowListException(describe(file, e));
    }
  }

  /** An operator's description of why {@code file} could not be read or examined. */
  static String describe(Path file, IOException e) {
    if (e instanceof NoSuchFileException) {
      return file + ": file not found";
    }
    if (e instanceof AccessDeniedException) {
      return file + ": permission denied; the gateway's user must be able to read it";
    }
    if (Files.isDirectory(file)) {
      return file + ": is a directory; auth.allowlist_path must name the CSV file";
    }
    return file + ": cannot be read (" + e + ")";
  }

  private static String decodeUtf8(byte[] content, String source) throws AllowListException {
    try {
      return StrictUtf8.decode(content);
    } catch (StrictUtf8.MalformedException e) {
      throw new AllowListException(
          source
              + " line "
              + e.line()
              + ": not valid UTF-8 (at byte "
              + e.byteOffset()
              + " of the file); save the file as UTF-8");
    }
  }

  /** One pass over one file's rows. */
  private static final class Parse {

    private final String source;
    private final List<String> problems = new ArrayList<>();
    private final MessageDigest sha256 = KeyDigest.newSha256();

    private boolean headerSeen;
    private int headerWidth;
    private int idColumn;
    private int keyColumn;
    private int ownerColumn;
    private int addedColumn;
    private int expiresColumn = -1;
    private int upstreamKeyColumn = -1;
    private final ReferenceCheck references;

    private final Map<String, AllowListEntry> plaintextRows;
    private final Map<KeyDigest, AllowListEntry> hashedRows = new HashMap<>();
    private final Map<String, Integer> idLines;

    /**
     * Where each plaintext key was first seen. Plaintext keys are compared as strings; they are
     * hashed only once the file turns out to have {@code sha256:} rows too (a key may be listed in
     * both forms), so a file without hashed rows costs no SHA-256 at all.
     */
    private final Map<String, Integer> plaintextLines;

    /** Where each key was first seen, by digest: filled from the first {@code sha256:} row on. */
    private final Map<KeyDigest, KeyRow> keyRows;

    private boolean hashing;

    /** Where a key was first seen, and in which form. */
    private record KeyRow(int line, boolean hashed) {}

    Parse(String source, int expectedRows, ReferenceCheck references) {
      this.source = source;
      this.references = references;
      int capacity = (int) (expectedRows / 0.75f) + 1;
      this.plaintextRows = new HashMap<>(capacity);
      this.idLines = new HashMap<>(capacity);
      this.plaintextLines = new LinkedHashMap<>(capacity);
      this.keyRows = new HashMap<>();
    }

    AllowList run(String text) throws AllowListException {
      try (JsonParser parser = CSV.createParser(text)) {
        readRows(parser);
      } catch (IOException e) {
        throw new UncheckedIOException("reading CSV from a String", e);
      }
      if (!headerSeen && problems.isEmpty()) {
        problems.add(
            source
                + ": file is empty; the first line must be the header "
                + String.join(",", REQUIRED_COLUMNS));
      }
      if (!problems.isEmpty()) {
        throw new AllowListException(problems);
      }
      if (plaintextRows.isEmpty() && hashedRows.isEmpty()) {
        LOG.warn("Allow-list {} has no entries: every request will be refused with 403", source);
      }
      return new AllowList(plaintextRows, hashedRows);
    }

    private void readRows(JsonParser parser) throws IOException, AllowListException {
      List<String> fields = new ArrayList<>();
      int depth = 0;
      int rowLine = 0;
      try {
        for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
          if (token == JsonToken.START_ARRAY) {
            depth++;
            fields.clear();
            rowLine = 0;
          } else if (token == JsonToken.END_ARRAY) {
            if (depth == 2 && rowLine > 0) {
              row(rowLine, fields);
            }
            depth--;
            rowLine = 0;
          } else if (token == JsonToken.VALUE_STRING) {
            if (rowLine == 0) {
              rowLine = parser.currentTokenLocation().getLineNr();
            }
            fields.add(parser.getText());
          } else {
            throw new IllegalStateException("unexpected CSV token " + token);
          }
        }
      } catch (StreamReadException e) {
        JsonLocation at = e.getLocation();
        int line = rowLine > 0 ? rowLine : at == null ? 0 : at.getLineNr();
        problem(line, "malformed CSV: " + e.getOriginalMessage());
      }
    }

    private void row(int line, List<String> fields) throws AllowListException {
      if (allBlank(fields)) {
        return;
      }
      if (headerSeen) {
        entry(line, fields);
      } else {
        header(line, fields);
      }
    }

    private void header(int line, List<String> names) throws AllowListException {
      Map<String, Integer> columns = new HashMap<>();
      List<String> found = new ArrayList<>();
      for (int i = 0; i < names.size(); i++) {
        String name = names.get(i).strip();
        found.add(name.length() > MAX_SHOWN_COLUMN_NAME ? KeyMask.forLog(name) : name);
        String column = name.toLowerCase(Locale.ROOT);
        if (REQUIRED_COLUMNS.contains(column) && columns.putIfAbsent(column, i) != null) {
          problem(line, "column " + column + " appears twice in the header");
        }
      }
      List<String> missing =
          REQUIRED_COLUMNS.stream().filter(column -> !columns.containsKey(column)).toList();
      if (missing.size() == REQUIRED_COLUMNS.size()) {
        problem(
            line,
            "no header row; the first line must name the columns "
                + String.join(",", REQUIRED_COLUMNS)
                + " (in any order)");
      } else if (!missing.isEmpty()) {
        problem(
            line,
            "missing required column"
                + (missing.size() > 1 ? "s " : " ")
                + String.join(", ", missing)
                + " (found: "
                + String.join(", ", found)
                + ")");
      }
      if (!problems.isEmpty()) {
        throw new AllowListException(problems);
      }
      headerSeen = true;
      headerWidth = names.size();
      idColumn = columns.get("id");
      keyColumn = columns.get("api_key");
      ownerColumn = columns.get("owner");
      addedColumn = columns.get("added");
      for (int i = 0; i < names.size(); i++) {
        if (names.get(i).strip().equalsIgnoreCase(EXPIRES_COLUMN)) {
          if (expiresColumn >= 0) {
            problem(line, "column " + EXPIRES_COLUMN + " appears twice in the header");
            throw new AllowListException(problems);
          }
          expiresColumn = i;
        }
        if (names.get(i).strip().equalsIgnoreCase(UPSTREAM_KEY_COLUMN)) {
          if (upstreamKeyColumn >= 0) {
            problem(line, "column " + UPSTREAM_KEY_COLUMN + " appears twice in the header");
            throw new AllowListException(problems);
          }
          upstreamKeyColumn = i;
        }
      }
    }

    private void entry(int line, List<String> fields) {
      if (fields.size() > headerWidth) {
        problem(
            line,
            "row has "
                + fields.size()
                + " fields but the header has "
                + headerWidth
                + "; quote values that contain commas");
        return;
      }
      String id = field(fields, idColumn);
      String key = field(fields, keyColumn);
      boolean valid = true;

      if (id.isEmpty()) {
        problem(line, "empty id");
        valid = false;
      } else {
        Integer first = idLines.putIfAbsent(id, line);
        if (first != null) {
          problem(line, "duplicate id " + id + " — also on line " + first);
          valid = false;
        }
      }

      KeyDigest digest = null;
      Integer firstLine = null; // of the same key, listed earlier
      boolean firstHashed = false;
      boolean hashed = key.regionMatches(true, 0, Sha256.PREFIX, 0, Sha256.PREFIX.length());
      if (key.isEmpty()) {
        problem(line, "empty api_key");
        valid = false;
      } else if (hashed) {
        String hex = key.substring(Sha256.PREFIX.length());
        digest = KeyDigest.parseHex(hex);
        if (digest == null) {
          problem(
              line,
              "malformed sha256: value; expected sha256: followed by 64 hex digits, found "
                  + (hex.length() == KeyDigest.HEX_LENGTH
                      ? "a character that is not a hex digit"
                      : hex.length() + " characters after sha256:"));
          valid = false;
        }
      } else if (ApiKeys.hasWhitespaceOrControl(key)) {
        problem(
            line,
            "api_key ("
                + KeyMask.forLog(key)
                + ") contains whitespace or control characters, which no client can send");
        valid = false;
      } else {
        firstLine = plaintextLines.putIfAbsent(key, line);
        if (hashing && firstLine == null) {
          digest = KeyDigest.of(key, sha256);
        }
      }

      if (hashed && digest != null && !hashing) {
        hashPlaintextKeysSoFar();
      }
      if (digest != null) {
        KeyRow first = keyRows.putIfAbsent(digest, new KeyRow(line, hashed));
        if (first != null) {
          firstLine = first.line();
          firstHashed = first.hashed();
        }
      }
      if (firstLine != null) {
        problem(
            line,
            "duplicate api_key ("
                + KeyMask.forLog(key)
                + ") — also on line "
                + firstLine
                + (firstHashed == hashed
                    ? ""
                    : " (one row has the key, the other its sha256: form)"));
        valid = false;
      }

      LocalDate expires = null;
      String expiresText = expiresColumn < 0 ? "" : field(fields, expiresColumn);
      if (!expiresText.isEmpty()) {
        try {
          expires = LocalDate.parse(expiresText);
        } catch (DateTimeParseException e) {
          problem(
              line,
              "expires "
                  // a long value may be a key in the wrong column: never shown whole
                  + (expiresText.length() <= 12
                      ? Quoted.of(expiresText)
                      : "(" + KeyMask.forLog(expiresText) + ")")
                  + " is not a date; write YYYY-MM-DD (the key works through that UTC day)"
                  + " or leave it empty");
          valid = false;
        }
      }

      KeyReference upstreamKey = null;
      String upstreamKeyText = upstreamKeyColumn < 0 ? "" : field(fields, upstreamKeyColumn);
      if (!upstreamKeyText.isEmpty()) {
        try {
          upstreamKey = KeyReference.parse(upstreamKeyText);
        } catch (IllegalArgumentException e) {
          // never echoed: a key written here by mistake must not reach a log
          problem(line, UPSTREAM_KEY_COLUMN + " " + e.getMessage() + ", or leave it empty");
          valid = false;
        }
        if (upstreamKey != null) {
          String unresolved = references.problem(upstreamKey);
          if (unresolved != null) {
            problem(line, UPSTREAM_KEY_COLUMN + " " + unresolved);
            valid = false;
          }
        }
      }

      if (valid) {
        AllowListEntry entry =
            new AllowListEntry(
                id, field(fields, ownerColumn), field(fields, addedColumn), expires, upstreamKey);
        if (hashed) {
          hashedRows.put(digest, entry);
        } else {
          plaintextRows.put(key, entry);
        }
      }
    }

    /** From the first {@code sha256:} row on, every plaintext key is known by its digest too. */
    private void hashPlaintextKeysSoFar() {
      hashing = true;
      for (Map.Entry<String, Integer> seen : plaintextLines.entrySet()) {
        keyRows.putIfAbsent(
            KeyDigest.of(seen.getKey(), sha256), new KeyRow(seen.getValue(), false));
      }
    }

    private static boolean allBlank(List<String> fields) {
      for (int i = 0; i < fields.size(); i++) {
        if (!fields.get(i).isBlank()) {
          return false;
        }
      }
      return true;
    }

    /** The trimmed field, or empty if the row is shorter than the header. */
    private static String field(List<String> fields, int column) {
      return column < fields.size() ? fields.get(column).strip() : "";
    }

    private void problem(int line, String problem) {
      problems.add(source + " line " + line + ": " + problem);
    }
  }
}

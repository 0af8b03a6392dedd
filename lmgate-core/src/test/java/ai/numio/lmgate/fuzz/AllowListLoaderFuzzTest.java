package ai.numio.lmgate.fuzz;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import ai.numio.lmgate.auth.AllowList;
import ai.numio.lmgate.auth.AllowListEntry;
import ai.numio.lmgate.auth.AllowListException;
import ai.numio.lmgate.auth.AllowListLoader;
import ai.numio.lmgate.auth.Sha256;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Fuzzes {@link AllowListLoader#parse(String, String)}: it yields an allow-list or an {@link
 * AllowListException}, nothing else; no problem it reports contains a key of the file whole; and a
 * well-formed generated file yields a list that finds every key with its row's values.
 *
 * <p>Input: the last byte's low bit picks the mode. 0: the rest is the CSV text (UTF-8), so the
 * seeds are CSV files with one byte appended. 1: the rest drives a generator of files with quoting,
 * blank lines, reordered and extra columns, hashed keys, and sometimes a broken row.
 */
class AllowListLoaderFuzzTest {

  private static final String SOURCE = "fuzz/allowlist.csv";

  /** Keys no longer than this may be shown (masked forms are shorter); longer ones never whole. */
  private static final int SHORTEST_SECRET = 13;

  private static final CsvMapper CSV =
      CsvMapper.builder()
          .enable(CsvParser.Feature.WRAP_AS_ARRAY)
          .enable(CsvParser.Feature.SKIP_EMPTY_LINES)
          .enable(CsvParser.Feature.TRIM_SPACES)
          .build();

  @FuzzTest(maxDuration = "2m")
  void loaderAcceptsOrExplainsWithoutShowingAKey(FuzzedDataProvider data) {
    if (data.consumeBoolean()) {
      generated(data);
    } else {
      String text = new String(data.consumeRemainingAsBytes(), UTF_8);
      Fields fields = fieldsOf(text);
      parseOrExplain(text, fields.keys, fields.others);
    }
  }

  private static void generated(FuzzedDataProvider data) {
    List<String> columns = new ArrayList<>(List.of("id", "api_key", "owner", "added"));
    for (int i = columns.size() - 1; i > 0; i--) {
      int j = data.consumeInt(0, i);
      columns.set(i, columns.set(j, columns.get(i)));
    }
    boolean extraColumn = data.consumeBoolean();
    if (extraColumn) {
      columns.add(data.consumeInt(0, columns.size()), "note");
    }
    boolean upperHeader = data.consumeBoolean();
    String eol = data.consumeBoolean() ? "\r\n" : "\n";
    boolean bom = data.consumeBoolean();
    int rows = data.consumeInt(0, 8);

    StringBuilder csv = new StringBuilder(bom ? "\uFEFF" : "");
    List<String> header = new ArrayList<>();
    for (String column : columns) {
      header.add(upperHeader ? " " + column.toUpperCase(Locale.ROOT) + " " : column);
    }
    csv.append(String.join(",", header)).append(eol);

    List<Row> written = new ArrayList<>();
    Set<String> keys = new HashSet<>();
    Set<String> others = new HashSet<>(header);
    boolean wellFormed = true;
    for (int i = 0; i < rows; i++) {
      int damage = data.consumeInt(0, 15); // 0..5 break the row, the rest leave it valid
      boolean hashed = data.consumeBoolean();
      boolean quoted = data.consumeBoolean();
      String id = "r" + i + ":" + printable(data.consumeString(8));
      String key = "sk-" + i + "." + alphanumeric(data.consumeString(40));
      String owner = printable(data.consumeString(16));
      String added = printable(data.consumeString(12));
      switch (damage) {
        case 0 -> id = " ";
        case 1 -> key = written.isEmpty() ? "" : written.get(0).key;
        case 2 -> key = key.substring(0, 8) + " " + key.substring(8);
        case 3 -> key = key + "\u0007";
        case 4 -> id = written.isEmpty() ? id : written.get(0).id;
        default -> {}
      }
      String keyField = hashed && damage != 5 ? Sha256.allowListForm(key) : key;
      if (damage == 5) {
        keyField = "sha256:" + key; // not 64 hex digits
      }
      wellFormed &= damage > 5;
      keys.add(key);
      others.add(id);
      others.add(owner);
      others.add(added);
      List<String> values = new ArrayList<>();
      for (String column : columns) {
        String value =
            switch (column) {
              case "id" -> id;
              case "api_key" -> keyField;
              case "owner" -> owner;
              case "added" -> added;
              default -> owner + "," + added;
            };
        values.add(quoted || needsQuotes(value) ? quote(value) : value);
      }
      if (damage == 6) {
        csv.append(eol); // a blank line is allowed anywhere
      }
      csv.append(String.join(",", values)).append(eol);
      written.add(new Row(id, key, owner, added));
    }

    AllowList list = parseOrExplain(csv.toString(), keys, others);
    if (wellFormed) {
      assertThat(list).as("a well-formed file is accepted:%n%s", csv).isNotNull();
      assertThat(list.size()).isEqualTo(written.size());
      for (Row row : written) {
        assertThat(list.lookup(row.key))
            .as("key of row %s", row.id)
            .contains(new AllowListEntry(row.id.strip(), row.owner.strip(), row.added.strip()));
      }
      assertThat(list.lookup("sk-not-on-the-list")).isEmpty();
    }
  }

  /** The parsed list, or null after checking the exception names the file and shows no key. */
  private static AllowList parseOrExplain(String csv, Set<String> keys, Set<String> others) {
    try {
      return AllowListLoader.parse(csv, SOURCE);
    } catch (AllowListException e) {
      assertThat(e.problems()).isNotEmpty();
      for (String problem : e.problems()) {
        assertThat(problem).startsWith(SOURCE);
        for (String key : keys) {
          if (key.length() >= SHORTEST_SECRET && !partOfAnother(key, others)) {
            assertThat(problem).as("a problem shows the key %s", key).doesNotContain(key);
          }
        }
      }
      for (String key : keys) {
        if (key.length() >= SHORTEST_SECRET && !partOfAnother(key, others)) {
          assertThat(e.getMessage()).doesNotContain(key);
        }
      }
      return null;
    }
  }

  /** A key that is also part of an id, owner or header may show as that. */
  private static boolean partOfAnother(String key, Set<String> others) {
    for (String other : others) {
      if (other.contains(key)) {
        return true;
      }
    }
    return false;
  }

  /** The values of the api_key column and all other fields, read as leniently as possible. */
  private static Fields fieldsOf(String text) {
    Fields fields = new Fields();
    int keyColumn = -1;
    boolean headerSeen = false;
    String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
    try (MappingIterator<List<String>> rows = CSV.readerFor(List.class).readValues(body)) {
      while (rows.hasNextValue()) {
        List<String> row = rows.nextValue();
        if (row.stream().allMatch(String::isBlank)) {
          continue;
        }
        for (int i = 0; i < row.size(); i++) {
          String value = row.get(i).strip();
          if (!headerSeen && value.equalsIgnoreCase("api_key") && keyColumn < 0) {
            keyColumn = i;
          }
          if (headerSeen && i == keyColumn) {
            fields.keys.add(value);
          } else {
            fields.others.add(value);
          }
        }
        headerSeen = true;
      }
    } catch (IOException | RuntimeException e) {
      // keep what was read before the malformed part
    }
    return fields;
  }

  private static final class Fields {
    final Set<String> keys = new HashSet<>();
    final Set<String> others = new HashSet<>();
  }

  private record Row(String id, String key, String owner, String added) {}

  private static boolean needsQuotes(String value) {
    return value.isEmpty()
        || !value.strip().equals(value)
        || value.chars().anyMatch(c -> c == ',' || c == '"' || c < ' ');
  }

  private static String quote(String value) {
    return '"' + value.replace("\"", "\"\"") + '"';
  }

  /** The text without control characters, which the generator keeps out of the free fields. */
  private static String printable(String text) {
    StringBuilder out = new StringBuilder(text.length());
    text.codePoints()
        .filter(c -> !Character.isISOControl(c) && !Character.isSurrogate((char) c))
        .forEach(out::appendCodePoint);
    return out.toString();
  }

  private static String alphanumeric(String text) {
    StringBuilder out = new StringBuilder("K");
    for (char c : text.toCharArray()) {
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
        out.append(c);
      }
    }
    while (out.length() < 10) {
      out.append('0');
    }
    return out.toString();
  }
}

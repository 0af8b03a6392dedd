package ai.numio.lmgate.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AllowListTextTest {

  private static final String FILE =
      "# keys of the search team\r\n"
          + "id,api_key,owner,added\r\n"
          + "1,sk-proj-alpha-key-00000000000000001,team-alpha,2026-01-15\r\n"
          + "\r\n"
          + "# the note spans two lines\r\n"
          + "2,sk-ant-beta-key-000000000000000000002,\"team\r\nbeta\",2026-02-01\r\n"
          + "3,sk-gamma-key-00000000000000000000003,team-gamma,2026-03-01\r\n";

  @Test
  void rowsKnowTheirLines() throws Exception {
    AllowListText text = AllowListText.parse(FILE, "keys.csv");
    assertThat(text.rows())
        .extracting(AllowListText.Row::id, AllowListText.Row::line, AllowListText.Row::lines)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("1", 3, 1),
            org.assertj.core.groups.Tuple.tuple("2", 6, 2),
            org.assertj.core.groups.Tuple.tuple("3", 8, 1));
    assertThat(text.rows().get(1).owner()).isEqualTo("team\r\nbeta");
  }

  @Test
  void aRowIsAppendedInTheHeadersOrderKeepingEverythingElse() throws Exception {
    AllowListText text = AllowListText.parse(FILE, "keys.csv");
    Map<String, String> row = new LinkedHashMap<>();
    row.put("owner", "team, delta");
    row.put("id", "4");
    row.put("api_key", Sha256.allowListForm("lmg-new"));
    row.put("added", "2026-12-03");
    assertThat(text.withRow(row))
        .isEqualTo(
            FILE + "4," + Sha256.allowListForm("lmg-new") + ",\"team, delta\",2026-12-03\r\n");
  }

  @Test
  void aMissingColumnIsAddedToTheHeaderOnly() throws Exception {
    String file = "id,api_key,owner,added\n1,sk-proj-alpha-key-00000000000000001,a,2026-01-15";
    Map<String, String> row = new LinkedHashMap<>();
    row.put("id", "2");
    row.put("api_key", "sha256:" + "ab".repeat(32));
    row.put("owner", "b");
    row.put("added", "2026-12-03");
    row.put("expires", "2027-01-31");
    String result = AllowListText.parse(file, "keys.csv").withRow(row);
    assertThat(result)
        .isEqualTo(
            "id,api_key,owner,added,expires\n1,sk-proj-alpha-key-00000000000000001,a,2026-01-15\n"
                + "2,sha256:"
                + "ab".repeat(32)
                + ",b,2026-12-03,2027-01-31\n");
    assertThat(AllowListLoader.parse(result, "x").size()).isEqualTo(2);
  }

  @Test
  void aRowIsRemovedWithAllItsLines() throws Exception {
    AllowListText text = AllowListText.parse(FILE, "keys.csv");
    assertThat(text.withoutRow("2"))
        .isEqualTo(
            "# keys of the search team\r\n"
                + "id,api_key,owner,added\r\n"
                + "1,sk-proj-alpha-key-00000000000000001,team-alpha,2026-01-15\r\n"
                + "\r\n"
                + "# the note spans two lines\r\n"
                + "3,sk-gamma-key-00000000000000000000003,team-gamma,2026-03-01\r\n");
    assertThat(text.withoutRow("9")).isNull();
  }

  @Test
  void anEditThatWouldBreakTheFileIsRefused() throws Exception {
    AllowListText text = AllowListText.parse(FILE, "keys.csv");
    Map<String, String> duplicate =
        Map.of("id", "1", "api_key", "sk-other-0000000000000000000", "owner", "x", "added", "");
    assertThatThrownBy(() -> text.withRow(duplicate))
        .isInstanceOf(AllowListException.class)
        .hasMessageContaining("duplicate id 1");
  }
}

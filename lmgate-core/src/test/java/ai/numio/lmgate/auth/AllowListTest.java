package ai.numio.lmgate.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AllowListTest {

  private static final AllowListEntry ALPHA = new AllowListEntry("1", "team-alpha", "2026-01-15");
  private static final AllowListEntry BETA = new AllowListEntry("2", "team-beta", "2026-02-01");

  private final AllowList list =
      new AllowList(
          Map.of("sk-proj-alpha-key-00000000000000001", ALPHA),
          Map.of(KeyDigest.of("sk-proj-beta-key-000000000000000002"), BETA));

  @Test
  void plaintextRowMatchesItsKey() {
    assertThat(list.lookup("sk-proj-alpha-key-00000000000000001")).contains(ALPHA);
  }

  @Test
  void hashedRowMatchesTheKeyItIsTheHashOf() {
    assertThat(list.lookup("sk-proj-beta-key-000000000000000002")).contains(BETA);
  }

  @Test
  void otherKeysMatchNothing() {
    assertThat(list.lookup("sk-proj-beta-key-000000000000000003")).isEmpty();
    assertThat(list.lookup("sk-proj-alpha-key-0000000000000000")).isEmpty();
    assertThat(list.lookup("")).isEmpty();
  }

  @Test
  void theHashedFormItselfIsNotAKey() {
    assertThat(list.lookup(Sha256.allowListForm("sk-proj-beta-key-000000000000000002"))).isEmpty();
  }

  @Test
  void onlyKeysThatMatchedAHashedRowAreRemembered() {
    list.lookup("sk-proj-alpha-key-00000000000000001");
    list.lookup("wrong-key-1");
    list.lookup("wrong-key-2");
    assertThat(list.rememberedHashedKeys()).isZero();

    Optional<AllowListEntry> first = list.lookup("sk-proj-beta-key-000000000000000002");
    Optional<AllowListEntry> second = list.lookup("sk-proj-beta-key-000000000000000002");
    assertThat(list.rememberedHashedKeys()).isEqualTo(1);
    assertThat(second).isSameAs(first).contains(BETA);
  }

  @Test
  void sizeCountsBothKindsOfRows() {
    assertThat(list.size()).isEqualTo(2);
    assertThat(AllowList.empty().size()).isZero();
    assertThat(AllowList.empty().lookup("sk-proj-alpha-key-00000000000000001")).isEmpty();
  }
}

package ai.numio.lmgate.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class Sha256Test {

  @Test
  void allowListFormIsSha256PrefixAndLowerCaseHex() {
    assertThat(Sha256.allowListForm("password"))
        .isEqualTo("sha256:5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8");
    assertThat(Sha256.allowListForm("sk-live-aaaaaaaaaaaaaaaaaaaa3f9a2c"))
        .isEqualTo("sha256:e7ce6cfe497667048e2d93e1532d4809d6c6cf1da614e94c968c3163285aaedf");
  }

  @Test
  void digestParsesEitherCaseAndPrintsLowerCase() {
    KeyDigest lower =
        KeyDigest.parseHex("5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8");
    KeyDigest upper =
        KeyDigest.parseHex("5E884898DA28047151D0E56F8DC6292773603D0D6AABBDD62A11EF721D1542D8");
    assertThat(upper).isEqualTo(lower).isEqualTo(KeyDigest.of("password"));
    assertThat(upper.hashCode()).isEqualTo(KeyDigest.of("password").hashCode());
    assertThat(upper.toHex())
        .isEqualTo("5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8");
  }

  @Test
  void digestsOfDifferentKeysDiffer() {
    assertThat(KeyDigest.of("password")).isNotEqualTo(KeyDigest.of("Password"));
  }

  @Test
  void onlySixtyFourAsciiHexDigitsParse() {
    String valid = "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8";
    assertThat(KeyDigest.parseHex(valid.substring(1))).isNull();
    assertThat(KeyDigest.parseHex(valid + "0")).isNull();
    assertThat(KeyDigest.parseHex(valid.substring(1) + "g")).isNull();
    assertThat(KeyDigest.parseHex("")).isNull();
    // A full-width digit is a Unicode digit, but not a hex digit of the allow-list format.
    assertThat(KeyDigest.parseHex(valid.substring(1) + "\uFF10")).isNull();
  }
}

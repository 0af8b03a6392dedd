package ai.numio.lmgate.meter;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AcceptEncodingTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "gzip, deflate, br, zstd|gzip, deflate",
        "br;q=1.0, gzip;q=0.8, *;q=0.1|gzip;q=0.8",
        "br|identity",
        "*|identity",
        "GZIP|GZIP",
        "identity|identity",
        "gzip;q=0, deflate|gzip;q=0, deflate",
        "x-gzip , compress|x-gzip",
      })
  void keepsOnlyCodingsTheMeterReads(String client, String forwarded) {
    assertThat(AcceptEncoding.narrow(client)).isEqualTo(forwarded);
  }

  @ParameterizedTest
  @CsvSource(value = {"''"})
  void emptyBecomesIdentity(String client) {
    assertThat(AcceptEncoding.narrow(client)).isEqualTo("identity");
  }

  @org.junit.jupiter.api.Test
  void absentStaysAbsent() {
    assertThat(AcceptEncoding.narrow(null)).isNull();
  }
}

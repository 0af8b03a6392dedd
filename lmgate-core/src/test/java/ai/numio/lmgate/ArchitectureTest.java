package ai.numio.lmgate;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The core stays framework-free: adapters translate container events into core calls. */
class ArchitectureTest {

  private final JavaClasses core =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("ai.numio.lmgate");

  @Test
  void theRulesSeeTheCore() {
    // guards the rules below against passing vacuously on an empty import
    assertThat(core.contain(LMGate.class)).isTrue();
    assertThat(core.contain(ai.numio.lmgate.meter.UsageMeter.class)).isTrue();
  }

  @Test
  void coreUsesNoServletOrJettyTypes() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("jakarta.servlet..", "javax.servlet..", "org.eclipse.jetty..")
        .because("lmgate-core must stay framework-free; adapters live in other modules")
        .check(core);
  }

  @Test
  void coreDoesNotLogThroughABackend() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("ch.qos.logback..", "org.apache.logging..")
        .because("the core logs through the SLF4J API only; the backend is the adapter's choice")
        .check(core);
  }
}

package io.github.astfiji.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Weights and feature maps written by Debian's PyTorch and torchvision
 * (scripts/fixtures/make_pretrained_fixture.py), made once per build in target/. Under CI a
 * missing python3-torchvision fails the tests that need it instead of skipping them.
 */
public final class TorchFixtures {

    public static final Path PYTHON = Path.of("/usr/bin/python3");
    public static final Path DIR = Path.of("target/parity-fixtures");

    private TorchFixtures() {
    }

    public static synchronized Path parityDir() throws Exception {
        if (Files.isRegularFile(DIR.resolve("shapes.json"))) {
            return DIR;
        }
        Files.createDirectories(DIR);
        File log = DIR.resolve("fixture.log").toFile(); // not the test JVM's stdout, which surefire owns
        boolean torch = Files.isExecutable(PYTHON) && new ProcessBuilder(PYTHON.toString(), "-c", "import torchvision")
                .redirectErrorStream(true).redirectOutput(log).start().waitFor() == 0;
        if (!torch && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError("CI=true but Debian's python3-torchvision is missing (apt-get install python3-torchvision): "
                    + "the pretrained backbones cannot be checked against torchvision");
        }
        Assumptions.assumeTrue(torch, "SKIPPED: needs Debian's python3-torchvision (apt-get install python3-torchvision)");
        Process p = new ProcessBuilder(PYTHON.toString(), "scripts/fixtures/make_pretrained_fixture.py", DIR.toString())
                .redirectErrorStream(true).redirectOutput(log).start();
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0 || !Files.isRegularFile(DIR.resolve("shapes.json"))) {
            throw new AssertionError("the fixture script failed: see " + log);
        }
        return DIR;
    }
}

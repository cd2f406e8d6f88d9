package io.github.astfiji.cli;

/** The command-line test driver for tests in other packages. */
public final class CliTestAccess {

    private CliTestAccess() {
    }

    /** Exit code and everything printed. */
    public record Result(int code, String out) {
    }

    public static Result cli(String... args) {
        CliTest.Run r = CliTest.cli(args);
        return new Result(r.code(), r.out());
    }
}
